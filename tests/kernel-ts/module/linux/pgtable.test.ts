// include/pgtable.d.ts: software walks of the real tables (compared with
// the MMU's own translation), entry predicates, and entry stores that do not
// flush the TLB (flush_tlb_kernel_range does), 4- and 5-level.
import { describe, expect, it } from 'vitest';
import { Access } from '../../../../emu/machine/trap';
import { KernelPageFault } from '../../../../kernel-ts/module/linux/fault';
import { kernelTranslate } from '../../../../kernel-ts/module/linux/kmem';
import { mmView, vmaView } from '../../../../kernel-ts/module/linux/views';
import type { LinuxApi } from '../../../../kernel-ts/module/linux';
import type { mm_struct } from '../../../../kernel-ts/module/linux/include/mm_types';
import { bootWithProcess } from './mm-support';

/** The lab's walk: the physical address of addr, or -1n; the entries met. */
function walk(L: LinuxApi, mm: mm_struct, addr: bigint): { pa: bigint; entries: bigint[] } {
  const entries: bigint[] = [];
  const pgd = L.pgd_offset(mm, addr);
  const g = L.pgdp_get(pgd);
  if (L.pgd_none(g) || L.pgd_bad(g)) return { pa: -1n, entries };
  const p4d = L.p4d_offset(pgd, addr);
  const q = L.p4dp_get(p4d);
  entries.push(q);
  if (L.p4d_none(q) || L.p4d_bad(q)) return { pa: -1n, entries };
  const pud = L.pud_offset(p4d, addr);
  const u = L.pudp_get(pud);
  entries.push(u);
  if (L.pud_none(u)) return { pa: -1n, entries };
  if (L.pud_leaf(u)) return { pa: (L.pud_pfn(u) << 12n) | (addr & ~L.PUD_MASK), entries };
  const pmd = L.pmd_offset(pud, addr);
  const m = L.pmdp_get(pmd);
  entries.push(m);
  if (L.pmd_none(m)) return { pa: -1n, entries };
  if (L.pmd_leaf(m)) {
    expect(L.pte_offset_map(pmd, addr)).toBe(0n);
    return { pa: (L.pmd_pfn(m) << 12n) | (addr & ~L.PMD_MASK), entries };
  }
  const pte = L.pte_offset_map(pmd, addr);
  const t = L.ptep_get(pte);
  L.pte_unmap(pte);
  entries.push(t);
  if (!L.pte_present(t)) return { pa: -1n, entries };
  return { pa: L.page_to_phys(L.pte_page(t)) | (addr & ~L.PAGE_MASK), entries };
}

describe.each([4, 5] as const)('%i-level paging', (paging) => {
  it('pgd_offset points into the real top-level table of current->mm', () => {
    const s = bootWithProcess(paging);
    const mm = mmView({ kernel: s.k, module: s.lm }, s.t.mm!);
    const L = s.L;
    const addr = 0x400000000n;
    const shift = paging === 5 ? 48n : 39n;
    expect(L.pgtable_l5_enabled()).toBe(paging === 5);
    expect(L.pgd_offset(mm, addr)).toBe(L.PAGE_OFFSET + BigInt(s.t.mm!.pgd) + ((addr >> shift) & 511n) * 8n);
    expect(L.pgd_offset_k(L.VMALLOC_START)).toBe(L.PAGE_OFFSET + BigInt(s.k.mm.kspace.initPgd) + ((L.VMALLOC_START >> shift) & 511n) * 8n);
    // The kernel half of every pgd is swapper_pg_dir's.
    expect(L.pgdp_get(L.pgd_offset(mm, L.VMALLOC_START))).toBe(L.pgdp_get(L.pgd_offset_k(L.VMALLOC_START)));
    if (paging === 4) expect(L.p4d_offset(L.pgd_offset(mm, addr), addr)).toBe(L.pgd_offset(mm, addr));
  });

  it('pgd_index .. pte_index: 9-bit slices; p4d_index is 0 when the p4d is folded (PTRS_PER_P4D 1)', () => {
    const L = bootWithProcess(paging).L;
    const addr = 0x7f0bb470a000n; // the report's findpage address: pgd_index 254, p4d_index 0 (4-level)
    expect([L.pgd_index(addr), L.p4d_index(addr), L.pud_index(addr), L.pmd_index(addr), L.pte_index(addr)]).toEqual(paging === 5 ? [0, 254, 46, 419, 266] : [254, 0, 46, 419, 266]);
    expect(L.PTRS_PER_P4D).toBe(paging === 5 ? 512n : 1n);
  });

  it('a kmalloc address: a 2 MiB leaf of the direct map; the walk agrees with virt_to_phys and the MMU', () => {
    const s = bootWithProcess(paging);
    const L = s.L;
    const mm = mmView({ kernel: s.k, module: s.lm }, s.t.mm!);
    const p = L.kmalloc(16, L.GFP_KERNEL);
    const w = walk(L, mm, p);
    expect(w.pa).toBe(L.virt_to_phys(p));
    expect(w.pa).toBe(BigInt(kernelTranslate(s.k, p, Access.Read, 'test')));
    const pmd = w.entries.at(-1)!;
    expect(pmd).toBe(0x80000000000001e3n | (L.virt_to_phys(p) & L.PMD_MASK));
    expect([L.pmd_leaf(pmd), L.pmd_bad(pmd), L.pmd_present(pmd), L.pmd_pfn(pmd) % 512n]).toEqual([true, true, true, 0n]);
  });

  it('a vmalloc address: a 4K PTE with PAGE_KERNEL, whose pfn is vmalloc_to_pfn', () => {
    const s = bootWithProcess(paging);
    const L = s.L;
    const mm = mmView({ kernel: s.k, module: s.lm }, s.t.mm!);
    const v = L.vmalloc(2 * 4096);
    const w = walk(L, mm, v + 4096n + 0x10n);
    const pfn = L.vmalloc_to_pfn(v + 4096n);
    expect(w.entries.at(-1)).toBe((pfn << 12n) | L.PAGE_KERNEL);
    expect(w.pa).toBe((pfn << 12n) + 0x10n);
    expect(w.pa).toBe(BigInt(kernelTranslate(s.k, v + 4096n + 0x10n, Access.Read, 'test')));
    expect(w.entries.slice(0, -1).every((e) => (e & 0xfffn) === L._KERNPG_TABLE)).toBe(true);
    expect(walk(L, mm, v + 2n * 4096n).pa).toBe(-1n); // the guard page
  });

  it('a user address: _PAGE_TABLE entries, the PTE the fault made, the frame the MMU uses', () => {
    const s = bootWithProcess(paging);
    const L = s.L;
    const mm = mmView({ kernel: s.k, module: s.lm }, s.t.mm!);
    const a = s.mmapAnon(4096, 0x400000000);
    expect(walk(L, mm, BigInt(a)).pa).toBe(-1n);
    expect(s.k.mm.putUser64(s.t.mm!, a + 8, 5n)).toBe(0);
    const w = walk(L, mm, BigInt(a) + 8n);
    expect(w.entries.slice(0, -1).every((e) => (e & 0xfffn) === L._PAGE_TABLE)).toBe(true);
    const pte = w.entries.at(-1)!;
    expect([L.pte_present(pte), L.pte_write(pte), L.pte_dirty(pte), L.pte_young(pte), L.pte_user(pte), L.pte_exec(pte)]).toEqual([true, true, true, true, true, false]);
    expect(w.pa).toBe(BigInt(s.k.mm.followPte(s.t.mm!, a).pfn) * 4096n + 8n);
    expect(s.k.mm.mem.read32(Number(w.pa))).toBe(5);
    expect(L.follow_pte(mm, BigInt(a))).toBe(L.pte_offset_kernel(L.pmd_offset(L.pud_offset(L.p4d_offset(L.pgd_offset(mm, BigInt(a)), BigInt(a)), BigInt(a)), BigInt(a)), BigInt(a)));
    expect(L.follow_pte(mm, BigInt(a) + 4096n)).toBe(0n);
  });
});

describe('entry stores', () => {
  it('set_pte maps a page in the kernel; the CPU sets A then D; a stale translation survives until flush_tlb_kernel_range', () => {
    const s = bootWithProcess();
    const L = s.L;
    const v = L.vmalloc(4096);
    const guard = v + 4096n;
    const ptep = L.pte_offset_kernel(L.pmd_offset(L.pud_offset(L.p4d_offset(L.pgd_offset_k(guard), guard), guard), guard), guard);
    expect(L.ptep_get(ptep)).toBe(0n);
    const page = L.alloc_page(L.GFP_KERNEL | L.__GFP_ZERO);
    L.set_pte(ptep, L.pte_mkold(L.pte_mkclean(L.mk_pte(page, L.PAGE_KERNEL))));
    expect(L.ptep_get(ptep)).toBe((L.page_to_pfn(page) << 12n) | 0x8000000000000103n);
    expect(L.readq(guard)).toBe(0n);
    expect(L.ptep_get(ptep) & (L._PAGE_ACCESSED | L._PAGE_DIRTY)).toBe(L._PAGE_ACCESSED);
    L.writeq(9n, guard);
    expect(L.ptep_get(ptep) & (L._PAGE_ACCESSED | L._PAGE_DIRTY)).toBe(L._PAGE_ACCESSED | L._PAGE_DIRTY);
    expect(L.readq(L.page_address(page))).toBe(9n);
    // Read-only, not flushed: the TLB still holds the writable translation (Linux's set_pte does not flush).
    L.set_pte(ptep, L.pte_wrprotect(L.ptep_get(ptep)));
    L.writeq(10n, guard);
    L.flush_tlb_kernel_range(guard, guard + 4096n);
    let e: unknown = null;
    try {
      L.writeq(11n, guard);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(KernelPageFault);
    expect((e as KernelPageFault).errorCode).toBe(3); // protection, write: CR0.WP
    expect(L.pte_pfn(L.ptep_get_and_clear(mmView({ kernel: s.k, module: s.lm }, s.t.mm!), guard, ptep))).toBe(L.page_to_pfn(page));
    expect(L.ptep_get(ptep)).toBe(0n);
    L.flush_tlb_kernel_range(guard, guard + 4096n);
    expect(L.readq(L.page_address(page))).toBe(10n);
    L.__free_page(page);
  });

  it('a bad entry pointer oopses in the accessor', () => {
    const s = bootWithProcess();
    expect(() => s.L.ptep_get(0x1000n)).toThrow('ptep_get: unable to handle page fault for address: 0000000000001000');
    expect(() => s.L.ptep_get(s.L.PAGE_OFFSET + 4n)).toThrow('ptep_get: 0xffff888000000004 is not an entry');
  });

  it('value helpers: pfn_pte, pte_modify, pmd_pfn of a huge leaf, Linux protections', () => {
    const { L } = bootWithProcess();
    expect([L.PAGE_KERNEL, L.PAGE_KERNEL_LARGE, L.PAGE_SHARED, L.PAGE_READONLY, L.PAGE_NONE]).toEqual([0x8000000000000163n, 0x80000000000001e3n, 0x8000000000000027n, 0x8000000000000025n, 0x120n]);
    const pte = L.pfn_pte(0x1234n, L.PAGE_SHARED);
    expect(pte).toBe(0x8000000001234027n);
    expect(L.pte_modify(L.pte_mkdirty(pte), L.PAGE_READONLY)).toBe(0x8000000001234065n);
    expect(L.pmd_pfn(0x80000000002011e3n)).toBe(0x200n); // bit 12 of a PSE entry is PAT
    expect(L.pmd_flags(0x80000000002011e3n)).toBe(0x80000000000011e3n);
    expect([L.pte_present(0x120n), L.pmd_present(0x80n), L.pud_leaf(0x80n), L.pmd_bad(0x67n), L.pud_bad(0x67n)]).toEqual([true, true, false, false, false]);
  });
});

describe.each([4, 5] as const)('%i-level: table allocation', (paging) => {
  it('pud_alloc..pte_alloc_map build the path to a new address; a PTE moved there (compaction) maps the same frame', () => {
    const s = bootWithProcess(paging);
    const L = s.L;
    const env = { kernel: s.k, module: s.lm };
    const mm = mmView(env, s.t.mm!);
    const src = s.mmapAnon(4096, 0x400000000);
    expect(s.k.mm.putUser64(s.t.mm!, src, 77n)).toBe(0);
    // The destination 512 GiB away: every level below the top is new (5-level: below the p4d too).
    const dst = 0x400000000n + (1n << 39n);
    expect(s.mmapAnon(4096, Number(dst))).toBe(Number(dst));
    const before = s.t.mm!.pgtablesBytes;
    const pgd = L.pgd_offset(mm, dst);
    const p4d = L.p4d_alloc(mm, pgd, dst);
    const pud = L.pud_alloc(mm, p4d, dst);
    const pmd = L.pmd_alloc(mm, pud, dst);
    const dptep = L.pte_alloc_map(mm, pmd, dst);
    expect(s.t.mm!.pgtablesBytes - before).toBe(3 * 4096);
    expect([L.pud_bad(L.pudp_get(pud)), L.pmd_bad(L.pmdp_get(pmd)), L.ptep_get(dptep)]).toEqual([false, false, 0n]);
    expect(L.pte_alloc(mm, pmd)).toBe(0); // present already: nothing allocated
    expect(s.t.mm!.pgtablesBytes - before).toBe(3 * 4096);
    const sptep = L.follow_pte(mm, BigInt(src));
    const pte = L.ptep_get_and_clear(mm, BigInt(src), sptep);
    L.set_pte_at(mm, dst, dptep, pte);
    L.flush_tlb_range(vmaView(env, s.t.mm!.vmas.vmaLookup(src)!, s.t.mm!), BigInt(src), BigInt(src) + 4096n);
    expect(L.follow_pte(mm, dst)).toBe(dptep);
    expect(s.k.mm.getUser64(s.t.mm!, Number(dst))).toBe(77n);
    expect(L.follow_pte(mm, BigInt(src))).toBe(0n);
  });

  it('pte_alloc_kernel: a kernel table (_KERNPG_TABLE) for an unused part of the vmalloc area', () => {
    const s = bootWithProcess(paging);
    const L = s.L;
    const addr = L.VMALLOC_START + (100n << 30n);
    const pmd = L.pmd_alloc(mmView({ kernel: s.k, module: s.lm }, s.t.mm!), L.pud_offset(L.p4d_offset(L.pgd_offset_k(addr), addr), addr), addr);
    const ptep = L.pte_alloc_kernel(pmd, addr);
    // x86's pud_populate links with _PAGE_TABLE (kernel half too), pmd_populate_kernel with _KERNPG_TABLE.
    expect(L.pudp_get(L.pud_offset(L.p4d_offset(L.pgd_offset_k(addr), addr), addr)) & 0xfffn).toBe(L._PAGE_TABLE);
    expect(L.pmdp_get(pmd) & 0xfffn).toBe(L._KERNPG_TABLE);
    expect(L.ptep_get(ptep)).toBe(0n);
  });
});
