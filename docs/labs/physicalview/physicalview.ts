// physicalview.ts: 3000physicalview.c (COMP3000 2020W, Tutorial 8) to
// complete (docs/labs/physicalview/README.md): an ioctl that walks the
// calling process's page tables for a user virtual address and answers its
// physical address.
//
//   struct physicalview_memory { unsigned long virt; unsigned long phys; };
//   #define PHYSICALVIEW_WALK _IOWR('k', 1, struct physicalview_memory)
//
// The device: /dev/physicalview, which register_chrdev makes for the
// chrdev's name (vmlab's memview2 opens it), and /dev/3000physicalview, made
// as the tutorial makes it (class COMP3000, device_create, a devnode that
// sets mode 0666; the tutorial's 3000memview2 opens it).
//
// Three parts are yours, each marked `EXERCISE n`:
//   1. module_init's registration after register_chrdev (the class, its
//      devnode, the device), undone in reverse order on each error and in
//      module_exit;
//   2. get_physical(): the walk;
//   3. physicalview_ioctl(): copy the struct in, walk, copy it back.
// Grade your file with: vmlab lab check physicalview ./physicalview.ts
import {
  module_init, module_exit, MODULE_LICENSE, MODULE_AUTHOR, MODULE_DESCRIPTION,
  printk, KERN_INFO, KERN_ERR,
  register_chrdev, unregister_chrdev, class_create, class_destroy, class_unregister,
  device_create, device_destroy, MKDEV, IS_ERR, PTR_ERR, _IOWR,
  kmalloc, kfree, GFP_KERNEL, readq, writeq, memcpy_toio, memcpy_fromio,
  copy_from_user, copy_to_user, access_ok, current,
  pgd_offset, p4d_offset, pud_offset, pmd_offset, pte_offset_map, pte_unmap,
  pgdp_get, p4dp_get, pudp_get, pmdp_get, ptep_get,
  pgd_none, pgd_bad, p4d_none, p4d_bad, pud_none, pud_bad, pud_leaf, pmd_none, pmd_bad, pmd_leaf, pte_none,
  pud_pfn, pmd_pfn, pte_pfn, PAGE_SHIFT, PAGE_SIZE, PUD_SIZE, PMD_SIZE,
  EFAULT, ENOMEM, ENOSYS, ENOTTY,
} from 'vmlab/linux';
import type { class_, device, file, file_operations, inode, umode_ptr } from 'vmlab/linux';

const DEVICE_NAME = '3000physicalview';
/** The chrdev's name: /dev/physicalview, what vmlab's memview2 opens. */
const CHRDEV_NAME = 'physicalview';
const CLASS_NAME = 'COMP3000';

/** sizeof(struct physicalview_memory): two unsigned longs, virt at 0 and phys at 8. */
const PHYSICALVIEW_MEMORY_SIZE = 16;
/** _IOWR('k', 1, struct physicalview_memory) = 0xc0106b01. */
const PHYSICALVIEW_WALK = _IOWR('k', 1, PHYSICALVIEW_MEMORY_SIZE);

let cls: class_ | null = null;
let major_number = 0;

/** get_physical(): walks current's page tables for addr; its physical address, or 0 (logged) when a level is missing. */
function get_physical(addr: bigint): bigint {
  const mm = current.mm;
  if (mm === null) return 0n;
  // EXERCISE 2: the walk, pgd -> p4d -> pud -> pmd -> pte, as the tutorial's get_physical().
  //   pgd = pgd_offset(mm, addr); pgd_none(pgdp_get(pgd)) || pgd_bad(...): log
  //   printk(KERN_ERR + 'Invalid pgd for address 0x%016lx\n', addr) and return 0n;
  //   the same with p4d_offset/p4dp_get, pud_offset/pudp_get, pmd_offset/pmdp_get;
  //   a 1 GiB or 2 MiB leaf (pud_leaf, pmd_leaf) is the page itself:
  //   (pud_pfn(v) << PAGE_SHIFT) + (addr % PUD_SIZE), or PMD's;
  //   pte = pte_offset_map(pmd, addr) (0n for a bad pmd); pte_none(ptep_get(pte)): 0n;
  //   the answer (pte_pfn(ptep_get(pte)) << PAGE_SHIFT) + (addr % PAGE_SIZE); pte_unmap(pte).
  printk(KERN_ERR + 'physicalview: EXERCISE 2 is not done: get_physical(0x%016lx)\n', addr);
  return 0n;
}

function physicalview_open(_inode: inode, _file: file): number {
  printk(KERN_INFO + 'physicalview open\n');
  return 0;
}

function physicalview_release(_inode: inode, _file: file): number {
  printk(KERN_INFO + 'physicalview closed\n');
  return 0;
}

function physicalview_ioctl(_file: file, cmd: number, addr: bigint): number {
  if (cmd !== PHYSICALVIEW_WALK) return -ENOTTY;
  // EXERCISE 3: the tutorial's ioctl. addr is the user's struct physicalview_memory *.
  //   - mem = kmalloc(PHYSICALVIEW_MEMORY_SIZE, GFP_KERNEL) (0n: -ENOMEM);
  //   - copy the struct in: copy_from_user(buf, addr, 16) into a Uint8Array
  //     (not 0: -EFAULT, after kfree), then memcpy_toio(mem, buf, 16);
  //   - virt = readq(mem); writeq(phys, mem + 8n) with phys = get_physical(virt)
  //     for a user address (access_ok(virt, 1)), else 0n;
  //   - copy it back: memcpy_fromio(buf, mem, 16), copy_to_user(addr, buf, 16)
  //     (not 0: -EFAULT); kfree(mem); return 0.
  // (The kmalloc'd struct is the tutorial's; a Uint8Array alone would do.)
  printk(KERN_ERR + 'physicalview: EXERCISE 3 is not done: PHYSICALVIEW_WALK at 0x%lx\n', addr);
  return -ENOSYS;
}

const fops: file_operations = {
  open: physicalview_open,
  release: physicalview_release,
  unlocked_ioctl: physicalview_ioctl,
};

/** World readable and writable because... security? (the original's comment) */
function physicalview_devnode(_dev: device, mode: umode_ptr | null): string | null {
  if (mode) mode.mode = 0o666;
  return null;
}

module_init(() => {
  printk(KERN_INFO + 'physicalview initializing\n');
  major_number = register_chrdev(0, CHRDEV_NAME, fops);
  if (major_number < 0) {
    printk(KERN_ERR + 'Failed to register physicalview as a character device!\n');
    return major_number;
  }
  // EXERCISE 1: the class and the device, as the tutorial registers them.
  //   c = class_create(CLASS_NAME); IS_ERR(c): log 'Failed to register
  //   physicalview class!', unregister_chrdev(major_number, CHRDEV_NAME),
  //   return PTR_ERR(c). Else cls = c and cls.devnode = physicalview_devnode
  //   (mode 0666 for the device file);
  //   d = device_create(cls, null, MKDEV(major_number, 0), null, DEVICE_NAME);
  //   IS_ERR(d): log 'Failed to register physicalview device!', undo in
  //   reverse order (class_unregister, class_destroy, unregister_chrdev) and
  //   return PTR_ERR(d). Then module_exit undoes it all (below).
  printk(KERN_INFO + 'physicalview: EXERCISE 1 is not done: no class %s, no /dev/%s\n', CLASS_NAME, DEVICE_NAME);
  printk(KERN_INFO + 'physicalview is loaded and registered with major number %d!\n', major_number);
  return 0;
});

module_exit(() => {
  // EXERCISE 1 (continued): device_destroy(cls, MKDEV(major_number, 0)),
  // class_unregister(cls), class_destroy(cls), before unregister_chrdev.
  void cls;
  unregister_chrdev(major_number, CHRDEV_NAME);
  printk(KERN_INFO + 'physicalview cleanup complete\n');
});

MODULE_DESCRIPTION('Walk the page table for a userspace virtual address (ioctl PHYSICALVIEW_WALK on /dev/3000physicalview)');
MODULE_AUTHOR('William Findlay');
MODULE_LICENSE('GPL');
