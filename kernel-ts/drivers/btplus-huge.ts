// SKELETON begin
//| // btplus part 2: huge pages made and broken (docs/labs/btplus/README.md).
//| // EXERCISE 3 is promote_range(), EXERCISE 4 demote_at(); the thread, the
//| // sysfs attribute and the mmu_notifier subscription are written.
// btplus part 2: huge pages made and broken (docs/experiments/btplus.md).
// SKELETON end
//
// IOCTL_PROMOTE_VMA starts a kernel thread, btplus_promote, for the calling
// process. The thread waits until /sys/kernel/kobject_cs614/promote reads 1
// (a write to the attribute wakes it; it also looks every
// PROMOTE_POLL_MS), then scans the process's address space and promotes
// every 2 MiB-aligned range whose 512 base pages are all present
// (collapse_huge_page: a new order-9 page, the pages copied, one PS=1 PMD,
// the old pages and the PTE table freed, the TLB flushed), and sets the
// attribute back to 0; then it waits for the next 1. It ends when the
// process is gone (or at rmmod).
//
// Demotion: an mmu_notifier on the process's mm (the ioctls subscribe it)
// is told before munmap, mprotect, mremap or a VMA move changes [start,
// end); a huge page that the range cuts (one holding start or end off a
// 2 MiB boundary) is split into 512 PTEs over the same frames
// (split_huge_pmd). A 2 MiB-aligned 2 MiB part left outside the range
// keeps its huge page; one inside the range goes with it (the kernel's
// walk splits it as it zaps or rewrites the range).
import {
  EINVAL, HPAGE_PMD_MASK, HPAGE_PMD_SIZE, PIDTYPE_PID, VMA_ITERATOR, __ATTR, collapse_huge_page,
  find_get_pid, for_each_vma, get_current, get_task_mm, kthread_run, kthread_should_stop, kthread_stop,
  mmput, mmu_notifier_register, mmu_notifier_unregister, msleep_interruptible, pid_task, pmd_trans_huge,
  pmdp_get, pr_info, put_pid, split_huge_pmd, sysfs_emit, vma_lookup, wake_up_process,
} from 'vmlab/linux';
import type { kthread_wait, mm_struct, mmu_notifier, mmu_notifier_range, pid, task_struct } from 'vmlab/linux';
import { btplus_pmd_offset } from './btplus-walk';

/** How often (guest milliseconds) the thread looks at promote and its process when nothing wakes it. */
export const PROMOTE_POLL_MS = 10;

const hex = (a: bigint): string => `0x${a.toString(16)}`;

// ---- the sysfs attribute: /sys/kernel/kobject_cs614/promote ----------------

/** The attribute's value: the user writes 1, the thread writes 0 after a round. */
let promote = 0;
/** The promotion thread (null when none runs) and the process it works for. */
let promote_thread: task_struct | null = null;
let target: pid | null = null;

export const promote_attr = __ATTR(
  'promote',
  0o664,
  (_kobj, _attr, buf) => sysfs_emit(buf, '%d\n', promote),
  (_kobj, _attr, buf, count) => {
    const v = Number(buf.trim());
    if (!Number.isInteger(v)) return -EINVAL;
    promote = v;
    // The thread sleeps between looks: tell it now.
    if (promote_thread !== null) wake_up_process(promote_thread);
    return count;
  },
);

// ---- promotion ---------------------------------------------------------------

/** Promotes every 2 MiB-aligned fully present range inside [start, end) of mm; the number promoted. */
export function promote_range(mm: mm_struct, start: bigint, end: bigint): number {
  // EXERCISE 3 begin
  //| // EXERCISE 3: the promotion of one round.
  //| //   For each VMA of mm from start (for_each_vma(VMA_ITERATOR(mm, start)),
  //| //   stopping at one that starts at or past end), clip it to [start, end):
  //| //   lo, hi. For each 2 MiB boundary h from (lo + HPAGE_PMD_SIZE - 1n) &
  //| //   HPAGE_PMD_MASK while h + HPAGE_PMD_SIZE <= hi: collapse_huge_page(mm, h)
  //| //   makes the huge page when the range's 512 pages are all present (0),
  //| //   else refuses (-errno); count and log the promoted ones:
  //| //   pr_info(`btplus: promoted [${hex(h)}, ${hex(h + HPAGE_PMD_SIZE)}) to a 2MB page\n`).
  //| pr_info(`btplus: EXERCISE 3 is not done: promote_range(${hex(start)}, ${hex(end)})\n`);
  //| return 0;
  let n = 0;
  for (const vma of for_each_vma(VMA_ITERATOR(mm, start))) {
    if (vma.vm_start >= end) break;
    const lo = vma.vm_start > start ? vma.vm_start : start;
    const hi = vma.vm_end < end ? vma.vm_end : end;
    // The first 2 MiB boundary at or above lo.
    for (let h = (lo + HPAGE_PMD_SIZE - 1n) & HPAGE_PMD_MASK; h + HPAGE_PMD_SIZE <= hi; h += HPAGE_PMD_SIZE) {
      if (collapse_huge_page(mm, h) === 0) {
        n++;
        pr_info(`btplus: promoted [${hex(h)}, ${hex(h + HPAGE_PMD_SIZE)}) to a 2MB page\n`);
      }
    }
  }
  return n;
  // EXERCISE 3 end
}

/** The thread: a round each time promote reads 1, until its process is gone or kthread_stop. */
function* btplus_promote(): Generator<kthread_wait, number, void> {
  while (!kthread_should_stop()) {
    const task = pid_task(target, PIDTYPE_PID);
    const mm = task === null ? null : get_task_mm(task);
    if (mm === null) break; // the process exited: so does its thread
    if (promote === 1) {
      const n = promote_range(mm, 0n, mm.task_size);
      pr_info(`btplus: promotion round for pid ${task!.pid}: ${n} huge page(s)\n`);
      promote = 0;
    }
    mmput(mm);
    yield msleep_interruptible(PROMOTE_POLL_MS);
  }
  if (!kthread_should_stop()) {
    // Ended on its own: nothing for rmmod to stop.
    put_pid(target);
    target = null;
    promote_thread = null;
  }
  return 0;
}

/** IOCTL_PROMOTE_VMA: (re)targets the promotion thread at the calling process, starting the thread if needed. */
export function btplus_promote_start(): number {
  const task = get_current();
  if (task.mm === null) return -EINVAL;
  const r = btplus_watch(task.mm);
  if (r < 0) return r;
  put_pid(target);
  target = find_get_pid(task.pid);
  if (promote_thread === null) promote_thread = kthread_run(btplus_promote, null, 'btplus_promote');
  pr_info(`btplus: promotion thread waiting for /sys/kernel/kobject_cs614/promote (pid ${task.pid})\n`);
  return 0;
}

// ---- demotion: an mmu_notifier per address space the driver made huge pages in

/** Splits the huge page holding addr in mm if addr cuts it (is not on its 2 MiB boundary). */
function demote_at(mm: mm_struct, addr: bigint): void {
  // EXERCISE 4 begin
  //| // EXERCISE 4: demotion, called before munmap/mprotect/mremap change [start, end)
  //| //   for start and for end. An address on a 2 MiB boundary cuts nothing:
  //| //   (addr & ~HPAGE_PMD_MASK) === 0n: return. Else haddr = addr & HPAGE_PMD_MASK;
  //| //   pmd = btplus_pmd_offset(mm, haddr) (btplus-walk.ts); a pmd (not 0n) whose
  //| //   value pmd_trans_huge(pmdp_get(pmd)) is a huge page: split it with
  //| //   split_huge_pmd(vma_lookup(mm, haddr), pmd, haddr) (0 when done) and log
  //| //   pr_info(`btplus: demoted [${hex(haddr)}, ${hex(haddr + HPAGE_PMD_SIZE)}) to 4KB pages\n`).
  //| pr_info(`btplus: EXERCISE 4 is not done: demote_at(${hex(addr)})\n`);
  if ((addr & ~HPAGE_PMD_MASK) === 0n) return;
  const haddr = addr & HPAGE_PMD_MASK;
  const pmd = btplus_pmd_offset(mm, haddr);
  if (pmd === 0n || !pmd_trans_huge(pmdp_get(pmd))) return;
  const vma = vma_lookup(mm, haddr);
  if (vma !== null && split_huge_pmd(vma, pmd, haddr) === 0) pr_info(`btplus: demoted [${hex(haddr)}, ${hex(haddr + HPAGE_PMD_SIZE)}) to 4KB pages\n`);
  // EXERCISE 4 end
}

const btplus_mn_ops = {
  /** Before the range changes (the VMAs and tables still as they were): split what it cuts. */
  invalidate_range_start(_mn: mmu_notifier, range: mmu_notifier_range): number {
    demote_at(range.mm, range.start);
    demote_at(range.mm, range.end);
    return 0;
  },
};

/** The subscriptions made, one per mm. */
const watched: { mm: mm_struct; mn: mmu_notifier }[] = [];

/** Subscribes to mm's range changes (once per mm): 0 or -errno. */
export function btplus_watch(mm: mm_struct): number {
  if (watched.some((w) => w.mm === mm)) return 0;
  const mn: mmu_notifier = { ops: btplus_mn_ops };
  const r = mmu_notifier_register(mn, mm);
  if (r < 0) return r;
  watched.push({ mm, mn });
  return 0;
}

/** rmmod: the thread stops, the subscriptions go. */
export function btplus_huge_exit(): void {
  if (promote_thread !== null) kthread_stop(promote_thread);
  promote_thread = null;
  put_pid(target);
  target = null;
  for (const w of watched.splice(0)) mmu_notifier_unregister(w.mn, w.mm);
}
