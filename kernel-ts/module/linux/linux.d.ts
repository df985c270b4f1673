// vmlab/linux: the kernel-module API, spelled as Linux spells it. A module
// file imports from 'vmlab/linux'; every function is documented in its
// include/ file (named as Linux's header: include/slab.d.ts is
// <linux/slab.h>) and listed in docs/modules.md.
//
// The implementation is makeLinux (index.ts): one namespace per loaded
// module, bound to its kernel. Conventions (bigint for every 64-bit value):
// include/types.d.ts.
export * from './include/types';
export * from './include/ioctl';
export * from './include/fs_types';
export * from './include/mm_types';
export * from './include/sched';
export * from './include/fs';
export * from './include/err';
export * from './include/device';
export * from './include/cdev';
export * from './include/miscdevice';
export * from './include/bug';
export * from './include/errno';
export * from './include/printk';
export * from './include/uaccess';
export * from './include/delay';
export * from './include/kthread';
export * from './include/mmu_notifier';
export * from './include/module';
export * from './include/proc_fs';
export * from './include/seq_file';
export * from './include/kobject';
export * from './include/sysfs';
export * from './include/page';
export * from './include/slab';
export * from './include/vmalloc';
export * from './include/io';
export * from './include/pgtable';
export * from './include/tlbflush';
export * from './include/huge_mm';
export * from './include/mm';
export * from './include/security';
export * from './include/export';
