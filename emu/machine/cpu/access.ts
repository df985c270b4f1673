// Data accesses that cross a 4-KiB page boundary: the slow path of loads and
// stores. Both pages are translated before any byte moves, so a fault on
// either page leaves memory untouched and the access restartable. The first
// page is translated first, so when only the second one fails CR2 holds the
// address of its first byte (the SDM's "linear address that caused the fault").
import type { GuestMemory } from '../mem/phys';
import { Access } from '../trap';

/** What the CPU needs from the MMU (emu/machine/mmu/mmu.ts implements it). */
export interface Translator {
  translate(lo: number, hi: number, access: Access, implicit?: boolean): number;
  canonical(hi: number): boolean;
}

/** High half of the last crossLoad result. */
export let crossHi = 0;

/**
 * Reads `size` bytes at the linear address hi:lo, which straddles a page
 * boundary, little-endian; returns the low 32 bits (zero-extended bytes) and
 * leaves bits 63:32 in crossHi.
 */
export function crossLoad(mmu: Translator, mem: GuestMemory, lo: number, hi: number, size: number): number {
  const first = 4096 - (lo & 0xfff);
  const pa1 = mmu.translate(lo, hi, Access.Read);
  const lo2 = ((lo | 0xfff) + 1) | 0;
  const pa2 = mmu.translate(lo2, lo2 === 0 ? (hi + 1) | 0 : hi, Access.Read);
  let vlo = 0;
  let vhi = 0;
  for (let i = 0; i < size; i++) {
    const byte = i < first ? mem.read8(pa1 + i) : mem.read8(pa2 + (i - first));
    if (i < 4) vlo |= byte << (8 * i);
    else vhi |= byte << (8 * (i - 4));
  }
  crossHi = vhi;
  return vlo;
}

/** Writes the low `size` bytes of vhi:vlo at hi:lo, which straddles a page boundary. */
export function crossStore(
  mmu: Translator, mem: GuestMemory, lo: number, hi: number, size: number, vlo: number, vhi: number,
): void {
  const first = 4096 - (lo & 0xfff);
  const pa1 = mmu.translate(lo, hi, Access.Write);
  const lo2 = ((lo | 0xfff) + 1) | 0;
  const pa2 = mmu.translate(lo2, lo2 === 0 ? (hi + 1) | 0 : hi, Access.Write);
  for (let i = 0; i < size; i++) {
    const byte = (i < 4 ? vlo >>> (8 * i) : vhi >>> (8 * (i - 4))) & 0xff;
    if (i < first) mem.write8(pa1 + i, byte);
    else mem.write8(pa2 + (i - first), byte);
  }
}
