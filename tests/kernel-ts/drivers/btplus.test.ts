// btplus (kernel-ts/drivers/btplus.ts), part 1: the ioctl numbers, moving a
// VMA by its page-table entries (anonymous and file-backed), and every bad
// request answered with -EINVAL or -EFAULT and nothing changed.
import { describe, expect, it } from 'vitest';
import { followPte } from '../../../kernel-ts/mm/introspect';
import { BTPLUS_WALK, IOCTL_COMPACT_VMA, IOCTL_MVE_VMA, IOCTL_MVE_VMA_TO, IOCTL_PROMOTE_VMA, putStruct, setup } from './btplus-support';
import { EFAULT, EINVAL, ENOTTY } from '../../../kernel-ts/errno';

const PAGE = 4096;
describe('btplus ioctl numbers', () => {
  it("are the lab's _IOW/_IOWR/_IO('b', ...): each reaches its command, anything else is -ENOTTY", () => {
    const s = setup();
    // A bad argument pointer: each command that reads a struct answers -EFAULT, so it was recognised.
    for (const cmd of [IOCTL_MVE_VMA_TO, IOCTL_MVE_VMA, IOCTL_COMPACT_VMA, BTPLUS_WALK]) expect(s.ioctl(cmd, 0x10), cmd.toString(16)).toBe(-EFAULT);
    expect(s.ioctl(IOCTL_PROMOTE_VMA, 0)).toBe(0);
    for (const cmd of [0x6201, 0x40106206, 0x40107201]) expect(s.ioctl(cmd, 0x10), cmd.toString(16)).toBe(-ENOTTY);
  });
});

describe('IOCTL_MVE_VMA_TO', () => {
  it('moves the page-table entries: same frames at the new address, old range unmapped', () => {
    const s = setup();
    const mm = s.t.mm!;
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    const args = s.mmapAnon(PAGE, 0x410000000);
    for (let i = 0; i < 4; i++) s.put64(buf + i * PAGE, 0x1000 + i);
    const pfns = [0, 1, 2, 3].map((i) => followPte(s.b.k.mm, mm, buf + i * PAGE).pfn);
    const dest = 0x500000000;
    putStruct(s, args, buf, dest);
    expect(s.ioctl(IOCTL_MVE_VMA_TO, args)).toBe(0);
    expect(mm.vmas.vmaLookup(buf)).toBeNull();
    const moved = mm.vmas.vmaLookup(dest)!;
    expect([moved.vmStart, moved.vmEnd]).toEqual([dest, dest + 4 * PAGE]);
    expect([0, 1, 2, 3].map((i) => followPte(s.b.k.mm, mm, dest + i * PAGE).pfn)).toEqual(pfns);
    expect([0, 1, 2, 3].map((i) => s.get64(dest + i * PAGE))).toEqual([0x1000, 0x1001, 0x1002, 0x1003]);
    expect(followPte(s.b.k.mm, mm, buf).present).toBe(false);
  });

  it('refuses bad requests with -EINVAL and changes nothing', () => {
    const s = setup();
    const mm = s.t.mm!;
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    const other = s.mmapAnon(PAGE, 0x400010000);
    const args = s.mmapAnon(PAGE);
    const before = mm.vmas.toArray().map((v) => [v.vmStart, v.vmEnd]);
    const cases: [string, number, number][] = [
      ['start inside a VMA', buf + PAGE, 0x500000000],
      ['start not mapped', 0x300000000, 0x500000000],
      ['unaligned dest', buf, 0x500000001],
      ['dest overlapping another VMA', buf, other - 2 * PAGE],
      ['dest overlapping the VMA itself', buf, buf + PAGE],
      ['dest beyond the user address space', buf, mm.taskSize - 2 * PAGE],
      ['dest far beyond', buf, 2 ** 52],
      ['dest below mmap_min_addr', buf, 0],
    ];
    for (const [what, start, dest] of cases) {
      putStruct(s, args, start, dest);
      expect(s.ioctl(IOCTL_MVE_VMA_TO, args), what).toBe(-EINVAL);
    }
    expect(mm.vmas.toArray().map((v) => [v.vmStart, v.vmEnd])).toEqual(before);
    expect(s.ioctl(IOCTL_MVE_VMA_TO, 0x10)).toBe(-EFAULT);
  });

  it('moves a file-backed VMA', () => {
    const s = setup();
    const mm = s.t.mm!;
    const text = mm.vmas.toArray().find((v) => v.vmFile !== null)!;
    const args = s.mmapAnon(PAGE);
    const len = text.vmEnd - text.vmStart;
    const pfn0 = followPte(s.b.k.mm, mm, text.vmStart);
    putStruct(s, args, text.vmStart, 0x600000000);
    expect(s.ioctl(IOCTL_MVE_VMA_TO, args)).toBe(0);
    const moved = mm.vmas.vmaLookup(0x600000000)!;
    expect(moved.vmEnd - moved.vmStart).toBe(len);
    expect(moved.vmFile).toBe(text.vmFile);
    if (pfn0.present) expect(followPte(s.b.k.mm, mm, 0x600000000).pfn).toBe(pfn0.pfn);
  });
});

describe('IOCTL_MVE_VMA', () => {
  it('moves to the first hole above the VMA and put_user()s the new start', () => {
    const s = setup();
    const mm = s.t.mm!;
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    s.mmapAnon(2 * PAGE, 0x400004000); // adjacent: the 2-page gap after it is too small
    s.mmapAnon(PAGE, 0x400008000);
    const args = s.mmapAnon(PAGE);
    s.put64(buf, 77);
    putStruct(s, args, buf, args + 16);
    expect(s.ioctl(IOCTL_MVE_VMA, args)).toBe(0);
    expect(s.get64(args + 16)).toBe(0x400009000);
    expect(s.get64(0x400009000)).toBe(77);
    expect(mm.vmas.vmaLookup(buf)).toBeNull();
  });

  it('answers a bad result pointer with -EFAULT before moving, a bad start with -EINVAL', () => {
    const s = setup();
    const mm = s.t.mm!;
    const buf = s.mmapAnon(4 * PAGE, 0x400000000);
    const args = s.mmapAnon(PAGE);
    putStruct(s, args, buf, 0x10);
    expect(s.ioctl(IOCTL_MVE_VMA, args)).toBe(-EFAULT);
    expect(mm.vmas.vmaLookup(buf)!.vmStart).toBe(buf);
    putStruct(s, args, buf + PAGE, args + 16);
    expect(s.ioctl(IOCTL_MVE_VMA, args)).toBe(-EINVAL);
  });
});
