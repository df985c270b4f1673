import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  VM_ACCESS_FLAGS,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_IO,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WRITE,
  VmAreaStruct,
  VmaSet,
  canMerge,
  showMapVma,
  showMaps,
  type VmFile,
  type VmaInit,
} from '../../../kernel-ts/mm/vma';
import { EACCES, ENOMEM } from '../../../kernel-ts/errno';

const MAY = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
const RW = VM_READ | VM_WRITE | MAY; // 0x73
const R = VM_READ | MAY; // 0x71
const RX = VM_READ | VM_EXEC | MAY; // 0x75

const libc: VmFile = { path: '/usr/lib/libc.so.6', devMajor: 8, devMinor: 2, ino: 1234567 };
const other: VmFile = { path: '/usr/lib/libm.so.6', devMajor: 8, devMinor: 2, ino: 1234599 };

function vma(vmStart: number, vmEnd: number, vmFlags: number, more: Partial<VmaInit> = {}): VmAreaStruct {
  return new VmAreaStruct({ vmStart, vmEnd, vmFlags, ...more });
}

function setOf(...vmas: VmAreaStruct[]): VmaSet {
  const s = new VmaSet();
  for (const v of vmas) expect(s.insertVma(v)).toBe(0);
  return s;
}

/** start-end flags pgoff, all hex: a compact picture of the set. */
function dump(s: Iterable<VmAreaStruct>): string[] {
  return [...s].map((v) => `${v.vmStart.toString(16)}-${v.vmEnd.toString(16)} ${v.vmFlags.toString(16)} ${v.vmPgoff.toString(16)}`);
}

describe('VmaSet lookups', () => {
  const a = vma(0x10000, 0x12000, RX);
  const b = vma(0x20000, 0x30000, RW);
  const c = vma(0x40000, 0x41000, R);
  const s = setOf(c, a, b);

  it('keeps VMAs sorted whatever the insertion order', () => {
    expect(dump(s)).toEqual(['10000-12000 75 10', '20000-30000 73 20', '40000-41000 71 40']);
  });

  it('findVma returns the first VMA ending above addr (Linux find_vma)', () => {
    expect(s.findVma(0)).toBe(a);
    expect(s.findVma(0x11fff)).toBe(a);
    expect(s.findVma(0x12000)).toBe(b);
    expect(s.findVma(0x3ffff)).toBe(c);
    expect(s.findVma(0x41000)).toBeNull();
  });

  it('vmaLookup and findVmaIntersection need real overlap', () => {
    expect(s.vmaLookup(0x12000)).toBeNull();
    expect(s.vmaLookup(0x20000)).toBe(b);
    expect(s.findVmaIntersection(0x12000, 0x20000)).toBeNull();
    expect(s.findVmaIntersection(0x12000, 0x20001)).toBe(b);
    expect(s.findVmaIntersection(0x11000, 0x50000)).toBe(a);
    expect([s.vmaPrev(b), s.vmaNext(b), s.vmaPrev(a), s.vmaNext(c)]).toEqual([a, c, null, null]);
  });

  it('refuses overlapping inserts with -ENOMEM (insert_vm_struct) and accepts adjacent ones', () => {
    const t = setOf(vma(0x20000, 0x30000, RW));
    expect(t.insertVma(vma(0x2f000, 0x31000, RW))).toBe(-ENOMEM);
    expect(t.insertVma(vma(0x10000, 0x40000, RW))).toBe(-ENOMEM);
    expect(t.insertVma(vma(0x30000, 0x31000, RW))).toBe(0);
    expect(t.insertVma(vma(0x1f000, 0x20000, RW))).toBe(0);
    expect(dump(t)).toEqual(['1f000-20000 73 1f', '20000-30000 73 20', '30000-31000 73 30']);
  });

  it('treats unaligned or empty ranges as broken invariants', () => {
    expect(() => vma(0x10000, 0x10000, RW)).toThrow('bad VMA range [0x10000, 0x10000)');
    expect(() => vma(0x10000, 0x10800, RW)).toThrow('VMA range [0x10000, 0x10800) not page aligned');
    expect(() => s.vmaNext(vma(0x20000, 0x30000, RW))).toThrow('VMA [0x20000, 0x30000) not in this mm');
  });
});

describe('split and merge', () => {
  it('splits a file VMA advancing the upper pgoff (__split_vma)', () => {
    const v = vma(0x400000, 0x405000, R, { vmFile: libc, vmPgoff: 2 });
    const s = setOf(v);
    const upper = s.splitVma(v, 0x402000);
    expect(dump(s)).toEqual(['400000-402000 71 2', '402000-405000 71 4']);
    expect(upper.vmFile).toBe(libc);
    expect(s.toArray()[0]).toBe(v);
    expect(() => s.splitVma(v, 0x402000)).toThrow('split of [0x400000, 0x402000) at bad address 0x402000');
    expect(() => s.splitVma(upper, 0x403800)).toThrow('at bad address 0x403800');
  });

  it('merges neighbours with equal flags, file and contiguous pgoff into the lowest VMA', () => {
    const lo = vma(0x10000, 0x11000, RW);
    const mid = vma(0x11000, 0x13000, RW);
    const hi = vma(0x13000, 0x14000, RW | VM_SOFTDIRTY);
    const s = setOf(lo, mid, hi);
    expect(s.vmaMerge(mid)).toBe(lo);
    expect(dump(s)).toEqual(['10000-14000 73 10']);
  });

  it('refuses merges Linux refuses (can_vma_merge_after / is_mergeable_vma)', () => {
    const base = vma(0x10000, 0x11000, RW);
    expect(canMerge(base, vma(0x11000, 0x12000, R))).toBe(false); // flags
    expect(canMerge(base, vma(0x11000, 0x12000, RW, { vmPgoff: 0x99 }))).toBe(false); // moved anon
    expect(canMerge(base, vma(0x12000, 0x13000, RW))).toBe(false); // not adjacent
    expect(canMerge(base, vma(0x11000, 0x12000, RW, { name: '[heap]' }))).toBe(false);
    expect(canMerge(vma(0x10000, 0x11000, RW | VM_IO), vma(0x11000, 0x12000, RW | VM_IO))).toBe(false);
    const ops = { name: 'special', close: () => {} };
    expect(canMerge(vma(0x10000, 0x11000, RW, { vmOps: ops }), vma(0x11000, 0x12000, RW, { vmOps: ops }))).toBe(false);
    const f0 = vma(0x10000, 0x12000, R, { vmFile: libc, vmPgoff: 5 });
    expect(canMerge(f0, vma(0x12000, 0x13000, R, { vmFile: libc, vmPgoff: 7 }))).toBe(true);
    expect(canMerge(f0, vma(0x12000, 0x13000, R, { vmFile: libc, vmPgoff: 8 }))).toBe(false);
    expect(canMerge(f0, vma(0x12000, 0x13000, R, { vmFile: other, vmPgoff: 7 }))).toBe(false);
    expect(canMerge(base, vma(0x11000, 0x12000, RW))).toBe(true);
  });
});

describe('removeRange (munmap)', () => {
  it('punches a hole in one VMA and returns the piece with its pgoff', () => {
    const s = setOf(vma(0x10000, 0x20000, RW));
    expect(dump(s.removeRange(0x12000, 0x14000))).toEqual(['12000-14000 73 12']);
    expect(dump(s)).toEqual(['10000-12000 73 10', '14000-20000 73 14']);
  });

  it('splits both straddling VMAs and removes everything between, holes included', () => {
    const b = vma(0x30000, 0x40000, R, { vmFile: libc, vmPgoff: 0 });
    const s = setOf(vma(0x10000, 0x20000, RW), b, vma(0x50000, 0x60000, R, { vmFile: libc, vmPgoff: 0x100 }));
    const removed = s.removeRange(0x18000, 0x58000);
    expect(dump(removed)).toEqual(['18000-20000 73 18', '30000-40000 71 0', '50000-58000 71 100']);
    expect(removed[1]).toBe(b);
    expect(dump(s)).toEqual(['10000-18000 73 10', '58000-60000 71 108']);
    expect(s.removeRange(0x20000, 0x58000)).toEqual([]);
    expect(dump(s.removeRange(0x10000, 0x18000))).toEqual(['10000-18000 73 10']);
    expect(dump(s)).toEqual(['58000-60000 71 108']);
  });
});

describe('mprotectRange', () => {
  it('splits off the changed middle, and merges it back when undone', () => {
    const s = setOf(vma(0x10000, 0x20000, RW));
    expect(s.mprotectRange(0x12000, 0x13000, VM_READ)).toBe(0);
    expect(dump(s)).toEqual(['10000-12000 73 10', '12000-13000 71 12', '13000-20000 73 13']);
    expect(s.mprotectRange(0x12000, 0x13000, VM_READ | VM_WRITE)).toBe(0);
    expect(dump(s)).toEqual(['10000-20000 73 10']);
  });

  it('merges the changed VMA into equal neighbours, even when that covers the next start', () => {
    const s = setOf(vma(0x10000, 0x11000, R), vma(0x11000, 0x12000, RW), vma(0x12000, 0x13000, R));
    expect(s.mprotectRange(0x11000, 0x12000, VM_READ)).toBe(0);
    expect(dump(s)).toEqual(['10000-13000 71 10']);
    const t = setOf(vma(0x10000, 0x11000, R), vma(0x11000, 0x12000, RW));
    expect(t.mprotectRange(0x10000, 0x12000, VM_READ | VM_WRITE)).toBe(0);
    expect(dump(t)).toEqual(['10000-12000 73 10']);
  });

  it('leaves VMAs alone when the protection does not change (mprotect_fixup early return)', () => {
    const s = setOf(vma(0x10000, 0x11000, RW), vma(0x11000, 0x12000, RW)); // mergeable, never merged
    expect(s.mprotectRange(0x10000, 0x12000, VM_READ | VM_WRITE)).toBe(0);
    expect(dump(s)).toEqual(['10000-11000 73 10', '11000-12000 73 11']);
  });

  it('returns -EACCES without VM_MAY*, keeping changes already made to earlier VMAs', () => {
    const s = setOf(vma(0x10000, 0x11000, RW), vma(0x11000, 0x12000, VM_READ | VM_MAYREAD));
    expect(s.mprotectRange(0x10000, 0x12000, VM_READ | VM_EXEC)).toBe(-EACCES);
    expect(dump(s)).toEqual(['10000-11000 75 10', '11000-12000 11 11']);
  });

  it('returns -ENOMEM for a hole: at the start nothing changes, later ones keep the prefix', () => {
    const s = setOf(vma(0x10000, 0x11000, RW), vma(0x12000, 0x13000, RW));
    expect(s.mprotectRange(0x11000, 0x12000, VM_READ)).toBe(-ENOMEM);
    expect(s.mprotectRange(0x13000, 0x14000, VM_READ)).toBe(-ENOMEM);
    expect(dump(s)).toEqual(['10000-11000 73 10', '12000-13000 73 12']);
    expect(s.mprotectRange(0x10000, 0x13000, VM_READ)).toBe(-ENOMEM);
    expect(dump(s)).toEqual(['10000-11000 71 10', '12000-13000 73 12']);
  });
});

describe('getUnmappedArea and firstHoleAfter', () => {
  const opts = { mmapBase: 0x7f0000000000, taskSize: 0x7ffffffff000 };

  it('places mappings top-down from mmap_base into the highest gap that fits', () => {
    const s = new VmaSet();
    expect(s.getUnmappedArea(0x3000, opts)).toBe(0x7effffffd000);
    s.insertVma(vma(0x7efffff00000, 0x7f0000000000, RW));
    s.insertVma(vma(0x7effffe00000, 0x7effffe80000, RW));
    expect(s.getUnmappedArea(0x80000, opts)).toBe(0x7effffe80000);
    expect(s.getUnmappedArea(0x81000, opts)).toBe(0x7effffd7f000);
    expect(s.getUnmappedArea(0x200000, { ...opts, alignMask: 0x1fffff })).toBe(0x7effffc00000);
  });

  it('honours a free hint (page-aligned, raised to mmap_min_addr) and ignores a busy one', () => {
    const s = setOf(vma(0x400000, 0x500000, RX));
    expect(s.getUnmappedArea(0x1000, { ...opts, hint: 0x500000 })).toBe(0x500000);
    expect(s.getUnmappedArea(0x1000, { ...opts, hint: 0x500123 })).toBe(0x500000);
    expect(s.getUnmappedArea(0x1000, { ...opts, hint: 0x3ff000 })).toBe(0x3ff000);
    expect(s.getUnmappedArea(0x1000, { ...opts, hint: 0x1000 })).toBe(0x10000);
    expect(s.getUnmappedArea(0x2000, { ...opts, hint: 0x4ff000 })).toBe(0x7effffffe000);
  });

  it('searches above the 47-bit window only for a hint above it (5-level paging)', () => {
    const la57 = { mmapBase: 0x7f0000000000, taskSize: 2 ** 56 - 0x1000 };
    const s = setOf(vma(2 ** 50, 2 ** 50 + 0x1000, RW));
    expect(s.getUnmappedArea(0x1000, { ...la57, hint: 2 ** 50 + 0x1000 })).toBe(2 ** 50 + 0x1000);
    expect(s.getUnmappedArea(0x1000, { ...la57, hint: 2 ** 50 })).toBe(0xfffefffffff000);
    expect(s.getUnmappedArea(0x1000, la57)).toBe(0x7efffffff000);
    expect(s.getUnmappedArea(0x2000, { ...la57, hint: 0x7ffffffff000 - 0x1000 })).toBe(0x7effffffe000);
  });

  it('keeps the stack guard gap below VM_GROWSDOWN VMAs', () => {
    const s = setOf(vma(0x7ffffffde000, 0x7ffffffff000, RW | VM_GROWSDOWN, { name: '[stack]' }));
    const top = { mmapBase: 0x7ffffffff000, taskSize: 0x7ffffffff000 };
    expect(s.getUnmappedArea(0x1000, top)).toBe(0x7fffffedd000);
    expect(s.getUnmappedArea(0x1000, { ...top, hint: 0x7ffffffdd000 })).toBe(0x7fffffedd000);
    expect(s.getUnmappedArea(0x1000, { ...top, hint: 0x7fffffedd000 })).toBe(0x7fffffedd000);
  });

  it('falls back to bottom-up from the legacy base, then reports -ENOMEM', () => {
    const s = new VmaSet();
    expect(s.getUnmappedArea(0x20000, { mmapBase: 0x20000, taskSize: 0x7ffffffff000 })).toBe(0x2aaaaaaab000);
    expect(s.getUnmappedArea(0x10000, { mmapBase: 0x20000, taskSize: 0x7ffffffff000 })).toBe(0x10000);
    const full = setOf(vma(0x10000, 0x100000, RW));
    const small = { mmapBase: 0x100000, taskSize: 0x100000, legacyBase: 0x10000 };
    expect(full.getUnmappedArea(0x1000, small)).toBe(-ENOMEM);
    expect(full.getUnmappedArea(0x200000, small)).toBe(-ENOMEM);
  });

  it('finds the lowest hole at or above an address (unmapped_area, bottom-up)', () => {
    const s = setOf(vma(0x10000, 0x20000, RW), vma(0x21000, 0x30000, RW), vma(0x32000, 0x40000, RW));
    expect(s.firstHoleAfter(0x10000, 0x1000)).toBe(0x20000);
    expect(s.firstHoleAfter(0x10000, 0x2000)).toBe(0x30000);
    expect(s.firstHoleAfter(0x10000, 0x3000)).toBe(0x40000);
    expect(s.firstHoleAfter(0x25000, 0x1000)).toBe(0x30000);
    expect(s.firstHoleAfter(0x10000, 0x3000, 0x42000)).toBe(-ENOMEM);
    expect(s.firstHoleAfter(0x10000, 0x10000, 0x100000, 0xffff)).toBe(0x40000);
    s.insertVma(vma(0x200000, 0x300000, RW | VM_GROWSDOWN));
    expect(s.firstHoleAfter(0xff000, 0x1000, 0x400000)).toBe(0xff000);
    expect(s.firstHoleAfter(0x100000, 0x1000, 0x400000)).toBe(0x300000);
  });
});

describe('/proc/PID/maps lines (show_map_vma)', () => {
  it('pads the name to column 73 and prints file offsets, devices and inodes', () => {
    const exe: VmFile = { path: '/bin/memview2', devMajor: 0, devMinor: 0, ino: 0 };
    expect(showMapVma(vma(0x10000, 0x11000, RX, { vmFile: exe }))).toBe(
      '00010000-00011000 r-xp 00000000 00:00 0                                  /bin/memview2',
    );
    expect(showMapVma(vma(0x403000, 0x405000, R, { vmFile: libc, vmPgoff: 3 }))).toBe(
      '00403000-00405000 r--p 00003000 08:02 1234567                            /usr/lib/libc.so.6',
    );
  });

  it('names heap and stack, leaves a trailing space on nameless anonymous lines', () => {
    const s = setOf(
      vma(0x602000, 0x623000, RW, { name: '[heap]' }),
      vma(0x7f0000000000, 0x7f0000003000, RW),
      vma(0x7ffffffde000, 0x7ffffffff000, RW | VM_GROWSDOWN, { name: '[stack]' }),
    );
    expect(showMaps(s)).toBe(
      '00602000-00623000 rw-p 00000000 00:00 0                                  [heap]\n' +
        '7f0000000000-7f0000003000 rw-p 00000000 00:00 0 \n' +
        '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n',
    );
  });

  it("prints 's' for VM_MAYSHARE and anonymous offsets as 0", () => {
    const zero: VmFile = { path: '/dev/zero (deleted)', devMajor: 0, devMinor: 1, ino: 42 };
    const shared = vma(0x7f0000100000, 0x7f0000101000, RW | VM_SHARED | VM_MAYSHARE, { vmFile: zero });
    expect(showMapVma(shared)).toBe(
      '7f0000100000-7f0000101000 rw-s 00000000 00:01 42                         /dev/zero (deleted)',
    );
    expect(showMapVma(vma(0x7f0000200000, 0x7f0000201000, RW, { vmPgoff: 0x1234 }))).toBe(
      '7f0000200000-7f0000201000 rw-p 00000000 00:00 0 ',
    );
  });

  it('adds just seq_pad’s one space when the prefix passes column 72 (5-level addresses)', () => {
    const huge: VmFile = { path: '/mnt/huge', devMajor: 0x103, devMinor: 5, ino: 9007199254740991 };
    const v = vma(0xfe000000000000, 0xfe000000001000, R, { vmFile: huge, vmPgoff: 2 ** 40 });
    expect(showMapVma(v)).toBe(
      'fe000000000000-fe000000001000 r--p 10000000000000 103:05 9007199254740991  /mnt/huge',
    );
  });
});

describe('VmaSet properties', () => {
  const FIRST = 16; // pages 16..79: 0x10000..0x50000
  const NPAGES = 64;
  const FLAGS = [RW, R, RX, VM_READ | VM_MAYREAD];
  const op = fc.record({
    kind: fc.constantFrom('map', 'unmap', 'mprotect'),
    start: fc.integer({ min: FIRST, max: FIRST + NPAGES - 1 }),
    len: fc.integer({ min: 1, max: 24 }),
    pick: fc.integer({ min: 0, max: 7 }),
  });

  it('stays sorted, disjoint, merged and page-exact against a per-page model', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const s = new VmaSet();
        const model = new Map<number, number>(); // page -> vmFlags
        for (const o of ops) {
          const end = Math.min(o.start + o.len, FIRST + NPAGES);
          const start = o.start * 0x1000;
          const stop = end * 0x1000;
          if (o.kind === 'map') {
            const flags = FLAGS[o.pick % FLAGS.length]!;
            let busy = false;
            for (let p = o.start; p < end; p++) busy ||= model.has(p);
            const v = vma(start, stop, flags);
            expect(s.insertVma(v)).toBe(busy ? -ENOMEM : 0);
            if (!busy) {
              s.vmaMerge(v);
              for (let p = o.start; p < end; p++) model.set(p, flags);
            }
          } else if (o.kind === 'unmap') {
            const pieces = s.removeRange(start, stop);
            const got: string[] = [];
            for (const v of pieces) for (let a = v.vmStart; a < v.vmEnd; a += 0x1000) got.push(`${a / 0x1000}:${v.vmFlags}`);
            const want: string[] = [];
            for (let p = o.start; p < end; p++) if (model.has(p)) want.push(`${p}:${model.get(p)}`);
            expect(got).toEqual(want);
            for (let p = o.start; p < end; p++) model.delete(p);
          } else {
            const prot = o.pick & VM_ACCESS_FLAGS;
            let want = 0;
            for (let p = o.start; p < end; p++) {
              const f = model.get(p);
              if (f === undefined) {
                want = -ENOMEM;
                break;
              }
              const nf = (f & ~7) | prot;
              if ((nf & ~(nf >>> 4)) & 7) {
                want = -EACCES;
                break;
              }
              model.set(p, nf);
            }
            expect(s.mprotectRange(start, stop, prot)).toBe(want);
          }
          const all = s.toArray();
          for (let i = 0; i < all.length; i++) {
            const v = all[i]!;
            expect(v.vmStart).toBeLessThan(v.vmEnd);
            expect(v.vmPgoff).toBe(v.vmStart / 0x1000);
            if (i > 0) {
              expect(all[i - 1]!.vmEnd).toBeLessThanOrEqual(v.vmStart);
              expect(canMerge(all[i - 1]!, v)).toBe(false);
            }
          }
          for (let p = FIRST; p < FIRST + NPAGES; p++) {
            const v = s.vmaLookup(p * 0x1000);
            expect(v ? v.vmFlags : undefined).toBe(model.get(p));
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
