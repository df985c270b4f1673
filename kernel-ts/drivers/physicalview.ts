// SKELETON begin
//| // physicalview.ts: 3000physicalview.c (COMP3000 2020W, Tutorial 8) to
//| // complete (docs/labs/physicalview/README.md): an ioctl that walks the
//| // calling process's page tables for a user virtual address and answers its
//| // physical address.
// 3000physicalview.c (COMP3000 2020W, Tutorial 8; docs/experiments/memview2.md)
// written against vmlab/linux: an ioctl that walks the calling process's page
// tables for a user virtual address and answers its physical address.
// SKELETON end
//
//   struct physicalview_memory { unsigned long virt; unsigned long phys; };
//   #define PHYSICALVIEW_WALK _IOWR('k', 1, struct physicalview_memory)
//
// SKELETON begin
//| // The device: /dev/physicalview, which register_chrdev makes for the
//| // chrdev's name (vmlab's memview2 opens it), and /dev/3000physicalview, made
//| // as the tutorial makes it (class COMP3000, device_create, a devnode that
//| // sets mode 0666; the tutorial's 3000memview2 opens it).
// The ioctl copies the struct into a kmalloc'd buffer (copy_from_user), walks
// current->mm for mem->virt (get_physical: pgd -> p4d -> pud -> pmd -> pte;
// the p4d is a real level with --paging 5 and folded into the pgd otherwise),
// stores the physical address of the byte in mem->phys (0 when the address is
// not mapped: 3000memview2 prints UNKNOWN) and copies the struct back
// (copy_to_user).
// SKELETON end
//
// SKELETON begin
//| // Three parts are yours, each marked `EXERCISE n`:
//| //   1. module_init's registration after register_chrdev (the class, its
//| //      devnode, the device), undone in reverse order on each error and in
//| //      module_exit;
//| //   2. get_physical(): the walk;
//| //   3. physicalview_ioctl(): copy the struct in, walk, copy it back.
//| // Grade your file with: vmlab lab check physicalview ./physicalview.ts
// The device: /dev/3000physicalview, made as the tutorial makes it
// (class COMP3000, device_create, a devnode that sets mode 0666), and
// /dev/physicalview, which register_chrdev makes for the chrdev's name and
// vmlab's memview2 (guest-programs/programs/memview2.s) opens. The log lines
// say "physicalview" where the original says "3000physicalview" (the
// module's name in vmlab).
//
// Differences from the original, each Linux's convention or today's kernel:
//   - an unknown command is -ENOTTY (the original says -EINVAL; ENOTTY is what
//     Documentation/driver-api/ioctl.rst asks for), a failed kmalloc -ENOMEM
//     (the original says -EFAULT);
//   - a pud or pmd with _PAGE_PSE (pud_leaf/pmd_leaf: a 1 GiB or 2 MiB page)
//     ends the walk with that page's frame plus the offset inside it; the
//     original would call such an entry pud_bad/pmd_bad and answer 0;
//   - only user addresses are walked (access_ok): a kernel address answers 0
//     without a log line, as vmlab's driver always did.
// SKELETON end
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
  // SKELETON begin
  //| EFAULT, ENOMEM, ENOSYS, ENOTTY,
  EFAULT, ENOMEM, ENOTTY,
  // SKELETON end
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
  // EXERCISE 2 begin
  //| // EXERCISE 2: the walk, pgd -> p4d -> pud -> pmd -> pte, as the tutorial's get_physical().
  //| //   pgd = pgd_offset(mm, addr); pgd_none(pgdp_get(pgd)) || pgd_bad(...): log
  //| //   printk(KERN_ERR + 'Invalid pgd for address 0x%016lx\n', addr) and return 0n;
  //| //   the same with p4d_offset/p4dp_get, pud_offset/pudp_get, pmd_offset/pmdp_get;
  //| //   a 1 GiB or 2 MiB leaf (pud_leaf, pmd_leaf) is the page itself:
  //| //   (pud_pfn(v) << PAGE_SHIFT) + (addr % PUD_SIZE), or PMD's;
  //| //   pte = pte_offset_map(pmd, addr) (0n for a bad pmd); pte_none(ptep_get(pte)): 0n;
  //| //   the answer (pte_pfn(ptep_get(pte)) << PAGE_SHIFT) + (addr % PAGE_SIZE); pte_unmap(pte).
  //| printk(KERN_ERR + 'physicalview: EXERCISE 2 is not done: get_physical(0x%016lx)\n', addr);
  //| return 0n;

  const pgd = pgd_offset(mm, addr);
  if (pgd_none(pgdp_get(pgd)) || pgd_bad(pgdp_get(pgd))) {
    printk(KERN_ERR + 'Invalid pgd for address 0x%016lx\n', addr);
    return 0n;
  }
  const p4d = p4d_offset(pgd, addr);
  if (p4d_none(p4dp_get(p4d)) || p4d_bad(p4dp_get(p4d))) {
    printk(KERN_ERR + 'Invalid p4d for address 0x%016lx\n', addr);
    return 0n;
  }
  const pud = pud_offset(p4d, addr);
  if (pud_leaf(pudp_get(pud))) return (pud_pfn(pudp_get(pud)) << PAGE_SHIFT) + (addr % PUD_SIZE);
  if (pud_none(pudp_get(pud)) || pud_bad(pudp_get(pud))) {
    printk(KERN_ERR + 'Invalid pud for address 0x%016lx\n', addr);
    return 0n;
  }
  const pmd = pmd_offset(pud, addr);
  if (pmd_leaf(pmdp_get(pmd))) return (pmd_pfn(pmdp_get(pmd)) << PAGE_SHIFT) + (addr % PMD_SIZE);
  if (pmd_none(pmdp_get(pmd)) || pmd_bad(pmdp_get(pmd))) {
    printk(KERN_ERR + 'Invalid pmd for address 0x%016lx\n', addr);
    return 0n;
  }
  const pte = pte_offset_map(pmd, addr);
  if (pte === 0n || pte_none(ptep_get(pte))) {
    if (pte !== 0n) pte_unmap(pte);
    printk(KERN_ERR + 'Invalid pte for address 0x%016lx\n', addr);
    return 0n;
  }
  const pfn = pte_pfn(ptep_get(pte));
  pte_unmap(pte);
  return (pfn << PAGE_SHIFT) + (addr % PAGE_SIZE);
  // EXERCISE 2 end
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
  // EXERCISE 3 begin
  //| // EXERCISE 3: the tutorial's ioctl. addr is the user's struct physicalview_memory *.
  //| //   - mem = kmalloc(PHYSICALVIEW_MEMORY_SIZE, GFP_KERNEL) (0n: -ENOMEM);
  //| //   - copy the struct in: copy_from_user(buf, addr, 16) into a Uint8Array
  //| //     (not 0: -EFAULT, after kfree), then memcpy_toio(mem, buf, 16);
  //| //   - virt = readq(mem); writeq(phys, mem + 8n) with phys = get_physical(virt)
  //| //     for a user address (access_ok(virt, 1)), else 0n;
  //| //   - copy it back: memcpy_fromio(buf, mem, 16), copy_to_user(addr, buf, 16)
  //| //     (not 0: -EFAULT); kfree(mem); return 0.
  //| // (The kmalloc'd struct is the tutorial's; a Uint8Array alone would do.)
  //| printk(KERN_ERR + 'physicalview: EXERCISE 3 is not done: PHYSICALVIEW_WALK at 0x%lx\n', addr);
  //| return -ENOSYS;
  // Allocate kernel memory for our struct.
  const mem = kmalloc(PHYSICALVIEW_MEMORY_SIZE, GFP_KERNEL);
  if (mem === 0n) {
    printk(KERN_ERR + 'Unable to allocate space for struct\n');
    return -ENOMEM;
  }
  // Get virt from userspace: copy_from_user(mem, addr, sizeof(*mem)), through a bounce buffer.
  const buf = new Uint8Array(PHYSICALVIEW_MEMORY_SIZE);
  if (copy_from_user(buf, addr, PHYSICALVIEW_MEMORY_SIZE)) {
    printk(KERN_ERR + 'Unable to copy struct from user\n');
    kfree(mem);
    return -EFAULT;
  }
  memcpy_toio(mem, buf, PHYSICALVIEW_MEMORY_SIZE);
  // mem->phys = get_physical(mem->virt);
  const virt = readq(mem);
  writeq(access_ok(virt, 1) ? get_physical(virt) : 0n, mem + 8n);
  // Give phys back to userspace.
  memcpy_fromio(buf, mem, PHYSICALVIEW_MEMORY_SIZE);
  if (copy_to_user(addr, buf, PHYSICALVIEW_MEMORY_SIZE)) {
    printk(KERN_ERR + 'Unable to copy struct to user\n');
    kfree(mem);
    return -EFAULT;
  }
  kfree(mem);
  return 0;
  // EXERCISE 3 end
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
  // EXERCISE 1 begin
  //| // EXERCISE 1: the class and the device, as the tutorial registers them.
  //| //   c = class_create(CLASS_NAME); IS_ERR(c): log 'Failed to register
  //| //   physicalview class!', unregister_chrdev(major_number, CHRDEV_NAME),
  //| //   return PTR_ERR(c). Else cls = c and cls.devnode = physicalview_devnode
  //| //   (mode 0666 for the device file);
  //| //   d = device_create(cls, null, MKDEV(major_number, 0), null, DEVICE_NAME);
  //| //   IS_ERR(d): log 'Failed to register physicalview device!', undo in
  //| //   reverse order (class_unregister, class_destroy, unregister_chrdev) and
  //| //   return PTR_ERR(d). Then module_exit undoes it all (below).
  //| printk(KERN_INFO + 'physicalview: EXERCISE 1 is not done: no class %s, no /dev/%s\n', CLASS_NAME, DEVICE_NAME);
  const c = class_create(CLASS_NAME);
  if (IS_ERR(c)) {
    printk(KERN_ERR + 'Failed to register physicalview class!\n');
    unregister_chrdev(major_number, CHRDEV_NAME);
    return PTR_ERR(c);
  }
  cls = c;
  cls.devnode = physicalview_devnode;
  const d = device_create(cls, null, MKDEV(major_number, 0), null, DEVICE_NAME);
  if (IS_ERR(d)) {
    printk(KERN_ERR + 'Failed to register physicalview device!\n');
    class_unregister(cls);
    class_destroy(cls);
    unregister_chrdev(major_number, CHRDEV_NAME);
    return PTR_ERR(d);
  }
  // EXERCISE 1 end
  printk(KERN_INFO + 'physicalview is loaded and registered with major number %d!\n', major_number);
  return 0;
});

module_exit(() => {
  // SKELETON begin
  //| // EXERCISE 1 (continued): device_destroy(cls, MKDEV(major_number, 0)),
  //| // class_unregister(cls), class_destroy(cls), before unregister_chrdev.
  //| void cls;
  device_destroy(cls!, MKDEV(major_number, 0));
  class_unregister(cls);
  class_destroy(cls);
  // SKELETON end
  unregister_chrdev(major_number, CHRDEV_NAME);
  printk(KERN_INFO + 'physicalview cleanup complete\n');
});

MODULE_DESCRIPTION('Walk the page table for a userspace virtual address (ioctl PHYSICALVIEW_WALK on /dev/3000physicalview)');
MODULE_AUTHOR('William Findlay');
MODULE_LICENSE('GPL');
