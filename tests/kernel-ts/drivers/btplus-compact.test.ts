// btplus part 3 (kernel-ts/drivers/btplus-compact.ts): IOCTL_COMPACT_VMA
// moves the present pages of a range, in order, to its lowest pages, fills
// the <old, new> table, keeps not-present pages not present, promotes the
// 2 MiB-aligned fully present ranges after; bad requests change nothing.
import { describe, expect, it } from 'vitest';
import { followPte } from '../../../kernel-ts/mm/introspect';
import { IOCTL_COMPACT_VMA, level, putStruct, setup } from './btplus-support';
import { EFAULT, EINVAL } from '../../../kernel-ts/errno';

const PAGE = 4096;
const MB = 1 << 20;
const A = 0x40000000;
const TABLE = 0x50000000;

describe('IOCTL_COMPACT_VMA', () => {
  it('moves present pages in order to the start of the range (Figure 4) and fills the table', () => {
    const s = setup();
    const kmm = s.b.k.mm;
    const mm = s.t.mm!;
    s.mmapAnon(16 * PAGE, A);
    s.mmapAnon(4 * PAGE, TABLE);
    const args = TABLE + 3 * PAGE;
    // Pages 0, 1, 4, 5, 6, 7, 10 present; 2, 3, 8, 9, 11.. not (the figure's 7 -> 2, 10 -> 3 and so on).
    const presentBefore = [0, 1, 4, 5, 6, 7, 10];
    for (const i of presentBefore) s.put64(A + i * PAGE, 100 + i);
    const pfns = presentBefore.map((i) => followPte(kmm, mm, A + i * PAGE).pfn);
    putStruct(s, args, A, 12, TABLE);
    expect(s.ioctl(IOCTL_COMPACT_VMA, args)).toBe(0);
    const pairs = presentBefore.map((_, k) => [s.get64(TABLE + 16 * k), s.get64(TABLE + 16 * k + 8)]);
    expect(pairs).toEqual(presentBefore.map((i, k) => [A + i * PAGE, A + k * PAGE]));
    presentBefore.forEach((i, k) => {
      expect(followPte(kmm, mm, A + k * PAGE).pfn).toBe(pfns[k]);
      expect(s.get64(A + k * PAGE)).toBe(100 + i);
    });
    for (let i = presentBefore.length; i < 16; i++) expect(followPte(kmm, mm, A + i * PAGE).present, `page ${i}`).toBe(false);
  });

  it('promotes the compacted 2 MiB-aligned range', () => {
    const s = setup();
    s.mmapAnon(4 * MB, A);
    s.mmapAnon(PAGE, TABLE);
    const table = s.mmapAnon(4 * PAGE * 4);
    for (let i = 1; i < 1024; i += 2) s.put64(A + i * PAGE, i);
    putStruct(s, TABLE, A, 1024, table);
    expect(s.ioctl(IOCTL_COMPACT_VMA, TABLE)).toBe(0);
    expect(level(s, A)).toBe(2);
    expect(s.get64(A + 5 * PAGE)).toBe(11);
    expect(followPte(s.b.k.mm, s.t.mm!, A + 2 * MB).present).toBe(false);
  });

  it('refuses bad requests and changes nothing', () => {
    const s = setup();
    const kmm = s.b.k.mm;
    const mm = s.t.mm!;
    s.mmapAnon(16 * PAGE, A);
    s.mmapAnon(PAGE, TABLE);
    s.mmapAnon(4 * PAGE, A + 0x100000); // nothing present there
    s.put64(A + 5 * PAGE, 5);
    const cases: [string, number, number, number, number][] = [
      ['npages 0', A, 0, TABLE + 64, -EINVAL],
      ['npages huge', A, 2 ** 40, TABLE + 64, -EINVAL],
      ['range past the VMA end', A + PAGE, 16, TABLE + 64, -EINVAL],
      ['start unaligned', A + 8, 2, TABLE + 64, -EINVAL],
      ['start unmapped', 0x30000000, 2, TABLE + 64, -EINVAL],
      ['no present page', A + 0x100000, 4, TABLE + 64, -EINVAL],
      ['table pointer invalid', A, 16, 0x10, -EFAULT],
    ];
    for (const [what, start, n, table, r] of cases) {
      putStruct(s, TABLE, start, n, table);
      expect(s.ioctl(IOCTL_COMPACT_VMA, TABLE), what).toBe(r);
    }
    expect(followPte(kmm, mm, A + 5 * PAGE).present).toBe(true);
    expect(followPte(kmm, mm, A).present).toBe(false);
    expect(s.ioctl(IOCTL_COMPACT_VMA, 0x10)).toBe(-EFAULT);
  });
});
