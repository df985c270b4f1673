// `vmlab dap` on a C program built with -g: the Locals and Arguments scopes
// come from the DWARF the REPL's info locals reads (emu/debugger/locals.ts),
// with the values printed as gdb prints them, and structs, arrays and
// pointers expand (their variablesReference lists their members, elements,
// target, and carry the memoryReference of what they point to); the
// references are gone once the program runs again.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DapClient } from '../../support/dap-client';
import { FIXTURES } from '../debugger/run-debug';

interface Var { name: string; value: string; type?: string; variablesReference: number; memoryReference?: string }

describe('vmlab dap: C locals and arguments', () => {
  it('Locals and Arguments scopes at a breakpoint in walk(), expandable structs, arrays and pointers', async () => {
    const c = new DapClient(FIXTURES);
    const vars = async (ref: number): Promise<Var[]> => (await c.request('variables', { variablesReference: ref })).body.variables as Var[];
    const show = (vs: Var[]): string[] => vs.map((v) => `${v.name}: ${v.type} = ${v.value}${v.variablesReference > 0 ? ' [+]' : ''}`);
    await c.request('initialize', { adapterID: 'vmlab', pathFormat: 'path' });
    expect((await c.request('launch', { program: join(FIXTURES, 'bin', 'locals'), aslr: false })).success).toBe(true);
    await c.nextEvent('initialized');
    const bps = await c.request('setBreakpoints', { source: { path: join(FIXTURES, 'locals.c') }, breakpoints: [{ line: 33 }] });
    expect(bps.body.breakpoints[0].verified).toBe(true);
    await c.request('configurationDone');
    expect((await c.nextEvent('stopped')).event.body.reason).toBe('breakpoint');
    const scopes = (await c.request('scopes', { frameId: 0 })).body.scopes as { name: string; variablesReference: number }[];
    expect(scopes.map((s) => s.name)).toEqual(['Locals', 'Arguments', 'Registers', 'Control registers']);
    const locals = await vars(scopes[0]!.variablesReference);
    // What `info locals` prints there (tests/emu/debugger/golden/locals.golden.txt), with the C types.
    expect(show(locals)).toEqual([
      'count: int = 2',
      'mask: u32 = 240',
      'p: struct point = {x = 3, y = -4} [+]',
      'buf: char [8] = "hi\\000\\000\\000\\000\\000"',
      'vs: volatile short = -2',
      'd: const double = 2.5',
      "uc: unsigned char = 200 '\\310'",
      'ip: int * = 0x17b88 <table+8> [+]',
    ]);
    expect(show(await vars(locals[2]!.variablesReference))).toEqual(['x: int = 3', 'y: int = -4']);
    expect(show(await vars(locals[7]!.variablesReference))).toEqual(['*ip: int = 30']);
    const args = await vars(scopes[1]!.variablesReference);
    expect(show(args)).toEqual(['head: node_t * = 0x7fffffffee18 [+]', 'limit: int = 10', 'c: enum color = GREEN']);
    const star = await vars(args[0]!.variablesReference);
    expect(show(star)).toEqual(['*head: node_t = {key = 1, next = 0x7fffffffee38, name = 0x16168 "first", at = {x = 7, y = 8}} [+]']);
    const node = await vars(star[0]!.variablesReference);
    expect(show(node)).toEqual([
      'key: long = 1',
      'next: struct node * = 0x7fffffffee38 [+]',
      'name: const char * = 0x16168 "first"',
      'at: struct point = {x = 7, y = 8} [+]',
    ]);
    // Pointers and arrays carry a memoryReference (VS Code's "View binary data"): the pointee's, the first element's address.
    const refOf = (vs: Var[]): Record<string, string> => Object.fromEntries(vs.filter((v) => v.memoryReference !== undefined).map((v) => [v.name, v.memoryReference!]));
    const bufAt = (await c.request('evaluate', { expression: '&buf', context: 'watch', frameId: 0 })).body.memoryReference as string;
    expect(bufAt).toMatch(/^0x7fffffffe[0-9a-f]{3}$/); // on the stack
    expect(refOf(locals)).toEqual({ buf: bufAt, ip: '0x17b88' });
    expect(refOf(args)).toEqual({ head: '0x7fffffffee18' });
    expect(refOf(node)).toEqual({ next: '0x7fffffffee38', name: '0x16168' });
    const read = async (ref: string, count: number): Promise<string> => Buffer.from((await c.request('readMemory', { memoryReference: ref, count })).body.data as string, 'base64').toString('latin1');
    expect(await read(refOf(locals).ip!, 4)).toBe('\x1e\0\0\0'); // *ip = 30
    expect(await read(bufAt, 8)).toBe('hi\0\0\0\0\0\0');
    expect(await read(refOf(node).name!, 6)).toBe('first\0');
    // Down the list: head->next->next is NULL, which does not expand.
    const second = await vars((await vars(node[1]!.variablesReference))[0]!.variablesReference);
    expect(show(second).slice(0, 2)).toEqual(['key: long = 2', 'next: struct node * = 0x0']);
    expect(refOf(second)).toEqual({ name: '0x16170' }); // a NULL pointer opens no memory view

    // A watch on a C expression expands as the Locals do; a bad one is an error response with gdb's message.
    const table = await c.request('evaluate', { expression: 'table', context: 'watch', frameId: 0 });
    expect([table.body.result, table.body.type]).toEqual(['{10, 20, 30, 40}', 'int [4]']);
    expect(show(await vars(table.body.variablesReference))).toEqual(['[0]: int = 10', '[1]: int = 20', '[2]: int = 30', '[3]: int = 40']);
    // Watches of pointer type, or of an array, carry it too; other values do not.
    expect(table.body.memoryReference).toBe('0x17b80');
    const watch = async (expression: string): Promise<[string, string, string | undefined]> => {
      const r = await c.request('evaluate', { expression, context: 'watch', frameId: 0 });
      return [r.body.result, r.body.type, r.body.memoryReference];
    };
    expect(await watch('ip')).toEqual(['0x17b88 <table+8>', 'int *', '0x17b88']);
    expect(await watch('&table[1]')).toEqual(['0x17b84 <table+4>', 'int *', '0x17b84']);
    expect(await watch('head->next')).toEqual(['0x7fffffffee38', 'struct node *', '0x7fffffffee38']);
    expect(await watch('*ip')).toEqual(['30', 'int', undefined]);
    const nope = await c.request('evaluate', { expression: 'head->nope', context: 'watch', frameId: 0 });
    expect([nope.success, nope.message]).toEqual([false, 'There is no member named nope.']);
    // The debug console is the REPL's: print numbers its values.
    expect((await c.request('evaluate', { expression: 'print p', context: 'repl' })).body.result).toBe('$1 = {x = 3, y = -4}');

    // In main (no block, no parameters): the Arguments scope is empty; what the old references stood for is gone.
    await c.request('setBreakpoints', { source: { path: join(FIXTURES, 'locals.c') }, breakpoints: [{ line: 40 }] });
    await c.request('continue', { threadId: 1 });
    await c.nextEvent('stopped');
    expect(await vars(node[1]!.variablesReference)).toEqual([]);
    const inMain = (await c.request('scopes', { frameId: 0 })).body.scopes as { name: string; variablesReference: number }[];
    expect(await vars(inMain[1]!.variablesReference)).toEqual([]);
    expect(show(await vars(inMain[0]!.variablesReference))).toEqual([
      'b: node_t = {key = 2, next = 0x0, name = 0x16170 "second", at = {x = 5, y = 6}} [+]',
      'a: node_t = {key = 1, next = 0x7fffffffee38, name = 0x16168 "first", at = {x = 7, y = 8}} [+]',
      'r: int = 582',
    ]);
    // A frame further out has the registers only (the locals are the innermost frame's).
    expect(((await c.request('scopes', { frameId: 1 })).body.scopes as { name: string }[]).map((s) => s.name)).toEqual(['Registers', 'Control registers']);
    await c.request('continue', { threadId: 1 });
    await c.nextEvent('terminated');
    expect((await c.request('disconnect')).success).toBe(true);
    expect(await c.exited).toBe(0);
  });
});
