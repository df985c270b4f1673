// `vmlab dap` driven by a client speaking the Debug Adapter Protocol over
// stdio, as VS Code does: launch, a breakpoint by source line, the stack,
// the registers, next, stepIn, stepBack, the debug console, continue to
// the exit, disconnect.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DapClient } from '../../support/dap-client';
import type { DapMessage } from '../../support/dap-client';
import { FIXTURES } from '../debugger/run-debug';
import { SLICE_INSNS } from '../../../emu/debugger/engine';

const PF = join(FIXTURES, 'pf.s');
const console_ = (evs: DapMessage[]): string => evs.filter((e) => e.event === 'output').map((e) => e.body.output as string).join('');

async function frames(c: DapClient): Promise<{ name: string; line?: number; source?: string }[]> {
  const r = await c.request('stackTrace', { threadId: 1 });
  return (r.body.stackFrames as { name: string; line: number; source?: { name: string } }[]).map((f) => ({ name: f.name, line: f.line, source: f.source?.name }));
}

describe('vmlab dap', () => {
  it('launch, a breakpoint, the stack and registers, next, stepIn, stepBack, evaluate, continue to the exit, disconnect', async () => {
    const c = new DapClient(FIXTURES);
    const init = await c.request('initialize', { adapterID: 'vmlab', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    expect(init.success).toBe(true);
    expect(init.body.supportsStepBack).toBe(true);
    expect(init.body.supportsConfigurationDoneRequest).toBe(true);
    expect((await c.request('launch', { program: PF, aslr: false })).success).toBe(true);
    await c.nextEvent('initialized');
    const bps = await c.request('setBreakpoints', { source: { path: PF }, breakpoints: [{ line: 13 }, { line: 2 }] });
    expect(bps.body.breakpoints).toEqual([
      { id: 1, verified: true, line: 13, instructionReference: '0x10020' },
      { verified: false, line: 2, message: 'no code at pf.s:2' },
    ]);
    expect((await c.request('configurationDone')).success).toBe(true);
    const hit = await c.nextEvent('stopped');
    expect(hit.event.body).toMatchObject({ reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
    // The debug console: what the kernel did on the way, then the REPL's stop report.
    expect(console_(hit.before).split(`${FIXTURES}/`).join('')).toBe([
      'kernel: #PF at VA 0x10068 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10068 -> PA 0x109068',
      'kernel: #PF at VA 0x14000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x14000 -> PA 0x102000',
      'kernel: #PF at VA 0x12000 (error 0x6 not-present write user) handled: demand-zero; now VA 0x12000 -> PA 0x104000',
      '',
      'Breakpoint 1, VA 0x10020 <main+0x20>',
      'pf.s:13\t        ld      a1, 0(a0)',
      '=> VA 0x10020 <main+0x20>:\tld\ta1,0(a0)',
      '',
    ].join('\n'));
    expect((await c.request('threads')).body.threads).toEqual([{ id: 1, name: 'process 1 (pf)' }]);
    expect((await frames(c))[0]).toEqual({ name: 'main', line: 13, source: 'pf.s' });
    const scopes = await c.request('scopes', { frameId: 0 });
    expect(scopes.body.scopes.map((s: { name: string }) => s.name)).toEqual(['Registers', 'Control registers']);
    const regs = (await c.request('variables', { variablesReference: scopes.body.scopes[0].variablesReference })).body.variables as { name: string; value: string }[];
    expect(regs.find((v) => v.name === 'pc')!.value).toBe('0x10020');
    expect(regs.find((v) => v.name === 't0')!.value).toBe('0x2a');
    expect(regs.length).toBe(32);

    await c.request('next', { threadId: 1 });
    expect((await c.nextEvent('stopped')).event.body.reason).toBe('step');
    expect((await frames(c))[0]).toEqual({ name: 'main', line: 14, source: 'pf.s' });
    await c.request('stepIn', { threadId: 1 });
    await c.nextEvent('stopped');
    const inAdd1 = await frames(c);
    expect(inAdd1.slice(0, 2).map((f) => [f.name, f.line])).toEqual([['add1', 23], ['main', 14]]);
    expect(inAdd1[2]!.name).toBe('_start');
    await c.request('stepBack', { threadId: 1 });
    expect((await c.nextEvent('stopped')).event.body.reason).toBe('step');
    expect((await frames(c))[0]).toEqual({ name: 'main', line: 14, source: 'pf.s' });

    const ev = await c.request('evaluate', { expression: 'p $a1', context: 'repl' });
    expect(ev.body.result).toBe('$1 = 42');
    const hover = await c.request('evaluate', { expression: '$t0 + 1', context: 'hover' });
    expect(hover.body.result).toBe('$2 = 43');

    await c.request('continue', { threadId: 1 });
    const exited = await c.nextEvent('exited');
    expect(exited.event.body.exitCode).toBe(3);
    await c.nextEvent('terminated');
    expect((await c.request('disconnect')).success).toBe(true);
    expect(await c.exited).toBe(0);
    expect(c.stderr).toBe('');
  });

  it('a launch that cannot load its program is an error response, not a crash; pause interrupts a program that never ends', async () => {
    const c = new DapClient(FIXTURES);
    await c.request('initialize', { adapterID: 'vmlab' });
    const bad = await c.request('launch', { program: join(FIXTURES, 'no-such.s') });
    expect(bad.success).toBe(false);
    expect(bad.message).toMatch(/no-such\.s/);
    expect((await c.request('launch', { program: join(FIXTURES, 'spin.s'), aslr: false })).success).toBe(true);
    await c.nextEvent('initialized');
    await c.request('configurationDone');
    expect((await c.request('pause', { threadId: 1 })).success).toBe(true);
    const stop = await c.nextEvent('stopped');
    expect(stop.event.body.reason).toBe('pause');
    expect((await frames(c))[0]!.name).toBe('main');
    expect((await c.request('disconnect')).success).toBe(true);
    expect(await c.exited).toBe(0);
  });

  it('one run at a time: configurationDone after a continue starts no second run; requests while it runs are answered at once; pause stops the one run', async () => {
    const c = new DapClient(FIXTURES);
    await c.request('initialize', { adapterID: 'vmlab', pathFormat: 'path' });
    expect((await c.request('launch', { program: join(FIXTURES, 'spin.s'), aslr: false })).success).toBe(true);
    await c.nextEvent('initialized');
    // spin.s never ends: from the continue's answer on, the program runs until a pause.
    expect((await c.request('continue', { threadId: 1 })).success).toBe(true);
    // Before the fix this started a second run of the same engine, which the pause below did not stop.
    expect((await c.request('configurationDone')).success).toBe(true);
    const answers = await Promise.all([
      c.request('threads'), c.request('stackTrace', { threadId: 1 }), c.request('next', { threadId: 1 }),
      c.request('evaluate', { expression: 'p $a0', context: 'repl' }), c.request('readMemory', { memoryReference: '0x10000', count: 4 }),
      c.request('setInstructionBreakpoints', { breakpoints: [] }),
    ]);
    expect(answers.map((r) => (r.success ? `${r.command}: ok` : r.message))).toEqual([
      'threads: ok',
      'stackTrace: the program is running (pause it first)',
      'next: the program is running (pause it first)',
      'evaluate: the program is running (pause it first)',
      'readMemory: the program is running (pause it first)',
      'setInstructionBreakpoints: ok',
    ]);
    expect((await c.request('pause', { threadId: 1 })).success).toBe(true);
    expect((await c.nextEvent('stopped')).event.body.reason).toBe('pause');
    // The pause landed where the run looked at the event loop: a whole number of slices of instructions from the entry.
    const proc = (await c.request('evaluate', { expression: 'info proc', context: 'repl' })).body.result as string;
    const insns = Number(/instructions retired: \d+ by this process, (\d+) by the machine/.exec(proc)![1]);
    expect(insns).toBeGreaterThan(0);
    expect(insns % SLICE_INSNS).toBe(0);
    // Stopped means stopped: nothing runs on in the background between two looks.
    const a0 = (await c.request('evaluate', { expression: 'p $a0', context: 'repl' })).body.result as string;
    expect((await c.request('evaluate', { expression: 'p $a0', context: 'repl' })).body.result).toBe(a0.replace('$1', '$2'));
    expect((await c.request('evaluate', { expression: 'info proc', context: 'repl' })).body.result).toBe(proc);
    // Disconnect during a run: answered once the run stopped.
    expect((await c.request('continue', { threadId: 1 })).success).toBe(true);
    expect((await c.request('disconnect')).success).toBe(true);
    expect(await c.exited).toBe(0);
    expect(c.stray).toEqual([]);
    expect(c.stderr).toBe('');
  });

  it('a message that is not JSON, an unknown request and a request without its arguments get answers or a line on stderr; the server goes on', async () => {
    const c = new DapClient(FIXTURES);
    c.raw('Content-Length: 9\r\n\r\n{not json');
    const unknown = await c.request('frobnicate');
    expect(unknown.success).toBe(false);
    const noArgs = await c.request('setBreakpoints');
    expect(noArgs.success).toBe(false);
    // Arguments that are not an object: still a request, answered with an error.
    const badArgs = await c.request('threads', [1]);
    expect([badArgs.success, badArgs.message]).toEqual([false, 'threads: "arguments" must be an object']);
    const init = await c.request('initialize', { adapterID: 'vmlab', pathFormat: 'path' });
    expect(init.success).toBe(true);
    expect(c.stderr).toMatch(/^vmlab dap: a message that is not JSON \(.*\): dropped\n$/);
    expect((await c.request('disconnect')).success).toBe(true);
    expect(await c.exited).toBe(0);
  });
});
