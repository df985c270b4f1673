// A real program linked with the guest runtime library: many instruction
// forms objdump has aliases for (zext.b, ...) and absolute symbols with
// negative values (the .equ errno constants), which `vmlab disasm` must read
// and print exactly as objdump -d does.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describePeer } from '../support/peers';
import { vmlab } from '../support/cli';
import { runClean, scratch } from './peer-tools';

const LIB = join(process.cwd(), 'guest-programs', 'lib');
const MEMVIEW2 = join(process.cwd(), 'guest-programs', 'programs', 'memview2.s');

describePeer('vmlab disasm of a libc-linked program vs objdump', ['objdump'], () => {
  it('prints every line as objdump -d does', () => {
    const out = join(scratch(), 'memview2');
    const lib = readdirSync(LIB).filter((f) => f.endsWith('.s')).sort().map((f) => join(LIB, f));
    const built = vmlab(['asm', MEMVIEW2, ...lib, '-o', out]);
    expect(built.stderr).toBe('');
    const ours = vmlab(['disasm', out]);
    expect(ours.stderr).toBe('');
    expect(ours.stdout).toBe(runClean('objdump', ['-d', out]));
  });
});

it('vmlab disasm ends quietly (no stack trace) when its reader closes the pipe', async () => {
  const { spawnSync } = await import('node:child_process');
  const out = join(scratch(), 'memview2');
  const lib = readdirSync(LIB).filter((f) => f.endsWith('.s')).sort().map((f) => join(LIB, f));
  expect(vmlab(['asm', MEMVIEW2, ...lib, '-o', out]).status).toBe(0);
  const r = spawnSync('sh', ['-c', `"${process.execPath}" dist/vmlab.mjs disasm "${out}" | head -1`], { encoding: 'utf8' });
  expect([r.stdout, r.stderr]).toEqual(['\n', '']);
});
