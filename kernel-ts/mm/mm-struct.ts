// Linux's mm_struct (include/linux/mm_types.h): one per address space. The
// page tables live in guest RAM (pgd is the physical address of the top-level
// table); the VMAs, counters and layout fields live here.
import { PAGE_SIZE } from './page';
import { VM_EXEC, VM_GROWSDOWN, VM_LOCKED, VM_SHARED, VM_WRITE, VmaSet } from './vma';
import { Rlimits } from '../resource';

/** What a fault did, for the per-mm counters and the debugger's fault log (FaultKind). */
export const FaultKind = {
  None: 0,
  DemandZero: 1,
  CowCopy: 2,
  CowReuse: 3,
  FileRead: 4,
  FileCow: 5,
  SharedWrite: 6,
  StackGrow: 7,
  Pfnmap: 8,
  Spurious: 9,
  Segv: 10,
  Sigbus: 11,
  Oom: 12,
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];
export const FAULT_KIND_NAMES = [
  'none',
  'demand-zero',
  'cow-copy',
  'cow-reuse',
  'file-read',
  'file-cow',
  'shared-write',
  'stack-grow',
  'pfnmap',
  'spurious',
  'segv',
  'sigbus',
  'oom',
] as const;
export const NR_FAULT_KINDS = FAULT_KIND_NAMES.length;

/** The next mm serial number (an object, so the debugger's recorder can save it with the kernel's state). */
export const mmIds = { next: 1 };

export class MmStruct {
  /** A serial number, for logs. */
  readonly id = mmIds.next++;
  /** Physical address of the top-level table (PML4, or PML5 with LA57). */
  pgd: number;
  readonly vmas = new VmaSet();
  /** Flags every new mapping gets (mm->def_flags): VM_LOCKED after mlockall(MCL_FUTURE). Not inherited by fork. */
  defFlags = 0;
  /** Top of the mmap area: top-down searches start below it (mm->mmap_base). */
  mmapBase = 0;
  /** Bottom-up fallback (mm->mmap_legacy_base). */
  mmapLegacyBase = 0;
  /** TASK_SIZE of the task: the end of its user address space. */
  taskSize: number;
  startCode = 0;
  endCode = 0;
  startData = 0;
  endData = 0;
  startBrk = 0;
  brk = 0;
  startStack = 0;
  argStart = 0;
  argEnd = 0;
  envStart = 0;
  envEnd = 0;
  /** PCID while the mm has one (1..4095); 0 = none assigned (flushed on next switch). */
  pcid = 0;
  /** RSS counters (Linux MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES), in pages. */
  rssAnon = 0;
  rssFile = 0;
  rssShmem = 0;
  hiwaterRss = 0;
  hiwaterVm = 0;
  /** Bytes of page tables below the pgd (mm->pgtables_bytes; the pgd is counted too, as Linux does). */
  pgtablesBytes = PAGE_SIZE;
  /** mm_users: the tasks sharing this mm. */
  users = 1;
  /** Faults by FaultKind. */
  readonly faultCounts = new Float64Array(NR_FAULT_KINDS);
  /** What the last handled fault did (for the debugger's fault log). */
  lastFault: FaultKind = FaultKind.None;
  /** Set by exitMmap: the page tables and pgd are gone. */
  dead = false;
  /**
   * The resource limits mm's checks read (RLIMIT_AS, DATA, STACK, MEMLOCK):
   * the task's own object (Task.rlim), as Linux reads current->signal->rlim;
   * an mm has one task in vmlab. INIT_RLIMITS until a task takes the mm.
   */
  rlim = new Rlimits();

  constructor(pgd: number, taskSize: number) {
    this.pgd = pgd;
    this.taskSize = taskSize;
  }

  /** Resident pages (get_mm_rss). */
  get rss(): number {
    return this.rssAnon + this.rssFile + this.rssShmem;
  }

  /** Pages of all VMAs (mm->total_vm). */
  get totalVm(): number {
    let n = 0;
    for (const v of this.vmas) n += v.pages;
    return n;
  }

  /** Linux vm_stat_account's three classes (mm->data_vm, exec_vm, stack_vm), in pages. */
  get dataVm(): number {
    return this.countVm((f) => (f & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE);
  }
  get execVm(): number {
    return this.countVm((f) => (f & (VM_WRITE | VM_EXEC | VM_GROWSDOWN)) === VM_EXEC);
  }
  get stackVm(): number {
    return this.countVm((f) => (f & VM_GROWSDOWN) !== 0);
  }
  /** Pages of VM_LOCKED VMAs (mm->locked_vm). */
  get lockedVm(): number {
    return this.countVm((f) => (f & VM_LOCKED) !== 0);
  }

  private countVm(pred: (flags: number) => boolean): number {
    let n = 0;
    for (const v of this.vmas) if (pred(v.vmFlags)) n += v.pages;
    return n;
  }

  /** Records the RSS high-water marks (update_hiwater_rss/vm). */
  updateHiwater(): void {
    if (this.rss > this.hiwaterRss) this.hiwaterRss = this.rss;
    const vm = this.totalVm;
    if (vm > this.hiwaterVm) this.hiwaterVm = vm;
  }
}
