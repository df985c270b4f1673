// include/tlbflush.d.ts: a PTE changed with set_pte_at is not seen by the
// CPU until the flush, as on x86.
import { describe, expect, it } from 'vitest';
import { Access } from '../../../../emu/machine/trap';
import { TWO32 } from '../../../../emu/machine/cpu/int64';
import { mmView, vmaView } from '../../../../kernel-ts/module/linux/views';
import { bootWithProcess } from './mm-support';
import type { ProcSetup } from './mm-support';

/** The frame a user load at a reaches (CPL 3 through the TLB), or -1. */
function userFrame(s: ProcSetup, a: number): number {
  const mmu = s.k.mm.mmu;
  mmu.setCpl(3);
  try {
    const pa = mmu.tryTranslate(a | 0, Math.floor(a / TWO32), Access.Read);
    return pa < 0 ? -1 : Math.floor(pa / 4096);
  } finally {
    mmu.setCpl(0);
  }
}

describe('flush_tlb_page / flush_tlb_range / flush_tlb_mm', () => {
  it.each(['page', 'range', 'mm', 'all'] as const)('flush_tlb_%s ends the stale translation', (how) => {
    const s = bootWithProcess();
    const L = s.L;
    const env = { kernel: s.k, module: s.lm };
    const a = s.mmapAnon(2 * 4096, 0x400000000);
    expect(s.k.mm.putUser64(s.t.mm!, a, 1n)).toBe(0);
    const mm = mmView(env, s.t.mm!);
    const vma = vmaView(env, s.t.mm!.vmas.vmaLookup(a)!, s.t.mm!);
    const ptep = L.follow_pte(mm, BigInt(a));
    const old = L.ptep_get(ptep);
    expect(userFrame(s, a)).toBe(Number(L.pte_pfn(old)));
    // Point the PTE at another (kernel) page: the CPU still uses the old frame.
    const page = L.alloc_page(L.GFP_KERNEL | L.__GFP_ZERO);
    L.set_pte_at(mm, BigInt(a), ptep, L.mk_pte(page, L.PAGE_READONLY));
    expect(userFrame(s, a)).toBe(Number(L.pte_pfn(old)));
    if (how === 'page') L.flush_tlb_page(vma, BigInt(a));
    else if (how === 'range') L.flush_tlb_range(vma, vma.vm_start, vma.vm_end);
    else if (how === 'mm') L.flush_tlb_mm(mm);
    else L.flush_tlb_all();
    expect(userFrame(s, a)).toBe(Number(L.page_to_pfn(page)));
    // Put the old entry back, so the mm's teardown finds its own page.
    L.set_pte_at(mm, BigInt(a), ptep, old);
    L.flush_tlb_page(vma, BigInt(a));
    expect(userFrame(s, a)).toBe(Number(L.pte_pfn(old)));
    L.__free_page(page);
  });

  it('a VMA view of no live VMA is refused naming the function', () => {
    const s = bootWithProcess();
    const env = { kernel: s.k, module: s.lm };
    const a = s.mmapAnon(4096, 0x400000000);
    const vma = vmaView(env, s.t.mm!.vmas.vmaLookup(a)!, s.t.mm!);
    expect(s.k.mm.doMunmap(s.t.mm!, a, 4096)).toBe(0);
    expect(() => s.L.flush_tlb_page(vma, BigInt(a))).toThrow('flush_tlb_page: no VMA');
  });
});
