// SKELETON begin
//| // btplus part 3: IOCTL_COMPACT_VMA (docs/labs/btplus/README.md), EXERCISE 5. The present
// btplus part 3: IOCTL_COMPACT_VMA (docs/experiments/btplus.md). The present
// SKELETON end
// pages of [start, start + npages * 4K), a range inside one anonymous VMA,
// move in order to the lowest virtual pages of the range, as the lab's
// Figure 4 draws it: each present page's PTE moves (ptep_get_and_clear at
// the old address, set_pte_at at the new one; the frame stays, no data is
// copied, so page counts and map counts stay right), not-present pages stay
// not present, and the user's table receives one <old, new> pair of u64
// virtual page addresses per present page, in order. The ioctl then promotes
// every 2 MiB-aligned fully present range of the VMA (btplus-huge.ts).
import {
  // SKELETON begin
  //| EFAULT, EINVAL, ENOMEM, ENOSYS, HPAGE_PMD_MASK, HPAGE_PMD_SIZE, PAGE_SIZE, VM_SPECIAL, BUG_ON,
  EFAULT, EINVAL, ENOMEM, HPAGE_PMD_MASK, HPAGE_PMD_SIZE, PAGE_SIZE, VM_SPECIAL, BUG_ON,
  // SKELETON end
  copy_to_user, flush_tlb_range, pmd_none, pmd_trans_huge, pmdp_get, pr_info, pte_none, pte_offset_map,
  pte_present, pte_unmap, ptep_get, ptep_get_and_clear, set_pte_at, split_huge_pmd, vma_lookup,
} from 'vmlab/linux';
import type { mm_struct, vm_area_struct } from 'vmlab/linux';
import { btplus_pmd_offset, btplus_pte_alloc, btplus_pte_offset } from './btplus-walk';

const hex = (a: bigint): string => `0x${a.toString(16)}`;

/** The user addresses of the present pages of [start, end) in mm, lowest first (a walk one PTE table at a time). */
function present_pages(mm: mm_struct, start: bigint, end: bigint): bigint[] {
  const out: bigint[] = [];
  for (let addr = start; addr < end; ) {
    const next = (addr & HPAGE_PMD_MASK) + HPAGE_PMD_SIZE;
    const stop = next < end ? next : end;
    const pmd = btplus_pmd_offset(mm, addr);
    const pte = pmd === 0n || pmd_none(pmdp_get(pmd)) ? 0n : pte_offset_map(pmd, addr);
    if (pte !== 0n) {
      // pte++ in C: the entries of one table are consecutive.
      for (let a = addr, p = pte; a < stop; a += PAGE_SIZE, p += 8n) if (pte_present(ptep_get(p))) out.push(a);
      pte_unmap(pte);
    }
    addr = stop;
  }
  return out;
}

/**
 * Compacts the range; returns its VMA, or -EINVAL (start unaligned or not
 * in an anonymous VMA, npages 0, the range past the VMA's end, no present
 * page), -EFAULT (the table cannot be written: nothing moved), -ENOMEM (a
 * page table cannot be had: nothing moved).
 */
export function compact_vma(mm: mm_struct, start: bigint, npages: bigint, table: bigint): vm_area_struct | number {
  // EXERCISE 5 begin
  //| // EXERCISE 5: compaction.
  //| //   - refuse: start % PAGE_SIZE !== 0n or npages === 0n; no VMA at start
  //| //     (vma_lookup), or one with a file (vma.vm_file !== null) or VM_SPECIAL
  //| //     flags; npages past the VMA's end ((vma.vm_end - start) / PAGE_SIZE): -EINVAL;
  //| //   - end = start + npages * PAGE_SIZE; split the huge pages of the range
  //| //     first (btplus_pmd_offset, pmd_trans_huge(pmdp_get(pmd)), split_huge_pmd):
  //| //     compaction moves 4 KiB entries;
  //| //   - present = present_pages(mm, start, end) (above); none: -EINVAL;
  //| //   - the table first (a bad pointer must move nothing): 16 bytes per present
  //| //     page, <old, new> as two little-endian u64 (a DataView), new = start + k * PAGE_SIZE;
  //| //     copy_to_user(table, out, out.length) !== 0: -EFAULT;
  //| //   - the destinations' page tables before any move: btplus_pte_alloc(mm, a)
  //| //     for each 2 MiB block of [start, start + present.length * PAGE_SIZE) (0n: -ENOMEM);
  //| //   - in order, move each PTE: src = btplus_pte_offset(mm, old), dst =
  //| //     btplus_pte_offset(mm, nva); set_pte_at(mm, nva, dst, ptep_get_and_clear(mm, old, src))
  //| //     (BUG_ON(!pte_none(ptep_get(dst))) says the destination was free);
  //| //   - flush_tlb_range(vma, start, end); return vma (the ioctl then promotes).
  //| void present_pages;
  //| pr_info(`btplus: EXERCISE 5 is not done: compact_vma(${hex(start)}, ${npages} pages, table ${hex(table)})\n`);
  //| return -ENOSYS;
  if (start % PAGE_SIZE !== 0n || npages === 0n) return -EINVAL;
  const vma = vma_lookup(mm, start);
  if (vma === null || vma.vm_file !== null || (vma.vm_flags & VM_SPECIAL) !== 0n) return -EINVAL;
  if (npages > (vma.vm_end - start) / PAGE_SIZE) return -EINVAL;
  const end = start + npages * PAGE_SIZE;

  // Huge pages in the range become 512 PTEs first: compaction moves 4 KiB entries.
  for (let h = start & HPAGE_PMD_MASK; h < end; h += HPAGE_PMD_SIZE) {
    const pmd = btplus_pmd_offset(mm, h);
    if (pmd !== 0n && pmd_trans_huge(pmdp_get(pmd)) && split_huge_pmd(vma, pmd, h) < 0) return -ENOMEM;
  }

  const present = present_pages(mm, start, end);
  if (present.length === 0) return -EINVAL;

  // The table first: a bad pointer must leave the address space as it was.
  const out = new Uint8Array(16 * present.length);
  const dv = new DataView(out.buffer);
  present.forEach((old, k) => {
    dv.setBigUint64(16 * k, old, true);
    dv.setBigUint64(16 * k + 8, start + BigInt(k) * PAGE_SIZE, true);
  });
  if (copy_to_user(table, out, out.length) !== 0) return -EFAULT;

  // The destinations' page tables before any move, so a failure moves nothing.
  const dst_end = start + BigInt(present.length) * PAGE_SIZE;
  for (let a = start; a < dst_end; a = (a & HPAGE_PMD_MASK) + HPAGE_PMD_SIZE) {
    if (btplus_pte_alloc(mm, a) === 0n) return -ENOMEM;
  }
  // In order, each destination is at or below its source and already vacated.
  present.forEach((old, k) => {
    const nva = start + BigInt(k) * PAGE_SIZE;
    if (nva === old) return;
    const src = btplus_pte_offset(mm, old);
    const dst = btplus_pte_offset(mm, nva);
    BUG_ON(src === 0n || dst === 0n || !pte_none(ptep_get(dst)));
    set_pte_at(mm, nva, dst, ptep_get_and_clear(mm, old, src));
  });
  // The old translations go (the new addresses were not mapped: nothing cached for them).
  flush_tlb_range(vma, start, end);
  pr_info(`btplus: compacted ${present.length} present page(s) of [${hex(start)}, ${hex(end)}) to its start\n`);
  return vma;
  // EXERCISE 5 end
}
