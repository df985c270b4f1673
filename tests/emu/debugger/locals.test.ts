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
import { describePeer } from '../../support/peers';
import { gdbRun } from '../../support/gdb-run';

const ROOT = process.cwd();
const FIXTURES = join('tests', 'emu', 'debugger', 'fixtures');
const GOLDEN = join(ROOT, 'tests', 'emu', 'debugger', 'golden');
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

describe('print/FMT on C variables (gdb\'s print_formatted: the format applies to every scalar of a struct, union or array)', () => {
  // fixtures/locals-fmt.gdb stops in walk at line 33 and prints locals, arguments, globals, members, elements and
  // pointers with /x /d /u /o /t /z /c /a /f /s. gdb-multiarch's output for the same script through vmlab's stub is
  // golden/locals-fmt.gdb.golden.txt (checked again below in the peer tier); every `$N = ` line of vmlab's must be gdb's.
  const SCRIPT = join(FIXTURES, 'locals-fmt.gdb');
  const r = run(SCRIPT);
  const values = (out: string): string[] => out.split('\n').filter((l) => /^\$\d+ = /.test(l));
  const gdb = readFileSync(join(GOLDEN, 'locals-fmt.gdb.golden.txt'), 'utf8');

  it('the transcript is the golden one', () => {
    expect(r.stdout).toBe(readFileSync(join(GOLDEN, 'locals-fmt.golden.txt'), 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it("every value line is gdb's, $1 to $97", () => {
    expect(values(r.stdout)).toEqual(values(gdb));
    expect(values(r.stdout).length).toBe(97);
    // A few of gdb's rules, spelled out: two's complement at the type's width, /z padding, /c of a signed int,
    // pointers under /d, /a with the symbol, /f reading an int's bits as a float, char arrays element by element.
    for (const line of ['$9 = 0xfffe', '$7 = 0x000000f0', '$22 = {x = 3 \'\\003\', y = -4 \'\\374\'}', '$13 = -56',
      '$33 = {key = 1, next = 140737488350776, name = 90472, at = {x = 7, y = 8}}', '$25 = 0x17b88 <table+8>',
      '$30 = {x = 0x3, y = 0xfffffffffffffffc}', '$70 = 2.80259693e-45', '$73 = {x = 4.20389539e-45, y = -nan(0x7ffffc)}', '$60 = {0x61, 0x62, 0x0 <repeats 14 times>}',
      '$49 = 0xffffffff', '$47 = {a = 0xffffffff, b = 0x7, cb = 0x1017c, name = {0x61, 0x62, 0x0, 0x0}}']) {
      expect(values(r.stdout)).toContain(line);
    }
  });

  it("a count, a size letter, x's i and an unknown letter are gdb's errors", () => {
    const out = debugScript(join('bin', 'locals'), 'break locals.c:33\nrun\nprint/2x count\nprint/xb count\nprint/i count\nprint/y count\nprint/x nosuch\nprint/z $zero\n');
    expect(out.stdout.split('\n').slice(-7, -1)).toEqual([
      'Item count other than 1 is meaningless in "print" command.',
      'Size letters are meaningless in "print" command.',
      'Format letter "i" is meaningless in "print" command.',
      'Undefined output format "y".',
      'No symbol "nosuch" in current context.',
      '$1 = 0x0000000000000000',
    ]);
  });

  it("docs/debugger.md's print/FMT example prints what the document shows, and gdb's golden has each of its values", () => {
    const out = debugScript(join('bin', 'locals'), docBlock('docs/debugger.md', 'locals-fmt-script'));
    const shown = docBlock('docs/debugger.md', 'locals-fmt-output');
    expect(out.stdout.endsWith(shown)).toBe(true);
    const gdbValues = values(gdb).map((l) => l.replace(/^\$\d+ = /, ''));
    for (const line of values(shown)) expect(gdbValues).toContain(line.replace(/^\$\d+ = /, ''));
  });

  describePeer('gdb-multiarch', ['gdb'], () => {
    it('the gdb golden is what gdb-multiarch prints today for the same ELF through vmlab\'s stub', async () => {
      expect(await gdbRun(join(FIXTURES, 'bin', 'locals'), SCRIPT)).toBe(gdb);
    }, 120_000);
  });
});
