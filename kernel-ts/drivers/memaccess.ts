// memaccess: module (b) of the kmalloc-vs-vmalloc lab (the report's part2_b.c;
// docs/experiments/kmalloc-vmalloc.md), written against vmlab/linux. With
// memalloc loaded, insmod memaccess va=ADDRESS (the decimal VA memalloc
// printed) reads the struct through that kernel address (readl: a kernel load
// through the MMU) and repeats both translations, walking the page tables of
// its own insmod process:
//
//   memaccess: -----INSERTED-----
//   Node-P: ffff888001b6e010 VA: 18446612682097090576
//   Value at Node: 10
//   pgd-off:ffff888001b8a888 pud-off:ffff888001b66000 pud:80000000000001e3 (1G page)
//   Physical Address Obtained from virt_to_phys : 0000000001b6e010
//   Physical Address Obtained from software walk: 0000000001b6e010
//
// Only pgd-off differs from memalloc's lines: each process has its own
// top-level table, and the kernel half below it is shared. Without va= the
// module asks memalloc for the address (symbol_get of its exported
// memalloc_va). An address with no mapping faults in kernel mode: readl
// oopses, as in Linux, and insmod is killed.
import { module_init, module_exit, module_param, MODULE_LICENSE, MODULE_DESCRIPTION, symbol_get, symbol_put, pr_info, readl, EINVAL } from 'vmlab/linux';
import { print_node, print_translations } from './memalloc-walk';

const va_param = module_param('va', 'ulong', 0n, 0o444, "the struct's address, in decimal (default: ask memalloc)");

module_init(() => {
  let va = va_param;
  if (va === 0n) {
    const memalloc_va = symbol_get<() => bigint>('memalloc_va');
    if (memalloc_va === null) {
      pr_info('memaccess: no va= given and memalloc is not loaded\n');
      return -EINVAL;
    }
    va = memalloc_va();
    symbol_put('memalloc_va');
  }
  pr_info('memaccess: -----INSERTED-----\n');
  print_node(va);
  // node->data, an int.
  pr_info('Value at Node: %d\n', readl(va) | 0);
  print_translations(va);
  return 0;
});

module_exit(() => {
  pr_info('memaccess: -----REMOVED-----\n');
});

MODULE_DESCRIPTION("read memalloc's struct through its kernel address and translate it again (kmalloc-vmalloc lab, module b)");
MODULE_LICENSE('GPL');
