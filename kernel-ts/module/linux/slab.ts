// <linux/slab.h> over the kernel's SLUB (mm/slab.ts), whose pointers are
// physical addresses: here they are direct-map addresses, as Linux's are.
// GFP flags have Linux's values and are translated to the allocator's bits.
import type { LinuxEnv } from './env';
import type * as Decl from './include/slab';
import { KMALLOC_MAX_CACHE_SIZE, KMALLOC_MAX_SIZE, __GFP_ACCOUNT as K_ACCOUNT, __GFP_COMP as K_COMP, __GFP_FS as K_FS, __GFP_IO as K_IO, __GFP_NOWARN as K_NOWARN, __GFP_RECLAIM as K_RECLAIM, __GFP_ZERO as K_ZERO } from '../../mm/slab';
import { KERN_WARNING } from '../../printk';
import { MASK64, fromKva, kernelWrite, sizeArg, toKva, va as vaOf, vmallocRange } from './kmem';

// include/linux/gfp_types.h (Linux 6.1).
const G = {
  DMA: 0x01,
  HIGHMEM: 0x02,
  DMA32: 0x04,
  MOVABLE: 0x08,
  RECLAIMABLE: 0x10,
  HIGH: 0x20,
  IO: 0x40,
  FS: 0x80,
  ZERO: 0x100,
  ATOMIC: 0x200,
  DIRECT_RECLAIM: 0x400,
  KSWAPD_RECLAIM: 0x800,
  NOWARN: 0x2000,
  RETRY_MAYFAIL: 0x4000,
  NOFAIL: 0x8000,
  NORETRY: 0x10000,
  COMP: 0x40000,
  HARDWALL: 0x100000,
  ACCOUNT: 0x400000,
} as const;
/** __GFP_ZERO's Linux value, for page.ts and vmalloc.ts. */
export const LINUX_GFP_ZERO = G.ZERO;
const RECLAIM = G.DIRECT_RECLAIM | G.KSWAPD_RECLAIM;
const GFP_KERNEL = RECLAIM | G.IO | G.FS;
const ZERO_SIZE_PTR = 16n;

/** Linux GFP bits to the slab allocator's (for its kmem:kmalloc tracepoint). */
function kernelGfp(gfp: number): number {
  let r = 0;
  if (gfp & G.IO) r |= K_IO;
  if (gfp & G.FS) r |= K_FS;
  if ((gfp & RECLAIM) === RECLAIM) r |= K_RECLAIM;
  if (gfp & G.ZERO) r |= K_ZERO;
  if (gfp & G.COMP) r |= K_COMP;
  if (gfp & G.NOWARN) r |= K_NOWARN;
  if (gfp & G.ACCOUNT) r |= K_ACCOUNT;
  return r;
}

export function slabApi(env: LinuxEnv): typeof Decl {
  const k = env.kernel;
  const kmm = k.mm;
  const leaks = env.module.kmemleak;

  /** The kmalloc pointer (physical address) behind a kernel address; throws naming fn if it is outside the direct map. */
  function slabPointer(objp: bigint, fn: string): number {
    const pa = kmm.virtToPhys(toKva(objp));
    if (pa < 0 || pa >= kmm.mem.size) throw new Error(`${fn}: 0x${objp.toString(16)} is not a kmalloc pointer`);
    return pa;
  }

  function kmalloc(size: number | bigint, flags: number): bigint {
    const n = sizeArg(size, 'kmalloc');
    if (n === 0) return ZERO_SIZE_PTR;
    if (n > KMALLOC_MAX_SIZE) return 0n;
    const pa = kmm.kmalloc(n, kernelGfp(flags));
    if (pa === 0) return 0n;
    const p = vaOf(k, pa);
    leaks.alloc('kmalloc', p, n);
    return p;
  }
  function kfree(objp: bigint): void {
    if (objp === 0n || objp === ZERO_SIZE_PTR) return;
    const pa = slabPointer(objp, 'kfree');
    try {
      kmm.kfree(pa);
    } catch (e) {
      // slab.ts's broken-invariant message, named as Linux's BUG names the function.
      throw new Error(`kfree: ${(e as Error).message}`);
    }
    leaks.free(objp);
  }
  function ksize(objp: bigint): number {
    if (objp === 0n || objp === ZERO_SIZE_PTR) return 0;
    return kmm.slab.ksize(slabPointer(objp, 'ksize'));
  }
  function kmalloc_array(n: number | bigint, size: number | bigint, flags: number): bigint {
    const total = BigInt(n) * BigInt(size);
    if (total > MASK64) return 0n;
    return kmalloc(total, flags);
  }
  function krealloc(p: bigint, new_size: number | bigint, flags: number): bigint {
    const n = sizeArg(new_size, 'krealloc');
    if (n === 0) {
      kfree(p);
      return ZERO_SIZE_PTR;
    }
    if (p === 0n || p === ZERO_SIZE_PTR) return kmalloc(n, flags);
    const old = ksize(p);
    if (n <= old) return p;
    const q = kmalloc(n, flags);
    if (q === 0n) return 0n;
    const from = slabPointer(p, 'krealloc');
    kmm.mem.writeBytes(slabPointer(q, 'krealloc'), kmm.mem.readBytes(from, Math.min(old, n)));
    kfree(p);
    return q;
  }
  function vmallocAddr(addr: bigint): boolean {
    const { start, end } = vmallocRange(k);
    return addr >= start && addr < end;
  }
  function kvmalloc(size: number | bigint, flags: number): bigint {
    const n = sizeArg(size, 'kvmalloc');
    const p = n <= KMALLOC_MAX_SIZE ? kmalloc(n, flags | G.NOWARN) : 0n;
    if (p !== 0n) return p;
    const v = kmm.vmalloc(n);
    if (v === null) return 0n;
    const addr = fromKva(v);
    leaks.alloc('vmalloc', addr, n);
    return addr;
  }

  return {
    __GFP_DMA: G.DMA,
    __GFP_HIGHMEM: G.HIGHMEM,
    __GFP_DMA32: G.DMA32,
    __GFP_MOVABLE: G.MOVABLE,
    __GFP_RECLAIMABLE: G.RECLAIMABLE,
    __GFP_HIGH: G.HIGH,
    __GFP_IO: G.IO,
    __GFP_FS: G.FS,
    __GFP_ZERO: G.ZERO,
    __GFP_ATOMIC: G.ATOMIC,
    __GFP_DIRECT_RECLAIM: G.DIRECT_RECLAIM,
    __GFP_KSWAPD_RECLAIM: G.KSWAPD_RECLAIM,
    __GFP_RECLAIM: RECLAIM,
    __GFP_NOWARN: G.NOWARN,
    __GFP_RETRY_MAYFAIL: G.RETRY_MAYFAIL,
    __GFP_NOFAIL: G.NOFAIL,
    __GFP_NORETRY: G.NORETRY,
    __GFP_COMP: G.COMP,
    __GFP_HARDWALL: G.HARDWALL,
    __GFP_ACCOUNT: G.ACCOUNT,
    GFP_KERNEL,
    GFP_KERNEL_ACCOUNT: GFP_KERNEL | G.ACCOUNT,
    GFP_ATOMIC: G.HIGH | G.ATOMIC | G.KSWAPD_RECLAIM,
    GFP_NOWAIT: G.KSWAPD_RECLAIM,
    GFP_NOIO: RECLAIM,
    GFP_NOFS: RECLAIM | G.IO,
    GFP_USER: GFP_KERNEL | G.HARDWALL,
    GFP_HIGHUSER: GFP_KERNEL | G.HARDWALL | G.HIGHMEM,
    GFP_HIGHUSER_MOVABLE: GFP_KERNEL | G.HARDWALL | G.HIGHMEM | G.MOVABLE,
    GFP_DMA: G.DMA,
    GFP_DMA32: G.DMA32,
    ZERO_SIZE_PTR,
    KMALLOC_MAX_CACHE_SIZE,
    KMALLOC_MAX_SIZE,
    kmalloc,
    kzalloc: (size, flags) => kmalloc(size, flags | G.ZERO),
    kmalloc_array,
    kcalloc: (n, size, flags) => kmalloc_array(n, size, flags | G.ZERO),
    krealloc,
    kfree,
    kfree_sensitive: (objp) => {
      if (objp !== 0n && objp !== ZERO_SIZE_PTR) kernelWrite(k, objp, new Uint8Array(ksize(objp)), 'kfree_sensitive');
      kfree(objp);
    },
    ksize,
    kvmalloc,
    kvzalloc: (size, flags) => kvmalloc(size, flags | G.ZERO),
    kvfree: (addr) => {
      if (!vmallocAddr(addr)) return kfree(addr);
      if (kmm.vfree(toKva(addr)) < 0) {
        k.printk.log(`Trying to vfree() nonexistent vm area (0x${addr.toString(16)})`, KERN_WARNING);
        return;
      }
      leaks.free(addr);
    },
  };
}
