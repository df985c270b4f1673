// SKELETON begin
//| // part2_a.ts: module (a) of the kmalloc-vs-vmalloc lab, to complete
//| // (docs/labs/kmalloc-vmalloc/README.md; the report's part2_a.c).
//| // insmod ./part2_a.ts choice=0|1 allocates a struct node with kmalloc (0) or
// memalloc: module (a) of the kmalloc-vs-vmalloc lab (the report's part2_a.c;
// docs/experiments/kmalloc-vmalloc.md), written against vmlab/linux.
// insmod memalloc choice=0|1 allocates a struct node with kmalloc (0) or
// SKELETON end
// vmalloc (1), stores 10 in it, and logs its address and both translations
// SKELETON begin
//| // (walk.ts), in the report's lines:
// (memalloc-walk.ts), in the report's lines:
// SKELETON end
//
//   memalloc: -----INSERTED-----
//   Node-P: ffff888001b6e010 VA: 18446612682097090576
//   pgd-off:ffff888001b65888 pud-off:ffff888001b66000 pud:80000000000001e3 (1G page)
//   Physical Address Obtained from virt_to_phys : 0000000001b6e010
//   Physical Address Obtained from software walk: 0000000001b6e010
//
// The struct stays allocated until rmmod. Its address is published for
// SKELETON begin
//| // module (b) two ways: /sys/kernel/memalloc/va (decimal, what
//| // `insmod ./part2_b.ts va=` takes), and the exported symbol memalloc_va,
//| // which part2_b asks for when its va= is left out. All of this is written:
//| // the exercise of this lab is in walk.ts (EXERCISE 1) and part2_b.ts
//| // (EXERCISE 2). Read how the struct is allocated, written (writel: a
//| // kernel store through the page tables) and freed.
//| // Grade both files with: vmlab lab check kmalloc-vmalloc ./part2_a.ts ./part2_b.ts
// module (b), memaccess, two ways the original modules did not have (a
// script cannot paste a number from dmesg into the next command):
// /sys/kernel/memalloc/va (decimal, what `insmod memaccess va=` takes), and
// the exported symbol memalloc_va, which memaccess asks for when its va= is
// left out (EXPORT_SYMBOL / symbol_get).
// SKELETON end
import {
  module_init, module_exit, module_param, MODULE_LICENSE, MODULE_DESCRIPTION, EXPORT_SYMBOL,
  pr_info, kmalloc, kfree, vmalloc, vfree, GFP_KERNEL, writel,
  kobject_create_and_add, kobject_put, kernel_kobj, sysfs_create_file, sysfs_emit, __ATTR_RO,
  EINVAL, ENOMEM,
} from 'vmlab/linux';
import type { kobject } from 'vmlab/linux';
// SKELETON begin
//| import { NODE_SIZE, print_node, print_translations } from './walk';
import { NODE_SIZE, print_node, print_translations } from './memalloc-walk';
// SKELETON end

const KMALLOC = 0;
const VMALLOC = 1;
/** The value node->data holds. */
const NODE_VALUE = 10;

const choice = module_param('choice', 'int', KMALLOC, 0o444, '0 = kmalloc, 1 = vmalloc');

/** struct node *node: the allocation, 0n until init made it. */
let node = 0n;
/** /sys/kernel/memalloc. */
let memalloc_kobj: kobject | null = null;

/** EXPORT_SYMBOL(memalloc_va): the struct's address while memalloc is loaded. */
function memalloc_va(): bigint {
  return node;
}
EXPORT_SYMBOL('memalloc_va', memalloc_va);

/** /sys/kernel/memalloc/va: the address in decimal (%lu). */
const va_attr = __ATTR_RO('va', (_kobj, _attr, buf) => sysfs_emit(buf, '%lu\n', node));

function free_node(): void {
  if (choice === KMALLOC) kfree(node);
  else vfree(node);
  node = 0n;
}

module_init(() => {
  if (choice !== KMALLOC && choice !== VMALLOC) {
    pr_info('memalloc: choice=%d: must be 0 (kmalloc) or 1 (vmalloc)\n', choice);
    return -EINVAL;
  }
  node = choice === KMALLOC ? kmalloc(NODE_SIZE, GFP_KERNEL) : vmalloc(NODE_SIZE);
  if (node === 0n) {
    pr_info('memalloc: %s failed\n', choice === KMALLOC ? 'kmalloc' : 'vmalloc');
    return -ENOMEM;
  }
  // node->data = 10: a kernel store through the page tables.
  writel(NODE_VALUE, node);

  memalloc_kobj = kobject_create_and_add('memalloc', kernel_kobj);
  if (memalloc_kobj === null) {
    free_node();
    return -ENOMEM;
  }
  const err = sysfs_create_file(memalloc_kobj, va_attr.attr);
  if (err) {
    kobject_put(memalloc_kobj);
    free_node();
    return err;
  }

  pr_info('memalloc: -----INSERTED-----\n');
  print_node(node);
  print_translations(node);
  return 0;
});

module_exit(() => {
  kobject_put(memalloc_kobj);
  free_node();
  pr_info('memalloc: -----REMOVED-----\n');
});

MODULE_DESCRIPTION('kmalloc or vmalloc a struct, print its address and both translations (kmalloc-vmalloc lab, module a)');
MODULE_LICENSE('GPL');
