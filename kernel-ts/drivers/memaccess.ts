// SKELETON begin
//| // part2_b.ts: module (b) of the kmalloc-vs-vmalloc lab, to complete
//| // (docs/labs/kmalloc-vmalloc/README.md; the report's part2_b.c). With
//| // part2_a loaded, insmod ./part2_b.ts va=ADDRESS (the decimal VA part2_a
//| // printed) reads the struct through that kernel address and repeats both
//| // translations, walking the page tables of its own insmod process:
// memaccess: module (b) of the kmalloc-vs-vmalloc lab (the report's part2_b.c;
// docs/experiments/kmalloc-vmalloc.md), written against vmlab/linux. With
// memalloc loaded, insmod memaccess va=ADDRESS (the decimal VA memalloc
// printed) reads the struct through that kernel address (readl: a kernel load
// through the MMU) and repeats both translations, walking the page tables of
// its own insmod process:
// SKELETON end
//
//   memaccess: -----INSERTED-----
//   Node-P: ffff888001b6e010 VA: 18446612682097090576
//   Value at Node: 10
//   pgd-off:ffff888001b8a888 pud-off:ffff888001b66000 pud:80000000000001e3 (1G page)
//   Physical Address Obtained from virt_to_phys : 0000000001b6e010
//   Physical Address Obtained from software walk: 0000000001b6e010
//
// SKELETON begin
//| // Without va= the module asks part2_a for the address (symbol_get of its
//| // exported memalloc_va). EXERCISE 2 is the read of node->data.
//| // Grade both files with: vmlab lab check kmalloc-vmalloc ./part2_a.ts ./part2_b.ts
// Only pgd-off differs from memalloc's lines: each process has its own
// top-level table, and the kernel half below it is shared. Without va= the
// module asks memalloc for the address (symbol_get of its exported
// memalloc_va). An address with no mapping faults in kernel mode: readl
// oopses, as in Linux, and insmod is killed.
// SKELETON end
import { module_init, module_exit, module_param, MODULE_LICENSE, MODULE_DESCRIPTION, symbol_get, symbol_put, pr_info, readl, EINVAL } from 'vmlab/linux';
// SKELETON begin
//| import { print_node, print_translations } from './walk';
import { print_node, print_translations } from './memalloc-walk';
// SKELETON end

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
  // EXERCISE 2 begin
  //| // EXERCISE 2: read node->data, an int at the struct's start, through the
  //| // kernel address va, and log it: pr_info('Value at Node: %d\n', value).
  //| // readl(va) is a 32-bit kernel load through the MMU (<asm/io.h>); it
  //| // returns an unsigned number (`| 0` makes it C's int). An address with no
  //| // mapping faults in kernel mode, as in Linux: try va= of a freed struct.
  //| void readl;
  //| pr_info('memaccess: EXERCISE 2 is not done: read node->data at %px\n', va);
  //| pr_info('Value at Node: %s\n', '(not read)');
  // node->data, an int.
  pr_info('Value at Node: %d\n', readl(va) | 0);
  // EXERCISE 2 end
  print_translations(va);
  return 0;
});

module_exit(() => {
  pr_info('memaccess: -----REMOVED-----\n');
});

MODULE_DESCRIPTION("read memalloc's struct through its kernel address and translate it again (kmalloc-vmalloc lab, module b)");
MODULE_LICENSE('GPL');
