// include/slab.d.ts: kmalloc and friends return direct-map addresses with
// Linux's GFP values; what a module leaves allocated is reported at its end
// (kmemleak) and freed.
import { describe, expect, it } from 'vitest';
import { boot, dmesg } from './mm-support';

describe('GFP flags', () => {
  it('have Linux 6.1 values', () => {
    const { L } = boot();
    expect([L.GFP_KERNEL, L.GFP_ATOMIC, L.GFP_NOWAIT, L.GFP_NOFS, L.GFP_USER, L.GFP_HIGHUSER_MOVABLE, L.GFP_KERNEL_ACCOUNT, L.__GFP_ZERO]).toEqual([
      0xcc0, 0xa20, 0x800, 0xc40, 0x100cc0, 0x100cca, 0x400cc0, 0x100,
    ]);
  });
});

describe('kmalloc', () => {
  it('returns the direct-map address of the slab object; virt_to_phys gives its physical address', () => {
    const { k, L } = boot();
    const p = L.kmalloc(16, L.GFP_KERNEL);
    const pa = Number(L.virt_to_phys(p));
    expect(p).toBe(0xffff888000000000n + BigInt(pa));
    expect(k.mm.slab.ksize(pa)).toBe(16);
    expect([L.ksize(p), L.kmalloc(0, L.GFP_KERNEL), L.kmalloc(5n << 20n, L.GFP_KERNEL)]).toEqual([16, 16n, 0n]);
    const q = L.kmalloc(16n, L.GFP_KERNEL);
    expect(q - p).toBe(16n); // the next object of kmalloc-16
    L.kfree(p);
    L.kfree(q);
    L.kfree(0n);
    L.kfree(L.ZERO_SIZE_PTR);
  });

  it('kzalloc zeroes, krealloc keeps the contents, kcalloc overflows to NULL', () => {
    const { k, L } = boot();
    const p = L.kmalloc(64, L.GFP_KERNEL);
    k.mm.mem.write32(Number(L.__pa(p)), 0x11223344);
    L.kfree(p);
    const z = L.kzalloc(64, L.GFP_KERNEL);
    expect(z).toBe(p); // SLUB reuses the object freed last
    expect(k.mm.mem.read32(Number(L.__pa(z)))).toBe(0);
    k.mm.mem.write32(Number(L.__pa(z)), 0x55667788);
    expect(L.krealloc(z, 60, L.GFP_KERNEL)).toBe(z);
    const r = L.krealloc(z, 200, L.GFP_KERNEL);
    expect(L.ksize(r)).toBe(256);
    expect(k.mm.mem.read32(Number(L.__pa(r)))).toBe(0x55667788);
    expect(L.kcalloc(1n << 62n, 8, L.GFP_KERNEL)).toBe(0n);
    L.kfree(r);
  });

  it('kfree of a pointer kmalloc did not return is an error naming kfree', () => {
    const { L } = boot();
    const p = L.kmalloc(32, L.GFP_KERNEL);
    expect(() => L.kfree(p + 8n)).toThrow(/^kfree: kfree of 0xffff8880[0-9a-f]{8}: not the start of a kmalloc-32 object$/);
    L.kfree(p);
    expect(() => L.kfree(p)).toThrow('double free');
    expect(() => L.kfree(0x1000n)).toThrow('kfree: 0x1000 is not a kmalloc pointer');
  });

  it('kvmalloc: kmalloc when it can, vmalloc past KMALLOC_MAX_SIZE; kvfree frees either', () => {
    const { L } = boot();
    const a = L.kvmalloc(100, L.GFP_KERNEL);
    const b = L.kvmalloc(8n << 20n, L.GFP_KERNEL);
    expect([L.is_vmalloc_addr(a), L.is_vmalloc_addr(b)]).toEqual([false, true]);
    L.kvfree(a);
    L.kvfree(b);
  });
});

describe('kmemleak at the module\'s end', () => {
  it('reports each object left, with its task, a hex dump and the stack, and frees it', () => {
    const { k, lm, L } = boot();
    const owned = (): number[] => [1, 6].map((o) => k.mm.buddy.pagesOwnedBy(o as 1 | 6)); // Owner.Kernel, Owner.Vmalloc
    const before = owned();
    const objs = k.mm.slab.caches.map((c) => c.activeObjs);
    const p = L.kmalloc(16, L.GFP_KERNEL);
    k.mm.mem.write32(Number(L.__pa(p)), 10);
    const v = L.vmalloc(3 * 4096);
    const page = L.alloc_pages(L.GFP_KERNEL, 1);
    const freed = L.kmalloc(8, L.GFP_KERNEL);
    L.kfree(freed);
    expect(lm.kmemleak.count).toBe(3);
    lm.retire();
    const log = dmesg(k).filter((l) => l.startsWith('kmemleak: '));
    expect(log[0]).toBe(`kmemleak: unreferenced object 0x${p.toString(16)} (size 16):`);
    expect(log[1]).toBe('kmemleak:   comm "swapper/0", pid 0, jiffies 4294892296 (age 0.000s)');
    expect(log.slice(2, 4)).toEqual(['kmemleak:   hex dump (first 16 bytes):', 'kmemleak:     0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................']);
    expect(log[4]).toBe('kmemleak:   backtrace:');
    expect(log.some((l) => /^kmemleak: {6}kmalloc\b/.test(l))).toBe(true);
    expect(log).toContain(`kmemleak: unreferenced object 0x${v.toString(16)} (size 12288):`);
    expect(log).toContain(`kmemleak: unreferenced object 0x${L.page_address(page).toString(16)} (size 8192):`);
    expect(log.at(-1)).toBe('kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)');
    expect(owned()).toEqual(before);
    expect(k.mm.slab.caches.map((c) => c.activeObjs)).toEqual(objs);
  });
});

describe('kmemleak and pages handed on', () => {
  it('a page the module freed while another reference holds it is no leak of the module; one it kept is', () => {
    const { k, lm, L } = boot();
    const shared = L.alloc_page(L.GFP_KERNEL);
    L.get_page(shared); // a second holder (as vm_insert_page's mapping)
    L.__free_page(shared);
    const kept = L.alloc_page(L.GFP_KERNEL);
    L.get_page(kept);
    L.put_page(kept);
    expect(lm.kmemleak.count).toBe(1);
    lm.retire();
    expect(dmesg(k).filter((l) => l.startsWith('kmemleak: unreferenced'))).toEqual([`kmemleak: unreferenced object 0x${L.page_address(kept).toString(16)} (size 4096):`]);
    expect(L.page_count(shared)).toBe(1);
    L.put_page(shared);
  });
});
