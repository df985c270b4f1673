// The kernel's half of the address space (Linux arch/x86/mm/init_64.c,
// mm/vmalloc.c; layout as Documentation/arch/x86/x86_64/mm.rst).
//
// Kernel virtual addresses are above 2^53, so this API passes them as
// KernelVa {hi, lo} (unsigned 32-bit halves; slab.ts) and bigint only for
// display. Not a hot path.
//
// Boot builds init_mm's top-level table (swapper_pg_dir): the direct map of
// all RAM at PAGE_OFFSET (1G pages where a whole aligned GiB is RAM, else 2M,
// else 4K for an unaligned tail) and the vmalloc area. Every top-level entry
// the kernel will ever use is populated here (Linux preallocate_vmalloc_pages),
// so the copies each mm's pgd takes of entries 256..511 (pgd_alloc ->
// clone_pgd_range) stay valid forever: lower-level kernel tables are shared.
// Kernel mappings are supervisor-only (US=0), global (G=1) and, except text,
// NX (Linux PAGE_KERNEL = P|RW|A|D|G|NX).
import { PTE_A, PTE_D, PTE_G, PTE_NX_HI, PTE_P, PTE_PS, PTE_RW } from '../../emu/machine/mmu/paging';
import { tableIndex } from '../../emu/machine/mmu/walk';
import { Owner, PAGE_SIZE } from './page';
import { PAGE_OFFSET_L4, PAGE_OFFSET_L5 } from './slab';
import type { KernelVa } from './slab';
import { Flush, KERNPG_TABLE, allocEntry, entryPfn, flushTlbPage, lookupPte, pgtableAlloc, setPte } from './pgtable';
import type { KernelMm } from './kernel-mm';
import { TWO32 } from '../../emu/machine/cpu/int64';

const GiB = 1 << 30;
const MiB2 = 1 << 21;

/** Linux PAGE_KERNEL (low half; NX is PTE_NX_HI in the high half). */
export const PAGE_KERNEL_LO = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G;

/** Linux VMALLOC_START (4-level and 5-level). */
export const VMALLOC_START_L4: KernelVa = Object.freeze({ hi: 0xffffc900, lo: 0 });
export const VMALLOC_START_L5: KernelVa = Object.freeze({ hi: 0xffa00000, lo: 0 });
/** vmlab's vmalloc area: one PUD's worth (512 GiB) of Linux's 32 TiB (12.5 PiB with LA57). */
export const VMALLOC_SIZE = 512 * GiB;
/** Linux lazy_max_pages() for one CPU: fls(1) * 32 MiB / PAGE_SIZE. */
export const LAZY_MAX_PAGES = (32 << 20) / PAGE_SIZE;
/** Linux TASK_SIZE_MAX: 2^47 - 4096 (4-level), 2^56 - 4096 (5-level). */
export const TASK_SIZE_L4 = 2 ** 47 - PAGE_SIZE;
export const TASK_SIZE_L5 = 2 ** 56 - PAGE_SIZE;

/** hi:lo + off (off < 2^52), as a KernelVa. */
export function kvaAdd(base: KernelVa, off: number): KernelVa {
  const lo = base.lo + (off % TWO32);
  return { hi: (base.hi + Math.floor(off / TWO32) + (lo >= TWO32 ? 1 : 0)) >>> 0, lo: lo >>> 0 };
}

/** b - a for two kernel addresses within 2^52 of each other (negative if b < a). */
export function kvaDiff(b: KernelVa, a: KernelVa): number {
  return ((b.hi - a.hi) | 0) * TWO32 + (b.lo - a.lo);
}

export function kvaToBigint(v: KernelVa): bigint {
  return (BigInt(v.hi >>> 0) << 32n) | BigInt(v.lo >>> 0);
}

export function kvaFromBigint(v: bigint): KernelVa {
  return { hi: Number((v >> 32n) & 0xffffffffn), lo: Number(v & 0xffffffffn) };
}

/** As Linux's %px: 16 hex digits. */
export function fmtKva(v: KernelVa): string {
  return `0x${(v.hi >>> 0).toString(16).padStart(8, '0')}${(v.lo >>> 0).toString(16).padStart(8, '0')}`;
}

/** One vmalloc area (Linux struct vm_struct + vmap_area). */
interface VmapArea {
  /** Offset from VMALLOC_START. */
  off: number;
  /** Bytes including the guard page. */
  size: number;
  pfns: number[];
  /** Freed, its PTEs cleared, its TLB entries not yet purged. */
  lazy: boolean;
}

export class KernelSpace {
  readonly pageOffset: KernelVa;
  readonly vmallocStart: KernelVa;
  readonly taskSize: number;
  /** swapper_pg_dir: init_mm's top-level table (physical address). */
  readonly initPgd: number;
  /** Direct-map leaves by page size, for tests and /proc/meminfo (DirectMap4k/2M/1G). */
  readonly directMap = { pages4k: 0, pages2m: 0, pages1g: 0 };
  /** vmap_lazy_nr: pages of freed areas awaiting the purge. */
  lazyPages = 0;
  private readonly areas: VmapArea[] = [];

  constructor(private readonly kmm: KernelMm) {
    const five = kmm.levels === 5;
    this.pageOffset = five ? PAGE_OFFSET_L5 : PAGE_OFFSET_L4;
    this.vmallocStart = five ? VMALLOC_START_L5 : VMALLOC_START_L4;
    this.taskSize = five ? TASK_SIZE_L5 : TASK_SIZE_L4;
    const pgd = pgtableAlloc(kmm);
    if (pgd < 0) throw new Error('boot: no memory for swapper_pg_dir');
    this.initPgd = pgd;
    this.mapDirect(kmm.mem.size);
    // Preallocate the vmalloc area's tables down to the PUD (one PUD spans VMALLOC_SIZE).
    const v = this.vmallocStart;
    if (allocEntry(kmm, null, pgd, v.lo, v.hi, 3, KERNPG_TABLE) < 0) throw new Error('boot: no memory for vmalloc tables');
  }

  // Linux kernel_physical_mapping_init(): RAM [0, size) at PAGE_OFFSET.
  private mapDirect(size: number): void {
    const kmm = this.kmm;
    const mem = kmm.mem;
    let pa = 0;
    while (pa < size) {
      const va = kvaAdd(this.pageOffset, pa);
      let level: number;
      let step: number;
      if (pa % GiB === 0 && pa + GiB <= size) {
        level = 3;
        step = GiB;
        this.directMap.pages1g++;
      } else if (pa % MiB2 === 0 && pa + MiB2 <= size) {
        level = 2;
        step = MiB2;
        this.directMap.pages2m++;
      } else {
        level = 1;
        step = PAGE_SIZE;
        this.directMap.pages4k++;
      }
      const e = allocEntry(kmm, null, this.initPgd, va.lo, va.hi, level, KERNPG_TABLE);
      if (e < 0) throw new Error('boot: no memory for the direct map');
      const lo = ((pa % TWO32) | PAGE_KERNEL_LO | (level > 1 ? PTE_PS : 0)) >>> 0;
      mem.write32(e + 4, (Math.floor(pa / TWO32) | PTE_NX_HI) >>> 0);
      mem.write32(e, lo);
      pa += step;
    }
  }

  /** Linux pgd_alloc(): a new top-level table with the kernel half (entries 256..511) copied from swapper_pg_dir. */
  pgdAlloc(): number {
    const kmm = this.kmm;
    const pgd = pgtableAlloc(kmm);
    if (pgd < 0) return -1;
    const mem = kmm.mem;
    for (let i = 256; i < 512; i++) {
      const lo = mem.read32(this.initPgd + i * 8);
      if (lo === 0) continue;
      mem.write32(pgd + i * 8 + 4, mem.read32(this.initPgd + i * 8 + 4));
      mem.write32(pgd + i * 8, lo);
    }
    return pgd;
  }

  /** Linux __pa()/virt_to_phys(): linear, so right for the direct map only (as on Linux). -1 outside 2^52 of PAGE_OFFSET. */
  virtToPhys(kva: KernelVa): number {
    const off = kvaDiff(kva, this.pageOffset);
    return off >= 0 && off < 2 ** 52 ? off : -1;
  }

  /** Linux __va()/phys_to_virt(). */
  physToVirt(pa: number): KernelVa {
    return kvaAdd(this.pageOffset, pa);
  }

  /**
   * Linux vmalloc(): maps ceil(size / 4K) order-0 frames (not contiguous) at
   * the first free range of the vmalloc area, followed by an unmapped guard
   * page. Returns the address, or null when memory or address space runs out
   * (after one lazy purge, as alloc_vmap_area retries).
   */
  vmalloc(size: number): KernelVa | null {
    if (!(size > 0)) return null;
    const kmm = this.kmm;
    const pages = Math.ceil(size / PAGE_SIZE);
    const total = (pages + 1) * PAGE_SIZE;
    let idx = this.findGap(total);
    if (idx < 0 && this.lazyPages > 0) {
      this.purgeVmapAreaLazy();
      idx = this.findGap(total);
    }
    if (idx < 0) return null;
    const off = idx === 0 ? 0 : this.areas[idx - 1]!.off + this.areas[idx - 1]!.size;
    const area: VmapArea = { off, size: total, pfns: [], lazy: false };
    for (let i = 0; i < pages; i++) {
      const pfn = kmm.buddy.allocZeroedPage(Owner.Vmalloc, kmm.clearPage);
      if (pfn < 0) {
        for (const p of area.pfns) kmm.buddy.freePages(p, 0);
        return null;
      }
      area.pfns.push(pfn);
    }
    for (let i = 0; i < pages; i++) {
      const va = kvaAdd(this.vmallocStart, off + i * PAGE_SIZE);
      const e = allocEntry(kmm, null, this.initPgd, va.lo, va.hi, 1, KERNPG_TABLE);
      if (e < 0) {
        this.unmapArea(area, pages);
        return null;
      }
      const pfn = area.pfns[i]!;
      setPte(kmm, null, e, va.lo, va.hi, (((pfn % 1048576) * PAGE_SIZE) | PAGE_KERNEL_LO) >>> 0, (Math.floor(pfn / 1048576) | PTE_NX_HI) >>> 0);
    }
    this.areas.splice(idx, 0, area);
    return kvaAdd(this.vmallocStart, off);
  }

  // Index in `areas` before which a free range of `total` bytes starts, or -1.
  private findGap(total: number): number {
    let prevEnd = 0;
    for (let i = 0; i <= this.areas.length; i++) {
      const next = i < this.areas.length ? this.areas[i]!.off : VMALLOC_SIZE;
      if (next - prevEnd >= total) return i;
      if (i < this.areas.length) prevEnd = this.areas[i]!.off + this.areas[i]!.size;
    }
    return -1;
  }

  private unmapArea(area: VmapArea, mapped: number): void {
    const kmm = this.kmm;
    for (let i = 0; i < mapped; i++) {
      const va = kvaAdd(this.vmallocStart, area.off + i * PAGE_SIZE);
      const e = lookupPte(kmm, this.initPgd, va.lo, va.hi);
      if (e >= 0 && kmm.mem.read32(e) !== 0) setPte(kmm, null, e, va.lo, va.hi, 0, 0, Flush.Lazy);
    }
    for (const p of area.pfns) kmm.buddy.freePages(p, 0);
    area.pfns = [];
  }

  /**
   * Linux vfree(): clears the area's PTEs without flushing the TLB
   * (vunmap_range_noflush), frees the frames at once and leaves the virtual
   * range busy until purgeVmapAreaLazy, which runs once more than
   * LAZY_MAX_PAGES are pending. Until then a stale kernel translation can
   * survive in the TLB. Returns 0, or -EINVAL for an address vmalloc did not return.
   */
  vfree(kva: KernelVa): number {
    const off = kvaDiff(kva, this.vmallocStart);
    const area = this.areas.find((a) => a.off === off && !a.lazy);
    if (area === undefined) return -22;
    const pages = area.pfns.length;
    this.unmapArea(area, pages);
    area.lazy = true;
    this.lazyPages += pages;
    if (this.lazyPages > LAZY_MAX_PAGES) this.purgeVmapAreaLazy();
    return 0;
  }

  /** Linux purge_vmap_area_lazy(): flush the TLB for every lazily freed area and release their ranges. */
  purgeVmapAreaLazy(): void {
    const kmm = this.kmm;
    const lazy = this.areas.filter((a) => a.lazy);
    if (lazy.length === 0) return;
    let pages = 0;
    for (const a of lazy) pages += a.size / PAGE_SIZE - 1;
    if (pages > 33) kmm.mmu.invpcid(2, 0, 0, 0);
    else
      for (const a of lazy)
        for (let off = a.off; off < a.off + a.size - PAGE_SIZE; off += PAGE_SIZE) {
          const va = kvaAdd(this.vmallocStart, off);
          flushTlbPage(kmm, null, va.lo, va.hi);
        }
    for (let i = this.areas.length - 1; i >= 0; i--) if (this.areas[i]!.lazy) this.areas.splice(i, 1);
    this.lazyPages = 0;
  }

  /** Linux vmalloc_to_pfn(): the frame behind a kernel address, by a walk of swapper_pg_dir; -1 if unmapped. */
  vmallocToPfn(kva: KernelVa): number {
    return kernelWalkPfn(this.kmm, this.initPgd, kva);
  }

  /** VmallocUsed in bytes (pages of live areas). */
  get vmallocUsed(): number {
    let n = 0;
    for (const a of this.areas) if (!a.lazy) n += a.pfns.length * PAGE_SIZE;
    return n;
  }
}

/** The pfn mapping kva (any page size) under pgd, or -1. */
export function kernelWalkPfn(kmm: KernelMm, pgd: number, kva: KernelVa): number {
  const mem = kmm.mem;
  let table = pgd;
  for (let level: number = kmm.levels; level >= 1; level--) {
    const e = table + tableIndex(kva.lo, kva.hi, level) * 8;
    const lo = mem.read32(e);
    const hi = mem.read32(e + 4);
    if ((lo & PTE_P) === 0) return -1;
    if (level === 1 || (level <= 3 && (lo & PTE_PS) !== 0)) {
      const shift = level === 3 ? 30 : level === 2 ? 21 : 12;
      const base = entryPfn(lo & ~(level > 1 ? (1 << shift) - 1 : 0xfff), hi);
      return base + ((kva.lo >>> 12) & ((1 << (shift - 12)) - 1));
    }
    table = entryPfn(lo, hi) * PAGE_SIZE;
  }
  return -1;
}
