// SKELETON begin
//| // btplus.ts: the driver of CS614 assignment 2, "VMA surgery", to complete
//| // (docs/labs/btplus/README.md). /dev/btplus answers ioctls that move a VMA
// btplus: the reference driver of CS614 assignment 2, "VMA surgery"
// (docs/experiments/btplus.md). /dev/btplus answers ioctls that move a VMA
// SKELETON end
// of the calling process (part 1, here), promote its fully populated 2 MiB
// ranges to huge pages from a kernel thread (part 2, btplus-huge.ts) and
// compact a range of a VMA (part 3, btplus-compact.ts);
// /sys/kernel/kobject_cs614/promote is the attribute the promotion thread
// SKELETON begin
//| // waits on. btplus-walk.ts has the page-table walks (written).
// waits on.
// SKELETON end
//
// ioctl numbers (asm-generic/ioctl.h encoding, magic 'b'):
//   IOCTL_MVE_VMA_TO   _IOW('b', 1, struct { u64 start; u64 dest; })              = 0x40106201
//   IOCTL_MVE_VMA      _IOWR('b', 2, struct { u64 start; u64 *newaddr; })         = 0xc0106202
//   IOCTL_PROMOTE_VMA  _IO('b', 3)                                                = 0x6203
//   IOCTL_COMPACT_VMA  _IOWR('b', 4, struct { u64 start; u64 npages; u64 *table; }) = 0xc0186204
//   BTPLUS_WALK        _IOWR('b', 5, struct { u64 va; u64 entry; u64 level; })    = 0xc0186205
// SKELETON begin
//| //     (the test programs' window on the page tables: the leaf entry mapping va
//| //     and its level, 1 = PTE, 2 = PMD (PS=1); entry 0 if none)
//     (debug: the leaf entry mapping va and its level, 1 = PTE, 2 = PMD (PS=1); entry 0 if none)
// SKELETON end
//
// A refused request is -EINVAL (the user sees -1 with errno EINVAL), a bad
// user pointer -EFAULT, as a Linux driver would answer.
// SKELETON begin
//| //
//| // The exercises: 1 move_vma_to() and 2 first_hole_after() here, 3
//| // promote_range() and 4 demote_at() in btplus-huge.ts, 5 compact_vma() in
//| // btplus-compact.ts.
//| // Grade the files with: vmlab lab check btplus ./btplus.ts
// SKELETON end
import {
  // SKELETON begin
  //| EFAULT, EINVAL, ENOMEM, ENOSYS, ENOTTY, PAGE_SIZE, _IO, _IOW, _IOWR, copy_from_user, copy_to_user, current,
  EFAULT, EINVAL, ENOMEM, ENOTTY, PAGE_SIZE, _IO, _IOW, _IOWR, copy_from_user, copy_to_user, current,
  // SKELETON end
  find_vma_intersection, for_each_vma, get_user, kernel_kobj, kobject_create_and_add, kobject_put, move_vma,
  MODULE_DESCRIPTION, MODULE_LICENSE, module_exit, module_init, pr_info, put_user, register_chrdev,
  security_mmap_addr, sysfs_create_file, unregister_chrdev, vm_start_gap, vma_lookup, VMA_ITERATOR,
} from 'vmlab/linux';
import type { file, file_operations, kobject, mm_struct } from 'vmlab/linux';
import { btplus_leaf_entry } from './btplus-walk';
import { btplus_huge_exit, btplus_promote_start, btplus_watch, promote_attr, promote_range } from './btplus-huge';
import { compact_vma } from './btplus-compact';

const IOCTL_MVE_VMA_TO = _IOW('b', 1, 16);
const IOCTL_MVE_VMA = _IOWR('b', 2, 16);
const IOCTL_PROMOTE_VMA = _IO('b', 3);
const IOCTL_COMPACT_VMA = _IOWR('b', 4, 24);
const BTPLUS_WALK = _IOWR('b', 5, 24);

const hex = (a: bigint): string => `0x${a.toString(16)}`;

let major = 0;
let cs614_kobj: kobject | null = null;

/** The n u64 fields of the ioctl's argument struct at user address arg, or -EFAULT. */
function read_args(arg: bigint, n: number): bigint[] | number {
  const buf = new Uint8Array(8 * n);
  if (copy_from_user(buf, arg, buf.length) !== 0) return -EFAULT;
  const dv = new DataView(buf.buffer);
  return Array.from({ length: n }, (_, i) => dv.getBigUint64(8 * i, true));
}

/**
 * IOCTL_MVE_VMA_TO: moves the whole VMA starting at `start` to `dest` by
 * moving its page-table entries (move_vma, as mremap moves a VMA; no data
 * is copied). 0, or -EINVAL when start is not the start of a VMA, dest is
 * unaligned, below mmap_min_addr or past the user address space, or
 * [dest, dest + size) is not entirely free.
 */
function move_vma_to(mm: mm_struct, start: bigint, dest: bigint): number {
  // EXERCISE 1 begin
  //| // EXERCISE 1: check the request, then move.
  //| //   - vma = vma_lookup(mm, start): null, or vma.vm_start !== start: -EINVAL;
  //| //   - size = vma.vm_end - vma.vm_start; -EINVAL when dest % PAGE_SIZE !== 0n,
  //| //     security_mmap_addr(dest) !== 0 (below mmap_min_addr), or
  //| //     dest > mm.task_size - size;
  //| //   - find_vma_intersection(mm, dest, dest + size) !== null: -EINVAL;
  //| //   - move_vma(vma, dest) (negative: return it); log
  //| //     pr_info(`btplus: moved vma [${hex(start)}, ${hex(start + size)}) to ${hex(dest)}\n`); 0.
  //| pr_info(`btplus: EXERCISE 1 is not done: move_vma_to(${hex(start)}, ${hex(dest)})\n`);
  //| return -ENOSYS;
  const vma = vma_lookup(mm, start);
  if (vma === null || vma.vm_start !== start) return -EINVAL;
  const size = vma.vm_end - vma.vm_start;
  if (dest % PAGE_SIZE !== 0n || security_mmap_addr(dest) !== 0 || dest > mm.task_size - size) return -EINVAL;
  if (find_vma_intersection(mm, dest, dest + size) !== null) return -EINVAL;
  const r = move_vma(vma, dest);
  if (r < 0) return r;
  pr_info(`btplus: moved vma [${hex(start)}, ${hex(start + size)}) to ${hex(dest)}\n`);
  return 0;
  // EXERCISE 1 end
}

/**
 * The first hole above the VMA at `start` that fits it, bottom-up as Linux's
 * unmapped_area searches (a stack's guard gap counts as mapped): its start,
 * or -ENOMEM.
 */
function first_hole_after(mm: mm_struct, start: bigint, size: bigint): bigint | number {
  // EXERCISE 2 begin
  //| // EXERCISE 2: find the hole.
  //| //   gap_start = start; for each VMA from start on (for_each_vma(VMA_ITERATOR(mm, start))):
  //| //   if vm_start_gap(next) >= gap_start + size, the hole [gap_start, ...) fits:
  //| //   return gap_start; else gap_start = max(gap_start, next.vm_end).
  //| //   After the last VMA: gap_start if gap_start + size <= mm.task_size, else -ENOMEM.
  //| pr_info(`btplus: EXERCISE 2 is not done: first_hole_after(${hex(start)}, ${size} bytes)\n`);
  //| return -ENOSYS;
  let gap_start = start;
  for (const next of for_each_vma(VMA_ITERATOR(mm, start))) {
    if (vm_start_gap(next) >= gap_start + size) return gap_start;
    if (next.vm_end > gap_start) gap_start = next.vm_end;
  }
  return gap_start + size <= mm.task_size ? gap_start : -ENOMEM;
  // EXERCISE 2 end
}

/** IOCTL_MVE_VMA: the VMA at start moved to the first hole above it that fits; the new start, or -errno. */
function move_vma_to_hole(mm: mm_struct, start: bigint): bigint | number {
  const vma = vma_lookup(mm, start);
  if (vma === null || vma.vm_start !== start) return -EINVAL;
  const dest = first_hole_after(mm, vma.vm_end, vma.vm_end - vma.vm_start);
  // SKELETON begin
  //| if (typeof dest === 'number') return dest === -ENOSYS ? dest : -EINVAL;
  if (typeof dest === 'number') return -EINVAL;
  // SKELETON end
  const r = move_vma_to(mm, start, dest);
  return r < 0 ? r : dest;
}

function btplus_ioctl(_file: file, cmd: number, arg: bigint): number {
  const mm = current.mm;
  if (mm === null) return -EINVAL;
  switch (cmd) {
    case IOCTL_MVE_VMA_TO: {
      const a = read_args(arg, 2);
      if (typeof a === 'number') return a;
      return move_vma_to(mm, a[0]!, a[1]!);
    }
    case IOCTL_MVE_VMA: {
      const a = read_args(arg, 2);
      if (typeof a === 'number') return a;
      // Check the result pointer before moving anything: a bad one changes nothing.
      if (get_user(a[1]!, 8).err) return -EFAULT;
      const dest = move_vma_to_hole(mm, a[0]!);
      if (typeof dest === 'number') return dest;
      return put_user(dest, a[1]!, 8);
    }
    case IOCTL_PROMOTE_VMA:
      return btplus_promote_start();
    case IOCTL_COMPACT_VMA: {
      const a = read_args(arg, 3);
      if (typeof a === 'number') return a;
      // The huge pages it will make must be split when munmap cuts them, as part 2's.
      const r = btplus_watch(mm);
      if (r < 0) return r;
      const vma = compact_vma(mm, a[0]!, a[1]!, a[2]!);
      if (typeof vma === 'number') return vma;
      promote_range(mm, vma.vm_start, vma.vm_end);
      return 0;
    }
    case BTPLUS_WALK: {
      const a = read_args(arg, 1);
      if (typeof a === 'number') return a;
      const leaf = btplus_leaf_entry(mm, a[0]!);
      const out = new Uint8Array(16);
      const dv = new DataView(out.buffer);
      dv.setBigUint64(0, leaf.entry, true);
      dv.setBigUint64(8, BigInt(leaf.level), true);
      return copy_to_user(arg + 8n, out, out.length) === 0 ? 0 : -EFAULT;
    }
    default:
      return -ENOTTY;
  }
}

const btplus_fops: file_operations = {
  unlocked_ioctl: btplus_ioctl,
};

module_init(() => {
  cs614_kobj = kobject_create_and_add('kobject_cs614', kernel_kobj);
  if (cs614_kobj === null) return -ENOMEM;
  const r = sysfs_create_file(cs614_kobj, promote_attr.attr);
  if (r !== 0) {
    kobject_put(cs614_kobj);
    return r;
  }
  major = register_chrdev(0, 'btplus', btplus_fops);
  if (major < 0) {
    kobject_put(cs614_kobj);
    return major;
  }
  pr_info(`btplus: /dev/btplus (major ${major}), /sys/kernel/kobject_cs614/promote\n`);
  return 0;
});

module_exit(() => {
  btplus_huge_exit();
  unregister_chrdev(major, 'btplus');
  kobject_put(cs614_kobj);
  pr_info('btplus: unloaded\n');
});

MODULE_LICENSE('GPL');
MODULE_DESCRIPTION('VMA surgery: move a VMA, promote and demote huge pages, compact a VMA (CS614 assignment 2)');
