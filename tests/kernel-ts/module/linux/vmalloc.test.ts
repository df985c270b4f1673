// include/vmalloc.d.ts: vmalloc areas in the kernel page tables.
import { describe, expect, it } from 'vitest';
import { boot, dmesg } from './mm-support';

describe('vmalloc', () => {
  it.each([4, 5] as const)('%i-level: the first area starts at VMALLOC_START; each page its own frame; a guard page after', (paging) => {
    const { k, L } = boot(paging);
    const a = L.vmalloc(2 * 4096 + 1);
    expect(a).toBe(L.VMALLOC_START);
    const b = L.vzalloc(4096);
    expect(b).toBe(L.VMALLOC_START + 4n * 4096n); // 3 pages + the guard page
    const pfns = [0n, 1n, 2n].map((i) => L.vmalloc_to_pfn(a + i * 4096n));
    expect(pfns.every((p) => p > 0n)).toBe(true);
    expect(L.vmalloc_to_page(a + 4096n + 5n)).toBe(L.pfn_to_page(pfns[1]!));
    expect([L.vmalloc_to_pfn(a + 3n * 4096n), L.vmalloc_to_page(a + 3n * 4096n)]).toEqual([0n, 0n]);
    expect(L.vmalloc_to_pfn(a + 100n)).toBe(BigInt(k.mm.vmallocToPfn({ hi: Number(a >> 32n), lo: Number(a & 0xffffffffn) + 100 })));
    expect([L.is_vmalloc_addr(a), L.is_vmalloc_addr(L.PAGE_OFFSET)]).toEqual([true, false]);
    // virt_to_phys of a vmalloc address is no physical address (the lab's point): __pa is linear.
    expect(L.virt_to_phys(a)).toBe((a - L.PAGE_OFFSET) & 0xffffffffffffffffn);
    L.vfree(a);
    L.vfree(b);
    L.vfree(0n);
    expect(L.vmalloc(0)).toBe(0n);
  });

  it('vfree of an address vmalloc did not return WARNs and frees nothing', () => {
    const { k, L } = boot();
    L.vfree(L.VMALLOC_START + 4096n);
    expect(dmesg(k).at(-1)).toBe('Trying to vfree() nonexistent vm area (0xffffc90000001000)');
  });
});
