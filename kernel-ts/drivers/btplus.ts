// btplus: the reference driver of CS614 assignment 2, "VMA surgery"
// (docs/experiments/btplus.md). /dev/btplus answers ioctls that move a VMA
// of the calling process (part 1), promote its fully populated 2 MiB ranges
// to huge pages from a kernel thread (part 2, btplus-huge.ts) and compact a
// range of a VMA (part 3, btplus-compact.ts); /sys/kernel/kobject_cs614/promote
// is the attribute the promotion thread waits on.
//
// ioctl numbers (asm-generic/ioctl.h encoding, magic 'b'):
//   IOCTL_MVE_VMA_TO   _IOW('b', 1, struct { u64 start; u64 dest; })              = 0x40106201
//   IOCTL_MVE_VMA      _IOWR('b', 2, struct { u64 start; u64 *newaddr; })         = 0xc0106202
//   IOCTL_PROMOTE_VMA  _IO('b', 3)                                                = 0x6203
//   IOCTL_COMPACT_VMA  _IOWR('b', 4, struct { u64 start; u64 npages; u64 *table; }) = 0xc0186204
//   BTPLUS_WALK        _IOWR('b', 5, struct { u64 va; u64 entry; u64 level; })    = 0xc0186205
//     (debug: the leaf entry mapping va and its level, 1 = PTE, 2 = PMD (PS=1); entry 0 if none)
//
// A refused request is -EINVAL (the user sees -1 with errno EINVAL), a bad
// user pointer -EFAULT, as a Linux driver would answer.
import type { File, FileOperations, Kernel, KernelModule, ModuleContext } from '../module/api';
import { EFAULT, EINVAL, ENODEV, ENOTTY } from '../errno';
import { PAGE_SIZE } from '../mm/page';
import { moveVma } from '../mm/mremap';
import type { MmStruct } from '../mm/mm-struct';
import { leafEntry } from './btplus-walk';
import { BtplusPromoter, promoteRange } from './btplus-huge';
import { compactVma } from './btplus-compact';

// asm-generic/ioctl.h
const IOC_NONE = 0;
const IOC_WRITE = 1;
const IOC_READ = 2;
function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}
export const BTPLUS_IOC_MAGIC = 0x62; // 'b'
export const IOCTL_MVE_VMA_TO = ioc(IOC_WRITE, BTPLUS_IOC_MAGIC, 1, 16);
export const IOCTL_MVE_VMA = ioc(IOC_READ | IOC_WRITE, BTPLUS_IOC_MAGIC, 2, 16);
export const IOCTL_PROMOTE_VMA = ioc(IOC_NONE, BTPLUS_IOC_MAGIC, 3, 0);
export const IOCTL_COMPACT_VMA = ioc(IOC_READ | IOC_WRITE, BTPLUS_IOC_MAGIC, 4, 24);
export const BTPLUS_WALK = ioc(IOC_READ | IOC_WRITE, BTPLUS_IOC_MAGIC, 5, 24);

export const PROMOTE_ATTR = 'kernel/kobject_cs614/promote';

/** The module's state in one kernel (a host may boot several). */
export interface BtplusState {
  readonly m: ModuleContext;
  /** The sysfs attribute's value. */
  promote: number;
  readonly promoter: BtplusPromoter;
}
const loaded = new WeakMap<Kernel, BtplusState>();

/** Reads `n` u64 fields of the ioctl argument struct, or -EFAULT. */
function readArgs(m: ModuleContext, mm: MmStruct, arg: number, n: number): number[] | number {
  const raw = m.kernel.mm.copyFromUser(mm, arg, 8 * n);
  if (typeof raw === 'number') return -EFAULT;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Number(dv.getBigUint64(8 * i, true)));
  return out;
}

/**
 * Moves the whole VMA starting at `start` to `dest` by moving its page-table
 * entries (mremap's moveVma; no data is copied). 0, or -EINVAL when start is
 * not the start of a VMA, dest is unaligned, below mmap_min_addr or past the
 * user address space, or [dest, dest + size) is not entirely free.
 */
export function moveVmaTo(m: ModuleContext, mm: MmStruct, start: number, dest: number): number {
  const vma = mm.vmas.vmaLookup(start);
  if (vma === null || vma.vmStart !== start) return -EINVAL;
  const size = vma.vmEnd - vma.vmStart;
  if (dest % PAGE_SIZE !== 0 || dest < m.kernel.mm.mmapMinAddr || dest > mm.taskSize - size) return -EINVAL;
  if (mm.vmas.findVmaIntersection(dest, dest + size) !== null) return -EINVAL;
  const r = moveVma(m.kernel.mm, mm, vma, dest);
  if (typeof r === 'number') return r;
  m.printk(`btplus: moved vma [0x${start.toString(16)}, 0x${(start + size).toString(16)}) to 0x${dest.toString(16)}`);
  return 0;
}

/** IOCTL_MVE_VMA: the first hole above the VMA that fits it (bottom-up, as unmapped_area); the new start or -errno. */
export function moveVmaToHole(m: ModuleContext, mm: MmStruct, start: number): number {
  const vma = mm.vmas.vmaLookup(start);
  if (vma === null || vma.vmStart !== start) return -EINVAL;
  const dest = mm.vmas.firstHoleAfter(vma.vmEnd, vma.vmEnd - vma.vmStart, mm.taskSize);
  if (dest < 0) return -EINVAL;
  const r = moveVmaTo(m, mm, start, dest);
  return r < 0 ? r : dest;
}

function ioctl(st: BtplusState, _file: File, cmd: number, arg: number): number {
  const { m } = st;
  const mm = m.current().mm;
  if (mm === null) return -EINVAL;
  const kmm = m.kernel.mm;
  switch (cmd) {
    case IOCTL_MVE_VMA_TO: {
      const a = readArgs(m, mm, arg, 2);
      if (typeof a === 'number') return a;
      return moveVmaTo(m, mm, a[0]!, a[1]!);
    }
    case IOCTL_MVE_VMA: {
      const a = readArgs(m, mm, arg, 2);
      if (typeof a === 'number') return a;
      // Check the result pointer before moving anything: a bad one changes nothing.
      const probe = kmm.getUser64(mm, a[1]!);
      if (typeof probe === 'number') return -EFAULT;
      const dest = moveVmaToHole(m, mm, a[0]!);
      if (dest < 0) return dest;
      return kmm.putUser64(mm, a[1]!, dest) === 0 ? 0 : -EFAULT;
    }
    case IOCTL_PROMOTE_VMA:
      return st.promoter.start(m.current());
    case IOCTL_COMPACT_VMA: {
      const a = readArgs(m, mm, arg, 3);
      if (typeof a === 'number') return a;
      const r = compactVma(m, mm, a[0]!, a[1]!, a[2]!);
      if (typeof r === 'number') return r;
      promoteRange(m, mm, r.vmStart, r.vmEnd);
      return 0;
    }
    case BTPLUS_WALK: {
      const a = readArgs(m, mm, arg, 1);
      if (typeof a === 'number') return a;
      const leaf = leafEntry(kmm, mm, a[0]!);
      const out = new Uint8Array(16);
      const dv = new DataView(out.buffer);
      dv.setBigUint64(0, leaf.entry, true);
      dv.setBigUint64(8, BigInt(leaf.level), true);
      return kmm.copyToUser(mm, arg + 8, out) === 0 ? 0 : -EFAULT;
    }
    default:
      return -ENOTTY;
  }
}

function makeFops(k: Kernel): FileOperations {
  return {
    open: () => (loaded.has(k) ? 0 : -ENODEV),
    ioctl: (file, cmd, arg) => {
      const st = loaded.get(k);
      return st === undefined ? -ENODEV : ioctl(st, file, cmd, arg);
    },
  };
}

/** The loaded module's state in kernel k (tests), or undefined. */
export function btplusState(k: Kernel): BtplusState | undefined {
  return loaded.get(k);
}

const mod: KernelModule = {
  name: 'btplus',
  description: 'VMA surgery: move a VMA, promote and demote huge pages, compact a VMA (CS614 assignment 2)',
  license: 'GPL',

  init(m) {
    // The promoter reads and clears `promote` in the same object the attribute shows.
    const attrState = { promote: 0 };
    const st: BtplusState = Object.assign(attrState, { m, promoter: new BtplusPromoter(m, attrState) });
    loaded.set(m.kernel, st);
    const attr = m.sysfsCreate(PROMOTE_ATTR, {
      show: () => `${st.promote}\n`,
      store: (text) => {
        const v = Number(text.trim());
        if (!Number.isInteger(v)) return -EINVAL;
        st.promote = v;
        return text.length;
      },
    });
    if (typeof attr === 'number') {
      loaded.delete(m.kernel);
      return attr;
    }
    const major = m.registerChrdev('btplus', makeFops(m.kernel));
    if (major < 0) {
      loaded.delete(m.kernel);
      return major;
    }
    const r = st.promoter.attachHooks();
    if (r < 0) {
      loaded.delete(m.kernel);
      return r;
    }
    m.printk(`btplus: /dev/btplus (major ${major}), /sys/${PROMOTE_ATTR}`);
    return 0;
  },

  exit(m) {
    loaded.get(m.kernel)?.promoter.stop();
    loaded.delete(m.kernel);
    m.printk('btplus: unloaded');
  },
};
export default mod;
