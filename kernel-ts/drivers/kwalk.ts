// What the kmalloc-vs-vmalloc lab's modules do with a kernel address: the
// software page-table walk of the lab report (pgd_offset -> p4d_offset ->
// pud_offset -> pmd_offset -> pte_offset_map, then page_to_phys(pte_page)
// | offset), virt_to_phys, and plain kernel loads and stores that go through
// the MMU like any kernel instruction would. Only the public mm functions are
// used; this is driver code, not part of mm.
import { PTE_P, PTE_PS } from '../../emu/machine/mmu/paging';
import { Access, TRAP_PENDING } from '../../emu/machine/trap';
import { entryAddr, entryPfn, p4dOffset, pgdOffset, pmdOffset, pteOffset, pudOffset } from '../mm/pgtable';
import { kvaAdd, kvaFromBigint, kvaToBigint } from '../mm/kaddr';
import type { KernelMm } from '../mm/kernel-mm';
import type { KernelVa } from '../mm/slab';
import { PAGE_SIZE } from '../mm/page';

const MASK64 = (1n << 64n) - 1n;

/** One level of a walk: Linux's name for it, where its entry lives (physical), and the entry's value. */
export interface WalkStep {
  readonly level: 'pgd' | 'p4d' | 'pud' | 'pmd' | 'pte';
  /** Physical address of the entry (the lab prints its kernel virtual address, __va of this). */
  readonly entry: number;
  /** The 64-bit entry (pgd_val / pud_val / ... / pte_val). */
  readonly value: bigint;
}

export interface SoftwareWalk {
  /** The levels visited, top first; the last one is the leaf or the entry that stopped the walk. */
  readonly steps: readonly WalkStep[];
  /** The physical address of the byte at the walked address, or -1 when an entry was none (the report's "return 0"). */
  readonly pa: number;
  /** Bytes mapped by the leaf: 4K, 2M (pmd_leaf) or 1G (pud_leaf); 0 when the walk failed. */
  readonly pageSize: number;
}

const LEVEL_SIZE: Record<WalkStep['level'], number> = { pgd: 0, p4d: 0, pud: 2 ** 30, pmd: 2 ** 21, pte: 2 ** 12 };

/**
 * The lab's software walk of kernel address kva in the page tables rooted at
 * pgd (current->mm->pgd): each level's entry address comes from Linux's
 * *_offset helpers; a not-present entry ends the walk with pa = -1. Unlike
 * the 2014 report's module, a large leaf (the direct map's 2M/1G pages,
 * pud_leaf/pmd_leaf) ends the walk with its base | the offset inside it, as
 * lookup_address() does, instead of reading a "table" that is really data.
 */
export function softwareWalk(kmm: KernelMm, pgd: number, kva: KernelVa): SoftwareWalk {
  const { lo, hi } = kva;
  const mem = kmm.mem;
  const steps: WalkStep[] = [];
  const read = (level: WalkStep['level'], entry: number): { lo: number; hi: number } => {
    const e = { lo: mem.read32(entry), hi: mem.read32(entry + 4) };
    steps.push({ level, entry, value: (BigInt(e.hi >>> 0) << 32n) | BigInt(e.lo >>> 0) });
    return e;
  };
  const failed = (): SoftwareWalk => ({ steps, pa: -1, pageSize: 0 });
  const leaf = (level: WalkStep['level'], e: { lo: number; hi: number }): SoftwareWalk => {
    const size = LEVEL_SIZE[level];
    const a = entryAddr(e.lo, e.hi); // bit 12 of a large leaf is PAT, not address
    const base = a - (a % size);
    // The offset inside the page is in the low 30 bits: lo alone (hi:lo as one double would lose them).
    return { steps, pa: base + ((lo >>> 0) % size), pageSize: size };
  };

  const pgdEntry = pgdOffset(kmm, pgd, lo, hi);
  let e = read('pgd', pgdEntry);
  if ((e.lo & PTE_P) === 0) return failed();
  const p4dEntry = p4dOffset(kmm, pgdEntry, lo, hi);
  if (kmm.levels === 5) {
    e = read('p4d', p4dEntry);
    if ((e.lo & PTE_P) === 0) return failed();
  }
  const pudEntry = pudOffset(kmm, p4dEntry, lo, hi);
  e = read('pud', pudEntry);
  if ((e.lo & PTE_P) === 0) return failed();
  if ((e.lo & PTE_PS) !== 0) return leaf('pud', e);
  const pmdEntry = pmdOffset(kmm, pudEntry, lo, hi);
  e = read('pmd', pmdEntry);
  if ((e.lo & PTE_P) === 0) return failed();
  if ((e.lo & PTE_PS) !== 0) return leaf('pmd', e);
  const pteEntry = pteOffset(kmm, pmdEntry, lo, hi);
  e = read('pte', pteEntry);
  if ((e.lo & PTE_P) === 0) return failed();
  return { steps, pa: entryPfn(e.lo, e.hi) * PAGE_SIZE + (lo & 0xfff), pageSize: PAGE_SIZE };
}

/**
 * The walk as the report's module prints it:
 * `pgd-off:ffff88800249b888 pud-off:ffff88800249c000 pmd-off:... pte:8000000001234163`
 * (entry addresses as kernel virtual addresses, %lx). A 5-level walk adds
 * `p4d-off:`; a walk ending in a large page prints that leaf's value as
 * `pud:...` / `pmd:...` with its size; a failed walk names the empty entry.
 */
export function formatWalk(kmm: KernelMm, w: SoftwareWalk): string {
  const parts: string[] = [];
  const last = w.steps.length - 1;
  w.steps.forEach((s, i) => {
    if (s.level === 'pte') parts.push(`pte:${s.value.toString(16)}`);
    else parts.push(`${s.level}-off:${hex16(kvaToBigint(kmm.physToVirt(s.entry)))}`);
    if (i === last && s.level !== 'pte') {
      if (w.pa < 0) parts.push(`${s.level}:${s.value.toString(16)} (none)`);
      else parts.push(`${s.level}:${s.value.toString(16)} (${w.pageSize === 2 ** 30 ? '1G' : '2M'} page)`);
    }
  });
  return parts.join(' ');
}

/** %016lx. */
export function hex16(v: bigint | number): string {
  return BigInt(v).toString(16).padStart(16, '0');
}

/**
 * Linux x86-64 __pa()/virt_to_phys() for an address below __START_KERNEL_map:
 * x - PAGE_OFFSET, modulo 2^64. Right for the direct map (kmalloc); for a
 * vmalloc address the same subtraction gives a number that is no physical
 * address at all, which is the lab's point.
 */
export function virtToPhys(kmm: KernelMm, va: bigint): bigint {
  const pa = kmm.virtToPhys(kvaFromBigint(va));
  if (pa >= 0) return BigInt(pa);
  return (va - kvaToBigint(kmm.kspace.pageOffset)) & MASK64;
}

/**
 * The physical address of kernel address kva as the CPU would reach it in
 * kernel mode (CPL 0) through the loaded page tables, whose kernel half is
 * the same in every address space; -1 if the access would fault.
 */
export function kernelTranslate(kmm: KernelMm, kva: KernelVa, access: Access): number {
  const mmu = kmm.mmu;
  const cpl = mmu.cpl;
  mmu.setCpl(0);
  try {
    // The MMU takes the halves as the CPU's registers hold them: hi signed.
    const pa = mmu.tryTranslate(kva.lo | 0, kva.hi | 0, access);
    return pa === TRAP_PENDING ? -1 : pa;
  } finally {
    mmu.setCpl(cpl);
  }
}

/** A kernel `int` load through the MMU: the value, or null when the access faults (the caller oopses). */
export function kernelRead32(kmm: KernelMm, kva: KernelVa): number | null {
  let v = 0;
  for (let i = 3; i >= 0; i--) {
    // Byte by byte: an int that straddles two pages lives in two unrelated frames.
    const pa = kernelTranslate(kmm, kvaAdd(kva, i), Access.Read);
    if (pa < 0) return null;
    v = (v << 8) | kmm.mem.read8(pa);
  }
  return v | 0;
}

/** A kernel `int` store through the MMU: true, or false when the access faults. */
export function kernelWrite32(kmm: KernelMm, kva: KernelVa, value: number): boolean {
  const pas: number[] = [];
  for (let i = 0; i < 4; i++) {
    const pa = kernelTranslate(kmm, kvaAdd(kva, i), Access.Write);
    if (pa < 0) return false;
    pas.push(pa);
  }
  pas.forEach((pa, i) => kmm.mem.write8(pa, (value >>> (8 * i)) & 0xff));
  return true;
}

/**
 * The report's translation lines for the struct at kva, walked in the tables
 * rooted at pgd:
 *   pgd-off:... pud-off:... pmd-off:... pte:...
 *   Physical Address Obtained from virt_to_phys : 00000000a92f4588
 *   Physical Address Obtained from software walk: 00000000a92f4588
 * (0 for a walk that found no mapping, as the report's walk returns 0).
 */
export function translationLines(kmm: KernelMm, pgd: number, kva: KernelVa): { lines: string[]; walk: SoftwareWalk; virtToPhys: bigint } {
  const walk = softwareWalk(kmm, pgd, kva);
  const v2p = virtToPhys(kmm, kvaToBigint(kva));
  return {
    walk,
    virtToPhys: v2p,
    lines: [
      formatWalk(kmm, walk),
      `Physical Address Obtained from virt_to_phys : ${hex16(v2p)}`,
      `Physical Address Obtained from software walk: ${hex16(walk.pa < 0 ? 0 : walk.pa)}`,
    ],
  };
}

/** The report's `Node-P: ffff8800a92f4588 VA: 18446612135152665992` (%p unhashed, then %lu). */
export function nodeLine(kva: KernelVa): string {
  const v = kvaToBigint(kva);
  return `Node-P: ${v.toString(16)} VA: ${v.toString(10)}`;
}

/** Kernel stores of `bytes` at kva, page by page through the MMU (memcpy into kernel memory); false if a page faults. */
export function kernelWriteBytes(kmm: KernelMm, kva: KernelVa, bytes: Uint8Array): boolean {
  let done = 0;
  while (done < bytes.length) {
    const at = kvaAdd(kva, done);
    const n = Math.min(bytes.length - done, PAGE_SIZE - (at.lo & 0xfff));
    const pa = kernelTranslate(kmm, at, Access.Write);
    if (pa < 0) return false;
    kmm.mem.writeBytes(pa, bytes.subarray(done, done + n));
    done += n;
  }
  return true;
}
