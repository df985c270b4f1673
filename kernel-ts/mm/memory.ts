// Page-fault handling (Linux arch/x86/mm/fault.c do_user_addr_fault and
// mm/memory.c handle_mm_fault): find the VMA, grow the stack, check the access
// against the VMA, then fill or fix the PTE: doAnonymousPage (demand-zero),
// doFault (file pages through the page cache, copy-on-write for private
// writes), doWpPage (copy-on-write or reuse), device pages from vmOps.fault.
//
// The outcome is a small number (VM_FAULT_*); what was done is recorded in
// mm.lastFault and counted in mm.faultCounts (FaultKind). Ordinary faults,
// good or bad, never throw and allocate no host objects.
//
// vmlab's choices, where Linux has several: read faults on anonymous memory
// get a fresh zeroed page (no shared zero page); an instruction fetch from a
// VMA without VM_EXEC is refused at once (Linux maps the page NX and refaults).
// As on x86 Linux, a read is allowed in any VMA with some access right
// (vma_is_accessible: PROT_WRITE or PROT_EXEC alone imply read).
import { PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W } from '../../emu/machine/trap';
import { PTE_A, PTE_D, PTE_NX_HI, PTE_P, PTE_RW, PTE_US } from '../../emu/machine/mmu/paging';
import { Owner, PAGE_SIZE, PG_anon, PG_swapbacked } from './page';
import { PAGE_TABLE, allocEntry, copyFrame, entryPfn, setPte } from './pgtable';
import { PTE_PRESENT_MASK, PTE_PROTNONE, PTE_WRITE_DIRTY, changePteProtHi, changePteProtLo, pfnPteHi, pfnPteLo, vmPageProtHi, vmPageProtLo } from './prot';
import { isMappableFile } from './filemap';
import { FaultKind } from './mm-struct';
import type { MmStruct } from './mm-struct';
import {
  STACK_GUARD_GAP,
  VM_ACCESS_FLAGS,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  VM_WRITE,
} from './vma';
import type { VmAreaStruct } from './vma';
import type { KernelMm } from './kernel-mm';
import { ENOMEM, EPERM } from '../errno';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { RLIMIT_STACK, _STK_LIM } from '../resource';
import { mayExpandVm, mlockFutureOk, vmEnoughMemory } from './limits';

/**
 * Linux's vm_fault_t bits (include/linux/mm_types.h enum vm_fault_reason), the
 * answers of a driver's vm_operations_struct.fault (vmlab/linux re-exports them).
 */
export const VM_FAULT_OOM = 0x000001;
export const VM_FAULT_SIGBUS = 0x000002;
export const VM_FAULT_MAJOR = 0x000004;
export const VM_FAULT_HWPOISON = 0x000010;
export const VM_FAULT_HWPOISON_LARGE = 0x000020;
export const VM_FAULT_SIGSEGV = 0x000040;
export const VM_FAULT_NOPAGE = 0x000100;
export const VM_FAULT_LOCKED = 0x000200;
export const VM_FAULT_RETRY = 0x000400;
export const VM_FAULT_FALLBACK = 0x000800;
export const VM_FAULT_DONE_COW = 0x001000;
export const VM_FAULT_NEEDDSYNC = 0x002000;
export const VM_FAULT_COMPLETED = 0x004000;
/** VM_FAULT_ERROR: the bits that mean the fault failed. */
export const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE | VM_FAULT_FALLBACK;

/**
 * Fault outcomes of handleMmFault (what the trap handler acts on): 0, or one
 * of Linux's error bits above; SIGSEGV is split into vmlab's two causes
 * (Linux tells them apart in do_user_addr_fault, before handle_mm_fault), the
 * access-error one marked by a bit above Linux's.
 */
export const VM_FAULT_OK = 0;
export const VM_FAULT_SIGSEGV_MAPERR = VM_FAULT_SIGSEGV;
export const VM_FAULT_SIGSEGV_ACCERR = VM_FAULT_SIGSEGV | 0x100000;
export type FaultOutcome = typeof VM_FAULT_OK | typeof VM_FAULT_OOM | typeof VM_FAULT_SIGBUS | typeof VM_FAULT_SIGSEGV_MAPERR | typeof VM_FAULT_SIGSEGV_ACCERR;
export const FAULT_OUTCOME_NAMES: Readonly<Record<FaultOutcome, string>> = {
  [VM_FAULT_OK]: 'ok',
  [VM_FAULT_SIGSEGV_MAPERR]: 'SEGV_MAPERR',
  [VM_FAULT_SIGSEGV_ACCERR]: 'SEGV_ACCERR',
  [VM_FAULT_SIGBUS]: 'SIGBUS',
  [VM_FAULT_OOM]: 'OOM',
};

/** Linux's default RLIMIT_STACK soft limit: 8 MiB (_STK_LIM). */
export const RLIMIT_STACK_DEFAULT = _STK_LIM;

function done(mm: MmStruct, kind: FaultKind, outcome: FaultOutcome): FaultOutcome {
  mm.lastFault = kind;
  mm.faultCounts[kind]!++;
  return outcome;
}

/** Linux vm_normal_page() == NULL: device mappings whose frames mm does not reference-count. */
export function isRawPfnVma(vma: VmAreaStruct): boolean {
  return (vma.vmFlags & (VM_PFNMAP | VM_MIXEDMAP)) !== 0 || (vma.vmOps !== null && vma.vmOps.fault !== undefined);
}

/**
 * Linux do_user_addr_fault() + handle_mm_fault(): resolves a #PF at hi:lo
 * with the SDM error code (PF_* bits) for mm, which must be the mm the
 * access was made in. Returns VM_FAULT_OK when the access can be retried.
 */
export function handleMmFault(kmm: KernelMm, mm: MmStruct, lo: number, hi: number, error: number): FaultOutcome {
  const addr = (hi >>> 0) * TWO32 + (lo >>> 0);
  if ((error & PF_RSVD) !== 0) return done(mm, FaultKind.Sigbus, VM_FAULT_SIGBUS); // pgtable_bad
  if (addr >= mm.taskSize) return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_MAPERR);
  let vma = mm.vmas.findVma(addr);
  if (vma === null) return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_MAPERR);
  let grew = false;
  if (vma.vmStart > addr) {
    if ((vma.vmFlags & VM_GROWSDOWN) === 0 || expandStack(kmm, mm, vma, addr) < 0)
      return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_MAPERR);
    grew = true;
  }
  // access_error()
  const flags = vma.vmFlags;
  const write = (error & PF_W) !== 0;
  if ((error & PF_PK) !== 0) return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_ACCERR);
  if (write) {
    if ((flags & VM_WRITE) === 0) return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_ACCERR);
  } else if ((error & PF_I) !== 0) {
    if ((flags & VM_EXEC) === 0) return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_ACCERR);
  } else if ((flags & VM_ACCESS_FLAGS) === 0) {
    return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_ACCERR);
  }
  // handle_pte_fault()
  const pageLo = (lo & ~0xfff) >>> 0;
  const pte = allocEntry(kmm, mm, mm.pgd, pageLo, hi, 1, PAGE_TABLE);
  if (pte < 0) return done(mm, FaultKind.Oom, VM_FAULT_OOM);
  const mem = kmm.mem;
  const plo = mem.read32(pte);
  let kind: FaultKind;
  let outcome: FaultOutcome;
  if ((plo & PTE_PRESENT_MASK) === 0) {
    if (isRawPfnVma(vma)) return doPfnFault(kmm, mm, vma, pte, pageLo, hi, addr - (addr % PAGE_SIZE), error);
    if (vma.vmFile === null) {
      outcome = doAnonymousPage(kmm, mm, vma, pte, pageLo, hi);
      kind = outcome === VM_FAULT_OK ? (grew ? FaultKind.StackGrow : FaultKind.DemandZero) : FaultKind.Oom;
      return done(mm, kind, outcome);
    }
    return doFault(kmm, mm, vma, pte, pageLo, hi, addr, write);
  }
  const phi = mem.read32(pte + 4);
  if ((plo & PTE_P) === 0) {
    // PTE_PROTNONE left behind in a VMA that is accessible again: rebuild from the VMA.
    setPte(kmm, mm, pte, pageLo, hi, changePteProtLo(plo & ~PTE_PROTNONE, flags, false), changePteProtHi(phi, flags));
    return done(mm, FaultKind.Spurious, VM_FAULT_OK);
  }
  if (write && (plo & PTE_RW) === 0) return doWpPage(kmm, mm, vma, pte, pageLo, hi, plo, phi);
  // The PTE allows the access (or P=1 read faults Linux calls bad_area_access_error).
  const user = (error & PF_U) !== 0;
  if ((error & PF_P) !== 0 && !write && (error & PF_I) === 0 && user && (plo & PTE_US) === 0)
    return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_ACCERR);
  if ((error & PF_I) !== 0 && (phi & PTE_NX_HI) !== 0) return done(mm, FaultKind.Segv, VM_FAULT_SIGSEGV_ACCERR);
  // Spurious (a stale TLB entry, since invalidated by the #PF): pte_mkyoung/mkdirty and retry.
  const want = write ? PTE_A | PTE_D : PTE_A;
  if ((plo & want) !== want) setPte(kmm, mm, pte, pageLo, hi, (plo | want) >>> 0, phi);
  return done(mm, FaultKind.Spurious, VM_FAULT_OK);
}

/**
 * Linux expand_downwards() + acct_stack_growth(): grows a VM_GROWSDOWN VMA
 * down to the page of addr. 0; -EPERM below vm.mmap_min_addr; -ENOMEM
 * within stack_guard_gap of the previous VMA, past RLIMIT_AS
 * (may_expand_vm), past RLIMIT_STACK (the stack's new size), past
 * RLIMIT_MEMLOCK for a locked stack, or beyond what memory can back. The
 * limits are the task's (mm.rlim), read at each fault as Linux does.
 */
export function expandStack(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, addr: number): number {
  const newStart = addr - (addr % PAGE_SIZE);
  if (newStart < kmm.mmapMinAddr) return -EPERM;
  const prev = mm.vmas.vmaPrev(vma);
  if (prev !== null) {
    if (newStart < prev.vmEnd) return -ENOMEM;
    if ((prev.vmFlags & VM_GROWSDOWN) === 0 && (prev.vmFlags & VM_ACCESS_FLAGS) !== 0 && newStart - prev.vmEnd < STACK_GUARD_GAP)
      return -ENOMEM;
  }
  const grow = (vma.vmStart - newStart) / PAGE_SIZE;
  if (!mayExpandVm(kmm, mm, vma.vmFlags, grow)) return -ENOMEM;
  if (vma.vmEnd - newStart > mm.rlim.rlimit(RLIMIT_STACK)) return -ENOMEM;
  if (!mlockFutureOk(mm, vma.vmFlags, grow * PAGE_SIZE)) return -ENOMEM;
  if (!vmEnoughMemory(kmm, grow)) return -ENOMEM;
  vma.vmStart = newStart;
  if (vma.vmFile === null) vma.vmPgoff = newStart / PAGE_SIZE;
  mm.updateHiwater();
  return 0;
}

/** A new anonymous page, mapcount 1 (Linux folio_add_new_anon_rmap); zeroed when `zero`. */
function newAnonPage(kmm: KernelMm, zero: boolean): number {
  const pfn = zero ? kmm.buddy.allocZeroedPage(Owner.Anon, kmm.clearPage) : kmm.buddy.allocPages(0, Owner.Anon);
  if (pfn < 0) return -1;
  const m = kmm.memMap;
  m.flags[pfn] = m.flags[pfn]! | PG_anon | PG_swapbacked;
  m.mapcount[pfn] = 0;
  return pfn;
}

/**
 * Linux do_anonymous_page(): a zeroed page, mapped with the VMA's rights,
 * writable and dirty at once in a VM_WRITE VMA (pte_mkwrite(pte_mkdirty())).
 */
function doAnonymousPage(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, pte: number, lo: number, hi: number): FaultOutcome {
  const pfn = newAnonPage(kmm, true);
  if (pfn < 0) return VM_FAULT_OOM;
  const f = vma.vmFlags;
  const bits = vmPageProtLo(f) | vma.vmPageProtCache | ((f & VM_WRITE) !== 0 ? PTE_WRITE_DIRTY : 0);
  setPte(kmm, mm, pte, lo, hi, pfnPteLo(pfn, bits), pfnPteHi(pfn, vmPageProtHi(f)));
  mm.rssAnon++;
  if (mm.rss > mm.hiwaterRss) mm.hiwaterRss = mm.rss;
  return VM_FAULT_OK;
}

/**
 * Linux do_fault(): do_read_fault (map the page-cache page, read-only in a
 * private mapping), do_cow_fault (a private write: copy it to a new anonymous
 * page), do_shared_fault (map the cache page itself, writable if VM_WRITE).
 * SIGBUS beyond the end of the file, as filemap_fault.
 */
function doFault(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, pte: number, lo: number, hi: number, addr: number, write: boolean): FaultOutcome {
  const file = vma.vmFile;
  if (!isMappableFile(file)) return done(mm, FaultKind.Sigbus, VM_FAULT_SIGBUS);
  const index = vma.vmPgoff + Math.floor((addr - vma.vmStart) / PAGE_SIZE);
  if (index >= Math.ceil(file.size / PAGE_SIZE)) return done(mm, FaultKind.Sigbus, VM_FAULT_SIGBUS);
  const cached = kmm.pageCache.readCachePage(file, index);
  if (cached < 0) return done(mm, FaultKind.Oom, VM_FAULT_OOM);
  const f = vma.vmFlags;
  const shared = (f & VM_SHARED) !== 0;
  if (write && !shared) {
    const pfn = newAnonPage(kmm, false);
    if (pfn < 0) return done(mm, FaultKind.Oom, VM_FAULT_OOM);
    copyFrame(kmm.mem, pfn * PAGE_SIZE, cached * PAGE_SIZE);
    setPte(kmm, mm, pte, lo, hi, pfnPteLo(pfn, vmPageProtLo(f) | vma.vmPageProtCache | PTE_WRITE_DIRTY), pfnPteHi(pfn, vmPageProtHi(f)));
    mm.rssAnon++;
    return done(mm, FaultKind.FileCow, VM_FAULT_OK);
  }
  mapCachePage(kmm, mm, cached);
  const bits = vmPageProtLo(f) | vma.vmPageProtCache | (write ? PTE_D : 0);
  setPte(kmm, mm, pte, lo, hi, pfnPteLo(cached, bits), pfnPteHi(cached, vmPageProtHi(f)));
  return done(mm, write ? FaultKind.SharedWrite : FaultKind.FileRead, VM_FAULT_OK);
}

/** A new PTE maps a page-cache page: reference, mapcount, RSS (file or shmem). */
export function mapCachePage(kmm: KernelMm, mm: MmStruct, pfn: number): void {
  const m = kmm.memMap;
  m.refcount[pfn]!++;
  m.mapcount[pfn]!++;
  if ((m.flags[pfn]! & PG_swapbacked) !== 0) mm.rssShmem++;
  else mm.rssFile++;
}

/** FAULT_FLAG_* bits of struct vm_fault (include/linux/mm_types.h) that a fault's error code decides. */
export const FAULT_FLAG_WRITE = 0x1;
export const FAULT_FLAG_USER = 0x40;
export const FAULT_FLAG_INSTRUCTION = 0x100;

/**
 * vmf->flags for a fault with SDM error code `error`, as
 * do_user_addr_fault() builds them: WRITE for PF_W, USER for PF_U (an
 * access from user mode), INSTRUCTION for PF_I. (Linux adds
 * FAULT_FLAG_DEFAULT, the retry and kill permissions; vmlab's fault path
 * neither retries nor waits, so it does not offer them.)
 */
export function faultFlags(error: number): number {
  return ((error & PF_W) !== 0 ? FAULT_FLAG_WRITE : 0) | ((error & PF_U) !== 0 ? FAULT_FLAG_USER : 0) | ((error & PF_I) !== 0 ? FAULT_FLAG_INSTRUCTION : 0);
}

/** Device mappings: the driver's vmOps.fault names the frame (VM_PFNMAP: no references). */
function doPfnFault(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, pte: number, lo: number, hi: number, addr: number, error: number): FaultOutcome {
  const fault = vma.vmOps?.fault;
  if (fault === undefined) return done(mm, FaultKind.Sigbus, VM_FAULT_SIGBUS);
  const write = (error & PF_W) !== 0;
  const r = fault(vma, addr, faultFlags(error));
  if (r < 0) {
    const outcome = -r as FaultOutcome;
    return done(mm, outcome === VM_FAULT_OOM ? FaultKind.Oom : FaultKind.Sigbus, outcome);
  }
  const f = vma.vmFlags;
  const bits = vmPageProtLo(f) | vma.vmPageProtCache | ((f & VM_WRITE) !== 0 ? PTE_RW : 0) | (write ? PTE_D : 0);
  setPte(kmm, mm, pte, lo, hi, pfnPteLo(r, bits), pfnPteHi(r, vmPageProtHi(f)));
  return done(mm, FaultKind.Pfnmap, VM_FAULT_OK);
}

/**
 * Linux do_wp_page(): a write to a present read-only PTE in a VM_WRITE VMA.
 * Shared mappings (and device ones) just become writable (wp_page_shared);
 * an anonymous page mapped once and referenced once is reused
 * (wp_can_reuse_anon_folio); anything else is copied (wp_page_copy) and the
 * old page loses this mapping.
 */
function doWpPage(kmm: KernelMm, mm: MmStruct, vma: VmAreaStruct, pte: number, lo: number, hi: number, plo: number, phi: number): FaultOutcome {
  const f = vma.vmFlags;
  const writable = (plo | PTE_RW | PTE_A | PTE_D) >>> 0;
  if ((f & VM_SHARED) !== 0 || isRawPfnVma(vma)) {
    setPte(kmm, mm, pte, lo, hi, writable, phi);
    return done(mm, FaultKind.SharedWrite, VM_FAULT_OK);
  }
  const old = entryPfn(plo, phi);
  const m = kmm.memMap;
  const oldFlags = m.flags[old]!;
  if ((oldFlags & PG_anon) !== 0 && m.mapcount[old] === 0 && m.refcount[old] === 1) {
    setPte(kmm, mm, pte, lo, hi, writable, phi);
    return done(mm, FaultKind.CowReuse, VM_FAULT_OK);
  }
  const pfn = newAnonPage(kmm, false);
  if (pfn < 0) return done(mm, FaultKind.Oom, VM_FAULT_OOM);
  copyFrame(kmm.mem, pfn * PAGE_SIZE, old * PAGE_SIZE);
  setPte(kmm, mm, pte, lo, hi, pfnPteLo(pfn, (plo & 0xfff) | PTE_P | PTE_RW | PTE_A | PTE_D), pfnPteHi(pfn, phi & PTE_NX_HI));
  mm.rssAnon++;
  if ((oldFlags & PG_anon) !== 0) mm.rssAnon--;
  else if ((oldFlags & PG_swapbacked) !== 0) mm.rssShmem--;
  else mm.rssFile--;
  m.mapcount[old]!--;
  kmm.buddy.putPage(old);
  return done(mm, FaultKind.CowCopy, VM_FAULT_OK);
}
