// `vmlab dap`'s readMemory and disassemble (emu/cli/dap-memory.ts): bytes
// through the MMU's probe, with what a user read cannot reach reported as
// unreadableBytes and nothing faulted in; instructions as the REPL's
// disassemble prints them, with symbols and source lines.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DapClient } from '../../support/dap-client';
import { FIXTURES } from '../debugger/run-debug';

const PF = join(FIXTURES, 'pf.s');

describe('vmlab dap: readMemory and disassemble', () => {
  it('reads mapped bytes, reports unmapped ones, disassembles around pc with lines; bad arguments are error responses', async () => {
    const c = new DapClient(FIXTURES);
    const init = await c.request('initialize', { adapterID: 'vmlab', pathFormat: 'path' });
    expect([init.body.supportsReadMemoryRequest, init.body.supportsDisassembleRequest]).toEqual([true, true]);
    expect((await c.request('readMemory', { memoryReference: '0x10000', count: 4 })).message).toBe('not launched');
    await c.request('launch', { program: PF, aslr: false });
    await c.nextEvent('initialized');
    await c.request('setBreakpoints', { source: { path: PF }, breakpoints: [{ line: 13 }] });
    await c.request('configurationDone');
    await c.nextEvent('stopped');
    const mem = async (memoryReference: string, count: number, offset?: number) => (await c.request('readMemory', { memoryReference, count, offset })).body;
    const bytes = (b64: string): number[] => [...Buffer.from(b64, 'base64')];
    // buf (0x12000) holds 42 since line 12; its second page (0x13000) was never touched: not present, unreadable.
    const buf = await mem('0x12000', 8);
    expect([buf.address, bytes(buf.data), buf.unreadableBytes]).toEqual(['0x12000', [42, 0, 0, 0, 0, 0, 0, 0], undefined]);
    const edge = await mem('0x12ff8', 16);
    expect([edge.address, bytes(edge.data).length, edge.unreadableBytes]).toEqual(['0x12ff8', 8, 8]);
    const hole = await mem('0x13000', 0x2000);
    expect([hole.address, hole.data, hole.unreadableBytes]).toEqual(['0x13000', '', 0x1000]);
    // Reading did not fault the page in: it is as unreadable as before.
    expect((await mem('0x12000', 0x1010, 0x1000)).unreadableBytes).toBe(0x1000);
    expect((await c.request('evaluate', { expression: 'x/2bx 0x12000', context: 'repl' })).body.result).toMatch(/^VA 0x12000 <buf>:\s+0x2a\s+0x00$/);

    const dis = await c.request('disassemble', { memoryReference: '0x10020', instructionOffset: -2, instructionCount: 4, resolveSymbols: true });
    const rows = (dis.body.instructions as { address: string; instruction: string; instructionBytes?: string; symbol?: string; line?: number; location?: { name: string } }[])
      .map((i) => [i.address, i.symbol, i.instructionBytes, i.instruction, i.location?.name, i.line]);
    expect(rows).toEqual([
      ['0x10018', 'main+0x18', '02a00293', 'li\tt0,42', 'pf.s', 11],
      ['0x1001c', 'main+0x1c', '00553023', 'sd\tt0,0(a0)', 'pf.s', 12],
      ['0x10020', 'main+0x20', '00053583', 'ld\ta1,0(a0)', 'pf.s', 13],
      ['0x10024', 'main+0x24', '00000097', 'auipc\tra,0x0', 'pf.s', 14],
    ]);
    const none = await c.request('disassemble', { memoryReference: '0x0', instructionCount: 1 });
    expect(none.body.instructions).toEqual([{ address: '0x0', instruction: '<not mapped>', presentationHint: 'invalid' }]);
    for (const [args, message] of [
      [{ memoryReference: 'main', count: 4 }, 'not an address: main'],
      [{ memoryReference: '0x10000', count: -1 }, 'readMemory: count must be a whole number of bytes, not -1'],
      [{ memoryReference: '0x10000', count: '4' }, 'readMemory: count must be a whole number of bytes, not 4'],
    ] as const) expect((await c.request('readMemory', args)).message).toBe(message);
    expect((await c.request('disassemble', { memoryReference: '0x10000', instructionCount: 'x' })).message).toBe('disassemble: instructionCount must be a whole number, not x');
    expect((await c.request('disassemble', { memoryReference: '0x10000', offset: 1.5, instructionCount: 1 })).message).toBe('not an address: 0x10000 + 1.5');

    await c.request('continue', { threadId: 1 });
    await c.nextEvent('terminated');
    expect((await c.request('readMemory', { memoryReference: '0x12000', count: 8 })).message).toBe('the program has exited');
    expect((await c.request('disconnect')).success).toBe(true);
    expect(await c.exited).toBe(0);
  });
});
