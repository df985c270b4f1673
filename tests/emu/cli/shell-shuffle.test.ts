// Page-frame shuffling (the per-CPU lists' refills in seeded random order)
// is what makes memview2's buf[] physical addresses irregular; --no-shuffle
// hands frames out in address order, so a fresh system's heap then follows
// the virtual stride.
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';

function bufPhys(stdout: string): bigint[] {
  return [...stdout.matchAll(/^buf\[\d\d\]:\s+0x[0-9a-f]+ -> 0x([0-9a-f]+)$/gm)].map((m) => BigInt(`0x${m[1]}`));
}

describe('vmlab shell --no-shuffle', () => {
  it('gives consecutive heap frames on a fresh system, where the default gives scattered ones', () => {
    const script = 'insmod physicalview; memview2 8';
    const plain = bufPhys(vmlab(['shell', '-q', '--no-shuffle', '-c', script]).stdout);
    const shuffled = bufPhys(vmlab(['shell', '-q', '-c', script]).stdout);
    expect(plain.length).toBe(8);
    expect(shuffled.length).toBe(8);
    for (let i = 1; i < 8; i++) expect(plain[i]! - plain[i - 1]!).toBe(0x1010n);
    expect(shuffled.some((p, i) => i > 0 && p - shuffled[i - 1]! !== 0x1010n)).toBe(true);
  });

  it('is deterministic: the same seed gives the same frames', () => {
    const a = vmlab(['shell', '-q', '--seed', '5', '-c', 'insmod physicalview; memview2 4']).stdout;
    const b = vmlab(['shell', '-q', '--seed', '5', '-c', 'insmod physicalview; memview2 4']).stdout;
    expect(bufPhys(a)).toEqual(bufPhys(b));
  });
});
