// btplus part 2: huge pages made and broken (docs/experiments/btplus.md).
//
// IOCTL_PROMOTE_VMA starts a kernel thread, btplus_promote (kthread.ts), for
// the calling process. The thread waits until /sys/kernel/kobject_cs614/
// promote reads 1, then scans the process's address space and promotes every
// 2 MiB-aligned range whose 512 base pages are all present
// (collapseHugePmd: a new order-9 block, the pages copied, one PS=1 PMD, the
// old frames and the PTE table freed, the TLB invalidated), and sets the
// attribute back to 0; then it waits for the next 1. It exits with the process.
//
// Demotion goes through the core-mm hooks (docs/hooks.md): before munmap,
// mprotect, mremap or a VMA move changes [start, end), a huge page that the
// range cuts (one holding start or end off a 2 MiB boundary) is split into
// 512 PTEs over the same frames. A 2 MiB-aligned 2 MiB part left outside the
// range keeps its huge page; one inside the range is split by the walk that
// zaps or rewrites it.
import type { HookArgs, ModuleContext, Task } from '../module/api';
import { EINVAL } from '../errno';
import type { MmStruct } from '../mm/mm-struct';
import { HPAGE_PMD_SIZE, collapseHugePmd, pmdEntryFor, pmdHuge, splitHugePmd } from '../mm/huge_memory';
import { KthreadStep, kthreadRun, kthreadStop } from '../kthread';
import type { Kthread } from '../kthread';

/** Promotes every 2 MiB-aligned fully present range inside [start, end) of mm; the number promoted. */
export function promoteRange(m: ModuleContext, mm: MmStruct, start: number, end: number): number {
  const kmm = m.kernel.mm;
  let n = 0;
  for (const vma of mm.vmas.toArray()) {
    const lo = Math.max(start, vma.vmStart);
    const hi = Math.min(end, vma.vmEnd);
    for (let h = Math.ceil(lo / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE; h + HPAGE_PMD_SIZE <= hi; h += HPAGE_PMD_SIZE) {
      if (collapseHugePmd(kmm, mm, h)) {
        n++;
        m.printk(`btplus: promoted [0x${h.toString(16)}, 0x${(h + HPAGE_PMD_SIZE).toString(16)}) to a 2MB page`);
      }
    }
  }
  return n;
}

/** Splits the huge page holding `addr` in mm if addr cuts it (is not on its 2 MiB boundary). */
function demoteAt(m: ModuleContext, mm: MmStruct, addr: number): void {
  if (addr % HPAGE_PMD_SIZE === 0) return;
  const kmm = m.kernel.mm;
  const haddr = addr - (addr % HPAGE_PMD_SIZE);
  const pmd = pmdEntryFor(kmm, mm, haddr);
  if (!pmdHuge(kmm, pmd)) return;
  if (splitHugePmd(kmm, mm, pmd, haddr)) m.printk(`btplus: demoted [0x${haddr.toString(16)}, 0x${(haddr + HPAGE_PMD_SIZE).toString(16)}) to 4KB pages`);
}

export class BtplusPromoter {
  private thread: Kthread | null = null;
  private target: { task: Task; mm: MmStruct } | null = null;
  private readonly offs: (() => void)[] = [];

  constructor(
    readonly m: ModuleContext,
    readonly st: { promote: number },
  ) {}

  /** IOCTL_PROMOTE_VMA: (re)targets the promotion thread at task's mm, starting the thread if needed. */
  start(task: Task): number {
    if (task.mm === null) return -EINVAL;
    this.target = { task, mm: task.mm };
    if (this.thread === null) this.thread = kthreadRun(this.m.kernel, 'btplus_promote', () => this.step());
    this.m.printk(`btplus: promotion thread waiting for /sys/kernel/kobject_cs614/promote (pid ${task.pid})`);
    return 0;
  }

  /** One wake-up of the thread: a scan round when promote is 1. */
  private step(): KthreadStep {
    const tg = this.target;
    if (tg === null || tg.mm.dead || !tg.task.isAlive) {
      this.thread = null;
      this.target = null;
      return KthreadStep.Exit;
    }
    if (this.st.promote !== 1) return KthreadStep.Again;
    const n = promoteRange(this.m, tg.mm, 0, tg.mm.taskSize);
    this.m.printk(`btplus: promotion round for pid ${tg.task.pid}: ${n} huge page(s)`);
    this.st.promote = 0;
    return KthreadStep.Again;
  }

  /** The demotion hooks (docs/hooks.md): split a huge page that an operation's range cuts. */
  attachHooks(): number {
    const pre = (a: HookArgs): void => {
      demoteAt(this.m, a.mm, a.start);
      demoteAt(this.m, a.mm, a.end);
    };
    for (const p of ['munmap', 'mprotect', 'mremap', 'vma_move'] as const) this.offs.push(this.m.registerHook(p, { pre }));
    return 0;
  }

  /** rmmod: the thread stops, the hooks go. */
  stop(): void {
    if (this.thread !== null) kthreadStop(this.m.kernel, this.thread);
    this.thread = null;
    this.target = null;
    for (const off of this.offs.splice(0)) off();
  }
}
