// SKELETON begin
//| // mmapper.ts: the "Linux kernel module memory and user-space interaction"
//| // lab's driver, to complete (docs/labs/mmapper/README.md). At insmod it
//| // allocates a kmalloc'd buffer (LEN + a page, page aligned as the lab does),
//| // filled with '0' + i % 10, and a vmalloc'd buffer of LEN bytes, filled with
//| // 'a' + i % 26, and creates /dev/mmapper. Each open file has a mode, set by
//| // ioctl MMAPPER_SET_MODE (default 1), that decides what mmap maps:
// mmapper: a kernel buffer mapped into user space three ways, and a driver's
// put_user() into user memory (docs/experiments/mmapper.md; the "Linux kernel
// module memory and user-space interaction" lab). At insmod it allocates
// SKELETON end
//
// SKELETON begin
//| //   1  the kmalloc buffer, with remap_pfn_range() at mmap time (EXERCISE 1);
//| //   2  the vmalloc buffer page by page at mmap time (EXERCISE 2);
//| //   3  the vmalloc buffer on demand: mmap installs vm_ops (written), and the
//| //      fault handler maps each page when it is touched (EXERCISE 3).
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
//      the driver's fault handler, which finds the page with
//      vmalloc_to_page() and logs "In vmalloc fault for addr ...".
// SKELETON end
//
// ioctl numbers (asm-generic/ioctl.h encoding, magic 'm'):
// SKELETON begin
//| //   MMAPPER_SET_MODE  _IO('m', 1)                 arg = 1, 2 or 3 (and the fault count restarts at 0)
//| //   MMAPPER_FAULTS    _IO('m', 2)                 the faults the mode-3 handler served for this open file
//| //   MMAPPER_PUT_USER  _IOW('m', 3, unsigned long) put_user('X', (char __user *)arg): 0 or -EFAULT (EXERCISE 4)
//   MMAPPER_SET_MODE  _IO('m', 1)                 = 0x6d01      arg = 1, 2 or 3 (and the fault count restarts at 0)
//   MMAPPER_FAULTS    _IO('m', 2)                 = 0x6d02      returns the faults the mode-3 handler served for this open file
//   MMAPPER_PUT_USER  _IOW('m', 3, unsigned long) = 0x40086d03  put_user('X', (char __user *)arg): 0 or -EFAULT
// SKELETON end
//
// SKELETON begin
//| // Grade your file with: vmlab lab check mmapper ./mmapper.ts
// MMAPPER_PUT_USER is the lab's "can kernel-mode code survive a page fault?"
// test: into a page that is mapped but not yet faulted in, the fault is taken
// in kernel mode, handled (by the driver's own fault handler when the address
// is in a mode-3 mapping), and the byte arrives; into an unmapped address
// put_user returns -EFAULT and the kernel carries on.
// SKELETON end
import {
  // SKELETON begin
  //| EINVAL, EIO, ENODEV, ENOMEM, ENOSYS, ENOTTY, GFP_KERNEL, MODULE_DESCRIPTION, MODULE_LICENSE, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE,
  EINVAL, EIO, ENODEV, ENOMEM, ENOTTY, GFP_KERNEL, MODULE_DESCRIPTION, MODULE_LICENSE, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE,
  // SKELETON end
  VM_DONTDUMP, VM_DONTEXPAND, VM_FAULT_SIGBUS, VM_PFNMAP, _IO, _IOW, get_page, kfree, kmalloc, memcpy_toio, module_exit,
  module_init, page_to_pfn, pr_err, pr_info, put_user, register_chrdev, remap_pfn_range, unregister_chrdev, vfree,
  virt_to_phys, vmalloc, vmalloc_to_page, vmalloc_to_pfn,
} from 'vmlab/linux';
import type { file, file_operations, inode, vm_area_struct, vm_fault, vm_operations_struct } from 'vmlab/linux';

/** Bytes each buffer offers to mmap (the lab's 16384). */
const LEN = 4n * PAGE_SIZE;

const MMAPPER_IOC_MAGIC = 'm';
const MMAPPER_SET_MODE = _IO(MMAPPER_IOC_MAGIC, 1);
const MMAPPER_FAULTS = _IO(MMAPPER_IOC_MAGIC, 2);
const MMAPPER_PUT_USER = _IOW(MMAPPER_IOC_MAGIC, 3, 8); // sizeof(unsigned long)

const MODE_KMALLOC = 1;
const MODE_VMALLOC_PAGES = 2;
const MODE_VMALLOC_FAULT = 3;
const MODE_NAMES: Record<number, string> = {
  [MODE_KMALLOC]: 'kmalloc buffer, remap_pfn_range at mmap',
  [MODE_VMALLOC_PAGES]: 'vmalloc buffer, vmalloc_to_pfn page by page at mmap',
  [MODE_VMALLOC_FAULT]: 'vmalloc buffer, mapped by the fault handler',
};

/** What one open of /dev/mmapper keeps (file->private_data). */
interface mmapper_dev {
  mode: number;
  /** Pages the mode-3 fault handler has mapped for this open file's mappings since the mode was last set. */
  faults: number;
}

let major = 0;
/** kmalloc's pointer, and the page-aligned area inside it that mmap maps. */
let kmalloc_ptr = 0n;
let kmalloc_area = 0n;
let vmalloc_ptr = 0n;

function mmap_kmalloc(vma: vm_area_struct): number {
  // EXERCISE 1 begin
  //| // EXERCISE 1: map the kmalloc buffer in one call.
  //| //   The buffer's frames are contiguous (kmalloc returns direct-map memory):
  //| //   its first pfn is virt_to_phys(kmalloc_area) >> PAGE_SHIFT, plus
  //| //   vma.vm_pgoff (the page offset the user asked for); then
  //| //   remap_pfn_range(vma, vma.vm_start, pfn, vma.vm_end - vma.vm_start, vma.vm_page_prot)
  //| //   maps it all (it sets VM_IO | VM_PFNMAP). Return its result.
  //| pr_info('mmapper: EXERCISE 1 is not done: mmap_kmalloc(0x%lx)\n', vma.vm_start);
  //| return -ENOSYS;
  const length = vma.vm_end - vma.vm_start;
  const pfn = (virt_to_phys(kmalloc_area) >> PAGE_SHIFT) + vma.vm_pgoff;
  const ret = remap_pfn_range(vma, vma.vm_start, pfn, length, vma.vm_page_prot);
  pr_info('mmap_kmalloc: remap_pfn_range(0x%lx, pfn 0x%lx, %lu) = %d\n', vma.vm_start, pfn, length, ret);
  return ret;
  // EXERCISE 1 end
}

/** The lab's approach 1: each page's own frame, one remap_pfn_range per page. */
function mmap_vmalloc_pages(vma: vm_area_struct): number {
  // EXERCISE 2 begin
  //| // EXERCISE 2: map the vmalloc buffer page by page.
  //| //   vmalloc's pages are not contiguous: for each page of the VMA (from
  //| //   vma.vm_start, PAGE_SIZE at a time), the buffer's page at
  //| //   vmalloc_ptr + (vma.vm_pgoff << PAGE_SHIFT) + the same offset has the frame
  //| //   vmalloc_to_pfn(that address) (0n: -EINVAL); map that one page with
  //| //   remap_pfn_range(vma, start, pfn, PAGE_SIZE, vma.vm_page_prot). A
  //| //   negative result ends the loop with it; 0 at the end.
  //| //   Why can this buffer not be mapped in one call, as mode 1's is?
  //| pr_info('mmapper: EXERCISE 2 is not done: mmap_vmalloc_pages(0x%lx)\n', vma.vm_start);
  //| return -ENOSYS;
  let start = vma.vm_start;
  let vmalloc_area_ptr = vmalloc_ptr + (vma.vm_pgoff << PAGE_SHIFT);
  for (let length = vma.vm_end - vma.vm_start; length > 0n; length -= PAGE_SIZE) {
    const pfn = vmalloc_to_pfn(vmalloc_area_ptr);
    const ret = pfn === 0n ? -EINVAL : remap_pfn_range(vma, start, pfn, PAGE_SIZE, vma.vm_page_prot);
    if (ret < 0) return ret;
    pr_info('mmap_vmalloc: vmalloc_to_pfn(0x%px) = 0x%lx, mapped at 0x%lx\n', vmalloc_area_ptr, pfn, start);
    start += PAGE_SIZE;
    vmalloc_area_ptr += PAGE_SIZE;
  }
  return 0;
  // EXERCISE 2 end
}

/** The lab's file_vma_fault: vm_pgoff carries the kernel address, page by page. */
function file_vma_fault(vmf: vm_fault): number {
  // EXERCISE 3 begin
  //| // EXERCISE 3: the fault handler of mode 3.
  //| //   The kernel calls it for a page of the VMA that is not mapped yet;
  //| //   mmap_vmalloc_fault (below) made vma.vm_pgoff the buffer's address >>
  //| //   PAGE_SHIFT, so vmf.pgoff << PAGE_SHIFT is the kernel address of the
  //| //   page wanted. vmalloc_to_page(it) is its struct page (0n: return
  //| //   VM_FAULT_SIGBUS); take a reference for the new mapping (get_page),
  //| //   hand it over in vmf.page, count the fault
  //| //   ((vmf.vma.vm_private_data as mmapper_dev).faults++) and return 0.
  //| pr_info('mmapper: EXERCISE 3 is not done: file_vma_fault at 0x%lx\n', vmf.address);
  //| return VM_FAULT_SIGBUS;
  const addr = vmf.pgoff << PAGE_SHIFT;
  pr_info('In vmalloc fault for addr %lx\n', addr);
  const page = vmalloc_to_page(addr);
  if (page === 0n) return VM_FAULT_SIGBUS;
  get_page(page);
  vmf.page = page;
  (vmf.vma.vm_private_data as mmapper_dev).faults++;
  pr_info('returning page %px (pfn 0x%lx)\n', page, page_to_pfn(page));
  return 0;
  // EXERCISE 3 end
}

const mmapper_vmem_ops: vm_operations_struct = {
  fault: file_vma_fault,
};

/** The lab's approach 2: nothing mapped now; the fault handler maps each page when touched. */
function mmap_vmalloc_fault(vma: vm_area_struct, dev: mmapper_dev): number {
  pr_info('will mmap %lx\n', vma.vm_start);
  vma.vm_ops = mmapper_vmem_ops;
  vma.vm_private_data = dev; // the lab keeps vmalloc_ptr here; the fault count is per open file
  vma.vm_pgoff += vmalloc_ptr >> PAGE_SHIFT;
  vma.vm_flags |= VM_DONTEXPAND | VM_DONTDUMP | VM_PFNMAP;
  pr_info('Mapping vmalloc_area_ptr: 0x%px\n', vmalloc_ptr);
  return 0;
}

const mmapper_fops: file_operations = {
  open(_inode: inode, filp: file): number {
    const dev: mmapper_dev = { mode: MODE_KMALLOC, faults: 0 };
    filp.private_data = dev;
    return 0;
  },

  mmap(filp: file, vma: vm_area_struct): number {
    const dev = filp.private_data as mmapper_dev | null;
    if (!dev) return -ENODEV;
    // Restrict it to the size of device memory.
    if ((vma.vm_pgoff << PAGE_SHIFT) + (vma.vm_end - vma.vm_start) > LEN) return -EIO;
    let ret: number;
    switch (dev.mode) {
      case MODE_KMALLOC:
        ret = mmap_kmalloc(vma);
        break;
      case MODE_VMALLOC_PAGES:
        ret = mmap_vmalloc_pages(vma);
        break;
      default:
        ret = mmap_vmalloc_fault(vma, dev);
        break;
    }
    pr_info('mmapper in mmap, mode %d, ret = %d\n', dev.mode, ret);
    return ret;
  },

  unlocked_ioctl(filp: file, cmd: number, arg: bigint): number {
    const dev = filp.private_data as mmapper_dev | null;
    if (!dev) return -ENODEV;
    pr_info('In mmapper ioctl cmd:0x%x - arg: %lu\n', cmd, arg);
    switch (cmd) {
      case MMAPPER_SET_MODE:
        if (arg !== BigInt(MODE_KMALLOC) && arg !== BigInt(MODE_VMALLOC_PAGES) && arg !== BigInt(MODE_VMALLOC_FAULT)) return -EINVAL;
        dev.mode = Number(arg);
        dev.faults = 0;
        pr_info('mmapper: mode %d: %s\n', dev.mode, MODE_NAMES[dev.mode]);
        return 0;
      case MMAPPER_FAULTS:
        return dev.faults;
      case MMAPPER_PUT_USER: {
        // EXERCISE 4 begin
        //| // EXERCISE 4: put_user('X', (char __user *)arg): one byte, 0x58, into the
        //| // caller's memory at arg, with put_user(value, address, size). Return
        //| // its result: 0, or -EFAULT for an address the caller cannot write.
        //| // Into a page that is mapped but not present the kernel takes the
        //| // fault in kernel mode, and it is handled: watch the log.
        //| pr_info('mmapper: EXERCISE 4 is not done: put_user at 0x%lx\n', arg);
        //| return -ENOSYS;
        pr_info('Testing fault handler: 0x%lx\n', arg);
        const ret = put_user(0x58, arg, 1); // put_user('X', (char __user *)arg)
        pr_info('Testing fault handler: Ret is %d\n', ret);
        return ret;
        // EXERCISE 4 end
      }
      default:
        return -ENOTTY;
    }
  },
};

module_init(() => {
  kmalloc_ptr = kmalloc(LEN + PAGE_SIZE, GFP_KERNEL);
  if (!kmalloc_ptr) {
    pr_err('kmalloc failed\n');
    return -ENOMEM;
  }
  pr_info('kmalloc_ptr at 0x%px\n', kmalloc_ptr);
  // Page-align the area to map (mmap maps whole frames).
  kmalloc_area = (kmalloc_ptr + PAGE_SIZE - 1n) & PAGE_MASK;
  pr_info('kmalloc_area :0x%px \t physical Address 0x%lx\n', kmalloc_area, virt_to_phys(kmalloc_area));
  vmalloc_ptr = vmalloc(LEN);
  if (!vmalloc_ptr) {
    kfree(kmalloc_ptr);
    pr_err('vmalloc failed\n');
    return -ENOMEM;
  }
  pr_info('vmalloc_ptr at 0x%px\n', vmalloc_ptr);
  // Initialize the memory for the user app to read: the kernel's own stores, through its page tables.
  const digits = new Uint8Array(Number(LEN));
  const letters = new Uint8Array(Number(LEN));
  for (let i = 0; i < digits.length; i++) {
    digits[i] = 0x30 + (i % 10); // kmalloc_area[i] = '0' + (i % 10)
    letters[i] = 0x61 + (i % 26); // vmalloc_ptr[i] = 'a' + (i % 26)
  }
  memcpy_toio(kmalloc_area, digits, LEN);
  memcpy_toio(vmalloc_ptr, letters, LEN);
  major = register_chrdev(0, 'mmapper', mmapper_fops);
  if (major < 0) {
    vfree(vmalloc_ptr);
    kfree(kmalloc_ptr);
    return major;
  }
  pr_info('mmapper: /dev/mmapper (major %d), %lu bytes per buffer\n', major, LEN);
  return 0;
});

module_exit(() => {
  unregister_chrdev(major, 'mmapper');
  vfree(vmalloc_ptr);
  kfree(kmalloc_ptr);
  pr_info('mmapper: unloaded\n');
});

MODULE_LICENSE('GPL');
MODULE_DESCRIPTION('map a kmalloc or vmalloc buffer into user space three ways; put_user into user memory');
