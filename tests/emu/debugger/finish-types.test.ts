// finish on C functions (issue 14): the return type comes from the
// function's DW_TAG_subprogram (emu/debugger/dwarf-info.ts) and the value is
// printed as gdb prints it (return-value.ts): nothing for a void function,
// integers at their width and signedness, characters, _Bool, enumerators
// (a flag enum's unnamed value split into its bits), pointers with their
// cast and symbol, character pointers with their string (one on a page not
// yet faulted in, read from the file), structs in a0/a1 and in memory,
// float and double. The fixture is prebuilt with `vmlab cc -g`
// (guest-programs/prebuilt.json), so no cross compiler is needed. Every
// "Value returned" line of the golden transcript is what gdb-multiarch 13
// prints for the same ELF under qemu-riscv64 -g (checked when the golden
// was made; the `Run till exit` lines are vmlab's frame lines).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { vmlab } from '../../support/cli';

const ROOT = process.cwd();
const FIXTURES = join('tests', 'emu', 'debugger', 'fixtures');

it('finish prints each C return type as gdb does, and nothing for a void function (golden transcript)', () => {
  const r = vmlab(['debug', '--no-aslr', '-x', join(FIXTURES, 'returns.gdb'), '--batch', join(FIXTURES, 'bin', 'returns')], { cwd: ROOT });
  expect(r.stdout).toBe(readFileSync(join(ROOT, 'tests', 'emu', 'debugger', 'golden', 'returns.golden.txt'), 'utf8'));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  // f_void's finish ends at the caller's line with no value: the next output is f_int's breakpoint.
  expect(r.stdout).toMatch(/Run till exit from #0 {2}VA 0x[0-9a-f]+ in f_void \(\)[^\n]*\n[^\n]*returns\.c:\d+\t[^\n]*\n=> [^\n]*\n\nBreakpoint 2,/);
});
