// The limits Linux checks before an address space grows (mm/mmap.c
// may_expand_vm, mm/util.c __vm_enough_memory, vm.max_map_count): the task's
// RLIMIT_AS over all its mappings and RLIMIT_DATA over its private writable
// ones, the heuristic overcommit check (a private writable mapping larger
// than RAM can never be backed), and the number of VMAs. Each answers a
// yes/no; the callers return Linux's errno (-ENOMEM).
import { KERN_WARNING } from '../printk';
import { RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK } from '../resource';
import { PAGE_SIZE } from './page';
import type { MmStruct } from './mm-struct';
import { VM_ACCOUNT, VM_GROWSDOWN, VM_LOCKED, VM_SHARED, VM_WRITE } from './vma';
import type { KernelMm } from './kernel-mm';

/** vm.max_map_count's default: USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN. */
export const DEFAULT_MAX_MAP_COUNT = 65530;

/** Linux's DEFAULT_RATELIMIT_INTERVAL (5 s) and DEFAULT_RATELIMIT_BURST (10). */
const RATELIMIT_INTERVAL_NS = 5e9;
const RATELIMIT_BURST = 10;

/**
 * Linux struct ratelimit_state and ___ratelimit(): at most `burst` messages
 * per interval of the kernel's clock; the first message of a new interval is
 * preceded by `FUNC: N callbacks suppressed` when some were.
 */
export class Ratelimit {
  private begin = -1;
  private printed = 0;
  private missed = 0;

  constructor(private readonly func: string) {}

  /** True when the caller may print now; logs the suppressed count first when an interval ends. */
  allow(kmm: KernelMm): boolean {
    const now = kmm.clockNs();
    if (this.begin < 0 || now - this.begin >= RATELIMIT_INTERVAL_NS) {
      if (this.missed > 0) kmm.printk.log(`${this.func}: ${this.missed} callbacks suppressed`, KERN_WARNING);
      this.begin = now;
      this.printed = 0;
      this.missed = 0;
    }
    if (this.printed < RATELIMIT_BURST) {
      this.printed++;
      return true;
    }
    this.missed++;
    return false;
  }
}

/** Linux is_data_mapping(): private and writable, not a stack (what RLIMIT_DATA counts, with brk). */
export function isDataMapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE;
}

/**
 * Linux may_expand_vm(): whether mm may grow by npages pages of mappings
 * with vm_flags `flags`: total_vm within RLIMIT_AS, and for a data mapping
 * data_vm within RLIMIT_DATA (with Linux's exception for a soft limit of 0
 * under a larger hard one, which Valgrind relies on, and its warning, once
 * per boot). Limits are the soft ones of the task using mm (mm.rlim).
 */
export function mayExpandVm(kmm: KernelMm, mm: MmStruct, flags: number, npages: number): boolean {
  const as = mm.rlim.rlimit(RLIMIT_AS);
  if (as !== Infinity && mm.totalVm + npages > Math.floor(as / PAGE_SIZE)) return false;
  if (!isDataMapping(flags)) return true;
  const data = mm.rlim.rlimit(RLIMIT_DATA);
  if (data === Infinity) return true;
  const dataVm = mm.dataVm + npages;
  if (dataVm <= Math.floor(data / PAGE_SIZE)) return true;
  const max = mm.rlim.get(RLIMIT_DATA).max;
  if (data === 0 && BigInt(dataVm) <= max / BigInt(PAGE_SIZE)) return true;
  if (!kmm.dataRlimitWarned) {
    kmm.dataRlimitWarned = true;
    const t = kmm.currentTask();
    kmm.printk.log(
      `${t?.comm ?? 'swapper/0'} (${t?.pid ?? 0}): VmData ${BigInt(dataVm) * BigInt(PAGE_SIZE)} exceed data ulimit ${data}. Update limits or use boot option ignore_rlimit_data.`,
      KERN_WARNING,
    );
  }
  return false;
}

/**
 * Linux __vm_enough_memory() under the default heuristic overcommit
 * (vm.overcommit_memory = 0, OVERCOMMIT_GUESS): a commitment of more pages
 * than RAM plus swap (vmlab has none) can never be backed, so it is refused,
 * with Linux's rate-limited warning. Linux charges private writable
 * mappings (VM_ACCOUNT): mmap, brk, mremap growth, stack growth.
 */
export function vmEnoughMemory(kmm: KernelMm, pages: number): boolean {
  if (pages <= kmm.buddy.nrManagedPages) return true;
  if (kmm.enoughMemoryRs.allow(kmm)) {
    const t = kmm.currentTask();
    kmm.printk.log(`__vm_enough_memory: pid: ${t?.pid ?? 0}, comm: ${t?.comm ?? 'swapper/0'}, bytes: ${BigInt(pages) * BigInt(PAGE_SIZE)} not enough memory for the allocation`, KERN_WARNING);
  }
  return false;
}

/**
 * Linux mlock_future_ok(): a VM_LOCKED mapping may grow by `bytes` only while
 * the mm's locked pages stay within RLIMIT_MEMLOCK (no CAP_IPC_LOCK in vmlab).
 */
export function mlockFutureOk(mm: MmStruct, flags: number, bytes: number): boolean {
  if ((flags & VM_LOCKED) === 0) return true;
  return mm.lockedVm + Math.floor(bytes / PAGE_SIZE) <= Math.floor(mm.rlim.rlimit(RLIMIT_MEMLOCK) / PAGE_SIZE);
}

/** Pages of [start, end) that mm's VMAs map, all of them (`accounted` false) or only VM_ACCOUNT ones. */
export function mappedPages(mm: MmStruct, start: number, end: number, accounted = false): number {
  let n = 0;
  for (let v = mm.vmas.findVmaIntersection(start, end); v !== null && v.vmStart < end; v = mm.vmas.vmaNext(v)) {
    if (accounted && (v.vmFlags & VM_ACCOUNT) === 0) continue;
    n += (Math.min(end, v.vmEnd) - Math.max(start, v.vmStart)) / PAGE_SIZE;
  }
  return n;
}

/**
 * The check do_vmi_align_munmap (vms_gather_munmap_vmas) makes before
 * unmapping [start, end): when the range falls strictly inside one VMA, the
 * unmap leaves one VMA more, refused (-ENOMEM) once mm holds
 * vm.max_map_count VMAs. Unmaps that split only one end are always allowed.
 */
export function munmapSplitAllowed(kmm: KernelMm, mm: MmStruct, start: number, end: number): boolean {
  const vma = mm.vmas.findVmaIntersection(start, end);
  if (vma === null || vma.vmStart >= start || end >= vma.vmEnd) return true;
  return mm.vmas.length < kmm.maxMapCount;
}
