// Compiler output assembles unchanged: gcc -S for rv64im, assembled by vmlab
// and by GNU as + ld, gives the same bytes, and the program runs under qemu.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { writeElf } from '../../asm/elf-write';
import { describePeer, PEER_TOOLS } from '../support/peers';
import { expectSameAsGnu } from './gnu';

const PROGRAM = `
static const char msg[] = "sum is ready\\n";
long counter;
long table[6] = {1, -2, 3, 40000000000, 5, 6};
static char scratch[64];
long sum(long *p, int n) { long s = 0; for (int i = 0; i < n; i++) s += p[i] * 3 / (i + 1); return s; }
static long sys3(long n, long a, long b, long c) {
  register long a7 asm("a7") = n; register long a0 asm("a0") = a;
  register long a1 asm("a1") = b; register long a2 asm("a2") = c;
  asm volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
  return a0;
}
void _start(void) {
  for (unsigned i = 0; i < sizeof msg; i++) scratch[i] = msg[i];
  counter = sum(table, 6);
  sys3(64, 1, (long)scratch, sizeof msg - 1);
  sys3(94, counter & 0xff, 0, 0);
  for (;;) {}
}
`;

describePeer('asm on gcc output', ['gcc', 'as', 'ld', 'qemu'], () => {
  it('assembles gcc -S output like GNU as, and the program runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-gcc-'));
    writeFileSync(join(dir, 'p.c'), PROGRAM);
    execFileSync(PEER_TOOLS.gcc, ['-S', '-O2', '-march=rv64im', '-mabi=lp64', '-fno-pic', '-ffreestanding',
      '-fno-asynchronous-unwind-tables', '-o', join(dir, 'p.s'), join(dir, 'p.c')]);
    const text = readFileSync(join(dir, 'p.s'), 'utf8');
    const image = expectSameAsGnu([{ path: 'p.s', text }]);
    const exe = join(dir, 'p');
    writeFileSync(exe, writeElf(image), { mode: 0o755 });
    const r = spawnSync(PEER_TOOLS.qemu, [exe], { encoding: 'utf8' });
    const expected = [1, -2, 3, 40000000000, 5, 6].reduce((s, v, i) => s + Math.trunc((v * 3) / (i + 1)), 0);
    expect([r.stdout, r.status]).toEqual(['sum is ready\n', expected & 0xff]);
  });
});
