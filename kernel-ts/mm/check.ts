// The memory manager's self-check (Linux CONFIG_DEBUG_VM's validate_mm(),
// page_table_check and debug_vm_pgtable, gathered in one pass): walks every
// live address space's page tables, the kernel's own tables, the frame table
// and both TLBs, and reports each broken invariant as a violation. Side-effect
// free: it reads guest RAM directly (no walk through the MMU, no A/D bits, no
// TLB fill) and changes nothing. Not a hot path; the fuzzers call it after
// every system call, tests after they corrupt something on purpose.
//
// The invariants, by name:
//   frames-baseline   with no process alive (and caches dropped by the caller),
//   pgtables-baseline the frames in use and the page-table pages are what they
//                     were at the baseline
//   pte-frame         every user PTE maps an allocated frame of a user owner
//   pte-stray         no non-present entry holds bits (Linux keeps them zero)
//   pte-outside-vma   every mapped user page lies inside a VMA
//   pte-rights        a PTE grants no right its VMA lacks; user leaves are US,
//                     never global; upper user entries are P|RW|US
//   cow               a writable PTE of a private mapping maps a page no one else maps
//   kernel-half       top-level entries 256..511 of every mm (the PML5 with
//                     5-level paging) equal swapper_pg_dir's, which equal boot's
//   kernel-tables     the kernel's page-table pages are as at boot (the vmalloc
//                     area's may change, but map only vmalloc frames)
//   pgtable-leak      every PG_pgtable frame is linked into exactly one tree
//   vma-order         each mm's VMAs are page aligned, sorted and disjoint
//   vma-range         and lie within [0, TASK_SIZE)
//   mapcount          each frame's mapcount is the number of PTEs mapping it
//   refcount          ... and its refcount that plus the page cache's reference;
//                     no anonymous page is left unmapped
//   rss               each mm's RSS counters and pgtables_bytes match its tables
//   pcid              no two live mms share a PCID
//   tlb-freed         no TLB entry maps a free frame
//   tlb-stale         every non-global TLB entry belongs to a live mm's PCID
//                     and grants no more than that mm's page tables do now
import { PTE_P, PTE_PS, PTE_G, PTE_NX_HI, PTE_RW, PTE_US } from '../../emu/machine/mmu/paging';
import { tableIndex } from '../../emu/machine/mmu/walk';
import { TWO32 } from '../../emu/machine/cpu/int64';
import type { Tlb } from '../../emu/machine/mmu/tlb';
import { OWNER_NAMES, Owner, PAGE_SIZE, PG_anon, PG_buddy, PG_head, PG_pcp, PG_pgtable, PG_swapbacked, PG_tail } from './page';
import { entryAddr, entryPfn } from './pgtable';
import { PTE_PRESENT_MASK } from './prot';
import { isRawPfnVma } from './memory';
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER } from './huge_memory';
import { VM_ACCESS_FLAGS, VM_EXEC, VM_SHARED, VM_WRITE } from './vma';
import type { VmAreaStruct } from './vma';
import type { MmStruct } from './mm-struct';
import type { KernelMm } from './kernel-mm';

export type VmInvariant =
  | 'frames-baseline'
  | 'pgtables-baseline'
  | 'pte-frame'
  | 'pte-stray'
  | 'pte-outside-vma'
  | 'pte-rights'
  | 'cow'
  | 'kernel-half'
  | 'kernel-tables'
  | 'pgtable-leak'
  | 'vma-order'
  | 'vma-range'
  | 'mapcount'
  | 'refcount'
  | 'rss'
  | 'pcid'
  | 'tlb-freed'
  | 'tlb-stale';

export interface VmViolation {
  readonly invariant: VmInvariant;
  /** One line: what is wrong and where. */
  readonly message: string;
}

/** What the kernel looked like at a quiet moment (after boot and setup): the reference of the later checks. */
export interface VmBaseline {
  /** Frames in use, and page-table pages among them. */
  readonly framesInUse: number;
  readonly pgtablePages: number;
  /** swapper_pg_dir's entries 256..511 as 32-bit words. */
  readonly kernelTop: Int32Array;
  /** Every kernel page-table page outside the vmalloc area's subtree, by physical address: its 1024 words and level. */
  readonly kernelTables: ReadonlyMap<number, { readonly level: number; readonly words: Int32Array }>;
  /** The vmalloc area's PUD table (its subtree may change). */
  readonly vmallocPud: number;
  /** Page-table pages under it: vmalloc's page tables are never freed (Linux's neither), so they may only grow. */
  readonly vmallocTables: number;
}

export interface VmCheckOptions {
  baseline?: VmBaseline;
  /** No process is alive and the caller dropped the page cache: frames must be back to the baseline. */
  quiescent?: boolean;
  /** Stop after this many violations (default 20). */
  maxViolations?: number;
}

const WORDS = PAGE_SIZE / 4;
/** Bytes mapped by one entry at each level (index = level). */
const SPAN = [0, 2 ** 12, 2 ** 21, 2 ** 30, 2 ** 39, 2 ** 48];
const USER_TABLE_BITS = PTE_P | PTE_RW | PTE_US;

const hex = (n: number): string => `0x${n.toString(16)}`;

/** A copy of the table at pa (1024 words). */
function tableWords(kmm: KernelMm, pa: number): Int32Array {
  const i32 = kmm.mem.chunkI32(pa)!;
  const base = kmm.mem.chunkOffset(pa) >> 2;
  return i32.slice(base, base + WORDS);
}

/** The words of the table at pa in place (no copy): word i is w[o + i]. */
function tableView(kmm: KernelMm, pa: number): { w: Int32Array; o: number } {
  return { w: kmm.mem.chunkI32(pa)!, o: kmm.mem.chunkOffset(pa) >> 2 };
}

/** The vmalloc area's PUD table: the level-3 table holding VMALLOC_START's entry (preallocated at boot). */
function vmallocPudOf(kmm: KernelMm): number {
  const v = kmm.kspace.vmallocStart;
  let table = kmm.kspace.initPgd;
  for (let level: number = kmm.levels; level > 3; level--) {
    const e = table + tableIndex(v.lo, v.hi, level) * 8;
    table = entryAddr(kmm.mem.read32(e), kmm.mem.read32(e + 4));
  }
  return table;
}

/** Calls fn(pa, level) for every table under the entries of `table` (at `level`) from `first` to 511, depth first. */
function forEachKernelTable(kmm: KernelMm, table: number, level: number, first: number, fn: (pa: number, level: number) => boolean): void {
  if (level <= 1) return;
  for (let i = first; i < 512; i++) {
    const lo = kmm.mem.read32(table + i * 8);
    if ((lo & PTE_P) === 0 || (lo & PTE_PS) !== 0) continue;
    const child = entryAddr(lo, kmm.mem.read32(table + i * 8 + 4));
    if (fn(child, level - 1)) forEachKernelTable(kmm, child, level - 1, 0, fn);
  }
}

/** The page-table pages under the vmalloc area's PUD table. */
function vmallocTableCount(kmm: KernelMm): number {
  let n = 0;
  forEachKernelTable(kmm, vmallocPudOf(kmm), 3, 0, () => {
    n++;
    return true;
  });
  return n;
}

/** Takes the baseline: call it at a quiet moment (no process alive, page cache dropped) after boot and setup. */
export function vmBaseline(kmm: KernelMm): VmBaseline {
  const initPgd = kmm.kspace.initPgd;
  const vmallocPud = vmallocPudOf(kmm);
  const kernelTables = new Map<number, { level: number; words: Int32Array }>();
  forEachKernelTable(kmm, initPgd, kmm.levels, 256, (pa, level) => {
    if (pa === vmallocPud) return false;
    kernelTables.set(pa, { level, words: tableWords(kmm, pa) });
    return true;
  });
  return {
    framesInUse: kmm.framesInUse(),
    pgtablePages: kmm.buddy.pagesOwnedBy(Owner.Pgtable),
    vmallocTables: vmallocTableCount(kmm),
    kernelTop: tableWords(kmm, initPgd).slice(512),
    kernelTables,
    vmallocPud,
  };
}

class Checker {
  readonly out: VmViolation[] = [];
  private readonly max: number;
  /** Per frame: PTEs (or huge PMDs, on the head) of reference-counted mappings. */
  readonly mapped: Int32Array;
  /** Per frame: 1 once reached as a page table. */
  readonly tables: Uint8Array;
  nrTables = 0;
  /** Frames mapped writable by a private mapping (each must end up mapped once). */
  readonly privateWritable: { mm: MmStruct; va: number; pfn: number }[] = [];

  constructor(
    readonly kmm: KernelMm,
    max: number,
  ) {
    this.max = max;
    this.mapped = new Int32Array(kmm.memMap.nrFrames);
    this.tables = new Uint8Array(kmm.memMap.nrFrames);
  }

  get full(): boolean {
    return this.out.length >= this.max;
  }

  report(invariant: VmInvariant, message: string): void {
    if (!this.full) this.out.push({ invariant, message });
  }

  /** Marks pa as a page table; false (and a violation) if it is not a live page-table frame or was reached before. */
  claimTable(pa: number, where: () => string): boolean {
    const m = this.kmm.memMap;
    const pfn = pa / PAGE_SIZE;
    if (!m.pfnValid(pfn)) {
      this.report('pgtable-leak', `${where()}: table at ${hex(pa)} is outside RAM`);
      return false;
    }
    if ((m.flags[pfn]! & PG_pgtable) === 0 || m.refcount[pfn]! <= 0) {
      this.report('pgtable-leak', `${where()}: table at ${hex(pa)} is not a live page-table page (${m.describe(pfn)})`);
      return false;
    }
    if (this.tables[pfn] !== 0) {
      this.report('pgtable-leak', `${where()}: table at ${hex(pa)} is linked twice`);
      return false;
    }
    this.tables[pfn] = 1;
    this.nrTables++;
    return true;
  }

  /** True if pfn is a frame the allocator holds as free. */
  isFree(pfn: number): boolean {
    const m = this.kmm.memMap;
    const head = m.compoundHead(pfn);
    return m.refcount[head]! <= 0 || (m.flags[head]! & (PG_buddy | PG_pcp)) !== 0;
  }
}

/** Per-mm tallies from its page tables. */
interface MmTally {
  anon: number;
  file: number;
  shmem: number;
  tables: number;
}

function checkVmas(c: Checker, mm: MmStruct): void {
  let prevEnd = 0;
  let prev: VmAreaStruct | null = null;
  for (const v of mm.vmas) {
    const at = (): string => `mm ${mm.id} VMA [${hex(v.vmStart)}, ${hex(v.vmEnd)})`;
    if (!(v.vmStart < v.vmEnd) || v.vmStart % PAGE_SIZE !== 0 || v.vmEnd % PAGE_SIZE !== 0) c.report('vma-order', `${at()} is empty or not page aligned`);
    if (prev !== null && v.vmStart < prevEnd) c.report('vma-order', `${at()} overlaps or precedes [${hex(prev.vmStart)}, ${hex(prev.vmEnd)})`);
    if (v.vmStart < 0 || v.vmEnd > mm.taskSize) c.report('vma-range', `${at()} is outside the user range [0, ${hex(mm.taskSize)})`);
    prevEnd = Math.max(prevEnd, v.vmEnd);
    prev = v;
  }
}

/** One leaf (a PTE, or a huge PMD when size is 2 MiB) of mm mapping va. */
function checkLeaf(c: Checker, mm: MmStruct, tally: MmTally, va: number, lo: number, hi: number, size: number): void {
  const kmm = c.kmm;
  const m = kmm.memMap;
  const at = (): string => `mm ${mm.id} ${size === PAGE_SIZE ? 'PTE' : 'huge PMD'} for ${hex(va)}`;
  if ((lo & PTE_PRESENT_MASK) === 0) {
    if (lo !== 0 || hi !== 0) c.report('pte-stray', `${at()}: non-present entry ${hex(hi >>> 0)}:${hex(lo >>> 0)}`);
    return;
  }
  const vma = mm.vmas.vmaLookup(va);
  if (vma === null || vma.vmEnd < va + size) {
    c.report('pte-outside-vma', `${at()} maps pfn ${hex(entryPfn(lo, hi))} outside every VMA`);
    return;
  }
  const f = vma.vmFlags;
  if ((lo & PTE_P) !== 0) {
    if ((lo & PTE_US) === 0 || (lo & PTE_G) !== 0) c.report('pte-rights', `${at()}: a user page must be US=1, G=0 (entry low ${hex(lo >>> 0)})`);
    if ((f & VM_ACCESS_FLAGS) === 0) c.report('pte-rights', `${at()}: present in a PROT_NONE VMA`);
  }
  if ((lo & PTE_RW) !== 0 && (f & VM_WRITE) === 0) c.report('pte-rights', `${at()}: writable in a VMA without VM_WRITE`);
  if ((lo & PTE_P) !== 0 && (hi & PTE_NX_HI) === 0 && (f & VM_EXEC) === 0) c.report('pte-rights', `${at()}: executable in a VMA without VM_EXEC`);
  if (isRawPfnVma(vma)) return; // device pages: the driver owns the frame, mm counts nothing
  const pfn = size === PAGE_SIZE ? entryPfn(lo, hi) : entryPfn(lo & ~0x1fe000, hi);
  if (!m.pfnValid(pfn)) {
    c.report('pte-frame', `${at()} maps pfn ${hex(pfn)} beyond RAM`);
    return;
  }
  if (c.isFree(pfn)) {
    c.report('pte-frame', `${at()} maps free frame ${m.describe(pfn)}`);
    return;
  }
  const owner = m.owner[m.compoundHead(pfn)]!;
  if (owner !== Owner.Anon && owner !== Owner.Pagecache) {
    c.report('pte-frame', `${at()} maps a ${OWNER_NAMES[owner]} frame (${m.describe(pfn)})`);
    return;
  }
  if (size !== PAGE_SIZE && ((m.flags[pfn]! & PG_head) === 0 || m.order[pfn] !== HPAGE_PMD_ORDER)) {
    c.report('pte-frame', `${at()} maps ${m.describe(pfn)}, not the head of a 2 MiB page`);
    return;
  }
  if (size === PAGE_SIZE && (m.flags[pfn]! & PG_tail) !== 0) {
    c.report('pte-frame', `${at()} maps a tail page (${m.describe(pfn)})`);
    return;
  }
  c.mapped[pfn]!++;
  const pages = size / PAGE_SIZE;
  const flags = m.flags[pfn]!;
  if ((flags & PG_anon) !== 0) tally.anon += pages;
  else if ((flags & PG_swapbacked) !== 0) tally.shmem += pages;
  else tally.file += pages;
  if ((lo & PTE_RW) !== 0 && (f & VM_SHARED) === 0) c.privateWritable.push({ mm, va, pfn });
}

/** The user half of mm's tables below `table` at `level`, starting at va `base`. */
function walkUser(c: Checker, mm: MmStruct, tally: MmTally, table: number, level: number, base: number): void {
  const mem = c.kmm.mem;
  const top = level === c.kmm.levels;
  const words = mem.chunkI32(table)!;
  const w0 = mem.chunkOffset(table) >> 2;
  for (let i = 0; i < (top ? 256 : 512) && !c.full; i++) {
    const lo = words[w0 + 2 * i]!;
    const hi = words[w0 + 2 * i + 1]!;
    if (lo === 0 && hi === 0) continue;
    const va = base + i * SPAN[level]!;
    if (level === 1) {
      checkLeaf(c, mm, tally, va, lo, hi, PAGE_SIZE);
      continue;
    }
    if ((lo & PTE_P) === 0) {
      if (lo !== 0 || hi !== 0) c.report('pte-stray', `mm ${mm.id} level-${level} entry for ${hex(va)}: non-present entry ${hex(hi >>> 0)}:${hex(lo >>> 0)}`);
      continue;
    }
    if ((lo & PTE_PS) !== 0) {
      if (level === 2) checkLeaf(c, mm, tally, va, lo, hi, HPAGE_PMD_NR * PAGE_SIZE);
      else c.report('pte-rights', `mm ${mm.id} level-${level} entry for ${hex(va)} is a large leaf (user mms have only 4K and 2M pages)`);
      continue;
    }
    if ((lo & USER_TABLE_BITS) !== USER_TABLE_BITS) c.report('pte-rights', `mm ${mm.id} level-${level} entry for ${hex(va)} lacks P|RW|US (${hex(lo >>> 0)})`);
    const child = entryAddr(lo, hi);
    if (!c.claimTable(child, () => `mm ${mm.id} level-${level} entry for ${hex(va)}`)) continue;
    tally.tables++;
    walkUser(c, mm, tally, child, level - 1, va);
  }
}

function checkMm(c: Checker, mm: MmStruct): void {
  const kmm = c.kmm;
  checkVmas(c, mm);
  if (!c.claimTable(mm.pgd, () => `mm ${mm.id} pgd`)) return;
  // The kernel half: every mm's top-level entries 256..511 are swapper_pg_dir's (pgd_alloc copies them; nothing may change them).
  const pgd = tableView(kmm, mm.pgd);
  const init = tableView(kmm, kmm.kspace.initPgd);
  for (let w = 512; w < WORDS; w++) {
    if (pgd.w[pgd.o + w] !== init.w[init.o + w]) {
      const i = w >> 1;
      const entry = (v: { w: Int32Array; o: number }): string => `${hex(v.w[v.o + 2 * i + 1]! >>> 0)}:${hex(v.w[v.o + 2 * i]! >>> 0)}`;
      c.report('kernel-half', `mm ${mm.id} top-level entry ${i} is ${entry(pgd)}, swapper_pg_dir's is ${entry(init)}`);
      break;
    }
  }
  const tally: MmTally = { anon: 0, file: 0, shmem: 0, tables: 0 };
  walkUser(c, mm, tally, mm.pgd, kmm.levels, 0);
  if (c.full) return;
  if (tally.anon !== mm.rssAnon || tally.file !== mm.rssFile || tally.shmem !== mm.rssShmem)
    c.report('rss', `mm ${mm.id} counts anon/file/shmem ${mm.rssAnon}/${mm.rssFile}/${mm.rssShmem} pages, its tables map ${tally.anon}/${tally.file}/${tally.shmem}`);
  if (mm.pgtablesBytes !== (tally.tables + 1) * PAGE_SIZE)
    c.report('rss', `mm ${mm.id} pgtables_bytes ${mm.pgtablesBytes}, its tables take ${(tally.tables + 1) * PAGE_SIZE}`);
}

function checkKernelTables(c: Checker, b: VmBaseline | undefined): void {
  const kmm = c.kmm;
  const initPgd = kmm.kspace.initPgd;
  if (!c.claimTable(initPgd, () => 'swapper_pg_dir')) return;
  const top = tableView(kmm, initPgd);
  for (let w = 0; w < 512; w++) {
    if (top.w[top.o + w] !== 0) {
      c.report('kernel-half', `swapper_pg_dir has a user-half entry ${w >> 1}`);
      break;
    }
  }
  const vmallocPud = b?.vmallocPud ?? vmallocPudOf(kmm);
  if (b !== undefined) {
    for (let w = 0; w < 512; w++) {
      if (top.w[top.o + 512 + w] !== b.kernelTop[w]) {
        c.report('kernel-half', `swapper_pg_dir entry ${256 + (w >> 1)} changed since boot`);
        break;
      }
    }
    for (const [pa, t] of b.kernelTables) {
      if (!c.claimTable(pa, () => `kernel level-${t.level} table`)) continue;
      const now = tableView(kmm, pa);
      for (let w = 0; w < WORDS; w++) {
        if (now.w[now.o + w] !== t.words[w]) {
          const i = w >> 1;
          c.report('kernel-tables', `kernel level-${t.level} table at ${hex(pa)}: entry ${i} was ${hex(t.words[2 * i + 1]! >>> 0)}:${hex(t.words[2 * i]! >>> 0)}, is ${hex(now.w[now.o + 2 * i + 1]! >>> 0)}:${hex(now.w[now.o + 2 * i]! >>> 0)}`);
          break;
        }
      }
    }
  } else {
    forEachKernelTable(kmm, initPgd, kmm.levels, 256, (pa, level) => pa !== vmallocPud && c.claimTable(pa, () => `kernel level-${level} table`));
  }
  // The vmalloc area: tables may come and go, but each leaf maps a live vmalloc frame.
  if (!c.claimTable(vmallocPud, () => 'vmalloc PUD')) return;
  const m = kmm.memMap;
  const walkVmalloc = (table: number, level: number): void => {
    for (let i = 0; i < 512; i++) {
      const lo = kmm.mem.read32(table + i * 8);
      if ((lo & PTE_P) === 0) continue;
      const hi = kmm.mem.read32(table + i * 8 + 4);
      if (level > 1 && (lo & PTE_PS) === 0) {
        const child = entryAddr(lo, hi);
        if (c.claimTable(child, () => `vmalloc level-${level} entry ${i}`)) walkVmalloc(child, level - 1);
        continue;
      }
      const pfn = entryPfn(lo, hi);
      if (level !== 1 || !m.pfnValid(pfn) || c.isFree(pfn) || m.owner[pfn] !== Owner.Vmalloc)
        c.report('kernel-tables', `vmalloc level-${level} entry ${i} of table ${hex(table)} maps ${m.pfnValid(pfn) ? m.describe(pfn) : `pfn ${hex(pfn)}`}, not a vmalloc page`);
    }
  };
  walkVmalloc(vmallocPud, 3);
}

/** Frames against the mappings counted by the walks. */
function checkFrames(c: Checker): void {
  const kmm = c.kmm;
  const m = kmm.memMap;
  for (let pfn = 0; pfn < m.nrFrames && !c.full; pfn++) {
    const owner = m.owner[pfn]!;
    const flags = m.flags[pfn]!;
    if ((flags & PG_tail) !== 0 || (owner !== Owner.Anon && owner !== Owner.Pagecache)) continue;
    if (c.isFree(pfn)) continue;
    const n = c.mapped[pfn]!;
    const cacheRef = owner === Owner.Pagecache ? 1 : 0;
    if (owner === Owner.Anon && n === 0) c.report('refcount', `${m.describe(pfn)}: an anonymous page no PTE maps (leaked)`);
    else if (m.mapcount[pfn]! + 1 !== n) c.report('mapcount', `${m.describe(pfn)}: mapcount ${m.pageMapcount(pfn)}, mapped by ${n} PTEs`);
    else if (m.refcount[pfn] !== n + cacheRef)
      c.report('refcount', `${m.describe(pfn)}: refcount ${m.refcount[pfn]}, expected ${n} mappings${cacheRef ? ' + the page cache' : ''}`);
  }
  for (const w of c.privateWritable) {
    if (c.mapped[w.pfn] !== 1 || m.owner[w.pfn] !== Owner.Anon)
      c.report('cow', `mm ${w.mm.id} maps ${hex(w.va)} writable in a private mapping, but ${m.describe(w.pfn)} is mapped ${c.mapped[w.pfn]} times`);
  }
  const pgtables = kmm.buddy.pagesOwnedBy(Owner.Pgtable);
  if (pgtables !== c.nrTables) c.report('pgtable-leak', `${pgtables} page-table pages allocated, ${c.nrTables} linked into the kernel's and the live mms' tables`);
}

/** The leaf mapping va in mm, as {lo, hi, size}, or null (a peek: no A/D, no allocation). */
function leafOf(kmm: KernelMm, mm: MmStruct, va: number): { lo: number; hi: number; size: number } | null {
  const lo32 = va >>> 0;
  const hi32 = Math.floor(va / TWO32);
  let table = mm.pgd;
  for (let level: number = kmm.levels; level >= 1; level--) {
    const e = table + tableIndex(lo32, hi32, level) * 8;
    const lo = kmm.mem.read32(e);
    const hi = kmm.mem.read32(e + 4);
    if ((lo & PTE_P) === 0) return null;
    if (level === 1 || (lo & PTE_PS) !== 0) return { lo, hi, size: SPAN[level]! };
    table = entryAddr(lo, hi);
  }
  return null;
}

function checkTlb(c: Checker, tlb: Tlb, byPcid: Map<number, MmStruct>): void {
  const kmm = c.kmm;
  const m = kmm.memMap;
  for (const e of tlb.entries()) {
    if (c.full) return;
    const size = e.pageSize === '4K' ? PAGE_SIZE : e.pageSize === '2M' ? SPAN[2]! : SPAN[3]!;
    const at = (): string => `${e.tlb} ${e.pageSize} entry ${e.va < 0n ? `-${hex(Number(-e.va))}` : hex(Number(e.va))} pcid ${e.pcid}${e.global ? ' global' : ''} -> ${hex(e.pa)}`;
    if (e.global) {
      if (e.us) c.report('tlb-stale', `${at()}: a global user translation`);
      continue; // kernel translations: the direct map covers free frames too, and vfree purges lazily
    }
    for (let pfn = e.pa / PAGE_SIZE; pfn < (e.pa + size) / PAGE_SIZE; pfn++) {
      if (m.pfnValid(pfn) && c.isFree(pfn)) {
        c.report('tlb-freed', `${at()} maps free frame ${m.describe(pfn)}`);
        break;
      }
    }
    const mm = byPcid.get(e.pcid);
    if (mm === undefined || e.va < 0n) {
      c.report('tlb-stale', `${at()}: no live address space has this PCID`);
      continue;
    }
    const va = Number(e.va);
    const leaf = leafOf(kmm, mm, va);
    const pa = leaf === null ? -1 : entryAddr(leaf.lo & ~(leaf.size > PAGE_SIZE ? leaf.size - 1 : 0), leaf.hi) + (va % leaf.size) - (va % size);
    if (leaf === null || leaf.size < size || pa !== e.pa) {
      c.report('tlb-stale', `${at()}: mm ${mm.id}'s tables map ${leaf === null ? 'nothing' : hex(pa)} there`);
      continue;
    }
    const more = (e.rw && (leaf.lo & PTE_RW) === 0) || (e.us && (leaf.lo & PTE_US) === 0) || (!e.xd && (leaf.hi & PTE_NX_HI) !== 0);
    if (more) c.report('tlb-stale', `${at()}: grants more (rw ${e.rw}, us ${e.us}, xd ${e.xd}) than mm ${mm.id}'s entry ${hex(leaf.hi >>> 0)}:${hex(leaf.lo >>> 0)}`);
  }
}

/**
 * Checks every invariant above over the kernel's tables and the given live
 * mms (every mm some task uses; dead ones are skipped). Returns the
 * violations found, at most opts.maxViolations; [] when all hold.
 */
export function checkVm(kmm: KernelMm, mms: Iterable<MmStruct>, opts: VmCheckOptions = {}): VmViolation[] {
  const c = new Checker(kmm, opts.maxViolations ?? 20);
  const b = opts.baseline;
  const live = [...new Set(mms)].filter((mm) => !mm.dead);
  checkKernelTables(c, b);
  const byPcid = new Map<number, MmStruct>();
  for (const mm of live) {
    checkMm(c, mm);
    if (mm.pcid === 0) continue;
    const other = byPcid.get(mm.pcid);
    if (other !== undefined) c.report('pcid', `mm ${mm.id} and mm ${other.id} share PCID ${mm.pcid}`);
    byPcid.set(mm.pcid, mm);
  }
  if (!c.full) checkFrames(c);
  if (!c.full) checkTlb(c, kmm.mmu.itlb, byPcid);
  if (!c.full) checkTlb(c, kmm.mmu.dtlb, byPcid);
  if (b !== undefined && opts.quiescent === true) {
    // vmalloc's page tables made since the baseline stay (as Linux's do): they count as the baseline's.
    const grown = Math.max(0, vmallocTableCount(kmm) - b.vmallocTables);
    const frames = b.framesInUse + grown;
    if (kmm.framesInUse() !== frames) c.report('frames-baseline', `${kmm.framesInUse()} frames in use with no process alive, ${frames} at the baseline (${kmm.framesInUse() - frames} leaked)`);
    const pgt = kmm.buddy.pagesOwnedBy(Owner.Pgtable);
    if (pgt !== b.pgtablePages + grown) c.report('pgtables-baseline', `${pgt} page-table pages with no process alive, ${b.pgtablePages + grown} at the baseline`);
  }
  return c.out;
}

/** The violations as lines, `invariant: message`. */
export function formatViolations(v: readonly VmViolation[]): string {
  return v.map((x) => `${x.invariant}: ${x.message}`).join('\n');
}
