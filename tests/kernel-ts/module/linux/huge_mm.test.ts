// include/huge_mm.d.ts: promote a fully populated 2 MiB range, split it
// back, move and split VMAs, through the kernel's own operations.
import { describe, expect, it } from 'vitest';
import { Access } from '../../../../emu/machine/trap';
import { TWO32 } from '../../../../emu/machine/cpu/int64';
import { mmView, vmaView } from '../../../../kernel-ts/module/linux/views';
import { bootWithProcess } from './mm-support';
import type { ProcSetup } from './mm-support';

const MiB2 = 0x200000;
const BASE = 0x40000000;

/** 4 MiB of anonymous memory at BASE, its first 2 MiB populated with page numbers. */
function populated(paging: 4 | 5 = 4): ProcSetup {
  const s = bootWithProcess(paging);
  expect(s.mmapAnon(2 * MiB2, BASE)).toBe(BASE);
  for (let i = 0; i < 512; i++) expect(s.k.mm.putUser64(s.t.mm!, BASE + i * 4096 + 8, BigInt(i))).toBe(0);
  return s;
}

function userPa(s: ProcSetup, a: number): number {
  const mmu = s.k.mm.mmu;
  mmu.setCpl(3);
  try {
    return mmu.tryTranslate(a | 0, Math.floor(a / TWO32), Access.Read);
  } finally {
    mmu.setCpl(0);
  }
}

describe.each([4, 5] as const)('%i-level', (paging) => {
  it('collapse_huge_page maps the range with one PMD leaf; split_huge_pmd gives 512 PTEs over the same frames', () => {
    const s = populated(paging);
    const L = s.L;
    const env = { kernel: s.k, module: s.lm };
    const mm = mmView(env, s.t.mm!);
    const a = BigInt(BASE);
    const pmdp = L.pmd_offset(L.pud_offset(L.p4d_offset(L.pgd_offset(mm, a), a), a), a);
    expect(L.pmd_leaf(L.pmdp_get(pmdp))).toBe(false);
    expect(L.collapse_huge_page(mm, a)).toBe(0);
    const pmd = L.pmdp_get(pmdp);
    expect([L.pmd_leaf(pmd), L.pmd_trans_huge(pmd), L.pmd_write(pmd), L.pmd_dirty(pmd), L.pmd_pfn(pmd) % 512n]).toEqual([true, true, true, true, 0n]);
    expect(pmd & 0xfffn).toBe(0x0e7n); // P|RW|US|A|D|PSE
    const head = L.pmd_page(pmd);
    expect([L.PageTransHuge(head), L.PageAnon(head), L.page_mapcount(head)]).toEqual([true, true, 1]);
    // The MMU reaches page 300 through the 2 MiB leaf, and the data moved with it.
    expect(userPa(s, BASE + 300 * 4096 + 8)).toBe(Number(L.pmd_pfn(pmd) + 300n) * 4096 + 8);
    expect(s.k.mm.getUser64(s.t.mm!, BASE + 300 * 4096 + 8)).toBe(300n);
    expect(s.k.mm.vmstat()).toContain('thp_collapse_alloc 1\n');

    const vma = vmaView(env, s.t.mm!.vmas.vmaLookup(BASE)!, s.t.mm!);
    expect(L.split_huge_pmd(vma, pmdp, a + 0x1234n)).toBe(0);
    const table = L.pmdp_get(pmdp);
    expect([L.pmd_leaf(table), L.pmd_bad(table), table & 0xfffn]).toEqual([false, false, L._PAGE_TABLE]);
    const pte = L.ptep_get(L.pte_offset_map(pmdp, a + 300n * 4096n));
    expect(L.pte_pfn(pte)).toBe(L.pmd_pfn(pmd) + 300n);
    expect([L.PageCompound(L.pte_page(pte)), L.page_count(L.pte_page(pte))]).toEqual([false, 1]);
    expect(s.k.mm.getUser64(s.t.mm!, BASE + 300 * 4096 + 8)).toBe(300n);
    expect(L.split_huge_pmd(vma, pmdp, a)).toBe(0); // no huge page: nothing to do
  });
});

describe('collapse_huge_page refusals', () => {
  it('-EINVAL unaligned or outside a VMA, -EAGAIN with a page missing', () => {
    const s = populated();
    const L = s.L;
    const mm = mmView({ kernel: s.k, module: s.lm }, s.t.mm!);
    expect(L.collapse_huge_page(mm, BigInt(BASE + 4096))).toBe(-22);
    expect(L.collapse_huge_page(mm, BigInt(BASE + 4 * MiB2))).toBe(-22);
    expect(L.collapse_huge_page(mm, BigInt(BASE + MiB2))).toBe(-11); // second 2 MiB not populated
  });
});

describe('move_vma and split_vma', () => {
  it('move_vma moves the entries: the data is at the new address, the old range is gone', () => {
    const s = populated();
    const L = s.L;
    const env = { kernel: s.k, module: s.lm };
    const mm = mmView(env, s.t.mm!);
    expect(L.collapse_huge_page(mm, BigInt(BASE))).toBe(0);
    const frame = userPa(s, BASE + 8);
    const vma = vmaView(env, s.t.mm!.vmas.vmaLookup(BASE)!, s.t.mm!);
    expect(L.move_vma(vma, 0x80000000n)).toBe(0);
    expect(s.t.mm!.vmas.vmaLookup(BASE)).toBe(null);
    const moved = s.t.mm!.vmas.vmaLookup(0x80000000)!;
    expect([moved.vmStart, moved.vmEnd]).toEqual([0x80000000, 0x80000000 + 2 * MiB2]);
    expect(s.k.mm.getUser64(s.t.mm!, 0x80000000 + 7 * 4096 + 8)).toBe(7n);
    expect(userPa(s, 0x80000000 + 8)).toBe(frame); // same frame, no copy
    expect(userPa(s, BASE + 8)).toBe(-1);
    expect(L.move_vma(vmaView(env, moved, s.t.mm!), 0x80001000n)).toBe(-22); // overlaps itself
    expect(L.move_vma(vmaView(env, moved, s.t.mm!), 0x80000123n)).toBe(-22);
  });

  it('split_vma cuts at addr, splitting a huge page the cut goes through', () => {
    const s = populated();
    const L = s.L;
    const env = { kernel: s.k, module: s.lm };
    const mm = mmView(env, s.t.mm!);
    expect(L.collapse_huge_page(mm, BigInt(BASE))).toBe(0);
    const vma = vmaView(env, s.t.mm!.vmas.vmaLookup(BASE)!, s.t.mm!);
    expect(L.split_vma(vma, BigInt(BASE + 0x5000), 0)).toBe(0);
    expect([vma.vm_start, vma.vm_end]).toEqual([BigInt(BASE), BigInt(BASE + 0x5000)]);
    expect(s.t.mm!.vmas.vmaLookup(BASE + 0x5000)!.vmStart).toBe(BASE + 0x5000);
    const a = BigInt(BASE);
    expect(L.pmd_leaf(L.pmdp_get(L.pmd_offset(L.pud_offset(L.p4d_offset(L.pgd_offset(mm, a), a), a), a)))).toBe(false);
    expect(s.k.mm.getUser64(s.t.mm!, BASE + 0x5008)).toBe(5n);
    expect([L.split_vma(vma, BigInt(BASE), 0), L.split_vma(vma, BigInt(BASE + 0x10), 0)]).toEqual([-22, -22]);
  });
});
