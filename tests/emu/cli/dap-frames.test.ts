// `vmlab dap` through C frames (emu/debugger/unwind.ts): stackTrace is the
// REPL's backtrace and the scopes of frame N are that frame's Locals and
// Arguments, in its registers as the unwinder recovered them. On the -O2
// build of tests/emu/debugger/fixtures/unwind.c stopped in the leaf, the
// frames, pcs and variables are gdb-multiarch's
// (tests/emu/debugger/golden/unwind-o2.gdb.golden.txt).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DapClient } from '../../support/dap-client';
import { FIXTURES } from '../debugger/run-debug';

interface Var { name: string; value: string; variablesReference: number }

/** An adapter that launched fixtures/bin/PROG and stopped at the breakpoint on SOURCE:LINE. */
async function stoppedAt(prog: string, source: string, line: number): Promise<DapClient> {
  const c = new DapClient(FIXTURES);
  await c.request('initialize', { adapterID: 'vmlab', pathFormat: 'path' });
  expect((await c.request('launch', { program: join(FIXTURES, 'bin', prog), aslr: false })).success).toBe(true);
  await c.nextEvent('initialized');
  await c.request('setBreakpoints', { source: { path: join(FIXTURES, source) }, breakpoints: [{ line }] });
  await c.request('configurationDone');
  expect((await c.nextEvent('stopped')).event.body.reason).toBe('breakpoint');
  return c;
}

it("stackTrace gives every frame of the leaf's backtrace; scopes of frames 1 and 2 are middle's and outer's", async () => {
  const c = await stoppedAt('unwind-o2', 'unwind.c', 11);
  const st = (await c.request('stackTrace', { threadId: 1 })).body as { stackFrames: { id: number; name: string; line: number; instructionPointerReference: string }[]; totalFrames: number };
  expect(st.stackFrames.map((f) => `${f.id} ${f.name} ${f.instructionPointerReference} ${f.line}`)).toEqual([
    '0 leaf 0x101a4 11', '1 middle 0x101f0 18', '2 outer 0x1022c 22', '3 main 0x10194 27', '4 _start 0x102a4 0',
  ]);
  expect(st.totalFrames).toBe(5);
  const scope = async (frameId: number): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {};
    for (const s of (await c.request('scopes', { frameId })).body.scopes as { name: string; variablesReference: number }[]) {
      if (s.name === 'Locals' || s.name === 'Arguments') {
        out[s.name] = ((await c.request('variables', { variablesReference: s.variablesReference })).body.variables as Var[]).map((v) => `${v.name} = ${v.value}`);
      } else out[s.name] = [];
    }
    return out;
  };
  expect(await scope(1)).toEqual({ Locals: ['pt = {x = 8, y = 9}', 'r = <optimized out>'], Arguments: ['n = 7'], Registers: [], 'Control registers': [] });
  expect(await scope(2)).toEqual({ Locals: ['m = <optimized out>', 'k = <optimized out>'], Arguments: ['a = 5', 'b = 2'], Registers: [], 'Control registers': [] });
  // A watch or hover evaluates in the frame it names.
  const evaluate = async (frameId: number, expression: string): Promise<string> => {
    const r = await c.request('evaluate', { expression, frameId, context: 'watch' });
    return r.success ? (r.body as { result: string }).result : `error: ${r.message}`;
  };
  expect(await evaluate(1, 'n')).toBe('7');
  expect(await evaluate(1, 'pt.y')).toBe('9');
  expect(await evaluate(2, 'b')).toBe('2');
  // Past the last frame: no C scopes.
  expect(Object.keys(await scope(9))).toEqual(['Registers', 'Control registers']);
  await c.request('disconnect');
  expect(await c.exited).toBe(0);
});

it('a handler\'s stack shows the signal frame as a label, <signal handler called>, then the interrupted code', async () => {
  const c = await stoppedAt('sigframe', 'sigframe.c', 17);
  const st = (await c.request('stackTrace', { threadId: 1 })).body as { stackFrames: { id: number; name: string; line: number; presentationHint?: string }[] };
  // tests/emu/debugger/golden/sigframe.golden.txt has the same frames from the REPL's bt.
  expect(st.stackFrames.map((f) => `${f.id} ${f.name} ${f.line}${f.presentationHint === undefined ? '' : ` ${f.presentationHint}`}`)).toEqual([
    '0 on_segv 17', '1 <signal handler called> 0 label', '2 poke 22', '3 work 27', '4 main 34', '5 _start 0',
  ]);
  await c.request('disconnect');
  await c.exited;
});
