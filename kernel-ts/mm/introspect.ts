// Side-effect-free views for /proc and the debugger (STYLE convention 7:
// peeks never fault and never set A/D): followPte, the pagemap entry
// (Documentation/admin-guide/mm/pagemap.rst), /proc/meminfo numbers
// (fs/proc/meminfo.c) and /proc/PID/status's Vm* lines (fs/proc/task_mmu.c
// task_mem).
import { PTE_A, PTE_D, PTE_NX_HI, PTE_P, PTE_PS, PTE_RW, PTE_US } from '../../emu/machine/mmu/paging';
import { tableIndex } from '../../emu/machine/mmu/walk';
import { Owner, PAGE_SIZE, PG_anon } from './page';
import { entryAddr, entryPfn, lookupPte, vaHi, vaLo } from './pgtable';
import { LEVEL_SPAN } from './unmap';
import { HPAGE_PMD_SIZE, pmdEntryFor, pmdHuge } from './huge_memory';
import { PTE_PRESENT_MASK } from './prot';
import type { MmStruct } from './mm-struct';
import { VM_LOCKED, VM_SOFTDIRTY } from './vma';
import { VMALLOC_SIZE } from './kaddr';
import type { KernelMm } from './kernel-mm';

export interface PteInfo {
  /** pte_present(): mapped (P=1, or a PROT_NONE page). */
  present: boolean;
  pfn: number;
  writable: boolean;
  user: boolean;
  dirty: boolean;
  accessed: boolean;
  nx: boolean;
  pageShift: number;
  /** The raw 64-bit entry (0n when no page table covers va). */
  pteValue: bigint;
}

/** Linux follow_pte(), as a peek: the PTE for user address va in mm. */
export function followPte(kmm: KernelMm, mm: MmStruct, va: number): PteInfo {
  const pmd = mm.dead ? -1 : pmdEntryFor(kmm, mm, va);
  if (pmdHuge(kmm, pmd)) return followHugePmd(kmm, pmd, va);
  const pte = mm.dead ? -1 : lookupPte(kmm, mm.pgd, vaLo(va), vaHi(va));
  const lo = pte < 0 ? 0 : kmm.mem.read32(pte);
  const hi = pte < 0 ? 0 : kmm.mem.read32(pte + 4);
  return {
    present: (lo & PTE_PRESENT_MASK) !== 0,
    pfn: (lo & PTE_PRESENT_MASK) !== 0 ? entryPfn(lo, hi) : 0,
    writable: (lo & PTE_RW) !== 0,
    user: (lo & PTE_US) !== 0,
    dirty: (lo & PTE_D) !== 0,
    accessed: (lo & PTE_A) !== 0,
    nx: (hi & PTE_NX_HI) !== 0,
    pageShift: 12,
    pteValue: (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0),
  };
}

// A 2 MiB leaf (PS=1): the 4 KiB piece of it that va falls in, as Linux's pagemap_pmd_range reports it.
function followHugePmd(kmm: KernelMm, pmd: number, va: number): PteInfo {
  const lo = kmm.mem.read32(pmd);
  const hi = kmm.mem.read32(pmd + 4);
  return {
    present: true,
    pfn: entryPfn(lo & ~0x1fe000, hi) + Math.floor((va % HPAGE_PMD_SIZE) / PAGE_SIZE),
    writable: (lo & PTE_RW) !== 0,
    user: (lo & PTE_US) !== 0,
    dirty: (lo & PTE_D) !== 0,
    accessed: (lo & PTE_A) !== 0,
    nx: (hi & PTE_NX_HI) !== 0,
    pageShift: 21,
    pteValue: (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0),
  };
}

/**
 * Linux walk_page_range() as a peek: calls fn(va, pfn, pageShift) for every
 * present 4 KiB page of [start, end) in mm (page aligned), lowest first; a
 * 2 MiB leaf gives its 4 KiB pieces with pageShift 21, as followPte does. A
 * missing table is skipped whole (Linux's pte_hole), so the work is bounded by
 * the page tables that exist, never by the length of the range: a 2^46-byte
 * VMA with nothing in it costs a few entry reads.
 */
export function forEachPresentPage(kmm: KernelMm, mm: MmStruct, start: number, end: number, fn: (va: number, pfn: number, pageShift: number) => void): void {
  if (mm.dead || start >= end) return;
  peekLevel(kmm, mm.pgd, kmm.levels, start, end, fn);
}

function peekLevel(kmm: KernelMm, table: number, level: number, start: number, end: number, fn: (va: number, pfn: number, pageShift: number) => void): void {
  const mem = kmm.mem;
  const span = LEVEL_SPAN[level]!;
  for (let va = start; va < end; ) {
    const e = table + tableIndex(vaLo(va), vaHi(va), level) * 8;
    const next = Math.min(end, (Math.floor(va / span) + 1) * span);
    const lo = mem.read32(e);
    if (level === 1) {
      if ((lo & PTE_PRESENT_MASK) !== 0) fn(va, entryPfn(lo, mem.read32(e + 4)), 12);
    } else if ((lo & PTE_P) !== 0) {
      const hi = mem.read32(e + 4);
      if ((lo & PTE_PS) === 0) peekLevel(kmm, entryAddr(lo, hi), level - 1, va, next, fn);
      else if (level === 2) {
        // A 2 MiB leaf: the 4 KiB pieces in range, as followHugePmd numbers them.
        const head = entryPfn(lo & ~0x1fe000, hi);
        for (let p = va; p < next; p += PAGE_SIZE) fn(p, head + Math.floor((p % span) / PAGE_SIZE), 21);
      }
    }
    va = next;
  }
}

/** Pagemap bits (fs/proc/task_mmu.c PM_*). */
export const PM_PRESENT = 1n << 63n;
export const PM_SWAP = 1n << 62n;
export const PM_FILE = 1n << 61n;
export const PM_MMAP_EXCLUSIVE = 1n << 56n;
export const PM_SOFT_DIRTY = 1n << 55n;
export const PM_PFRAME_MASK = (1n << 55n) - 1n;

/**
 * The 64-bit /proc/PID/pagemap entry for va: present, PFN (vmlab shows it as
 * Linux does to CAP_SYS_ADMIN), file-or-shared-anon, exclusively mapped,
 * soft-dirty (a VM_SOFTDIRTY VMA, or a dirty PTE: x86 pte_mkdirty sets
 * _PAGE_SOFT_DIRTY too). 0 outside every VMA.
 */
export function pagemapEntry(kmm: KernelMm, mm: MmStruct, va: number): bigint {
  const vma = mm.vmas.vmaLookup(va);
  if (vma === null) return 0n;
  let e = (vma.vmFlags & VM_SOFTDIRTY) !== 0 ? PM_SOFT_DIRTY : 0n;
  const p = followPte(kmm, mm, va);
  if (!p.present) return e;
  e |= PM_PRESENT | BigInt(p.pfn);
  if (p.dirty) e |= PM_SOFT_DIRTY;
  const m = kmm.memMap;
  const rawPfn = !m.pfnValid(p.pfn) || m.refcount[p.pfn] === 0 || (vma.vmOps !== null && vma.vmOps.fault !== undefined);
  if (!rawPfn) {
    if ((m.flags[p.pfn]! & PG_anon) === 0) e |= PM_FILE;
    if (m.pageMapcount(p.pfn) === 1) e |= PM_MMAP_EXCLUSIVE;
  }
  return e;
}

/** /proc/meminfo's numbers, in kB. */
export interface MemInfo {
  MemTotal: number;
  MemFree: number;
  MemAvailable: number;
  Buffers: number;
  Cached: number;
  AnonPages: number;
  Mapped: number;
  Shmem: number;
  Slab: number;
  PageTables: number;
  VmallocTotal: number;
  VmallocUsed: number;
  DirectMap4k: number;
  DirectMap2M: number;
  DirectMap1G: number;
}

const KB = PAGE_SIZE / 1024;

/** Linux meminfo_proc_show()'s values (kB). Cached includes shmem pages, as NR_FILE_PAGES does. */
export function meminfo(kmm: KernelMm): MemInfo {
  const b = kmm.buddy;
  const pc = kmm.pageCache;
  const free = b.nrFreePages;
  const droppable = pc.nrPages - pc.nrShmem - pc.mappedPages();
  const ds = kmm.kspace.directMap;
  return {
    MemTotal: b.nrManagedPages * KB,
    MemFree: free * KB,
    MemAvailable: (free + Math.max(0, droppable)) * KB,
    Buffers: 0,
    Cached: pc.nrPages * KB,
    AnonPages: b.pagesOwnedBy(Owner.Anon) * KB,
    Mapped: pc.mappedPages() * KB,
    Shmem: pc.nrShmem * KB,
    Slab: b.pagesOwnedBy(Owner.Slab) * KB,
    PageTables: b.pagesOwnedBy(Owner.Pgtable) * KB,
    VmallocTotal: VMALLOC_SIZE / 1024,
    VmallocUsed: kmm.kspace.vmallocUsed / 1024,
    DirectMap4k: ds.pages4k * 4,
    DirectMap2M: ds.pages2m * 2048,
    DirectMap1G: ds.pages1g * 1048576,
  };
}

/** /proc/meminfo as Linux prints it: a 16-column label, the value right-aligned in 8, " kB". */
export function meminfoText(kmm: KernelMm): string {
  let s = '';
  for (const [k, v] of Object.entries(meminfo(kmm))) s += `${`${k}:`.padEnd(16)}${String(v).padStart(8)} kB\n`;
  return s;
}

/** /proc/PID/status's memory numbers (kB), as task_mem() computes them. */
export interface MmStatus {
  VmPeak: number;
  VmSize: number;
  VmLck: number;
  VmPin: number;
  VmHWM: number;
  VmRSS: number;
  RssAnon: number;
  RssFile: number;
  RssShmem: number;
  VmData: number;
  VmStk: number;
  VmExe: number;
  VmLib: number;
  VmPTE: number;
  VmSwap: number;
}

export function status(mm: MmStruct): MmStatus {
  mm.updateHiwater();
  const execBytes = mm.execVm * PAGE_SIZE;
  let text = Math.ceil(mm.endCode / PAGE_SIZE) * PAGE_SIZE - (mm.startCode - (mm.startCode % PAGE_SIZE));
  text = Math.max(0, Math.min(text, execBytes));
  return {
    VmPeak: mm.hiwaterVm * KB,
    VmSize: mm.totalVm * KB,
    VmLck: mm.lockedVm * KB,
    VmPin: 0,
    VmHWM: mm.hiwaterRss * KB,
    VmRSS: mm.rss * KB,
    RssAnon: mm.rssAnon * KB,
    RssFile: mm.rssFile * KB,
    RssShmem: mm.rssShmem * KB,
    VmData: mm.dataVm * KB,
    VmStk: mm.stackVm * KB,
    VmExe: text / 1024,
    VmLib: (execBytes - text) / 1024,
    VmPTE: mm.pgtablesBytes / 1024,
    VmSwap: 0,
  };
}

/** The Vm and Rss lines of /proc/PID/status: `VmPeak:\t    1234 kB`. */
export function statusText(mm: MmStruct): string {
  let s = '';
  for (const [k, v] of Object.entries(status(mm))) s += `${k}:\t${String(v).padStart(8)} kB\n`;
  return s;
}

/** kB totals of /proc/PID/smaps_rollup, summed over every VMA's present pages. */
export interface SmapsRollup {
  start: number;
  end: number;
  rss: number;
  pss: number;
  anonymous: number;
  anonHugePages: number;
  /** Pss of VM_LOCKED VMAs (pss_locked). */
  locked: number;
}

/**
 * Linux smaps_rollup (fs/proc/task_mmu.c show_smaps_rollup), from a
 * side-effect-free walk of every VMA: Rss counts present pages, Pss shares
 * each frame among its mappers (mapcount), Anonymous counts pages of
 * anonymous VMAs, AnonHugePages the part of those served by 2 MiB pages.
 */
export function smapsRollup(kmm: KernelMm, mm: MmStruct): SmapsRollup {
  const r: SmapsRollup = { start: 0, end: 0, rss: 0, pss: 0, anonymous: 0, anonHugePages: 0, locked: 0 };
  const vmas = mm.vmas.toArray();
  if (vmas.length === 0) return r;
  r.start = vmas[0]!.vmStart;
  r.end = vmas[vmas.length - 1]!.vmEnd;
  let pssBytes = 0;
  let lockedBytes = 0;
  for (const v of vmas) {
    const locked = (v.vmFlags & VM_LOCKED) !== 0;
    forEachPresentPage(kmm, mm, v.vmStart, v.vmEnd, (_va, pfn, pageShift) => {
      if (!kmm.memMap.pfnValid(pfn)) return;
      r.rss += 4;
      const pss = PAGE_SIZE / Math.max(1, kmm.memMap.pageMapcount(pfn));
      pssBytes += pss;
      if (locked) lockedBytes += pss;
      if (v.isAnonymous) {
        r.anonymous += 4;
        if (pageShift === 21) r.anonHugePages += 4;
      }
    });
  }
  r.pss = Math.floor(pssBytes / 1024);
  r.locked = Math.floor(lockedBytes / 1024);
  return r;
}

/** The text of /proc/PID/smaps_rollup: the [rollup] header and Linux's `Name:  value kB` lines. */
export function smapsRollupText(kmm: KernelMm, mm: MmStruct): string {
  const r = smapsRollup(kmm, mm);
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const line = (name: string, kb: number): string => `${`${name}:`.padEnd(16)}${String(kb).padStart(8)} kB\n`;
  return (
    `${`${hex(r.start)}-${hex(r.end)} ---p 00000000 00:00 0`.padEnd(72)} [rollup]\n` +
    line('Rss', r.rss) + line('Pss', r.pss) + line('Anonymous', r.anonymous) +
    line('AnonHugePages', r.anonHugePages) + line('Swap', 0) + line('Locked', r.locked)
  );
}
