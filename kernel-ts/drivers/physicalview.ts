// /dev/physicalview: the virtual -> physical lookup of COMP3000's
// 3000physicalview.c (Tutorial 8), as a vmlab kernel module.
//
//   struct physicalview_memory { unsigned long virt; unsigned long phys; };
//   #define PHYSICALVIEW_WALK _IOWR('k', 1, struct physicalview_memory)
//
// The ioctl copies the struct in with copy_from_user, walks the calling
// task's page tables for `virt` level by level (physicalview-walk.ts: pgd,
// p4d (a real level with --paging 5), pud, pmd, pte; 1G and 2M leaves
// handled), stores the physical address of the byte in `phys` (0 when the
// address is not mapped: the user program prints UNKNOWN) and copies the
// struct back with copy_to_user. The struct goes through a kmalloc'd kernel
// buffer, as the original does, so kmem:kmalloc shows the driver's 16-byte
// allocations.
//
// Differences from the original, each Linux's convention: an unknown ioctl
// number is -ENOTTY (the original says -EINVAL; ENOTTY is what
// Documentation/driver-api/ioctl.rst asks for), and a failed kmalloc is
// -ENOMEM (the original says -EFAULT). A bad user pointer is -EFAULT and
// the kernel, and the caller, carry on.
import type { File, FileOperations, KernelModule, ModuleContext } from '../module/api';
import { EFAULT, ENOMEM, ENOTTY } from '../errno';
import { hex16, walkUserVa } from './physicalview-walk';
import { TWO32 } from '../../emu/machine/cpu/int64';

/** asm-generic/ioctl.h: _IOC(dir, type, nr, size). */
const IOC_WRITE = 1;
const IOC_READ = 2;
function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}

/** sizeof(struct physicalview_memory): two u64. */
export const PHYSICALVIEW_MEMORY_SIZE = 16;
/** _IOWR('k', 1, struct physicalview_memory) = 0xc0106b01. */
export const PHYSICALVIEW_WALK = ioc(IOC_READ | IOC_WRITE, 'k'.charCodeAt(0), 1, PHYSICALVIEW_MEMORY_SIZE);

export const DEVICE_NAME = 'physicalview';

/** get_physical(): the physical address of user byte `addr` in current's mm, 0 if not mapped (logged, as the original). */
function getPhysical(m: ModuleContext, addr: number): number {
  const mm = m.current().mm;
  if (mm === null) return 0;
  const w = walkUserVa(m.kernel.mm, mm, addr);
  if (w.missing !== null) {
    m.printk(`Invalid ${w.missing} for address ${hex16(addr)}`);
    return 0;
  }
  return w.phys;
}

/** physicalview_ioctl(): see the file comment. 0 or -errno. */
function physicalviewIoctl(m: ModuleContext, cmd: number, arg: number): number {
  if (cmd !== PHYSICALVIEW_WALK) return -ENOTTY;
  const kmm = m.kernel.mm;
  const mm = m.current().mm;
  if (mm === null) return -EFAULT;
  const mem = kmm.kmalloc(PHYSICALVIEW_MEMORY_SIZE);
  if (mem === 0) {
    m.printk('Unable to allocate space for struct');
    return -ENOMEM;
  }
  try {
    const inp = kmm.copyFromUser(mm, arg, PHYSICALVIEW_MEMORY_SIZE);
    if (typeof inp === 'number') {
      m.printk('Unable to copy struct from user');
      return -EFAULT;
    }
    kmm.mem.writeBytes(mem, inp);
    // mem->virt is a u64; an address at or above 2^53 is no user address and reads as unmapped.
    const virtLo = kmm.mem.read32(mem);
    const virtHi = kmm.mem.read32(mem + 4) >>> 0;
    const virt = virtHi < 0x200000 ? virtHi * TWO32 + (virtLo >>> 0) : -1;
    const phys = virt >= 0 && virt < mm.taskSize ? getPhysical(m, virt) : 0;
    kmm.mem.write32(mem + 8, phys >>> 0);
    kmm.mem.write32(mem + 12, Math.floor(phys / TWO32));
    if (kmm.copyToUser(mm, arg, kmm.mem.readBytes(mem, PHYSICALVIEW_MEMORY_SIZE)) !== 0) {
      m.printk('Unable to copy struct to user');
      return -EFAULT;
    }
    return 0;
  } finally {
    kmm.kfree(mem);
  }
}

function fops(m: ModuleContext): FileOperations {
  return {
    open: (): number => {
      m.printk('physicalview open');
      return 0;
    },
    release: (): void => m.printk('physicalview closed'),
    ioctl: (_file: File, cmd: number, arg: number): number => physicalviewIoctl(m, cmd, arg),
  };
}

const physicalview: KernelModule = {
  name: 'physicalview',
  description: 'Walk the page table for a userspace virtual address (ioctl PHYSICALVIEW_WALK on /dev/physicalview)',
  license: 'GPL',
  init(m) {
    m.printk('physicalview initializing');
    const major = m.registerChrdev(DEVICE_NAME, fops(m));
    if (major < 0) {
      m.printk('Failed to register physicalview as a character device!');
      return major;
    }
    m.printk(`physicalview is loaded and registered with major number ${major}!`);
    return 0;
  },
  exit(m) {
    m.printk('physicalview cleanup complete');
  },
};
export default physicalview;
