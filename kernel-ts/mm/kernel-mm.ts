// The kernel's memory manager: owner of the frame table, the buddy and slab
// allocators, the kernel page tables, the page cache and the PCIDs; the one
// object the rest of the kernel calls for memory. The work is done in the
// files named after Linux's (pgtable, kaddr, memory, mmap, mremap, fork,
// uaccess, filemap, introspect); this class holds the state and delegates.
//
// Boot (Linux setup_arch/paging_init, reduced): frame 0 and the first MiB are
// reserved, swapper_pg_dir is built (kaddr.ts), then EFER.NXE, CR4.PAE|PGE|
// PCIDE|SMEP|SMAP (and LA57 for 5-level), CR3 = swapper_pg_dir with PCID 0,
// CR0.PE|PG|WP.
import type { Machine } from '../../emu/machine/machine';
import type { GuestMemory } from '../../emu/machine/mem/phys';
import type { Mmu } from '../../emu/machine/mmu/mmu';
import {
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_LA57,
  CR4_PAE,
  CR4_PCIDE,
  CR4_PGE,
  CR4_SMAP,
  CR4_SMEP,
  CR3_PCID_MASK,
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
} from '../../emu/machine/mmu/paging';
import type { Printk } from '../printk';
import type { Trace } from '../trace';
import { callSite } from '../trace';
import { KernelRandom, unitOf } from '../random';
import type { MappableFile } from '../fs/mappable';
import { BuddyAllocator } from './buddy';
import { MemMap, Owner, PAGE_SIZE } from './page';
import { GFP_KERNEL, SlabAllocator, __GFP_ZERO, formatGfpFlags } from './slab';
import type { KernelVa } from './slab';
import { KernelSpace, kvaAdd } from './kaddr';
import { PageCache } from './filemap';
import { TLB_FLUSH_ON_TASK_SWITCH, TLB_FLUSH_REASONS, TlbGather, tlbFinish, zeroFrame } from './pgtable';
import { MmStruct } from './mm-struct';
import { zapRange } from './unmap';
import { handleMmFault } from './memory';
import type { FaultOutcome } from './memory';
import { dupMmap, exitMmap, mmCreate, mmput } from './fork';
import { Uaccess } from './uaccess';
import { doBrk, doMadvise, doMmap, doMprotect, doMunmap } from './mmap';
import { doMlock, doMlockall, doMunlock, doMunlockall } from './mlock';
import { doMsync } from './msync';
import type { MmapSource } from './mmap';
import { doMremap, moveVma } from './mremap';
import { DEFAULT_MMAP_MIN_ADDR } from './vma';
import type { VmAreaStruct } from './vma';
import { followPte, meminfo, meminfoText, pagemapEntry, smapsRollupText, status, statusText } from './introspect';
import type { MemInfo, MmStatus, PteInfo } from './introspect';
import { vmstatText } from './huge_memory';
import { DEFAULT_MAX_MAP_COUNT, Ratelimit } from './limits';

export interface KernelMmOptions {
  paging: 4 | 5;
  printk: Printk;
  trace: Trace;
  /** Randomize mmap base / brk / stack (the loader asks through archPickMmapLayout etc.). Default true. */
  aslr?: boolean;
  /** Seeded generator in [0, 1) for ASLR. Default: a fixed-seed generator. */
  random?: () => number;
  /** Seeded generator in [0, 1) that shuffles the per-CPU page lists' refills; null or absent: frames in address order. */
  shuffle?: (() => number) | null;
  /** vm.mmap_min_addr at boot. Default DEFAULT_MMAP_MIN_ADDR (65536). */
  mmapMinAddr?: number;
  /** The task being served (`current`), for the log lines that name it; default none. */
  current?: () => CurrentTask | null;
  /** The kernel's clock in ns, for rate-limited messages; default 0. */
  clockNs?: () => number;
}

/** What mm's log lines say about `current`. */
export interface CurrentTask {
  readonly comm: string;
  readonly pid: number;
}

/** Frames of the allocators themselves, skipped when naming a kmalloc/kfree call site. */
const ALLOCATOR_FRAMES = /^(KernelMm|SlabAllocator)\./;

/** Linux's per-CPU list sizes for a zone of this size (zone_batchsize: 63; high = 6 * batch). */
const PCP_BATCH = 63;
const PCP_HIGH = 6 * PCP_BATCH;

/** The first MiB is kept from the allocator (BIOS area, as x86 Linux reserves it). */
export const RESERVED_LOW = 1 << 20;
const NR_PCIDS = 4096;

export class KernelMm {
  readonly machine: Machine;
  readonly mem: GuestMemory;
  readonly mmu: Mmu;
  readonly levels: 4 | 5;
  readonly printk: Printk;
  readonly trace: Trace;
  readonly aslr: boolean;
  readonly random: () => number;
  readonly buddy: BuddyAllocator;
  readonly memMap: MemMap;
  readonly slab: SlabAllocator;
  readonly kspace: KernelSpace;
  readonly pageCache: PageCache;
  readonly uaccess: Uaccess;
  /** The mm whose tables CR3 holds (null: swapper_pg_dir). */
  activeMm: MmStruct | null = null;
  /**
   * vm.mmap_min_addr (security/min_addr.c; /proc/sys/vm/mmap_min_addr): no
   * task may map a page below it, since none has CAP_SYS_RAWIO. The value as
   * written (not page-rounded); every check compares a page address with it,
   * so the effective limit is PAGE_ALIGN of it. Linux's split into
   * dac_mmap_min_addr and an LSM minimum has one side here: there is no LSM.
   */
  mmapMinAddr: number;
  /**
   * vm.max_map_count (/proc/sys/vm/max_map_count): how many VMAs one mm may
   * have; mmap, brk, and the splits of munmap, mprotect, madvise and mremap
   * fail with -ENOMEM at it, as in Linux (limits.ts).
   */
  maxMapCount = DEFAULT_MAX_MAP_COUNT;
  /** may_expand_vm's RLIMIT_DATA warning was printed (pr_warn_once). */
  dataRlimitWarned = false;
  /** __vm_enough_memory's warning rate limit. */
  readonly enoughMemoryRs = new Ratelimit('__vm_enough_memory');
  /** The task being served, or null (KernelMmOptions.current). */
  readonly currentTask: () => CurrentTask | null;
  /** The kernel's clock (KernelMmOptions.clockNs). */
  readonly clockNs: () => number;
  /**
   * Called after each kernel-mode #PF taken by uaccess on a user address, with
   * the error code and whether handleMmFault fixed it (false: the access is
   * -EFAULT by the exception-table fixup): the debugger's fault log. Null by default.
   */
  onUaccessFault: ((mm: MmStruct, addr: number, error: number, fixed: boolean) => void) | null = null;
  /** zeroFrame by pfn, for buddy.allocZeroedPage. */
  readonly clearPage = (pfn: number): void => zeroFrame(this.mem, pfn * PAGE_SIZE);
  /** Scratch mmu_gather (one at a time: the kernel is not re-entrant here). */
  readonly gather = new TlbGather();
  private readonly pcidOwner: (MmStruct | null)[] = new Array<MmStruct | null>(NR_PCIDS).fill(null);
  private nextPcid = 1;

  constructor(machine: Machine, opts: KernelMmOptions) {
    this.machine = machine;
    this.mem = machine.mem;
    this.mmu = machine.mmu;
    this.levels = opts.paging;
    this.printk = opts.printk;
    this.trace = opts.trace;
    this.aslr = opts.aslr ?? true;
    this.random = opts.random ?? unitOf(new KernelRandom(1));
    this.mmapMinAddr = opts.mmapMinAddr ?? DEFAULT_MMAP_MIN_ADDR;
    this.currentTask = opts.current ?? (() => null);
    this.clockNs = opts.clockNs ?? (() => 0);
    const nrFrames = Math.floor(this.mem.size / PAGE_SIZE);
    this.buddy = new BuddyAllocator({
      nrFrames,
      reserved: [{ start: 0, end: RESERVED_LOW }],
      pcp: { batch: PCP_BATCH, high: PCP_HIGH, shuffle: opts.shuffle ?? null },
    });
    this.memMap = this.buddy.mem;
    this.buddy.trace = {
      mmPageAlloc: (pfn, order, mt) => {
        if (this.trace.enabled('kmem:mm_page_alloc'))
          this.trace.emit('kmem:mm_page_alloc', `page=${vmemmap(pfn)} pfn=0x${pfn.toString(16)} order=${order} migratetype=${mt} gfp_flags=GFP_KERNEL`);
      },
      mmPageFree: (pfn, order) => {
        // Not only a tracepoint: the machine's caches of these frames (tier 1's regions) go too.
        machine.framesFreed(pfn * PAGE_SIZE, 1 << order);
        if (this.trace.enabled('kmem:mm_page_free'))
          this.trace.emit('kmem:mm_page_free', `page=${vmemmap(pfn)} pfn=0x${pfn.toString(16)} order=${order}`);
      },
    };
    this.kspace = new KernelSpace(this);
    this.slab = new SlabAllocator(this.buddy, { pageOffset: this.kspace.pageOffset });
    // kmem:kmalloc / kmem:kfree in Linux's TP_printk layout (include/trace/events/kmem.h).
    this.slab.trace = {
      kmalloc: (ev) => {
        if (this.trace.enabled('kmem:kmalloc'))
          this.trace.emit('kmem:kmalloc', `call_site=${ev.callSite} ptr=${this.slab.fmtKva(ev.ptr)} bytes_req=${ev.bytesReq} bytes_alloc=${ev.bytesAlloc} gfp_flags=${formatGfpFlags(ev.gfpFlags)} node=-1 accounted=false`);
      },
      kfree: (ev) => {
        if (this.trace.enabled('kmem:kfree')) this.trace.emit('kmem:kfree', `call_site=${ev.callSite} ptr=${this.slab.fmtKva(ev.ptr)}`);
      },
    };
    this.pageCache = new PageCache(this);
    this.uaccess = new Uaccess(this);
    this.boot();
  }

  private boot(): void {
    const mmu = this.mmu;
    mmu.efer = EFER_LME | EFER_LMA | EFER_NXE;
    mmu.writeCr4(CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP | (this.levels === 5 ? CR4_LA57 : 0));
    mmu.writeCr3(this.kspace.initPgd);
    mmu.writeCr0(CR0_PE | CR0_PG | CR0_WP);
    mmu.setCpl(0);
    const mb = (this.buddy.nrManagedPages * PAGE_SIZE) >> 20;
    this.printk.log(`Memory: ${mb}M available (${this.levels}-level paging, direct map at ${this.fmtKva(this.kspace.pageOffset)})`);
  }

  // ---- address spaces ----

  /** Linux mm_alloc(): an empty mm sharing the kernel half; null when out of memory. */
  mmCreate(): MmStruct | null {
    return mmCreate(this);
  }

  /** fork's dup_mmap: the child's mm, or -ENOMEM. */
  dupMmap(old: MmStruct): MmStruct | number {
    return dupMmap(this, old);
  }

  /** exit_mmap: every frame and page table of mm back to the allocator. */
  exitMmap(mm: MmStruct): void {
    exitMmap(this, mm);
  }

  mmput(mm: MmStruct): void {
    mmput(this, mm);
  }

  /**
   * Linux switch_mm_irqs_off(), with a PCID per mm instead of Linux's six
   * per-CPU ASIDs: an mm keeps its PCID (1..4095) while it lives, so CR3 is
   * loaded with NOFLUSH; an mm without one gets a free one, or takes the next
   * in turn from its owner (whose entries are flushed with INVPCID), and is
   * loaded flushing.
   */
  switchMm(mm: MmStruct): void {
    if (mm.dead) throw new Error(`switchMm to dead mm ${mm.id}`);
    let flush = false;
    if (mm.pcid === 0) {
      this.assignPcid(mm);
      flush = true;
    }
    this.mmu.writeCr3(mm.pgd + mm.pcid, !flush);
    this.activeMm = mm;
    if (flush && this.traceTlb) this.traceTlbFlush(-1, TLB_FLUSH_ON_TASK_SWITCH);
  }

  /** CR3 = swapper_pg_dir, PCID 0 (for exiting tasks and kernel threads). */
  switchToInitMm(): void {
    this.mmu.writeCr3(this.kspace.initPgd, true);
    this.activeMm = null;
  }

  private assignPcid(mm: MmStruct): void {
    let pcid = -1;
    for (let i = 0; i < NR_PCIDS - 1; i++) {
      const p = ((this.nextPcid - 1 + i) % (NR_PCIDS - 1)) + 1;
      if (this.pcidOwner[p] === null) {
        pcid = p;
        break;
      }
    }
    if (pcid < 0) {
      pcid = this.nextPcid;
      const victim = this.pcidOwner[pcid]!;
      victim.pcid = 0;
      this.mmu.invpcid(1, pcid, 0, 0);
    }
    this.pcidOwner[pcid] = mm;
    mm.pcid = pcid & CR3_PCID_MASK;
    this.nextPcid = (pcid % (NR_PCIDS - 1)) + 1;
  }

  /** At exit: the PCID is free again and its TLB entries are dropped (the frames are about to be reused). */
  releasePcid(mm: MmStruct): void {
    if (mm.pcid === 0) return;
    this.mmu.invpcid(1, mm.pcid, 0, 0);
    this.pcidOwner[mm.pcid] = null;
    mm.pcid = 0;
  }

  // ---- faults and user memory ----

  /** See memory.ts. */
  handleMmFault(mm: MmStruct, lo: number, hi: number, errorCode: number): FaultOutcome {
    return handleMmFault(this, mm, lo, hi, errorCode);
  }

  copyFromUser(mm: MmStruct, uaddr: number, len: number): Uint8Array | number {
    return this.uaccess.copyFromUser(mm, uaddr, len);
  }
  copyToUser(mm: MmStruct, uaddr: number, bytes: Uint8Array): number {
    return this.uaccess.copyToUser(mm, uaddr, bytes);
  }
  clearUser(mm: MmStruct, uaddr: number, len: number): number {
    return this.uaccess.clearUser(mm, uaddr, len);
  }
  getUser32(mm: MmStruct, uaddr: number): number {
    return this.uaccess.getUser32(mm, uaddr);
  }
  getUser64(mm: MmStruct, uaddr: number): bigint | number {
    return this.uaccess.getUser64(mm, uaddr);
  }
  getUserPtr(mm: MmStruct, uaddr: number): number {
    return this.uaccess.getUserPtr(mm, uaddr);
  }
  putUser32(mm: MmStruct, uaddr: number, value: number): number {
    return this.uaccess.putUser32(mm, uaddr, value);
  }
  putUser64(mm: MmStruct, uaddr: number, value: bigint | number): number {
    return this.uaccess.putUser64(mm, uaddr, value);
  }
  strncpyFromUser(mm: MmStruct, uaddr: number, max: number): string | number {
    return this.uaccess.strncpyFromUser(mm, uaddr, max);
  }
  strnlenUser(mm: MmStruct, uaddr: number, max: number): number {
    return this.uaccess.strnlenUser(mm, uaddr, max);
  }

  /** exceptions:page_fault_kernel: a kernel-mode (CPL 0) fault on a user address during uaccess. */
  tracePageFaultKernel(address: number, error: number): void {
    if (!this.trace.enabled('exceptions:page_fault_kernel')) return;
    this.trace.emit('exceptions:page_fault_kernel', `address=0x${address.toString(16)} ip=uaccess error_code=0x${error.toString(16)}`);
  }

  /** uaccess tracepoint (the memview2 lab): `uaccess:copy_from_user` / `uaccess:copy_to_user` with the call stack. */
  traceUaccess(what: 'copy_from_user' | 'copy_to_user', uaddr: number, len: number): void {
    const ev = `uaccess:${what}`;
    if (!this.trace.enabled(ev)) return;
    this.trace.emit(ev, `uaddr=0x${uaddr.toString(16)} len=${len}`);
  }

  // ---- mappings (mmap.ts, mremap.ts) ----

  doMmap(mm: MmStruct, addr: number, len: number, prot: number, flags: number, src: MmapSource | null = null, off = 0): number {
    return doMmap(this, mm, addr, len, prot, flags, src, off);
  }
  doMunmap(mm: MmStruct, addr: number, len: number): number {
    return doMunmap(this, mm, addr, len);
  }
  doMprotect(mm: MmStruct, addr: number, len: number, prot: number): number {
    return doMprotect(this, mm, addr, len, prot);
  }
  doMremap(mm: MmStruct, addr: number, oldLen: number, newLen: number, flags: number, newAddr = 0): number {
    return doMremap(this, mm, addr, oldLen, newLen, flags, newAddr);
  }
  doMadvise(mm: MmStruct, addr: number, len: number, advice: number): number {
    return doMadvise(this, mm, addr, len, advice);
  }
  doMsync(mm: MmStruct, addr: number, len: number, flags: number): number {
    return doMsync(this, mm, addr, len, flags);
  }
  doMlock(mm: MmStruct, addr: number, len: number): number {
    return doMlock(this, mm, addr, len);
  }
  doMunlock(mm: MmStruct, addr: number, len: number): number {
    return doMunlock(this, mm, addr, len);
  }
  doMlockall(mm: MmStruct, flags: number): number {
    return doMlockall(this, mm, flags);
  }
  doMunlockall(mm: MmStruct): number {
    return doMunlockall(this, mm);
  }
  doBrk(mm: MmStruct, brk: number): number {
    return doBrk(this, mm, brk);
  }
  moveVma(mm: MmStruct, vma: VmAreaStruct, newStart: number): VmAreaStruct | number {
    return moveVma(this, mm, vma, newStart);
  }

  // ---- kernel memory ----

  /** Linux kmalloc(): a pointer (= physical address, slab.ts) or 0; zeroed with __GFP_ZERO. */
  kmalloc(size: number, gfp = GFP_KERNEL): number {
    const site = this.trace.enabled('kmem:kmalloc') ? callSite(ALLOCATOR_FRAMES) : 'kmalloc';
    const p = this.slab.kmalloc(size, gfp, site);
    if (p !== 0 && size > 0 && (gfp & __GFP_ZERO) !== 0) this.mem.writeBytes(p, new Uint8Array(size));
    return p;
  }
  kzalloc(size: number, gfp = GFP_KERNEL): number {
    return this.kmalloc(size, gfp | __GFP_ZERO);
  }
  kfree(ptr: number): void {
    this.slab.kfree(ptr, this.trace.enabled('kmem:kfree') ? callSite(ALLOCATOR_FRAMES) : 'kfree');
  }
  vmalloc(size: number): KernelVa | null {
    return this.kspace.vmalloc(size);
  }
  vfree(kva: KernelVa): number {
    return this.kspace.vfree(kva);
  }
  purgeVmapAreaLazy(): void {
    this.kspace.purgeVmapAreaLazy();
  }
  virtToPhys(kva: KernelVa): number {
    return this.kspace.virtToPhys(kva);
  }
  physToVirt(pa: number): KernelVa {
    return this.kspace.physToVirt(pa);
  }
  vmallocToPfn(kva: KernelVa): number {
    return this.kspace.vmallocToPfn(kva);
  }
  fmtKva(kva: KernelVa): string {
    return `0x${(kva.hi >>> 0).toString(16).padStart(8, '0')}${(kva.lo >>> 0).toString(16).padStart(8, '0')}`;
  }
  /** A kernel page for the kernel's own use (a zeroed frame, Owner.Kernel); its direct-map address. */
  getZeroedPage(): KernelVa | null {
    const pfn = this.buddy.allocPages(0, Owner.Kernel);
    if (pfn < 0) return null;
    zeroFrame(this.mem, pfn * PAGE_SIZE);
    return kvaAdd(this.kspace.pageOffset, pfn * PAGE_SIZE);
  }

  // ---- page cache ----

  /** The cached pfn of a file page (read on a miss), -1 out of memory. */
  readCachePage(file: MappableFile, index: number): number {
    return this.pageCache.readCachePage(file, index);
  }
  /** write(2) coherence: see PageCache.writeThrough. */
  filemapWrite(file: MappableFile, pos: number, bytes: Uint8Array): void {
    this.pageCache.writeThrough(file, pos, bytes);
  }
  /** read(2) coherence: see PageCache.readCached. */
  filemapReadCached(file: MappableFile, index: number, into: Uint8Array): boolean {
    return this.pageCache.readCached(file, index, into);
  }
  /**
   * truncate_pagecache() after `file` shrank to `size`: every mapping of the
   * pages past the end, in any of `mms`, is zapped (unmap_mapping_range with
   * even_cows, so private copies go too), then the cache drops them; a later
   * access there is SIGBUS (doFault checks the size).
   */
  filemapTruncate(file: MappableFile, size: number, mms: Iterable<MmStruct>): void {
    const first = Math.ceil(size / PAGE_SIZE);
    for (const mm of new Set(mms)) {
      if (mm.dead) continue;
      for (const vma of mm.vmas) {
        if (vma.vmFile !== file) continue;
        const start = vma.vmStart + Math.max(0, first - vma.vmPgoff) * PAGE_SIZE;
        if (start >= vma.vmEnd) continue;
        const g = this.gather.reset(mm);
        zapRange(this, mm, vma, start, vma.vmEnd, g);
        tlbFinish(this, g);
      }
    }
    this.pageCache.truncate(file, size);
  }
  /**
   * /proc/sys/vm/drop_caches: 1 or 3 drop the unmapped page-cache pages
   * (2, slab objects, has nothing to shrink here). Returns the pages freed.
   */
  dropCaches(mode = 1): number {
    return (mode & 1) !== 0 ? this.pageCache.dropCaches() : 0;
  }

  // ---- introspection ----

  /** Frames allocated from the buddy allocator (kernel tables, slab, pages of every mm, cache). */
  framesInUse(): number {
    return this.buddy.nrUsedPages;
  }
  followPte(mm: MmStruct, va: number): PteInfo {
    return followPte(this, mm, va);
  }
  pagemapEntry(mm: MmStruct, va: number): bigint {
    return pagemapEntry(this, mm, va);
  }
  /** /proc/meminfo's values (kB). */
  meminfoValues(): MemInfo {
    return meminfo(this);
  }
  /** /proc/meminfo's text. */
  meminfo(): string {
    return meminfoText(this);
  }
  /** /proc/buddyinfo's text. */
  buddyinfo(): string {
    return this.buddy.buddyinfo();
  }
  /** /proc/PID/status's Vm and Rss values (kB). */
  statusValues(mm: MmStruct): MmStatus {
    return status(mm);
  }
  /** /proc/PID/smaps_rollup's text (Rss, Pss, Anonymous, AnonHugePages...). */
  smapsRollup(mm: MmStruct): string {
    return smapsRollupText(this, mm);
  }
  /** /proc/PID/status's Vm and Rss lines, each ending in a newline. */
  status(mm: MmStruct): string {
    return statusText(mm);
  }

  /** /proc/vmstat: the counters vmlab keeps (huge_memory.ts). */
  vmstat(): string {
    return vmstatText(this);
  }

  // ---- tracing ----

  get traceTlb(): boolean {
    return this.trace.enabled('tlb:tlb_flush');
  }

  /** tlb:tlb_flush as Linux prints it: `pages:1 reason:local mm shootdown (3)`; -1 pages = all. */
  traceTlbFlush(pages: number, reason: number): void {
    this.trace.emit('tlb:tlb_flush', `pages:${pages} reason:${TLB_FLUSH_REASONS[reason]} (${reason})`);
  }
}

/** %p of a struct page: its vmemmap address (x86-64 VMEMMAP_START + pfn * 64). */
function vmemmap(pfn: number): string {
  return `0xffffea${(pfn * 64).toString(16).padStart(10, '0')}`;
}

export { MmStruct };
