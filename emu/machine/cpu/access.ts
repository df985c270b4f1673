// Data accesses that cross a 4-KiB page boundary: the slow path of loads and
// stores. The MMU checks that every byte is canonical, then translates both
// pages (Mmu.translateCrossing) before any byte moves, so a fault on either
// page leaves memory untouched and the access restartable. The first page is
// translated first, so when only the second one fails CR2 holds the address of
// its first byte (the SDM's "linear address that caused the fault").
import type { GuestMemory } from '../mem/phys';
import { Access } from '../trap';
import type { TrapRecord } from '../trap';
import { PAGE_SIZE } from '../mmu/paging';

/** What the CPU needs from the MMU (emu/machine/mmu/mmu.ts implements it). */
export interface Translator {
  translate(lo: number, hi: number, access: Access, implicit?: boolean): number;
  /** translate() reporting a fault by value: TRAP_PENDING with `trap` set. */
  tryTranslate(lo: number, hi: number, access: Access, implicit?: boolean): number;
  /** translate() of an access crossing into the next page: the first page's address, the second's in crossPa. */
  translateCrossing(lo: number, hi: number, access: Access, implicit?: boolean): number;
  readonly crossPa: number;
  canonical(hi: number): boolean;
  /** See Mmu.itlbEpoch: -1 means no fetch translation may be kept between runs. */
  readonly itlbEpoch: number;
  /** Where translations record their faults: the CPU's trap record. */
  readonly trap: TrapRecord;
}

/**
 * One CPU's data-access state: direct views of RAM's first chunk (all of RAM
 * up to 1 GiB, see phys.ts), so in-page loads and stores skip a method call
 * (addresses beyond it, and memories without big chunks, go through the
 * GuestMemory methods), and the high half of the last 8-byte load. Each CPU
 * has its own, so machines in one process never see each other's loads.
 */
export class RamView {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  /** Bytes covered by the views (0: none). */
  readonly end: number;
  /** High half of the last pageLoad or crossLoad result (meaningful after an 8-byte load). */
  loadHi = 0;

  /** mem null: a view of nothing. */
  constructor(mem: GuestMemory | null) {
    const u8 = mem !== null && mem.chunkShift >= 20 ? mem.chunkU8(0) : null;
    const i32 = mem !== null && mem.chunkShift >= 20 ? mem.chunkI32(0) : null;
    this.u8 = u8 ?? new Uint8Array(0);
    this.i32 = i32 ?? new Int32Array(0);
    this.end = u8 === null || i32 === null ? 0 : Math.min(u8.length, i32.length * 4);
  }
}

/**
 * Reads `size` (1, 2, 4, 8) bytes at pa, which do not cross a 4-KiB page;
 * returns the low 32 bits (zero-extended for 1 and 2) and leaves the high
 * half of an 8-byte read in ram.loadHi.
 */
export function pageLoad(ram: RamView, mem: GuestMemory, pa: number, size: number): number {
  if (pa < ram.end) {
    const u8 = ram.u8;
    if ((pa & 3) === 0 && size >= 4) {
      const i = pa >>> 2;
      if (size === 8) ram.loadHi = ram.i32[i + 1]!;
      return ram.i32[i]!;
    }
    if (size === 1) return u8[pa]!;
    if (size === 2) return u8[pa]! | (u8[pa + 1]! << 8);
    if (size === 8) ram.loadHi = u8[pa + 4]! | (u8[pa + 5]! << 8) | (u8[pa + 6]! << 16) | (u8[pa + 7]! << 24);
    return u8[pa]! | (u8[pa + 1]! << 8) | (u8[pa + 2]! << 16) | (u8[pa + 3]! << 24);
  }
  if (size === 1) return mem.read8(pa);
  if (size === 2) return mem.read16(pa);
  if (size === 8) ram.loadHi = mem.read32(pa + 4);
  return mem.read32(pa);
}

/** Writes the low `size` bytes of vhi:vlo at pa, which do not cross a 4-KiB page. */
export function pageStore(ram: RamView, mem: GuestMemory, pa: number, size: number, vlo: number, vhi: number): void {
  if (pa < ram.end) {
    if ((pa & 3) === 0 && size >= 4) {
      const i = pa >>> 2;
      ram.i32[i] = vlo;
      if (size === 8) ram.i32[i + 1] = vhi;
      return;
    }
    const u8 = ram.u8;
    u8[pa] = vlo;
    if (size === 1) return;
    u8[pa + 1] = vlo >>> 8;
    if (size === 2) return;
    u8[pa + 2] = vlo >>> 16;
    u8[pa + 3] = vlo >>> 24;
    if (size === 4) return;
    u8[pa + 4] = vhi;
    u8[pa + 5] = vhi >>> 8;
    u8[pa + 6] = vhi >>> 16;
    u8[pa + 7] = vhi >>> 24;
    return;
  }
  if (size === 1) mem.write8(pa, vlo & 0xff);
  else if (size === 2) mem.write16(pa, vlo & 0xffff);
  else {
    mem.write32(pa, vlo);
    if (size === 8) mem.write32(pa + 4, vhi);
  }
}

/**
 * Reads `size` bytes at the linear address hi:lo, which straddles a page
 * boundary, little-endian; returns the low 32 bits (zero-extended bytes) and
 * leaves bits 63:32 in ram.loadHi.
 */
export function crossLoad(ram: RamView, mmu: Translator, mem: GuestMemory, lo: number, hi: number, size: number): number {
  const first = PAGE_SIZE - (lo & 0xfff);
  const pa1 = mmu.translateCrossing(lo, hi, Access.Read);
  const pa2 = mmu.crossPa;
  let vlo = 0;
  let vhi = 0;
  for (let i = 0; i < size; i++) {
    const byte = i < first ? mem.read8(pa1 + i) : mem.read8(pa2 + (i - first));
    if (i < 4) vlo |= byte << (8 * i);
    else vhi |= byte << (8 * (i - 4));
  }
  ram.loadHi = vhi;
  return vlo;
}

/** Writes the low `size` bytes of vhi:vlo at hi:lo, which straddles a page boundary. */
export function crossStore(
  mmu: Translator, mem: GuestMemory, lo: number, hi: number, size: number, vlo: number, vhi: number,
): void {
  const first = PAGE_SIZE - (lo & 0xfff);
  const pa1 = mmu.translateCrossing(lo, hi, Access.Write);
  const pa2 = mmu.crossPa;
  for (let i = 0; i < size; i++) {
    const byte = (i < 4 ? vlo >>> (8 * i) : vhi >>> (8 * (i - 4))) & 0xff;
    if (i < first) mem.write8(pa1 + i, byte);
    else mem.write8(pa2 + (i - first), byte);
  }
}
