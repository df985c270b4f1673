// memalloc: module (a) of the kmalloc-vs-vmalloc lab
// (docs/experiments/kmalloc-vmalloc.md). insmod memalloc choice=0|1
// allocates a small struct with kmalloc (0) or vmalloc (1), stores 10 in it,
// and logs its address and both translations, in the lab report's lines:
//
//   memalloc: -----INSERTED-----
//   Node-P: ffff888001b6e010 VA: 18446612682097090576
//   pgd-off:ffff888001b65888 pud-off:ffff888001b66000 pud:80000000000001e3 (1G page)
//   Physical Address Obtained from virt_to_phys : 0000000001b6e010
//   Physical Address Obtained from software walk: 0000000001b6e010
//
// The struct stays allocated until rmmod. Its address is published for
// module (b), memaccess: as /sys/kernel/memalloc/va (decimal, what `insmod
// memaccess va=` takes) and as the exported symbol memallocVa(), which
// memaccess uses when its va is left out (a convenience the original
// modules did not have; Linux would use EXPORT_SYMBOL the same way).
import type { Kernel, KernelModule, ModuleContext } from '../module/api';
import { EINVAL, ENOMEM } from '../errno';
import { kvaToBigint } from '../mm/kaddr';
import type { KernelVa } from '../mm/slab';
import { kernelWrite32, nodeLine, translationLines } from './kwalk';

/** struct node { int data; struct node *next; }: 16 bytes. */
export const NODE_SIZE = 16;
/** The test value the struct holds. */
export const NODE_VALUE = 10;
/** Where the address is published (sysfs). */
export const MEMALLOC_VA_PATH = 'kernel/memalloc/va';

export const Choice = { Kmalloc: 0, Vmalloc: 1 } as const;

/** The live allocation: kmalloc's pointer (its physical address, slab.ts) or vmalloc's address. */
type Node = { readonly choice: typeof Choice.Kmalloc; readonly pa: number; readonly kva: KernelVa } | { readonly choice: typeof Choice.Vmalloc; readonly kva: KernelVa };

/** The allocation of each kernel that has memalloc loaded (module state is per kernel: a host may boot several). */
const nodes = new WeakMap<Kernel, Node>();

/** EXPORT_SYMBOL(memalloc_va): the struct's address while memalloc is loaded in kernel k, else null. */
export function memallocVa(k: Kernel): bigint | null {
  const n = nodes.get(k);
  return n === undefined ? null : kvaToBigint(n.kva);
}

function allocate(m: ModuleContext, choice: number): Node | null {
  const kmm = m.kernel.mm;
  if (choice === Choice.Kmalloc) {
    const pa = kmm.kmalloc(NODE_SIZE);
    return pa === 0 ? null : { choice, pa, kva: kmm.physToVirt(pa) };
  }
  const kva = kmm.vmalloc(NODE_SIZE);
  return kva === null ? null : { choice: Choice.Vmalloc, kva };
}

function release(m: ModuleContext, n: Node): void {
  if (n.choice === Choice.Kmalloc) m.kernel.mm.kfree(n.pa);
  else m.kernel.mm.vfree(n.kva);
}

const mod: KernelModule = {
  name: 'memalloc',
  description: 'kmalloc or vmalloc a struct, print its address and both translations (kmalloc-vmalloc lab, module a)',
  license: 'GPL',
  params: {
    choice: { type: 'int', default: 0, description: '0 = kmalloc, 1 = vmalloc' },
  },

  init(m) {
    const choice = m.param('choice') as number;
    if (choice !== Choice.Kmalloc && choice !== Choice.Vmalloc) {
      m.printk(`memalloc: choice=${choice}: must be 0 (kmalloc) or 1 (vmalloc)`);
      return -EINVAL;
    }
    const n = allocate(m, choice);
    if (n === null) {
      m.printk(`memalloc: ${choice === Choice.Kmalloc ? 'kmalloc' : 'vmalloc'} failed`);
      return -ENOMEM;
    }
    const kmm = m.kernel.mm;
    // node->data = 10: a kernel store through the page tables.
    if (!kernelWrite32(kmm, n.kva, NODE_VALUE)) throw new Error(`memalloc: store to ${nodeLine(n.kva)} faulted`);
    const published = m.sysfsCreate(MEMALLOC_VA_PATH, { show: () => `${kvaToBigint(n.kva)}\n` });
    if (typeof published === 'number') {
      release(m, n);
      return published;
    }
    nodes.set(m.kernel, n);
    const pgd = m.current().mm?.pgd ?? kmm.kspace.initPgd;
    m.printk('memalloc: -----INSERTED-----');
    m.printk(nodeLine(n.kva));
    for (const line of translationLines(kmm, pgd, n.kva).lines) m.printk(line);
    return 0;
  },

  exit(m) {
    const n = nodes.get(m.kernel);
    if (n !== undefined) release(m, n);
    nodes.delete(m.kernel);
    m.printk('memalloc: -----REMOVED-----');
  },
};
export default mod;
