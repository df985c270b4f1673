// /proc/PID/smaps_rollup: Rss, Pss and Anonymous from the page tables, and
// AnonHugePages, the part served by 2 MiB pages (btplus's promotion thread), which a
// split (munmap in the middle of a huge page) takes back.
import { describe, expect, it } from 'vitest';
import { smapsRollup, smapsRollupText } from '../../../kernel-ts/mm/introspect';
import { doMunmap } from '../../../kernel-ts/mm/mmap';
import { promote, setup } from '../drivers/btplus-support';

const PAGE = 4096;
const MB = 1 << 20;
const A = 0x40000000;

describe('smaps_rollup', () => {
  it('counts present pages, and the 2 MiB pages among the anonymous ones', () => {
    const s = setup();
    const kmm = s.b.k.mm;
    const mm = s.t.mm!;
    const before = smapsRollup(kmm, mm);
    expect(s.mmapAnon(4 * MB, A)).toBe(A);
    for (let i = 0; i < 1024; i++) s.put64(A + i * PAGE, i + 1);
    const touched = smapsRollup(kmm, mm);
    expect(touched.rss - before.rss).toBe(4096);
    expect(touched.anonymous - before.anonymous).toBe(4096);
    expect(touched.anonHugePages).toBe(0);

    expect(promote(s)).toBe(2);
    expect(smapsRollup(kmm, mm)).toMatchObject({ rss: touched.rss, anonymous: touched.anonymous, anonHugePages: 4096 });
    expect(smapsRollupText(kmm, mm)).toMatch(/\nAnonHugePages:\s+4096 kB\n/);

    // munmap of the upper 1 MiB: the first huge page stays, the second is split (its lower half stays mapped).
    expect(doMunmap(kmm, mm, A + 3 * MB, MB)).toBe(0);
    expect(smapsRollup(kmm, mm)).toMatchObject({ rss: touched.rss - 1024, anonHugePages: 2048 });
  });

  it("prints Linux's layout: the [rollup] range line, then `Name:  value kB` lines", () => {
    const s = setup();
    const text = smapsRollupText(s.b.k.mm, s.t.mm!);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^[0-9a-f]{8,}-[0-9a-f]{8,} ---p 00000000 00:00 0 +\[rollup\]$/);
    expect(lines[0]!.indexOf('[rollup]')).toBe(73);
    expect(lines.slice(1, 7).map((l) => l.replace(/\d+/, 'N'))).toEqual([
      'Rss:                   N kB', 'Pss:                   N kB', 'Anonymous:             N kB',
      'AnonHugePages:         N kB', 'Swap:                  N kB', 'Locked:                N kB',
    ]);
  });
});
