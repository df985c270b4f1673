// include/io.d.ts: kernel loads and stores through the MMU; a fault is a
// KernelPageFault carrying what Linux's oops prints.
import { describe, expect, it } from 'vitest';
import { KernelGeneralProtection, KernelPageFault } from '../../../../kernel-ts/module/linux/fault';
import { boot, bootWithProcess } from './mm-support';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('readb..writeq', () => {
  it('read and write kmalloc memory little-endian, as RAM holds it', () => {
    const { k, L } = boot();
    const p = L.kzalloc(16, L.GFP_KERNEL);
    L.writel(0x11223344, p);
    L.writeq(0x8877665544332211n, p + 8n);
    expect([L.readb(p), L.readw(p), L.readl(p), L.readq(p + 8n)]).toEqual([0x44, 0x3344, 0x11223344, 0x8877665544332211n]);
    expect(k.mm.mem.read32(Number(L.__pa(p)))).toBe(0x11223344);
    L.writeb(0x1ff, p);
    expect(L.readl(p)).toBe(0x112233ff);
    const buf = new Uint8Array(4);
    L.memcpy_fromio(buf, p + 8n, 4);
    expect([...buf]).toEqual([0x11, 0x22, 0x33, 0x44]);
    L.memset_io(p, 0xab, 3);
    L.memcpy_toio(p + 12n, new Uint8Array([1, 2, 3, 4]), 2);
    expect([L.readl(p), L.readl(p + 12n)]).toEqual([0x11ababab, 0x88770201]);
    expect(() => L.memcpy_fromio(buf, p, 5)).toThrow('memcpy_fromio: count 5 exceeds the buffer (4 bytes)');
  });

  it('a u64 across two vmalloc pages reads both frames', () => {
    const { k, L } = boot();
    const v = L.vmalloc(2 * 4096);
    L.writeq(0x0102030405060708n, v + 4092n);
    expect(L.readq(v + 4092n)).toBe(0x0102030405060708n);
    expect(k.mm.mem.read32(Number(L.vmalloc_to_pfn(v + 4096n)) * 4096)).toBe(0x01020304);
  });
});

describe('faults', () => {
  it('the guard page after a vmalloc area: not-present supervisor read', () => {
    const { L } = boot();
    const v = L.vmalloc(4096);
    const e = thrown(() => L.readq(v + 4096n)) as KernelPageFault;
    expect(e).toBeInstanceOf(KernelPageFault);
    expect([e.address, e.errorCode, e.fn, e.userAddress]).toEqual([v + 4096n, 0, 'readq', false]);
    expect(e.lines()).toEqual([
      'BUG: unable to handle page fault for address: ffffc90000001000',
      '#PF: supervisor read access in kernel mode',
      '#PF: error_code(0x0000) - not-present page',
    ]);
    const w = thrown(() => L.writel(1, v + 8192n)) as KernelPageFault;
    expect([w.errorCode, w.lines()[1]]).toEqual([2, '#PF: supervisor write access in kernel mode']);
  });

  it('NULL: the NULL-pointer BUG line', () => {
    const { L } = boot();
    const e = thrown(() => L.readl(0n)) as KernelPageFault;
    expect([e.lines()[0], e.userAddress]).toEqual(['BUG: kernel NULL pointer dereference, address: 0000000000000000', true]);
  });

  it('a present user page: SMAP makes it a protection violation; copy_from_kernel_nofault refuses it', () => {
    const s = bootWithProcess();
    const a = s.mmapAnon(4096, 0x400000000);
    expect(s.k.mm.putUser64(s.t.mm!, a, 42n)).toBe(0);
    const e = thrown(() => s.L.readq(BigInt(a))) as KernelPageFault;
    expect([e.errorCode, e.userAddress, e.lines()[2]]).toEqual([1, true, '#PF: error_code(0x0001) - permissions violation']);
    const w = thrown(() => s.L.writeq(1n, BigInt(a))) as KernelPageFault;
    expect(w.errorCode).toBe(3);
    expect(s.L.copy_from_kernel_nofault(new Uint8Array(8), BigInt(a), 8)).toBe(-14);
  });

  it('a non-canonical address is a general protection fault', () => {
    const { L } = boot();
    const e = thrown(() => L.readb(0xdead000000000100n)) as KernelGeneralProtection;
    expect(e).toBeInstanceOf(KernelGeneralProtection);
    expect(e.lines()).toEqual(['general protection fault, probably for non-canonical address 0xdead000000000100']);
  });

  it('copy_from_kernel_nofault: 0 or -EFAULT, never an oops', () => {
    const { L } = boot();
    const p = L.kmalloc(8, L.GFP_KERNEL);
    L.writeq(7n, p);
    const b = new Uint8Array(8);
    expect(L.copy_from_kernel_nofault(b, p, 8)).toBe(0);
    expect(b[0]).toBe(7);
    expect(L.copy_from_kernel_nofault(b, L.VMALLOC_START + (1n << 30n), 8)).toBe(-14);
    expect(L.copy_to_kernel_nofault(L.VMALLOC_START + (1n << 30n), b, 8)).toBe(-14);
  });

  it('inside a module call the fault is an oops of that call, the kernel goes on', () => {
    const s = bootWithProcess();
    const r = s.lm.guard('read', -14, () => Number(s.L.readq(s.L.VMALLOC_START + (1n << 30n))));
    expect(r).toBe(-14);
    expect(s.k.printk.all().some((l) => l.text.includes('unable to handle page fault for address: ffffc90040000000'))).toBe(true);
  });
});
