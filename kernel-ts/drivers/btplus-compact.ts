// btplus part 3: IOCTL_COMPACT_VMA (docs/experiments/btplus.md). The present
// pages of [start, start + npages * 4K), a range inside one anonymous VMA,
// move in order to the lowest virtual pages of the range: their page-table
// entries move (the frames stay, no data is copied), not-present pages stay
// not present, and the user's table receives one <old, new> pair of u64
// virtual page addresses per present page, in order. The ioctl then promotes
// every 2 MiB-aligned fully present range of the VMA (btplus-huge.ts).
import type { ModuleContext } from '../module/api';
import { EFAULT, EINVAL, ENOMEM } from '../errno';
import { PAGE_SIZE } from '../mm/page';
import { Flush, PAGE_TABLE, allocEntry, setPte, tlbFinish, vaHi, vaLo } from '../mm/pgtable';
import { PTE_PRESENT_MASK } from '../mm/prot';
import { splitHugePmdRange } from '../mm/huge_memory';
import { forEachPteSlot } from '../mm/unmap';
import type { MmStruct } from '../mm/mm-struct';
import { VM_SPECIAL } from '../mm/vma';
import type { VmAreaStruct } from '../mm/vma';

/**
 * Compacts the range; returns its VMA, or -EINVAL (start unaligned or not
 * in an anonymous VMA, npages 0, the range past the VMA's end, no present
 * page), -EFAULT (the table cannot be written: nothing moved), -ENOMEM.
 */
export function compactVma(m: ModuleContext, mm: MmStruct, start: number, npages: number, table: number): VmAreaStruct | number {
  const kmm = m.kernel.mm;
  if (start % PAGE_SIZE !== 0 || npages <= 0 || !Number.isSafeInteger(npages)) return -EINVAL;
  const vma = mm.vmas.vmaLookup(start);
  if (vma === null || vma.vmFile !== null || (vma.vmFlags & VM_SPECIAL) !== 0) return -EINVAL;
  if (npages > (vma.vmEnd - start) / PAGE_SIZE) return -EINVAL;
  const end = start + npages * PAGE_SIZE;
  if (!splitHugePmdRange(kmm, mm, start, end)) return -ENOMEM;
  const mem = kmm.mem;
  const present: number[] = [];
  forEachPteSlot(kmm, mm, start, end, (pte, va) => {
    if ((mem.read32(pte) & PTE_PRESENT_MASK) !== 0) present.push(va);
  });
  if (present.length === 0) return -EINVAL;
  // The table first: a bad pointer must leave the address space as it was.
  const out = new Uint8Array(16 * present.length);
  const dv = new DataView(out.buffer);
  present.forEach((old, k) => {
    dv.setBigUint64(16 * k, BigInt(old), true);
    dv.setBigUint64(16 * k + 8, BigInt(start + k * PAGE_SIZE), true);
  });
  if (kmm.copyToUser(mm, table, out) !== 0) return -EFAULT;
  // Destination tables before any move, so a failure moves nothing.
  for (let k = 0; k < present.length; k++) {
    const nva = start + k * PAGE_SIZE;
    if (allocEntry(kmm, mm, mm.pgd, vaLo(nva), vaHi(nva), 1, PAGE_TABLE) < 0) return -ENOMEM;
  }
  // In order, each target is at or below its source and already vacated.
  const g = kmm.gather.reset(mm);
  present.forEach((old, k) => {
    const nva = start + k * PAGE_SIZE;
    if (nva === old) return;
    const src = allocEntry(kmm, mm, mm.pgd, vaLo(old), vaHi(old), 1, PAGE_TABLE);
    const dst = allocEntry(kmm, mm, mm.pgd, vaLo(nva), vaHi(nva), 1, PAGE_TABLE);
    const lo = mem.read32(src);
    const hi = mem.read32(src + 4);
    if ((mem.read32(dst) & PTE_PRESENT_MASK) !== 0) throw new Error(`compactVma: target 0x${nva.toString(16)} is mapped`);
    setPte(kmm, mm, src, vaLo(old), vaHi(old), 0, 0, Flush.Gather, g);
    setPte(kmm, mm, dst, vaLo(nva), vaHi(nva), lo, hi);
  });
  tlbFinish(kmm, g);
  m.printk(`btplus: compacted ${present.length} present page(s) of [0x${start.toString(16)}, 0x${end.toString(16)}) to its start`);
  return vma;
}
