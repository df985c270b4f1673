// C variables in the REPL (issue 16 item 4; emu/debugger/locals.ts and
// dwarf-types.ts): info locals (the innermost block first), info args,
// print of locals, parameters and globals with *, &, ., ->, [], ptype and
// whatis, and gdb's messages for what cannot be done. The fixture is
// prebuilt with `vmlab cc -g` (guest-programs/prebuilt.json). Every line of
// the golden transcript but the stack addresses (qemu's stack is elsewhere)
// is what gdb-multiarch 13 prints for the same ELF under qemu-riscv64 -g
// (compared by hand when the golden was made: the breakpoint and frame
// lines are vmlab's own).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { docBlock } from '../../support/doc-blocks';
import { debugScript } from './run-debug';

const ROOT = process.cwd();
const FIXTURES = join('tests', 'emu', 'debugger', 'fixtures');
const run = (script: string): ReturnType<typeof vmlab> =>
  vmlab(['debug', '--no-aslr', '-x', script, '--batch', join(FIXTURES, 'bin', 'locals')], { cwd: ROOT });

describe('C locals and types in the REPL', () => {
  const r = run(join(FIXTURES, 'locals.gdb'));

  it('info locals, info args, print, ptype and whatis print what gdb prints (golden transcript)', () => {
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'tests', 'emu', 'debugger', 'golden', 'locals.golden.txt'), 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it("a loop's block variable is listed first inside the loop, and is gone after it", () => {
    const stops = r.stdout.split('\n\nBreakpoint ');
    // The first stop is in the loop (line 32): n first; the stop at line 33 is past it.
    expect(stops[1]).toMatch(/\n=> [^\n]*\nn = 0x[0-9a-f]+\ncount = 0\n/);
    const at33 = stops.find((s) => s.includes('locals.c:33'))!;
    expect(at33).not.toMatch(/\nn = /);
    expect(at33).toContain('\nhead = 0x7fffffffee18\nlimit = 10\nc = GREEN\ncount = 2\n');
  });

  it('docs/debugger.md: the C variables example prints what the document shows', () => {
    const out = debugScript(join('bin', 'locals'), docBlock('docs/debugger.md', 'locals-script'));
    expect(out.stdout).toBe(docBlock('docs/debugger.md', 'locals-output'));
  });

  it('optimized code (-O2): location lists, registers, stack values and entry values from the call site, as gdb (golden transcript)', () => {
    // The same lines gdb-multiarch prints at the same addresses (break *0x1020c: gdb's `break 15` picks that
    // address, vmlab's line breakpoint the line's first); k's entry value has no call-site value: optimized out.
    const o2 = vmlab(['debug', '--no-aslr', '-x', join(FIXTURES, 'locals-o2.gdb'), '--batch', join(FIXTURES, 'bin', 'locals-o2')], { cwd: ROOT });
    expect(o2.stdout).toBe(readFileSync(join(ROOT, 'tests', 'emu', 'debugger', 'golden', 'locals-o2.golden.txt'), 'utf8'));
    expect(o2.stderr).toBe('');
  });

  it('without DWARF (an assembly program): info locals says so, print falls back to the REPL', () => {
    const out = debugScript('pf.s', 'break _start\nrun\ninfo locals\ninfo args\nptype x\nprint 1+2\n');
    expect(out.stdout.split('\n').slice(-5, -1)).toEqual(['No symbol table info available.', 'No symbol table info available.', 'No symbol "x" in current context.', '$1 = 3']);
  });
});
