// mmapper: a kernel buffer mapped into user space three ways, and a driver's
// put_user() into user memory (docs/experiments/mmapper.md; the "Linux kernel
// module memory and user-space interaction" lab). At insmod it allocates
//
//   a kmalloc'd buffer (LEN + a page, page aligned as the lab does), filled
//     with '0' + i % 10, and
//   a vmalloc'd buffer of LEN bytes, filled with 'a' + i % 26,
//
// and creates /dev/mmapper. Each open file has a mode, set by ioctl
// MMAPPER_SET_MODE (default 1), that decides what mmap maps:
//
//   1  the kmalloc buffer, with remap_pfn_range() at mmap time: one call,
//      because the frames are contiguous (VM_IO | VM_PFNMAP);
//   2  the vmalloc buffer page by page at mmap time: vmalloc_to_pfn() of each
//      page, then remap_pfn_range() of that one page (the lab's approach 1);
//   3  the vmalloc buffer on demand: mmap only installs vm_ops and sets
//      vm_pgoff to the buffer's address >> PAGE_SHIFT; each page fault calls
//      the driver's fault handler, which finds the frame with
//      vmalloc_to_pfn() and logs "In vmalloc fault for addr ...".
//
// ioctl numbers (asm-generic/ioctl.h encoding, magic 'm'):
//   MMAPPER_SET_MODE  _IO('m', 1)                 = 0x6d01      arg = 1, 2 or 3 (and the fault count restarts at 0)
//   MMAPPER_FAULTS    _IO('m', 2)                 = 0x6d02      returns the faults the mode-3 handler served for this open file
//   MMAPPER_PUT_USER  _IOW('m', 3, unsigned long) = 0x40086d03  put_user('X', (char __user *)arg): 0 or -EFAULT
//
// MMAPPER_PUT_USER is the lab's "can kernel-mode code survive a page fault?"
// test: into a page that is mapped but not yet faulted in, the fault is taken
// in kernel mode, handled (by the driver's own fault handler when the address
// is in a mode-3 mapping), and the byte arrives; into an unmapped address
// put_user returns -EFAULT and the kernel carries on.
import type { File, FileOperations, Kernel, KernelModule, ModuleContext } from '../module/api';
import { EFAULT, EINVAL, EIO, ENODEV, ENOMEM, ENOTTY } from '../errno';
import { PAGE_SHIFT, PAGE_SIZE } from '../mm/page';
import { fmtKva, kvaAdd, kvaFromBigint, kvaToBigint } from '../mm/kaddr';
import type { KernelVa } from '../mm/slab';
import { VM_FAULT_SIGBUS } from '../mm/memory';
import { VM_DONTDUMP, VM_DONTEXPAND, VM_PFNMAP } from '../mm/vma';
import type { VmAreaStruct, VmOperations } from '../mm/vma';
import { kernelWriteBytes } from './kwalk';
import { remapPfnRange, zapPfnRange } from './mmapper-remap';

/** Bytes each buffer offers to mmap (the lab's 16384). */
export const LEN = 4 * PAGE_SIZE;

// asm-generic/ioctl.h
const IOC_NRSHIFT = 0;
const IOC_TYPESHIFT = 8;
const IOC_SIZESHIFT = 16;
const IOC_DIRSHIFT = 30;
const IOC_NONE = 0;
const IOC_WRITE = 1;
function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << IOC_DIRSHIFT) | (type << IOC_TYPESHIFT) | (nr << IOC_NRSHIFT) | (size << IOC_SIZESHIFT)) >>> 0;
}
export const MMAPPER_IOC_MAGIC = 0x6d; // 'm'
export const MMAPPER_SET_MODE = ioc(IOC_NONE, MMAPPER_IOC_MAGIC, 1, 0);
export const MMAPPER_FAULTS = ioc(IOC_NONE, MMAPPER_IOC_MAGIC, 2, 0);
export const MMAPPER_PUT_USER = ioc(IOC_WRITE, MMAPPER_IOC_MAGIC, 3, 8);

export const Mode = { Kmalloc: 1, VmallocPages: 2, VmallocFault: 3 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];
export const MODE_NAMES: Record<Mode, string> = {
  1: 'kmalloc buffer, remap_pfn_range at mmap',
  2: 'vmalloc buffer, vmalloc_to_pfn page by page at mmap',
  3: 'vmalloc buffer, mapped by the fault handler',
};

/** The byte the kernel wrote at offset i of each buffer. */
export function kmallocPattern(i: number): number {
  return 0x30 + (i % 10);
}
export function vmallocPattern(i: number): number {
  return 0x61 + (i % 26);
}

/** What one open of /dev/mmapper keeps (file->private_data). */
class MmapperOpen {
  mode: Mode = Mode.Kmalloc;
  /** Pages the mode-3 fault handler has mapped for this open file's mappings since the mode was last set. */
  faults = 0;

  constructor(
    /** The module instance (and its buffers) the file was opened on. */
    readonly m: ModuleContext,
    readonly b: Buffers,
  ) {}
}

interface Buffers {
  /** kmalloc's pointer (= physical address, slab.ts) and the page-aligned area inside it. */
  readonly kmallocPtr: number;
  readonly kmallocArea: number;
  readonly vmallocPtr: KernelVa;
}

/** The loaded module in each kernel (module state is per kernel: a host may boot several). */
const loaded = new WeakMap<Kernel, { m: ModuleContext; b: Buffers }>();

// The open file's state (set at open).
function openState(file: File): MmapperOpen | null {
  return file.private instanceof MmapperOpen ? file.private : null;
}

function fill(len: number, pattern: (i: number) => number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = pattern(i);
  return out;
}

/** %px of a struct page: its vmemmap address (VMEMMAP_START + pfn * sizeof(struct page)). */
function pagePointer(pfn: number): string {
  return `ffffea${(pfn * 64).toString(16).padStart(10, '0')}`;
}

function mmapKmalloc(m: ModuleContext, b: Buffers, vma: VmAreaStruct): number {
  const mm = m.current().mm!;
  const length = vma.vmEnd - vma.vmStart;
  const pfn = b.kmallocArea / PAGE_SIZE + vma.vmPgoff; // virt_to_phys(kmalloc_area) >> PAGE_SHIFT
  const r = remapPfnRange(m.kernel.mm, mm, vma, vma.vmStart, pfn, length);
  m.printk(`mmap_kmalloc: remap_pfn_range(0x${vma.vmStart.toString(16)}, pfn 0x${pfn.toString(16)}, ${length}) = ${r}`);
  return r;
}

function mmapVmallocPages(m: ModuleContext, b: Buffers, vma: VmAreaStruct): number {
  const kmm = m.kernel.mm;
  const mm = m.current().mm!;
  for (let i = 0; i < (vma.vmEnd - vma.vmStart) / PAGE_SIZE; i++) {
    const kaddr = kvaAdd(b.vmallocPtr, (vma.vmPgoff + i) * PAGE_SIZE);
    const pfn = kmm.vmallocToPfn(kaddr);
    const uaddr = vma.vmStart + i * PAGE_SIZE;
    const r = pfn < 0 ? -EINVAL : remapPfnRange(kmm, mm, vma, uaddr, pfn, PAGE_SIZE);
    if (r < 0) {
      // The VMA is dropped when mmap fails: take back the pages already mapped.
      zapPfnRange(kmm, mm, vma.vmStart, i * PAGE_SIZE);
      return r;
    }
    m.printk(`mmap_vmalloc: vmalloc_to_pfn(${fmtKva(kaddr)}) = 0x${pfn.toString(16)}, mapped at 0x${uaddr.toString(16)}`);
  }
  return 0;
}

function mmapVmallocFault(m: ModuleContext, b: Buffers, vma: VmAreaStruct, st: MmapperOpen): number {
  m.printk(`will mmap ${vma.vmStart.toString(16)}`);
  const kmm = m.kernel.mm;
  const ops: VmOperations = {
    name: 'mmapper_vmem_ops',
    // file_vma_fault(): vm_pgoff carries the kernel address, page by page.
    fault: (v: VmAreaStruct, address: number): number => {
      const pgoff = v.vmPgoff + (address - v.vmStart) / PAGE_SIZE;
      const kaddr = kvaFromBigint(BigInt(pgoff) << BigInt(PAGE_SHIFT));
      m.printk(`In vmalloc fault for addr ${kvaToBigint(kaddr).toString(16)}`);
      const pfn = kmm.vmallocToPfn(kaddr);
      if (pfn < 0) return -VM_FAULT_SIGBUS;
      st.faults++;
      m.printk(`returning page ${pagePointer(pfn)} (pfn 0x${pfn.toString(16)})`);
      return pfn;
    },
  };
  vma.vmOps = ops;
  vma.vmPgoff += Number(kvaToBigint(b.vmallocPtr) >> BigInt(PAGE_SHIFT));
  vma.vmFlags |= VM_DONTEXPAND | VM_DONTDUMP | VM_PFNMAP;
  m.printk(`Mapping vmalloc_area_ptr: ${fmtKva(b.vmallocPtr)}`);
  return 0;
}

function makeFops(k: Kernel): FileOperations {
  return {
    open: (_inode, file) => {
      const inst = loaded.get(k);
      if (inst === undefined) return -ENODEV;
      file.private = new MmapperOpen(inst.m, inst.b);
      return 0;
    },

    mmap: (file, vma) => {
      const st = openState(file);
      if (st === null) return -ENODEV;
      const { m, b } = st;
      if (m.current().mm === null) return -EINVAL;
      // Restrict it to the size of device memory.
      if ((vma.vmPgoff * PAGE_SIZE) + (vma.vmEnd - vma.vmStart) > LEN) return -EIO;
      let r: number;
      switch (st.mode) {
        case Mode.Kmalloc:
          r = mmapKmalloc(m, b, vma);
          break;
        case Mode.VmallocPages:
          r = mmapVmallocPages(m, b, vma);
          break;
        case Mode.VmallocFault:
          r = mmapVmallocFault(m, b, vma, st);
          break;
      }
      m.printk(`mmapper in mmap, mode ${st.mode}, ret = ${r}`);
      return r;
    },

    ioctl: (file, cmd, arg) => {
      const st = openState(file);
      if (st === null) return -ENODEV;
      const { m } = st;
      m.printk(`In mmapper ioctl cmd:0x${cmd.toString(16)} - arg: ${BigInt(arg)}`);
      switch (cmd) {
        case MMAPPER_SET_MODE:
          if (arg !== Mode.Kmalloc && arg !== Mode.VmallocPages && arg !== Mode.VmallocFault) return -EINVAL;
          st.mode = arg;
          st.faults = 0;
          m.printk(`mmapper: mode ${arg}: ${MODE_NAMES[st.mode]}`);
          return 0;
        case MMAPPER_FAULTS:
          return st.faults;
        case MMAPPER_PUT_USER: {
          const mm = m.current().mm;
          m.printk(`Testing fault handler: 0x${arg.toString(16)}`);
          // put_user('X', (char __user *)arg)
          const ret = mm === null ? -EFAULT : m.kernel.mm.copyToUser(mm, arg, Uint8Array.of(0x58));
          m.printk(`Testing fault handler: Ret is ${ret}`);
          return ret;
        }
        default:
          return -ENOTTY;
      }
    },
  };
}

const mod: KernelModule = {
  name: 'mmapper',
  description: 'map a kmalloc or vmalloc buffer into user space three ways; put_user into user memory',
  license: 'GPL',

  init(m) {
    const kmm = m.kernel.mm;
    const kmallocPtr = kmm.kmalloc(LEN + PAGE_SIZE);
    if (kmallocPtr === 0) {
      m.printk('kmalloc failed');
      return -ENOMEM;
    }
    m.printk(`kmalloc_ptr at ${fmtKva(kmm.physToVirt(kmallocPtr))}`);
    // Page-align the area to map (mmap maps whole frames).
    const kmallocArea = Math.ceil(kmallocPtr / PAGE_SIZE) * PAGE_SIZE;
    m.printk(`kmalloc_area :${fmtKva(kmm.physToVirt(kmallocArea))} \t physical Address 0x${kmallocArea.toString(16)}`);
    const vmallocPtr = kmm.vmalloc(LEN);
    if (vmallocPtr === null) {
      kmm.kfree(kmallocPtr);
      m.printk('vmalloc failed');
      return -ENOMEM;
    }
    m.printk(`vmalloc_ptr at ${fmtKva(vmallocPtr)}`);
    // The kernel's own stores, through its page tables, for the user program to check.
    if (!kernelWriteBytes(kmm, kmm.physToVirt(kmallocArea), fill(LEN, kmallocPattern)) || !kernelWriteBytes(kmm, vmallocPtr, fill(LEN, vmallocPattern)))
      throw new Error('mmapper: kernel store to its own buffer faulted');
    loaded.set(m.kernel, { m, b: { kmallocPtr, kmallocArea, vmallocPtr } });
    const major = m.registerChrdev('mmapper', makeFops(m.kernel));
    if (major < 0) {
      loaded.delete(m.kernel);
      kmm.vfree(vmallocPtr);
      kmm.kfree(kmallocPtr);
      return major;
    }
    m.printk(`mmapper: /dev/mmapper (major ${major}), ${LEN} bytes per buffer`);
    return 0;
  },

  exit(m) {
    const inst = loaded.get(m.kernel);
    if (inst !== undefined) {
      m.kernel.mm.vfree(inst.b.vmallocPtr);
      m.kernel.mm.kfree(inst.b.kmallocPtr);
    }
    loaded.delete(m.kernel);
    m.printk('mmapper: unloaded');
  },
};
export default mod;
