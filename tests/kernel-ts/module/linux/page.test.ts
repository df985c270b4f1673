// include/page.d.ts: the constants of the paging mode, alloc_pages and the
// struct page * arithmetic (vmemmap), the direct map's __pa/__va.
import { describe, expect, it } from 'vitest';
import { boot } from './mm-support';

describe('page constants', () => {
  it('4-level: Linux x86-64 layout', () => {
    const { L } = boot(4);
    expect([L.PAGE_SIZE, L.PAGE_SHIFT, L.PAGE_MASK]).toEqual([4096n, 12n, 0xfffffffffffff000n]);
    expect([L.PMD_SIZE, L.PMD_MASK, L.PUD_SIZE, L.PGDIR_SHIFT, L.P4D_SHIFT, L.PTRS_PER_P4D]).toEqual([0x200000n, 0xffffffffffe00000n, 0x40000000n, 39n, 39n, 1n]);
    expect([L.PAGE_OFFSET, L.VMALLOC_START, L.VMALLOC_END, L.VMEMMAP_START]).toEqual([0xffff888000000000n, 0xffffc90000000000n, 0xffffe8ffffffffffn, 0xffffea0000000000n]);
  });

  it('5-level', () => {
    const { L } = boot(5);
    expect([L.PGDIR_SHIFT, L.PTRS_PER_P4D, L.PAGE_OFFSET, L.VMALLOC_START, L.VMEMMAP_START]).toEqual([48n, 512n, 0xff11000000000000n, 0xffa0000000000000n, 0xffd4000000000000n]);
  });

  it('PAGE_ALIGN, PFN_PHYS, get_order', () => {
    const { L } = boot();
    expect([L.PAGE_ALIGN(1), L.PAGE_ALIGN(4096n), L.PFN_PHYS(0x1234n), L.PHYS_PFN(0x1234fffn)]).toEqual([4096n, 4096n, 0x1234000n, 0x1234n]);
    expect([L.get_order(1), L.get_order(4097), L.get_order(2n << 20n)]).toEqual([0, 1, 9]);
  });
});

describe('alloc_pages and struct page', () => {
  it('a page: its struct page in vmemmap, its pfn, its direct-map address, refcounts', () => {
    const { k, L } = boot();
    const page = L.alloc_pages(L.GFP_KERNEL, 0);
    const pfn = L.page_to_pfn(page);
    expect(page).toBe(0xffffea0000000000n + pfn * 64n);
    expect(L.pfn_to_page(pfn)).toBe(page);
    expect(L.page_to_phys(page)).toBe(pfn << 12n);
    const addr = L.page_address(page);
    expect(addr).toBe(0xffff888000000000n + (pfn << 12n));
    expect([L.virt_to_page(addr + 123n), L.virt_to_phys(addr + 5n), L.__va(L.__pa(addr))]).toEqual([page, (pfn << 12n) + 5n, addr]);
    expect(k.mm.memMap.owner[Number(pfn)]).toBe(1); // Owner.Kernel
    expect([L.page_count(page), L.page_mapcount(page), L.PageCompound(page)]).toEqual([1, 0, false]);
    L.get_page(page);
    expect(L.page_count(page)).toBe(2);
    L.put_page(page);
    const used = k.mm.framesInUse();
    L.__free_page(page);
    expect(k.mm.framesInUse()).toBe(used - 1);
  });

  it('order 9 is a compound page; __GFP_ZERO zeroes it; get_zeroed_page', () => {
    const { k, L } = boot();
    const page = L.alloc_pages(L.GFP_KERNEL | L.__GFP_ZERO, 9);
    const pfn = L.page_to_pfn(page);
    expect(pfn % 512n).toBe(0n);
    expect([L.PageHead(page), L.PageTransHuge(page), L.compound_order(page), L.PageTail(page + 64n), L.compound_head(page + 64n * 7n)]).toEqual([true, true, 9, true, page]);
    expect(k.mm.mem.readBytes(Number(pfn) * 4096 + 4096 * 300, 8)).toEqual(new Uint8Array(8));
    L.__free_pages(page, 9);
    const z = L.get_zeroed_page(L.GFP_KERNEL);
    expect(z >= L.PAGE_OFFSET && z % 4096n === 0n).toBe(true);
    L.free_page(z);
  });

  it('order above MAX_PAGE_ORDER is NULL; a bad struct page * is an error naming the function', () => {
    const { L } = boot();
    expect(L.alloc_pages(L.GFP_KERNEL, 11)).toBe(0n);
    expect(() => L.page_to_pfn(0x1000n)).toThrow('page_to_pfn: 0x1000 is no struct page');
    expect(() => L.get_page(0xffffea0000000000n + 7n)).toThrow('get_page');
    expect([L.pfn_valid(0n), L.pfn_valid(65535n), L.pfn_valid(65536n)]).toEqual([true, true, false]);
    expect([L.PageReserved(L.pfn_to_page(0n)), L.virt_addr_valid(L.PAGE_OFFSET + (256n << 20n))]).toEqual([true, false]);
  });

  it('copy_page and clear_page go through the MMU', () => {
    const { k, L } = boot();
    const a = L.__get_free_page(L.GFP_KERNEL);
    const b = L.get_zeroed_page(L.GFP_KERNEL);
    k.mm.mem.write32(Number(L.__pa(a)) + 4092, 0xdeadbeef);
    L.copy_page(b, a);
    expect(k.mm.mem.read32(Number(L.__pa(b)) + 4092) >>> 0).toBe(0xdeadbeef);
    L.clear_page(b);
    expect(k.mm.mem.read32(Number(L.__pa(b)) + 4092)).toBe(0);
    expect(() => L.copy_page(b, L.VMALLOC_START + (1n << 38n))).toThrow('copy_page: unable to handle page fault for address: ffffc94000000000');
    L.free_page(a);
    L.free_page(b);
  });
});

describe('freeing what alloc_pages did not give (Bad page state)', () => {
  it("put_page or __free_pages of kmalloc's slab page, or the last reference of a page table, is an error naming the call, and the page stays", () => {
    // module fuzzer, seed 3 case 61: put_page(virt_to_page(a kzalloc'd buffer)) gave the slab's page back to the
    // buddy allocator while kmalloc still used it; it came back as a pgd.
    const { k, L } = boot();
    const buf = L.kzalloc(256, L.GFP_KERNEL);
    const slabPage = L.virt_to_page(buf);
    const big = L.kmalloc(64 * 1024, L.GFP_KERNEL);
    const used = k.mm.framesInUse();
    expect(() => L.put_page(slabPage)).toThrow(/^put_page: Bad page state: pfn 0x[0-9a-f]+ is a slab page, not one alloc_pages gave \(not freed\)$/);
    expect(() => L.__free_pages(slabPage, 0)).toThrow(/^__free_pages: Bad page state: pfn 0x[0-9a-f]+ is a slab page/);
    expect(() => L.__free_pages(L.virt_to_page(big), 4)).toThrow(/^__free_pages: Bad page state: pfn 0x[0-9a-f]+ is a kmalloc page/);
    const pgd = L.virt_to_page(L.phys_to_virt(BigInt(k.mm.kspace.initPgd)));
    expect(() => L.put_page(pgd)).toThrow(/is a (pgtable|kernel|reserved)|reserved/);
    expect([k.mm.framesInUse(), L.page_count(slabPage)]).toEqual([used, 1]);
    L.kfree(buf);
    L.kfree(big);
    // What alloc_pages gave is freed as before.
    const p = L.alloc_pages(L.GFP_KERNEL, 1);
    L.__free_pages(p, 1);
  });
});
