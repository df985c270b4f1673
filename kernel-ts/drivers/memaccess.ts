// memaccess: module (b) of the kmalloc-vs-vmalloc lab
// (docs/experiments/kmalloc-vmalloc.md). With memalloc loaded,
// insmod memaccess va=ADDRESS (the decimal VA memalloc printed) reads the
// struct through that kernel address and repeats both translations, walking
// the page tables of its own insmod process:
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
// module asks memalloc for the address (memallocVa, an exported symbol).
// An address with no mapping faults in kernel mode: an oops, as in Linux.
import type { KernelModule } from '../module/api';
import { EINVAL } from '../errno';
import { kvaFromBigint } from '../mm/kaddr';
import { memallocVa } from './memalloc';
import { hex16, kernelRead32, nodeLine, translationLines } from './kwalk';

const mod: KernelModule = {
  name: 'memaccess',
  description: "read memalloc's struct through its kernel address and translate it again (kmalloc-vmalloc lab, module b)",
  license: 'GPL',
  params: {
    va: { type: 'ulong', default: 0n, description: "the struct's address, in decimal (default: ask memalloc)" },
  },

  init(m) {
    let va = m.param('va') as bigint;
    if (va === 0n) {
      const published = memallocVa(m.kernel);
      if (published === null) {
        m.printk('memaccess: no va= given and memalloc is not loaded');
        return -EINVAL;
      }
      va = published;
    }
    const kmm = m.kernel.mm;
    const kva = kvaFromBigint(va);
    m.printk('memaccess: -----INSERTED-----');
    m.printk(nodeLine(kva));
    const value = kernelRead32(kmm, kva);
    // Linux: "BUG: unable to handle page fault for address" and an oops of insmod.
    if (value === null) throw new Error(`unable to handle page fault for address: ${hex16(va)} (supervisor read access in kernel mode)`);
    m.printk(`Value at Node: ${value}`);
    const pgd = m.current().mm?.pgd ?? kmm.kspace.initPgd;
    for (const line of translationLines(kmm, pgd, kva).lines) m.printk(line);
    return 0;
  },

  exit(m) {
    m.printk('memaccess: -----REMOVED-----');
  },
};
export default mod;
