// <linux/mm.h> / <asm/page.h> over the kernel's frame table (mm/page.ts,
// mm/buddy.ts): struct page * is VMEMMAP_START + pfn * 64.
import type { LinuxEnv } from './env';
import type * as Decl from './include/page';
import { MAX_PAGE_ORDER, getOrder } from '../../mm/buddy';
import { OWNER_NAMES, PAGE_SHIFT as PAGE_SHIFT_HOME, PAGE_SIZE as PAGE_SIZE_HOME, Owner, PG_anon, PG_buddy, PG_head, PG_large_kmalloc, PG_reserved, PG_slab, PG_tail } from '../../mm/page';
import { HPAGE_PMD_ORDER } from '../../mm/huge_memory';
import { zeroFrame } from '../../mm/pgtable';
import { MASK64, vmallocRange, kernelRead, kernelWrite, pa as paOf, pageOffset, sizeArg, va as vaOf } from './kmem';
import { LINUX_GFP_ZERO } from './slab';

const PAGE = BigInt(PAGE_SIZE_HOME);
const STRUCT_PAGE_SIZE = 64n;

/** Linux vmemmap_base and vmalloc_base for the paging mode. */
export function vmemmapStart(levels: 4 | 5): bigint {
  return levels === 5 ? 0xffd4000000000000n : 0xffffea0000000000n;
}

/** The pfn of a struct page *, checked: a pointer outside the vmemmap array or between entries throws naming fn (Linux would oops on the bad dereference). */
export function pagePfn(env: LinuxEnv, page: bigint, fn: string): number {
  const off = page - vmemmapStart(env.kernel.mm.levels);
  const pfn = off / STRUCT_PAGE_SIZE;
  if (off < 0n || off % STRUCT_PAGE_SIZE !== 0n || !env.kernel.mm.memMap.pfnValid(Number(pfn)))
    throw new Error(`${fn}: 0x${page.toString(16)} is no struct page`);
  return Number(pfn);
}

export function pageOf(env: LinuxEnv, pfn: number | bigint): bigint {
  return vmemmapStart(env.kernel.mm.levels) + BigInt(pfn) * STRUCT_PAGE_SIZE;
}

export function pageApi(env: LinuxEnv): typeof Decl {
  const k = env.kernel;
  const kmm = k.mm;
  const m = kmm.memMap;
  const five = kmm.levels === 5;
  const vmalloc = vmallocRange(k);
  const leaks = env.module.kmemleak;

  function alloc_pages(gfp_mask: number, order: number): bigint {
    if (!Number.isInteger(order) || order < 0 || order > MAX_PAGE_ORDER) return 0n;
    const pfn = kmm.buddy.allocPages(order, Owner.Kernel);
    if (pfn < 0) return 0n;
    if (gfp_mask & LINUX_GFP_ZERO) for (let i = 0; i < 1 << order; i++) zeroFrame(kmm.mem, (pfn + i) * 4096);
    leaks.alloc('pages', vaOf(k, pfn * 4096), 4096 << order, order);
    return pageOf(env, pfn);
  }
  /**
   * Linux's free_pages_check(): a page a module frees (or puts the last
   * reference of) must be one alloc_pages handed out, not kmalloc's slab,
   * a page table, a user or page-cache page: anything else is Linux's "Bad
   * page state", here an oops of the call, and the page stays as it was.
   */
  function checkFreeable(fn: string, pfn: number): void {
    const head = m.compoundHead(pfn);
    const owner = m.owner[head]!;
    if (owner === Owner.Kernel && (m.flags[head]! & (PG_slab | PG_large_kmalloc)) === 0) return;
    const what = m.flags[head]! & PG_large_kmalloc ? 'kmalloc' : OWNER_NAMES[owner] ?? 'unknown';
    throw new Error(`${fn}: Bad page state: pfn 0x${pfn.toString(16)} is a ${what} page, not one alloc_pages gave (not freed)`);
  }
  function __free_pages(page: bigint, order: number): void {
    const pfn = pagePfn(env, page, '__free_pages');
    if (m.refcount[pfn] === 1) checkFreeable('__free_pages', pfn);
    kmm.buddy.freePages(pfn, order);
    // The module gave its reference back: whoever else holds one (vm_insert_page's mapping) frees the page later.
    leaks.free(vaOf(k, pfn * 4096));
  }
  function __get_free_pages(gfp_mask: number, order: number): bigint {
    const page = alloc_pages(gfp_mask, order);
    return page === 0n ? 0n : page_address(page);
  }
  function free_pages(addr: bigint, order: number): void {
    if (addr !== 0n) __free_pages(virt_to_page(addr), order);
  }
  function page_to_pfn(page: bigint): bigint {
    return BigInt(pagePfn(env, page, 'page_to_pfn'));
  }
  function page_address(page: bigint): bigint {
    return vaOf(k, BigInt(pagePfn(env, page, 'page_address')) * PAGE);
  }
  function virt_to_page(kaddr: bigint): bigint {
    return pageOf(env, paOf(k, kaddr) >> 12n);
  }
  const flag = (fn: string, bit: number) => (page: bigint): boolean => (m.flags[pagePfn(env, page, fn)]! & bit) !== 0;

  return {
    PAGE_SHIFT: BigInt(PAGE_SHIFT_HOME),
    PAGE_SIZE: PAGE,
    PAGE_MASK: MASK64 & ~(PAGE - 1n),
    PMD_SHIFT: 21n,
    PMD_SIZE: 1n << 21n,
    PMD_MASK: MASK64 & ~((1n << 21n) - 1n),
    PUD_SHIFT: 30n,
    PUD_SIZE: 1n << 30n,
    PUD_MASK: MASK64 & ~((1n << 30n) - 1n),
    P4D_SHIFT: 39n,
    PGDIR_SHIFT: five ? 48n : 39n,
    PTRS_PER_PGD: 512n,
    PTRS_PER_P4D: five ? 512n : 1n,
    PTRS_PER_PUD: 512n,
    PTRS_PER_PMD: 512n,
    PTRS_PER_PTE: 512n,
    PAGE_OFFSET: pageOffset(k),
    VMALLOC_START: vmalloc.start,
    VMALLOC_END: vmalloc.end - 1n,
    VMEMMAP_START: vmemmapStart(kmm.levels),
    MAX_PAGE_ORDER,
    PAGE_ALIGN: (x) => (BigInt(x) + PAGE - 1n) & MASK64 & ~(PAGE - 1n),
    PFN_PHYS: (pfn) => pfn << 12n,
    PHYS_PFN: (p) => p >> 12n,
    get_order: (size) => getOrder(sizeArg(size, 'get_order')),
    alloc_pages,
    alloc_page: (gfp) => alloc_pages(gfp, 0),
    __free_pages,
    __free_page: (page) => __free_pages(page, 0),
    __get_free_pages,
    __get_free_page: (gfp) => __get_free_pages(gfp, 0),
    get_zeroed_page: (gfp) => __get_free_pages(gfp | LINUX_GFP_ZERO, 0),
    free_pages,
    free_page: (addr) => free_pages(addr, 0),
    page_to_pfn,
    pfn_to_page: (pfn) => pageOf(env, pfn),
    page_to_phys: (page) => page_to_pfn(page) << 12n,
    page_address,
    virt_to_page,
    virt_to_pfn: (kaddr) => paOf(k, kaddr) >> 12n,
    virt_to_phys: (x) => paOf(k, x),
    phys_to_virt: (p) => vaOf(k, p),
    __pa: (x) => paOf(k, x),
    __va: (p) => vaOf(k, p),
    pfn_valid: (pfn) => pfn >= 0n && pfn < BigInt(m.nrFrames),
    virt_addr_valid: (kaddr) => {
      const off = kaddr - pageOffset(k);
      return off >= 0n && off < BigInt(m.nrFrames) * PAGE;
    },
    get_page: (page) => kmm.buddy.getPage(pagePfn(env, page, 'get_page')),
    put_page: (page) => {
      const pfn = m.compoundHead(pagePfn(env, page, 'put_page'));
      const last = m.refcount[pfn] === 1;
      if (last) checkFreeable('put_page', pfn);
      kmm.buddy.putPage(pfn);
      if (last) leaks.free(vaOf(k, pfn * 4096));
    },
    page_count: (page) => m.refcount[m.compoundHead(pagePfn(env, page, 'page_count'))]!,
    page_ref_count: (page) => m.refcount[pagePfn(env, page, 'page_ref_count')]!,
    page_mapcount: (page) => m.pageMapcount(pagePfn(env, page, 'page_mapcount')),
    compound_head: (page) => pageOf(env, m.compoundHead(pagePfn(env, page, 'compound_head'))),
    compound_order: (page) => {
      const pfn = pagePfn(env, page, 'compound_order');
      return m.flags[pfn]! & PG_head ? m.order[pfn]! : 0;
    },
    PageCompound: flag('PageCompound', PG_head | PG_tail),
    PageHead: flag('PageHead', PG_head),
    PageTail: flag('PageTail', PG_tail),
    PageTransHuge: (page) => {
      const pfn = pagePfn(env, page, 'PageTransHuge');
      return (m.flags[pfn]! & PG_head) !== 0 && m.order[pfn] === HPAGE_PMD_ORDER;
    },
    PageHuge: (page) => {
      pagePfn(env, page, 'PageHuge');
      return false;
    },
    PageAnon: (page) => (m.flags[m.compoundHead(pagePfn(env, page, 'PageAnon'))]! & PG_anon) !== 0,
    PageSlab: (page) => (m.flags[m.compoundHead(pagePfn(env, page, 'PageSlab'))]! & PG_slab) !== 0,
    PageReserved: flag('PageReserved', PG_reserved),
    PageBuddy: flag('PageBuddy', PG_buddy),
    copy_page: (to, from) => kernelWrite(k, to, kernelRead(k, from, 4096, 'copy_page'), 'copy_page'),
    clear_page: (page) => kernelWrite(k, page, new Uint8Array(4096), 'clear_page'),
    copy_highpage: (to, from) => kernelWrite(k, page_address(to), kernelRead(k, page_address(from), 4096, 'copy_highpage'), 'copy_highpage'),
    clear_highpage: (page) => kernelWrite(k, page_address(page), new Uint8Array(4096), 'clear_highpage'),
  };
}
