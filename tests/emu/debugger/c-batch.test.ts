// `vmlab debug` on a C program (issue 14): the lab's 3000memview2.c, as the
// repository carries it prebuilt with -g (guest-programs/labs/bin; vmlab cc
// ... -g, so no cross compiler is needed here), stepped by C line in a batch
// script: break FILE:LINE, list, next over a call, step into one,
// backtrace naming the C functions, finish, tbreak on a function. Run from
// the vmlab tree, where the line table's file names
// (guest-programs/labs/memview2/3000memview2.c) are found. No driver is
// loaded, so every ioctl fails and says so on stderr; stdout is a pipe, so the
// program's printf output is still in its buffer when the batch ends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { vmlab } from '../../support/cli';

const ROOT = process.cwd();

it('steps through 3000memview2.c by C line (golden transcript)', () => {
  const r = vmlab(['debug', '--no-aslr', '-x', join('tests', 'emu', 'debugger', 'fixtures', '3000memview2.gdb'), '--batch', join('guest-programs', 'labs', 'bin', '3000memview2')], { cwd: ROOT });
  expect(r.stdout).toBe(readFileSync(join(ROOT, 'tests', 'emu', 'debugger', 'golden', '3000memview2.golden.txt'), 'utf8'));
  // report_memory ran 11 times by the end (10 before the loop, the loop's first), each ioctl on a bad fd.
  expect(r.stderr).toBe('Error making ioctl call\n'.repeat(11));
  expect(r.status).toBe(0);
});
