// <asm/tlbflush.h> over mm/pgtable.ts's flushTlbPage / tlbFinish (TlbGather).
import type { LinuxEnv } from './env';
import type * as Decl from './include/tlbflush';
import { TLB_LOCAL_SHOOTDOWN, TLB_SINGLE_PAGE_FLUSH_CEILING, TlbGather, flushTlbPage, tlbFinish } from '../../mm/pgtable';
import type { MmStruct } from '../../mm/mm-struct';
import { MASK64, internalMm, internalVma } from './kmem';

const PAGE = 4096n;
const lo = (a: bigint): number => Number(a & 0xffffffffn);
const hi = (a: bigint): number => Number((a >> 32n) & 0xffffffffn);

export function tlbflushApi(env: LinuxEnv): typeof Decl {
  const k = env.kernel;
  const kmm = k.mm;

  /** The pages of [start, end) of mm (null: kernel), gathered as mmu_gather does. */
  function range(mm: MmStruct | null, start: bigint, end: bigint): void {
    const g = new TlbGather().reset(mm);
    for (let a = start & ~(PAGE - 1n) & MASK64; a < end; a += PAGE) {
      if (g.pages++ < TLB_SINGLE_PAGE_FLUSH_CEILING) {
        g.lo.push(lo(a));
        g.hi.push(hi(a));
      }
    }
    tlbFinish(kmm, g);
  }
  function flush_tlb_all(): void {
    kmm.mmu.invpcid(2, 0, 0, 0);
    if (kmm.traceTlb) kmm.traceTlbFlush(-1, TLB_LOCAL_SHOOTDOWN);
  }

  return {
    tlb_single_page_flush_ceiling: TLB_SINGLE_PAGE_FLUSH_CEILING,
    flush_tlb_page: (vma, addr) => flushTlbPage(kmm, internalVma(k, vma, 'flush_tlb_page').mm, lo(addr), hi(addr)),
    flush_tlb_range: (vma, start, end) => range(internalVma(k, vma, 'flush_tlb_range').mm, start, end),
    flush_tlb_mm: (mm) => {
      const m = internalMm(k, mm, 'flush_tlb_mm');
      const g = new TlbGather().reset(m);
      g.pages = TLB_SINGLE_PAGE_FLUSH_CEILING + 1; // tlbFinish's whole-PCID branch
      tlbFinish(kmm, g);
    },
    flush_tlb_all,
    flush_tlb_kernel_range: (start, end) => {
      if ((end - start) / PAGE > BigInt(TLB_SINGLE_PAGE_FLUSH_CEILING)) return flush_tlb_all();
      for (let a = start & ~(PAGE - 1n); a < end; a += PAGE) flushTlbPage(kmm, null, lo(a), hi(a));
    },
    flush_tlb_one_kernel: (addr) => flushTlbPage(kmm, null, lo(addr), hi(addr)),
  };
}
