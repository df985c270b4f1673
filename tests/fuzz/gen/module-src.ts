// The module fuzzer's modules (tests/fuzz/targets/module.ts): a Linux-style
// module file (module_init, module_exit, a device or /proc file with its
// file operations, maybe a kernel thread and a sysfs attribute) whose
// functions are filled with statements that misuse vmlab/linux: kernel
// accessors on user, NULL, non-canonical, freed and guard-page addresses,
// double and wrong frees, remap_pfn_range with bad arguments, page-table
// accessors on garbage, uaccess with kernel or unmapped addresses and huge
// lengths, bad and duplicate names, odd thrown and returned values, async
// callbacks, loops (the soft-lockup bound), leaks. Every statement is one
// part of the case (the shrinker drops them one by one).
//
// The text type-checks (the misuse goes through `as any` where TypeScript
// would object), except for one ill-typed statement in a case that asks for
// it, marked `/*fz-ill*/`, which insmod's type check must report at its line.
import type { Rng } from '../harness/rng';

/** Where a statement runs. */
export type Where = 'top' | 'init' | 'exit' | 'open' | 'read' | 'write' | 'ioctl' | 'mmap' | 'release' | 'fault' | 'kthread' | 'show';

export interface Stmt {
  readonly where: Where;
  /** TypeScript statements, calling vmlab/linux as `L.name` (turned into named imports). */
  readonly code: string;
  /** Loops forever (needs the short soft-lockup bound). */
  readonly loops?: boolean;
  /** The ill-typed statement insmod's type check must report. */
  readonly ill?: boolean;
}

export type DevKind = 'chrdev' | 'misc' | 'proc' | 'none';

export interface ModuleSpec {
  /** The file's base name (the module name, unless it is not a valid one). */
  readonly file: string;
  readonly dev: DevKind;
  /** The name the device or /proc entry is registered under. */
  readonly devName: string;
  /** register_chrdev's major (0: dynamic). */
  readonly major: number;
  /** Register it a second time (the second must fail). */
  readonly twice: boolean;
  /** Unregister it in exit (else rmmod's cleanup does). */
  readonly unregister: boolean;
  /** A sysfs attribute under /sys/kernel/NAME. */
  readonly sysfs: string | null;
  /** A kernel thread: 'stops' (exit stops it), 'never' (never stopped), 'self' (stops itself). */
  readonly kthread: 'none' | 'stops' | 'never' | 'self';
  /** mmap: remap_pfn_range of the module's own page (else other arguments); whether a guest may store to it. */
  readonly mmapOwn: boolean;
  /** Free the module's buffers in exit (else kmemleak reports them at rmmod). */
  readonly frees: boolean;
  /** What each file operation returns. */
  readonly rets: Readonly<Partial<Record<Where, string>>>;
  /** Handlers made async. */
  readonly async: readonly Where[];
  readonly stmts: readonly Stmt[];
}

const USER_ADDRS = ['0x10000n', '0x400000n', '0x7ffffffff000n', '0x1000n'];
const BAD_ADDRS = [
  '0n', '8n', '0xfffn', '0x8000000000000000n', '0xdead000000000000n', '0x0000800000000000n', '0xffff800000000000n',
  '(L.PAGE_OFFSET + 0x40000000n)', '(L.VMALLOC_START + 0x123000n)', '0xffffffffc0000000n', '0xffffffffffffffffn', '0xfffffffffffff000n',
];

/** An address a kernel accessor must not touch (it faults: NULL, user, non-canonical, unmapped, freed, a guard page). */
function badAddr(r: Rng, w: Where): string {
  const x = r.unit();
  if (x < 0.15 && (w === 'read' || w === 'write')) return 'buf';
  if (x < 0.15 && w === 'ioctl') return 'arg';
  if (x < 0.3) return r.pick(USER_ADDRS);
  if (x < 0.4) return 'fz_uaf()';
  if (x < 0.5) return 'fz_guard()';
  return r.pick(BAD_ADDRS);
}

/** A user pointer for uaccess: the caller's own buffer, or something else. */
function userPtr(r: Rng, w: Where): string {
  const own = w === 'read' || w === 'write' ? 'buf' : w === 'ioctl' ? 'arg' : null;
  const x = r.unit();
  if (own !== null && x < 0.4) return r.chance(0.7) ? own : `${own} + ${r.pick(['1n', '4095n', '4096n', '0x100000n'])}`;
  if (x < 0.6) return r.pick(USER_ADDRS);
  if (x < 0.75) return 'fz_own';
  return r.pick(BAD_ADDRS);
}

function count(r: Rng, w: Where): string {
  const x = r.unit();
  if ((w === 'read' || w === 'write') && x < 0.3) return 'count';
  if (x < 0.5) return String(r.pick([0, 1, 8, 64, 4096, 4097]));
  if (x < 0.7) return r.pick(['0x10000000000n', '(2n ** 63n)', '0xffffffffffffffffn', '(2 ** 53)']);
  if (x < 0.85) return r.pick(['-1', '1.5', 'NaN', 'Infinity']) + ' as any';
  return r.pick(['"8"', '{}', 'null', 'undefined', 'Symbol("n")']) + ' as any';
}

const sized = (n: number): string => `new Uint8Array(${n})`;

/** A kernel pointer of the module's own that it may write (fz_own: 256 bytes). */
const OWN_WRITE = ['fz_own', 'fz_own + 8n', 'fz_own + 248n'];

/** A number where a bigint is expected, or the other way round. */
function confused(r: Rng): string {
  return r.pick(['4096', '0', '-1', '0x7fffffff', '2 ** 60', '"0x1000"', '1n', '-1n', '2n ** 64n', 'null', 'undefined', '{}', '[]']) + ' as any';
}

const ORDERS = ['0', '1', '2', '3', '-1', '11', '64', '1.5', '2 ** 31'];

/** One statement misusing vmlab/linux at `w`. */
export function genStmt(r: Rng, w: Where): Stmt {
  const k = r.weighted({
    io: 10, ioWrite: 5, ioBulk: 4, nofault: 3, confuse: 8, free: 10, pages: 8, pgtable: 8, setpte: 4, uaccess: 12, names: 6,
    throws: 5, printk: 5, alloc: 6, kthreadMisuse: 3, warn: 3, recurse: 1, loop: 2, symbols: 2, vmalloc: 4, misc: 4,
  } as const);
  const a = (): string => badAddr(r, w);
  // A table pointer that faults: the *_alloc calls store a new table there (into freed memory it would just be leaked, as in Linux).
  const noUaf = (): string => {
    const x = badAddr(r, w);
    return x === 'fz_uaf()' ? '0n' : x;
  };
  switch (k) {
    case 'io': {
      const fn = r.pick(['readb', 'readw', 'readl', 'readq']);
      return { where: w, code: `L.${fn}(${a()});` };
    }
    case 'ioWrite': {
      const [fn, v] = r.pick([['writeb', '0x5a'], ['writew', '0x5a5a'], ['writel', '0x5a5a5a5a'], ['writeq', '0x5a5a5a5a5a5a5a5an']] as const);
      return { where: w, code: `L.${fn}(${v}, ${r.chance(0.2) ? r.pick(OWN_WRITE) : a()});` };
    }
    case 'ioBulk': {
      const n = count(r, w);
      return r.pick([
        { where: w, code: `L.memcpy_fromio(${sized(r.pick([0, 16, 4096]))}, ${r.chance(0.3) ? 'fz_own' : a()}, ${n});` },
        { where: w, code: `L.memcpy_toio(${noUaf()}, ${sized(16)}, ${n});` },
        { where: w, code: `L.memset_io(${noUaf()}, 0xcc, ${n});` },
        { where: w, code: `L.memcpy_toio(fz_own, ${sized(r.pick([0, 8, 256]))}, ${r.pick(['0', '8', '256', '257', '-1 as any', '2n ** 40n'])});` },
      ]);
    }
    case 'nofault':
      return r.chance(0.5)
        ? { where: w, code: `L.copy_from_kernel_nofault(${sized(r.pick([0, 8, 64]))}, ${a()}, ${count(r, w)});` }
        : { where: w, code: `L.copy_to_kernel_nofault(${noUaf()}, ${sized(8)}, ${count(r, w)});` };
    case 'confuse': {
      const c = confused(r);
      return r.pick([
        { where: w, code: `L.readq(${c});` },
        { where: w, code: `L.kfree(${c});` },
        { where: w, code: `L.virt_to_phys(${c});` },
        { where: w, code: `L.pfn_to_page(${c});` },
        { where: w, code: `L.page_address(${c});` },
        { where: w, code: `L.kmalloc(${c}, L.GFP_KERNEL);` },
        { where: w, code: `L.vmalloc(${c});` },
        { where: w, code: `L.alloc_pages(L.GFP_KERNEL, ${c});` },
        { where: w, code: `L.copy_to_user(${c}, ${sized(8)}, 8);` },
        { where: w, code: `L.put_user(${c}, ${userPtr(r, w)}, 8);` },
        { where: w, code: `L.get_user(${c}, 4);` },
        { where: w, code: `L.ptep_get(${c});` },
        { where: w, code: `L.pte_pfn(${c});` },
        { where: w, code: `L.pgd_offset(L.get_current().mm as any, ${c});` },
        { where: w, code: `L.find_vma(L.get_current().mm as any, ${c});` },
        { where: w, code: `L.get_user(${userPtr(r, w)}, ${r.pick(['3', '16', '0', '8n'])} as any);` },
        { where: w, code: `L.PAGE_ALIGN(${c});` },
        { where: w, code: `L.get_order(${c});` },
      ]);
    }
    case 'free':
      return r.pick([
        { where: w, code: '{ const q = L.kmalloc(32, L.GFP_KERNEL); L.kfree(q); L.kfree(q); }' },
        { where: w, code: `L.kfree(${a()});` },
        { where: w, code: `L.kfree(${r.pick(['fz_own + 8n', 'L.ZERO_SIZE_PTR', '0n'])});` },
        { where: w, code: '{ const q = L.vmalloc(8192); L.kfree(q); }' },
        { where: w, code: '{ const q = L.kmalloc(64, L.GFP_KERNEL); L.vfree(q); }' },
        { where: w, code: `L.vfree(${a()});` },
        { where: w, code: `L.kvfree(${a()});` },
        { where: w, code: '{ const q = L.vmalloc(4096); L.vfree(q); L.vfree(q); }' },
        { where: w, code: `L.kfree_sensitive(${a()});` },
        { where: w, code: `L.ksize(${a()});` },
        { where: w, code: `L.krealloc(${a()}, ${r.pick(['16', '0', '100000'])}, L.GFP_KERNEL);` },
        { where: w, code: '{ const q = L.kmalloc(16, L.GFP_KERNEL); L.kfree(q); L.krealloc(q, 64, L.GFP_KERNEL); }' },
      ]);
    case 'pages': {
      const order = r.pick(['0', '1', '2']);
      const wrong = r.pick(ORDERS);
      return r.pick([
        { where: w, code: `{ const p = L.alloc_pages(L.GFP_KERNEL, ${order}); L.__free_pages(p, ${wrong}); }` },
        { where: w, code: `{ const p = L.alloc_pages(L.GFP_KERNEL, ${order}); L.__free_pages(p, ${order}); L.__free_pages(p, ${order}); }` },
        { where: w, code: `L.__free_pages(${r.pick(['0n', 'L.virt_to_page(fz_own)', '0x1000n', '(L.VMEMMAP_START + 64n)', '(L.VMEMMAP_START + 0x10000000n)'])}, ${wrong});` },
        { where: w, code: `L.__free_page(${a()});` },
        { where: w, code: `L.free_pages(${r.chance(0.5) ? a() : 'fz_own'}, ${wrong});` },
        { where: w, code: `{ const v = L.__get_free_pages(L.GFP_KERNEL, ${order}); L.free_pages(v, ${wrong}); }` },
        { where: w, code: `L.put_page(${r.pick(['0n', 'L.virt_to_page(fz_own)', '(L.VMEMMAP_START + 0x10000000n)'])});` },
        { where: w, code: `L.get_page(${r.pick(['0n', '(L.VMEMMAP_START + 0x10000000n)', '0x1000n'])});` },
        { where: w, code: `L.alloc_pages(L.GFP_KERNEL, ${r.pick(['11', '12', '40', '-1'])});` },
        { where: w, code: `L.page_count(${r.pick(['0n', '(L.VMEMMAP_START + 0x10000000n)', '0xdead000000000000n'])});` },
        { where: w, code: `L.copy_page(${noUaf()}, ${a()});` },
        { where: w, code: `L.clear_page(${noUaf()});` },
        { where: w, code: `L.clear_highpage(${r.pick(['0n', '(L.VMEMMAP_START + 0x10000000n)', '0x1000n'])});` },
      ]);
    }
    case 'pgtable': {
      const va = r.pick(['0n', '0x400000n', '0xffff888000000000n', '0x8000000000000000n', 'fz_own', '0xffffffffffe00000n']);
      return r.pick([
        { where: w, code: `L.ptep_get(${a()});` },
        { where: w, code: `L.pmdp_get(${a()});` },
        { where: w, code: `L.pudp_get(${a()});` },
        { where: w, code: `L.pgdp_get(${a()});` },
        { where: w, code: `L.pte_offset_kernel(${a()}, ${va});` },
        { where: w, code: `L.pte_offset_map(${a()}, ${va});` },
        { where: w, code: `L.pmd_offset(${a()}, ${va});` },
        { where: w, code: `L.pte_page(L.__pte(${r.pick(['0xffffffffffffffffn', '0x7fffffffff000n', '0x8000000000000067n', '0n'])}));` },
        { where: w, code: `L.pmd_page_vaddr(L.__pmd(${r.pick(['0xffffffffffffffffn', '0x7fffffffff000n', '0x1e3n'])}));` },
        { where: w, code: `L.pud_pgtable(L.__pud(${r.pick(['0xffffffffffffffffn', '0x7fffffffff000n'])}));` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) { const g = L.pgd_offset(mm, ${va}); const p4 = L.p4d_offset(g, ${va}); const pu = L.pud_offset(p4, ${va}); L.pmd_offset(pu, ${va}); } }` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.follow_pte(mm, ${va}); }` },
        { where: w, code: `L.follow_pte(${r.pick(['null', '{}', '0n'])} as any, ${va});` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.pte_alloc_map(mm, ${noUaf()}, 0x400000n); }` },
        { where: w, code: `L.pte_alloc_kernel(${noUaf()}, ${va});` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.pmd_alloc(mm, ${noUaf()}, 0x400000n); }` },
        { where: w, code: `L.pgd_offset_k(${va});` },
      ]);
    }
    case 'setpte': {
      const pte = r.pick(['L.__pte(0n)', 'L.pfn_pte(1n, L.PAGE_KERNEL)', 'L.__pte(0xffffffffffffffffn)', 'L.mk_pte(L.virt_to_page(fz_own), L.PAGE_KERNEL)']);
      const ptr = r.chance(0.3) ? r.pick(OWN_WRITE) : a();
      return r.pick([
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.set_pte_at(mm, 0x400000n, ${ptr}, ${pte}); }` },
        { where: w, code: `L.set_pte(${ptr}, ${pte});` },
        { where: w, code: `L.set_pmd(${ptr}, L.__pmd(${r.pick(['0n', '0x1e3n', '0xffffffffffffffffn'])}));` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.pte_clear(mm, 0x400000n, ${ptr}); }` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.ptep_get_and_clear(mm, 0x400000n, ${ptr}); }` },
        { where: w, code: `L.pmd_clear(${ptr});` },
        { where: w, code: `L.set_pte_at(${r.pick(['null', '{}', '7'])} as any, 0x400000n, ${ptr}, ${pte});` },
      ]);
    }
    case 'uaccess': {
      const p = userPtr(r, w);
      const n = count(r, w);
      return r.pick([
        { where: w, code: `L.copy_to_user(${p}, ${sized(r.pick([0, 8, 4096]))}, ${n});` },
        { where: w, code: `L.copy_from_user(${sized(r.pick([0, 8, 4096]))}, ${p}, ${n});` },
        { where: w, code: `L.clear_user(${p}, ${n});` },
        { where: w, code: `L.strncpy_from_user(${sized(r.pick([0, 16]))}, ${p}, ${n});` },
        { where: w, code: `L.strnlen_user(${p}, ${n});` },
        { where: w, code: `L.get_user(${p}, ${r.pick(['1', '2', '4', '8'])});` },
        { where: w, code: `L.put_user(${r.pick(['1', '0x1234n', '-1'])}, ${p}, ${r.pick(['1', '2', '4', '8'])});` },
        { where: w, code: `L.access_ok(${p}, ${n});` },
        { where: w, code: `L.simple_read_from_buffer(${p}, ${n}, { pos: ${r.pick(['0n', '-1n', '100n', '2n ** 62n'])} }, "hello", ${r.pick(['5', '100', '-1 as any'])});` },
        { where: w, code: `L.simple_write_to_buffer(${sized(16)}, ${r.pick(['16', '1000'])}, { pos: ${r.pick(['0n', '-5n', '2n ** 62n'])} }, ${p}, ${n});` },
      ]);
    }
    case 'names': {
      const name = badName(r);
      return r.pick([
        { where: w, code: `L.proc_create(${name}, 0o644, null, {});` },
        { where: w, code: `L.proc_mkdir(${name}, null);` },
        { where: w, code: `L.proc_create_single(${name}, 0o444, null, (m) => { L.seq_puts(m, 'x'); return 0; });` },
        { where: w, code: `L.register_chrdev(${r.pick(['0', '1', '10', '254', '300', '4096', '-1'])}, ${name}, {});` },
        { where: w, code: `L.misc_register({ minor: ${r.pick(['L.MISC_DYNAMIC_MINOR', '1', '3', '-1', '300'])}, name: ${name}, fops: {} });` },
        { where: w, code: `L.kobject_create_and_add(${name}, ${r.pick(['L.kernel_kobj', 'null', 'L.mm_kobj'])});` },
        { where: w, code: `L.class_create(${name});` },
        { where: w, code: `L.remove_proc_entry(${name}, null);` },
        { where: w, code: `L.unregister_chrdev(${r.pick(['0', '1', '254', 'fz_major'])}, ${name});` },
        { where: w, code: `L.proc_remove(${r.pick(['null', '{} as any', 'fz_pde'])});` },
        { where: w, code: `L.sysfs_create_file(L.kernel_kobj, L.__ATTR_RO(${name}, () => 'x'));` },
      ]);
    }
    case 'throws':
      // Behind a condition TypeScript cannot decide, so that what follows stays reachable (and narrowed) for the type check.
      return { where: w, code: `if (fz_always) throw ${r.pick(THROWN)};` };
    case 'printk':
      return r.pick([
        { where: w, code: `L.printk(${r.pick(FORMATS)}, ${r.pick(PRINTK_ARGS)}, ${r.pick(PRINTK_ARGS)});` },
        { where: w, code: `L.pr_info(${r.pick(FORMATS)}, ${r.pick(PRINTK_ARGS)});` },
        { where: w, code: `L.sprintf(${r.pick(FORMATS)}, ${r.pick(PRINTK_ARGS)});` },
        { where: w, code: `L.pr_cont(${r.pick(FORMATS)});` },
        { where: w, code: `L.printk('x'.repeat(${r.pick([1000, 100000])}));` },
        { where: w, code: `L.printk(${r.pick(['null', '42', '{}', 'Symbol("p")'])} as any);` },
      ]);
    case 'alloc':
      return r.pick([
        { where: w, code: `L.kmalloc(${r.pick(['0', '2 ** 40', 'L.KMALLOC_MAX_SIZE + 1', '2n ** 63n', '-1 as any'])}, L.GFP_KERNEL);` },
        { where: w, code: `L.kmalloc(${r.pick(['64', '4096', '100000'])}, L.GFP_KERNEL);` },
        { where: w, code: `L.kmalloc_array(${r.pick(['2 ** 31', '-1 as any', '3'])}, ${r.pick(['2 ** 33', '8'])}, L.GFP_KERNEL);` },
        { where: w, code: `L.kzalloc(64, ${r.pick(['0', '-1', '0xffffffff', 'L.GFP_ATOMIC'])});` },
        { where: w, code: 'for (let i = 0; i < 64; i++) L.kmalloc(4000, L.GFP_KERNEL);' },
        { where: w, code: 'fz_ptrs.push(L.kmalloc(128, L.GFP_KERNEL));' },
      ]);
    case 'vmalloc':
      return r.pick([
        { where: w, code: `L.vmalloc(${r.pick(['0', '2 ** 40', '2 ** 30', '-1 as any', '1'])});` },
        { where: w, code: `L.vmalloc_to_page(${a()});` },
        { where: w, code: `L.vmalloc_to_pfn(${a()});` },
        { where: w, code: 'L.readq(fz_guard());' },
        { where: w, code: 'L.writeq(1n, fz_guard() - 4096n - 8n);' },
        { where: w, code: `L.is_vmalloc_addr(${a()});` },
      ]);
    case 'kthreadMisuse':
      return r.pick([
        { where: w, code: 'L.kthread_stop(L.get_current());' },
        { where: w, code: `L.kthread_stop(${r.pick(['null', '{}', '1'])} as any);` },
        { where: w, code: `L.wake_up_process(${r.pick(['null', '{}', 'L.get_current()'])} as any);` },
        { where: w, code: 'L.kthread_run(function* () { yield 5 as any; }, null, "fzbad");' },
        { where: w, code: 'L.kthread_run((() => { throw new Error("fz thread"); }) as any, null, "fzthrow");' },
        { where: w, code: `L.kthread_run(${r.pick(['null', '42', '"f"'])} as any, null, "fznull");` },
        { where: w, code: '{ const t = L.kthread_create(function* () { return 0; }, null, "fzst"); L.kthread_stop(t); L.kthread_stop(t); }' },
        { where: w, code: 'L.kthread_should_stop();' },
        { where: w, code: `L.kthread_run((async () => { ${r.pick(["throw new Error('fz async thread');", 'return 0;', "await null; throw new Error('fz later');"])} }) as any, null, "fzasync");` },
        { where: w, code: "L.kthread_run(function* () { yield Promise.reject(new Error('fz yielded')) as any; }, null, 'fzyield');" },
      ]);
    case 'warn':
      return r.pick([
        { where: w, code: `L.WARN_ON(${r.pick(['1', 'true', '{}', '0', 'null'])});` },
        { where: w, code: `L.WARN(1, ${r.pick(FORMATS)}, ${r.pick(PRINTK_ARGS)});` },
        { where: w, code: 'L.WARN_ON_ONCE(1);' },
        { where: w, code: 'L.dump_stack();' },
        { where: w, code: `L.BUG_ON(${r.pick(['1', '0', '{}'])});` },
        { where: w, code: 'if (fz_never) L.BUG();' },
        { where: w, code: 'if (fz_always) L.BUG();' },
      ]);
    case 'recurse':
      return { where: w, code: '{ const f = (n: number): number => f(n + 1) + 1; f(0); }' };
    case 'loop':
      return r.pick([
        { where: w, code: 'if (fz_always) for (;;) {}', loops: true },
        { where: w, code: 'while (fz_always) L.msleep(1);', loops: true },
        { where: w, code: 'if (fz_always) for (;;) { try { L.readq(0n); } catch { /* the fault is caught by the module */ } }', loops: true },
      ]);
    case 'symbols':
      return r.pick([
        { where: w, code: `L.symbol_get(${r.pick(["'nosuch'", "''", 'null as any'])});` },
        { where: w, code: `L.symbol_put(${r.pick(["'nosuch'", "''", 'null as any'])});` },
        { where: w, code: "L.EXPORT_SYMBOL('fz_late', 1);" },
        { where: w, code: 'L.module_init(() => 0);' },
        { where: w, code: "L.module_param('late', 'int', 0, 0o444, 'x');" },
        { where: w, code: "L.MODULE_LICENSE('GPL');" },
      ]);
    case 'misc':
      return r.pick([
        { where: w, code: `L.find_task_by_vpid(${r.pick(['0', '-1', '1', '99999', '1.5'])});` },
        { where: w, code: '{ for (const t of L.for_each_process()) L.get_task_comm(t); }' },
        { where: w, code: `L.msleep(${r.pick(['-1', '1e12', 'NaN'])});` },
        { where: w, code: `L.mdelay(${r.pick(['1', '100000', '-1'])});` },
        { where: w, code: `L.flush_tlb_kernel_range(${a()}, ${a()});` },
        { where: w, code: 'L.flush_tlb_all();' },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) { L.mmap_read_lock(mm); ${r.chance(0.5) ? 'L.mmap_read_lock(mm);' : ''} } }` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.mmap_write_unlock(mm); }` },
        { where: w, code: `{ const mm = L.get_current().mm; if (mm) L.mmu_notifier_register({ ops: { release: () => { throw new Error('fz notifier'); } } } as any, mm); }` },
        { where: w, code: `L.access_process_vm(L.get_current(), ${userPtr(r, w)}, ${sized(16)}, ${count(r, w)}, 0);` },
        { where: w, code: `L.get_user_pages_remote(L.get_current().mm as any, ${userPtr(r, w)}, ${r.pick(['1', '100000', '-1'])}, 0, null);` },
      ]);
  }
}

const THROWN = [
  "new Error('fz thrown')",
  "{ toString() { throw new Error('no'); } }",
  "Symbol('fz')",
  'null',
  'undefined',
  '42',
  "new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 2; } })",
  "Object.assign(new Error('x'), { get message(): string { throw 3; } })",
  "Promise.reject(new Error('fz rejected'))",
  "new RangeError('fz range')",
];

const FORMATS = ["'%s %d\\n'", "'%px %llx %lu\\n'", "'%*s|%-*d\\n'", "'%999999d\\n'", "'%.99999s\\n'", "'%pK %pV %n %%\\n'", "'%c%c%c\\n'", "'%016llx\\n'", "''", "'%'"];
const PRINTK_ARGS = ['1', '-1n', '2n ** 64n', "'str'", 'null', 'undefined', '{}', 'Symbol("a")', "{ toString() { throw new Error('no'); } }", '1e300', '[1, 2]', '999999999'];

function badName(r: Rng): string {
  return JSON.stringify(r.pick(['', '.', '..', '../../../tmp/evil', '/abs', 'a/b', 'a//b', 'null', 'zero', 'modules', 'self', '1', 'x'.repeat(300), 'fzdup', 'sp ace', 'nl\n', 'fzok']));
}

/** A return value for a handler (usually a sensible one). */
function genRet(r: Rng, w: Where): string {
  const sane: Partial<Record<Where, string>> = { read: '0', write: 'Number(count)', ioctl: '0', mmap: '0', open: '0', release: '0', init: '0', fault: 'L.VM_FAULT_SIGBUS', show: "'fz\\n'" };
  if (r.chance(0.75)) return sane[w] ?? '0';
  const odd = ['-14', '-1', '-4096', '-5000', '1', '0x7fffffff', '2 ** 40', '1.5', 'NaN', '-0', "'x' as any", '5n as any', 'undefined as any', 'null as any', '{} as any'];
  if (w === 'read' || w === 'write') odd.push('Number(count) + 100');
  return r.pick(odd);
}

const OPS: readonly Where[] = ['open', 'read', 'write', 'ioctl', 'mmap', 'release'];

export function genModule(r: Rng, o: { ill: boolean; loops: boolean }): ModuleSpec {
  const dev = r.weighted({ chrdev: 4, misc: 3, proc: 4, none: 1 } as const);
  const devName = r.chance(0.85) ? `fzdev${r.int(4)}` : JSON.parse(badName(r));
  const kthread = r.weighted({ none: 6, stops: 2, never: 1, self: 1 } as const);
  const where: Where[] = ['init', 'init', 'exit', ...OPS, 'read', 'write', 'ioctl', 'mmap', 'top'];
  if (kthread !== 'none') where.push('kthread', 'kthread');
  const sysfs = r.chance(0.2) ? (r.chance(0.8) ? 'fzkobj' : JSON.parse(badName(r))) : null;
  if (sysfs !== null) where.push('show');
  if (r.chance(0.3)) where.push('fault');
  const n = r.range(0, r.chance(0.3) ? 12 : 5);
  const stmts: Stmt[] = [];
  for (let i = 0; i < n; i++) {
    const w = r.pick(where);
    // The top level runs code only sparingly (the load itself is what insmod checks there).
    const s = genStmt(r, w === 'top' && r.chance(0.5) ? 'init' : w);
    if (s.loops && !o.loops) continue;
    stmts.push(s);
  }
  if (o.ill) {
    const w = r.pick(['init', 'read', 'top'] as const);
    stmts.splice(r.int(stmts.length + 1), 0, { where: w, code: r.pick(ILL), ill: true });
  }
  const rets: Partial<Record<Where, string>> = {};
  for (const w of [...OPS, 'init', 'fault', 'show'] as Where[]) rets[w] = genRet(r, w);
  const async: Where[] = [];
  if (r.chance(0.08)) async.push(r.pick(['init', 'exit', 'read', 'write', 'open', 'release', 'mmap', 'show', 'ioctl', 'fault']));
  return {
    file: r.chance(0.97) ? `fz${r.int(1000)}` : r.pick(['a b', 'x.y', 'z'.repeat(60), 'my-mod']),
    dev,
    devName,
    major: r.chance(0.8) ? 0 : r.pick([1, 10, 240, 254, 511, 4096, -3]),
    twice: r.chance(0.1),
    unregister: r.chance(0.8),
    sysfs,
    kthread,
    mmapOwn: r.chance(0.6),
    frees: r.chance(0.8),
    rets,
    async,
    stmts,
  };
}

/** Ill-typed statements: each a type error tsc reports (number for bigint, bigint arithmetic with a number...). */
const ILL = [
  'const fz_ill: number = L.virt_to_phys(0n); /*fz-ill*/',
  'L.readq(4096); /*fz-ill*/',
  'L.kfree(1); /*fz-ill*/',
  'const fz_ill = L.kmalloc(64, L.GFP_KERNEL) + 1; /*fz-ill*/',
  'L.copy_to_user(0n, "text", 4); /*fz-ill*/',
];

/** The statements of a spec at one place, as source lines. */
function body(s: ModuleSpec, w: Where, indent = '  '): string {
  return s.stmts.filter((x) => x.where === w).map((x) => `${indent}${x.code}`).join('\n');
}

/** The module file's text: imports computed from the `L.` names used. */
export function moduleSource(s: ModuleSpec): string {
  const as = (w: Where): string => (s.async.includes(w) ? 'async ' : '');
  // An async handler is a bug of the module TypeScript would catch: it goes in through `as any`.
  const op = (w: Where): string => (s.async.includes(w) ? `(fz_${w} as any)` : `fz_${w}`);
  const name = JSON.stringify(s.devName);
  const lines: string[] = [];
  lines.push(
    'const fz_ptrs: bigint[] = [];',
    'let fz_own = 0n;',
    'let fz_page = 0n;',
    'let fz_major = 0;',
    'let fz_pde: L.proc_dir_entry | null = null;',
    'let fz_thread: L.task_struct | null = null;',
    'const fz_never = false as boolean;',
    'const fz_always = true as boolean;',
    "const fz_uaf = (): bigint => { const q = L.kmalloc(64, L.GFP_KERNEL); L.kfree(q); return q; };",
    "const fz_guard = (): bigint => { const v = L.vmalloc(4096); fz_ptrs.push(v); return v + 4096n; };",
  );
  const fn = (w: Where, sig: string, ret: string): string => `function fz_${w}(${sig})${s.async.includes(w) ? ': Promise<any>' : `: ${ret}`} {\n${body(s, w)}\n  return ${s.rets[w] ?? '0'};\n}`;
  lines.push(
    `${as('open')}${fn('open', 'inode: L.inode, file: L.file', 'number')}`,
    `${as('read')}${fn('read', 'file: L.file, buf: bigint, count: bigint, ppos: L.loff_ptr', 'number')}`,
    `${as('write')}${fn('write', 'file: L.file, buf: bigint, count: bigint, ppos: L.loff_ptr', 'number')}`,
    `${as('ioctl')}${fn('ioctl', 'file: L.file, cmd: number, arg: bigint', 'number')}`,
    `${as('release')}${fn('release', 'inode: L.inode, file: L.file', 'number')}`,
    `${as('fault')}${fn('fault', 'vmf: L.vm_fault', 'number')}`,
  );
  // mmap: the statements, then remap_pfn_range (of the module's own page, or of other arguments) or a fault handler.
  const remap = s.mmapOwn
    ? '  const fz_r = L.remap_pfn_range(vma, vma.vm_start, L.page_to_pfn(fz_page), L.PAGE_SIZE, vma.vm_page_prot);\n  if (fz_r < 0) return fz_r;'
    : `  if (L.remap_pfn_range(vma, ${remapArgs(s)}) < 0) vma.vm_ops = { fault: ${op('fault')} };`;
  lines.push(`${as('mmap')}function fz_mmap(file: L.file, vma: L.vm_area_struct)${s.async.includes('mmap') ? ': Promise<any>' : ': number'} {\n${body(s, 'mmap')}\n  if (fz_page === 0n) return -12;\n${remap}\n  return ${s.rets.mmap ?? '0'};\n}`);
  lines.push(`const fz_fops: L.file_operations = { open: ${op('open')}, read: ${op('read')}, write: ${op('write')}, unlocked_ioctl: ${op('ioctl')}, mmap: ${op('mmap')}, release: ${op('release')} };`);
  lines.push(`const fz_pops: L.proc_ops = { proc_open: ${op('open')}, proc_read: ${op('read')}, proc_write: ${op('write')}, proc_ioctl: ${op('ioctl')}, proc_mmap: ${op('mmap')}, proc_release: ${op('release')} };`);
  lines.push(`const fz_misc: L.miscdevice = { minor: L.MISC_DYNAMIC_MINOR, name: ${name}, fops: fz_fops };`);
  if (s.kthread !== 'none') {
    const loop = s.kthread === 'never' ? 'for (;;)' : 'while (!L.kthread_should_stop())';
    const self = s.kthread === 'self' ? '\n    if (fz_thread !== null) L.kthread_stop(fz_thread);' : '';
    lines.push(`function* fz_kthread(): Generator<L.kthread_wait, number, void> {\n  ${loop} {\n${body(s, 'kthread', '    ')}${self}\n    yield L.msleep(10);\n  }\n  return 0;\n}`);
  }
  if (s.sysfs !== null) {
    lines.push(`${as('show')}function fz_show(kobj: L.kobject, attr: L.kobj_attribute, buf: L.sysfs_page)${s.async.includes('show') ? ': Promise<any>' : ': number | string'} {\n${body(s, 'show')}\n  return ${s.rets.show ?? "''"};\n}`);
    lines.push('let fz_kobj: L.kobject | null = null;');
  }
  const reg = (): string[] => {
    switch (s.dev) {
      case 'chrdev':
        return [`fz_major = L.register_chrdev(${s.major}, ${name}, fz_fops);`, 'if (fz_major < 0) return fz_major;'];
      case 'misc':
        return ['{ const e = L.misc_register(fz_misc); if (e < 0) return e; }'];
      case 'proc':
        return [`fz_pde = L.proc_create(${name}, 0o666, null, fz_pops);`, 'if (fz_pde === null) return -12;'];
      case 'none':
        return [];
    }
  };
  const unreg = (): string[] => {
    if (!s.unregister) return [];
    switch (s.dev) {
      case 'chrdev':
        return [`L.unregister_chrdev(fz_major, ${name});`];
      case 'misc':
        return ['L.misc_deregister(fz_misc);'];
      case 'proc':
        return ['L.proc_remove(fz_pde);'];
      case 'none':
        return [];
    }
  };
  const init = [
    'fz_own = L.kzalloc(256, L.GFP_KERNEL);',
    'fz_page = L.alloc_page(L.GFP_KERNEL);',
    ...reg(),
    ...(s.twice ? reg().filter((l) => !l.startsWith('if') && !l.startsWith('{')).concat(s.dev === 'misc' ? ['L.misc_register(fz_misc);'] : []) : []),
    ...(s.sysfs !== null ? [`fz_kobj = L.kobject_create_and_add(${JSON.stringify(s.sysfs)}, L.kernel_kobj);`, `if (fz_kobj !== null) L.sysfs_create_file(fz_kobj, L.__ATTR_RO('fzattr', ${op('show')}));`] : []),
    ...(s.kthread !== 'none' ? ['fz_thread = L.kthread_run(fz_kthread, null, "fzk%d", 1);'] : []),
  ];
  const wrapAsync = (w: Where, f: string): string => (s.async.includes(w) ? `(async ${f}) as any` : f);
  lines.push(`L.module_init(${wrapAsync('init', `() => {\n${init.map((l) => `  ${l}`).join('\n')}\n${body(s, 'init')}\n  return ${s.rets.init ?? '0'};\n}`)});`);
  const exit = [
    ...(s.kthread === 'stops' || s.kthread === 'self' ? ['if (fz_thread !== null) L.kthread_stop(fz_thread);'] : []),
    ...unreg(),
    ...(s.sysfs !== null ? ['L.kobject_put(fz_kobj);'] : []),
    ...(s.frees ? ['L.kfree(fz_own);', 'if (fz_page !== 0n) L.__free_page(fz_page);', 'for (const p of fz_ptrs) L.kvfree(p);'] : []),
  ];
  lines.push(`L.module_exit(${wrapAsync('exit', `() => {\n${body(s, 'exit')}\n${exit.map((l) => `  ${l}`).join('\n')}\n}`)});`);
  lines.push(body(s, 'top', ''));
  lines.push("L.MODULE_LICENSE('GPL');");
  lines.push("L.MODULE_DESCRIPTION('generated by the module fuzzer');");
  return withImports(lines.filter((l) => l !== '').join('\n\n') + '\n');
}

function remapArgs(s: ModuleSpec): string {
  // Derived from the spec's statements count so the choice is stable under shrinking of other parts.
  const h = [...s.devName].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, s.stmts.length);
  const addr = ['vma.vm_start', 'vma.vm_start + 1n', 'vma.vm_start - 4096n', 'vma.vm_end', '0n', '0xffff888000000000n'][h % 6];
  const pfn = ['L.page_to_pfn(fz_page)', '(1n << 40n)', '-1n', '(2n ** 64n)', '0x7ffffffn', 'L.virt_to_pfn(fz_own)'][(h >>> 3) % 6];
  const size = ['vma.vm_end - vma.vm_start', 'vma.vm_end - vma.vm_start + 4096n', '1', '0', '(1n << 40n)', '-4096 as any'][(h >>> 6) % 6];
  const prot = ['L.PAGE_READONLY', 'L.PAGE_KERNEL', 'L.__pgprot(0x8000000000000007n)', 'L.__pgprot(0x7ff0000000000005n)', 'L.PAGE_NONE', 'vma.vm_page_prot'][(h >>> 9) % 6];
  return `${addr}, ${pfn}, ${size}, ${prot}`;
}

/**
 * `L.name` -> `name`, with `import { ... } from 'vmlab/linux'` (values) and
 * `import type { ... }` (the type names) at the top, as a module file
 * written by hand would have them.
 */
function withImports(text: string): string {
  const values = new Set<string>();
  const types = new Set<string>();
  for (const m of text.matchAll(/\bL\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const n = m[1]!;
    if (TYPE_NAMES.has(n)) types.add(n);
    else values.add(n);
  }
  const out = text.replace(/\bL\.([A-Za-z_][A-Za-z0-9_]*)/g, '$1');
  const head = [
    '// A module generated by the module fuzzer (tests/fuzz/targets/module.ts).',
    `import { ${[...values].sort().join(', ')} } from 'vmlab/linux';`,
    ...(types.size > 0 ? [`import type { ${[...types].sort().join(', ')} } from 'vmlab/linux';`] : []),
  ];
  return `${head.join('\n')}\n\n${out}`;
}

const TYPE_NAMES = new Set(['inode', 'file', 'loff_ptr', 'vm_area_struct', 'vm_fault', 'file_operations', 'proc_ops', 'miscdevice', 'proc_dir_entry', 'task_struct', 'kthread_wait', 'kobject', 'kobj_attribute', 'sysfs_page', 'mm_struct']);
