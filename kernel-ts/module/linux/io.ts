// <asm/io.h>-style kernel loads and stores through the MMU (kmem.ts).
import type { LinuxEnv } from './env';
import type * as Decl from './include/io';
import { EFAULT } from '../../errno';
import { KernelGeneralProtection, KernelPageFault } from './fault';
import { MASK64, isUserAddress, kernelRead, kernelWrite, sizeArg } from './kmem';

export function ioApi(env: LinuxEnv): typeof Decl {
  const k = env.kernel;
  const load = (addr: bigint, n: number, fn: string): DataView => {
    const b = kernelRead(k, addr & MASK64, n, fn);
    return new DataView(b.buffer, b.byteOffset, n);
  };
  const store = (addr: bigint, n: number, fn: string, set: (dv: DataView) => void): void => {
    const b = new Uint8Array(n);
    set(new DataView(b.buffer));
    kernelWrite(k, addr & MASK64, b, fn);
  };
  const nofault = (addr: bigint, op: () => void): number => {
    if (isUserAddress(k, addr & MASK64)) return -EFAULT;
    try {
      op();
      return 0;
    } catch (e) {
      if (e instanceof KernelPageFault || e instanceof KernelGeneralProtection) return -EFAULT;
      throw e;
    }
  };
  /** count as a number that fits buf, or a clear error naming fn (C would overrun the buffer). */
  const fits = (buf: Uint8Array, count: number | bigint, fn: string): number => {
    const n = sizeArg(count, fn);
    if (n > buf.length) throw new RangeError(`${fn}: count ${n} exceeds the buffer (${buf.length} bytes)`);
    return n;
  };
  return {
    readb: (addr) => load(addr, 1, 'readb').getUint8(0),
    readw: (addr) => load(addr, 2, 'readw').getUint16(0, true),
    readl: (addr) => load(addr, 4, 'readl').getUint32(0, true),
    readq: (addr) => load(addr, 8, 'readq').getBigUint64(0, true),
    writeb: (v, addr) => store(addr, 1, 'writeb', (dv) => dv.setUint8(0, v & 0xff)),
    writew: (v, addr) => store(addr, 2, 'writew', (dv) => dv.setUint16(0, v & 0xffff, true)),
    writel: (v, addr) => store(addr, 4, 'writel', (dv) => dv.setUint32(0, v >>> 0, true)),
    writeq: (v, addr) => store(addr, 8, 'writeq', (dv) => dv.setBigUint64(0, v & MASK64, true)),
    memcpy_fromio: (to, from, count) => to.set(kernelRead(k, from & MASK64, fits(to, count, 'memcpy_fromio'), 'memcpy_fromio')),
    memcpy_toio: (to, from, count) => kernelWrite(k, to & MASK64, from.subarray(0, fits(from, count, 'memcpy_toio')), 'memcpy_toio'),
    memset_io: (addr, value, count) => kernelWrite(k, addr & MASK64, new Uint8Array(sizeArg(count, 'memset_io')).fill(value & 0xff), 'memset_io'),
    copy_from_kernel_nofault: (dst, src, count) => nofault(src, () => dst.set(kernelRead(k, src & MASK64, fits(dst, count, 'copy_from_kernel_nofault'), 'copy_from_kernel_nofault'))),
    copy_to_kernel_nofault: (dst, src, count) => nofault(dst, () => kernelWrite(k, dst & MASK64, src.subarray(0, fits(src, count, 'copy_to_kernel_nofault')), 'copy_to_kernel_nofault')),
  };
}
