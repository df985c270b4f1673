// print/FMT of integers that are not C variables: literals, registers and
// expressions over them (emu/debugger/expr.ts types them as gdb does, so
// examine.ts formatPrinted prints the bits at the type's width). A literal is
// an int unless it does not fit (then a long; a hex one up to 0xffffffff an
// unsigned int), a register a long (riscv64), so /x -1 is 0xffffffff and
// /x $a1 of -2 is 0xfffffffffffffffe; /x drops leading zeros, /z keeps them,
// /o of 0 is 0. fixtures/print-fmt.gdb runs in vmlab's REPL and in
// gdb-multiarch through vmlab's stub on the same ELF (stopped at _start):
// every `$N = ...` line is gdb's (golden/print-fmt.gdb.golden.txt, checked
// against gdb again in the peer tier).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { describePeer } from '../../support/peers';
import { gdbRun } from '../../support/gdb-run';

const ROOT = process.cwd();
const FIXTURES = join('tests', 'emu', 'debugger', 'fixtures');
const GOLDEN = join(ROOT, 'tests', 'emu', 'debugger', 'golden');
const SCRIPT = join(FIXTURES, 'print-fmt.gdb');
const ELF = join(FIXTURES, 'bin', 'sigframe');
const golden = (name: string): string => readFileSync(join(GOLDEN, name), 'utf8');
const values = (out: string): string[] => out.split('\n').filter((l) => /^\$\d+ = /.test(l));

describe('print/FMT of literals and registers: the width of the value\'s C type, as gdb prints it', () => {
  const r = vmlab(['debug', '--no-aslr', '-x', SCRIPT, '--batch', ELF], { cwd: ROOT });

  it('the transcript is the golden one', () => {
    expect(r.stdout).toBe(golden('print-fmt.golden.txt'));
    expect(r.stderr).toBe('');
  });

  it("every value line is gdb's", () => {
    const gdb = values(golden('print-fmt.gdb.golden.txt'));
    expect(gdb.length).toBe(42);
    expect(values(r.stdout)).toEqual(gdb);
  });

  it('/x /o /t /d /u /c /z of -1 (an int) and of $a1 = -2 (a long), and the zeros', () => {
    const v = values(r.stdout).map((l) => l.replace(/^\$\d+ = /, ''));
    expect(v.slice(0, 7)).toEqual(['0xffffffff', '037777777777', '1'.repeat(32), '-1', '4294967295', "-1 '\\377'", '0xffffffff']);
    expect(v.slice(7, 11)).toEqual(['0x0', '0', '0', '0x00000000']);
    expect(v.slice(28, 35)).toEqual(['0xfffffffffffffffe', '01777777777777777777776', `${'1'.repeat(63)}0`, '-2', '18446744073709551614', "-2 '\\376'", '0xfffffffffffffffe']);
    expect(v.slice(35, 38)).toEqual(['0x0', '0', '0x0000000000000000']);
  });

  describePeer('gdb-multiarch', ['gdb'], () => {
    it("the gdb golden is what gdb-multiarch prints today through vmlab's stub", async () => {
      // gdb then kills the program, so that the stub exits (vmlab's REPL needs no kill at the end of a batch).
      const file = join(mkdtempSync(join(tmpdir(), 'vmlab-pfmt-')), 'print-fmt.gdb');
      writeFileSync(file, `${readFileSync(join(ROOT, SCRIPT), 'utf8')}kill\n`);
      expect(await gdbRun(ELF, file)).toBe(golden('print-fmt.gdb.golden.txt'));
    }, 120_000);
  });
});
