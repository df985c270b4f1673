// <linux/vmalloc.h> over the kernel's vmalloc area (mm/kaddr.ts KernelSpace).
import type { LinuxEnv } from './env';
import type * as Decl from './include/vmalloc';
import { KERN_WARNING } from '../../printk';
import { fromKva, sizeArg, toKva, vmallocRange } from './kmem';
import { pageOf } from './page';

export function vmallocApi(env: LinuxEnv): typeof Decl {
  const k = env.kernel;
  const kmm = k.mm;
  const leaks = env.module.kmemleak;
  const { start, end } = vmallocRange(k);

  function vmalloc(size: number | bigint): bigint {
    const n = sizeArg(size, 'vmalloc');
    if (n === 0) return 0n;
    // KernelSpace.vmalloc maps zeroed frames: vzalloc and vmalloc_user need nothing more.
    const v = kmm.vmalloc(n);
    if (v === null) return 0n;
    const addr = fromKva(v);
    leaks.alloc('vmalloc', addr, n);
    return addr;
  }
  function vmalloc_to_pfn(addr: bigint): bigint {
    const pfn = kmm.vmallocToPfn(toKva(addr));
    return pfn < 0 ? 0n : BigInt(pfn);
  }

  return {
    vmalloc,
    vzalloc: vmalloc,
    vmalloc_user: vmalloc,
    vfree: (addr) => {
      if (addr === 0n) return;
      if (kmm.vfree(toKva(addr)) < 0) {
        // mm/vmalloc.c remove_vm_area() failing in vfree(): WARN(1, ...).
        k.printk.log(`Trying to vfree() nonexistent vm area (0x${addr.toString(16).padStart(16, '0')})`, KERN_WARNING);
        return;
      }
      leaks.free(addr);
    },
    is_vmalloc_addr: (addr) => addr >= start && addr < end,
    vmalloc_to_page: (addr) => {
      const pfn = kmm.vmallocToPfn(toKva(addr));
      return pfn < 0 ? 0n : pageOf(env, pfn);
    },
    vmalloc_to_pfn,
  };
}
