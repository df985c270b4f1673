// kmemleak for modules (mm/kmemleak.c, reduced): every kmalloc, vmalloc and
// alloc_pages a module makes through vmlab/linux is recorded with the task
// and the call stack, and forgotten when freed. At rmmod (and after a failed
// init) what is left is reported as kmemleak's verbose mode prints it, and
// freed, so a leaking module does not leak kernel memory:
//
//   kmemleak: unreferenced object 0xffff888001b6e010 (size 16):
//   kmemleak:   comm "insmod", pid 5, jiffies 4294892296 (age 0.000s)
//   kmemleak:   hex dump (first 16 bytes):
//   kmemleak:     0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
//   kmemleak:   backtrace:
//   kmemleak:      kmalloc
//   kmemleak:      memalloc_init+0x4c/0x120 [memalloc]
//   kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
//
// Unlike Linux, nothing is scanned for references: whatever the module did
// not free when it went is a leak (its code and data are gone with it).
import type { Kernel } from '../../kernel';
import { KERN_WARNING } from '../../printk';
import { PAGE_SIZE } from '../../mm/page';
import { toKva } from './kmem';
import { TWO32 } from '../../../emu/machine/cpu/int64';

/** x86 CONFIG_HZ_250, and Linux's INITIAL_JIFFIES for it (-300 s, so jiffies wrap 5 minutes after boot). */
const HZ = 250;
const INITIAL_JIFFIES = TWO32 - 300 * HZ;
/** Linux HEX_MAX_LINES * HEX_ROW_SIZE. */
const HEX_MAX = 32;

export type LeakKind = 'kmalloc' | 'vmalloc' | 'pages';

interface LeakObject {
  readonly kind: LeakKind;
  /** The kernel address (kmalloc, vmalloc, page_address of the pages). */
  readonly ptr: bigint;
  readonly size: number;
  /** alloc_pages' order. */
  readonly order: number;
  readonly comm: string;
  readonly pid: number;
  readonly ns: number;
  /** The stack at the allocation (its frames are read only for the report). */
  readonly stack: Error;
}

/** One module's live allocations. */
export class Kmemleak {
  private readonly objects = new Map<bigint, LeakObject>();

  constructor(private readonly k: Kernel) {}

  /** kmemleak_alloc(). */
  alloc(kind: LeakKind, ptr: bigint, size: number, order = 0): void {
    const t = this.k.current;
    const stack = new Error('kmemleak');
    // The trace starts at the allocator the module called (kmalloc, vmalloc ...), as Linux's does.
    Error.captureStackTrace(stack, Kmemleak.prototype.alloc);
    this.objects.set(ptr, { kind, ptr, size, order, comm: t?.comm ?? 'swapper/0', pid: t?.pid ?? 0, ns: this.k.clockNs(), stack });
  }

  /** kmemleak_free(). */
  free(ptr: bigint): void {
    this.objects.delete(ptr);
  }

  /** The allocation recorded at ptr (krealloc asks whether it may keep it). */
  has(ptr: bigint): boolean {
    return this.objects.has(ptr);
  }

  get count(): number {
    return this.objects.size;
  }

  /**
   * At the module's end: prints each unfreed object as kmemleak's verbose
   * report does, then frees it (pages still mapped or referenced elsewhere
   * are reported and left). Returns how many were reported.
   */
  report(module: string): number {
    const k = this.k;
    const objs = [...this.objects.values()];
    this.objects.clear();
    if (objs.length === 0) return 0;
    const log = (s: string): void => k.printk.log(`kmemleak: ${s}`, KERN_WARNING);
    const now = k.clockNs();
    for (const o of objs) {
      log(`unreferenced object 0x${o.ptr.toString(16).padStart(16, '0')} (size ${o.size}):`);
      log(`  comm "${o.comm}", pid ${o.pid}, jiffies ${jiffies(o.ns)} (age ${((now - o.ns) / 1e9).toFixed(3)}s)`);
      const bytes = this.peek(o);
      if (bytes.length > 0) {
        log(`  hex dump (first ${bytes.length} bytes):`);
        for (let i = 0; i < bytes.length; i += 16) log(`    ${hexRow(bytes.subarray(i, i + 16))}`);
      }
      log('  backtrace:');
      for (const line of k.modules.kallsyms.callTrace(o.stack)) log(`    ${line}`);
      this.release(o, module);
    }
    log(`${objs.length} new suspected memory leaks (see /sys/kernel/debug/kmemleak)`);
    return objs.length;
  }

  // kmemleak reads the object without faulting: the frames behind it, straight from RAM.
  private peek(o: LeakObject): Uint8Array {
    const mm = this.k.mm;
    const n = Math.min(o.size, HEX_MAX);
    if (o.kind === 'vmalloc') {
      const pfn = mm.vmallocToPfn(toKva(o.ptr));
      return pfn < 0 ? new Uint8Array(0) : mm.mem.readBytes(pfn * PAGE_SIZE + Number(o.ptr & 0xfffn), n);
    }
    const pa = mm.virtToPhys(toKva(o.ptr));
    return pa < 0 ? new Uint8Array(0) : mm.mem.readBytes(pa, n);
  }

  private release(o: LeakObject, module: string): void {
    const mm = this.k.mm;
    if (o.kind === 'kmalloc') mm.kfree(mm.virtToPhys(toKva(o.ptr)));
    else if (o.kind === 'vmalloc') mm.vfree(toKva(o.ptr));
    else {
      const pfn = mm.virtToPhys(toKva(o.ptr)) / PAGE_SIZE;
      const m = mm.memMap;
      if (m.refcount[pfn] === 1 && m.mapcount[pfn] === -1) mm.buddy.freePages(pfn, o.order);
      else this.k.printk.log(`kmemleak: ${module}: pages at 0x${o.ptr.toString(16)} still in use (refcount ${m.refcount[pfn]}, mapcount ${m.mapcount[pfn]! + 1}): not freed`, KERN_WARNING);
    }
  }
}

function jiffies(ns: number): number {
  return (INITIAL_JIFFIES + Math.floor(ns / (1e9 / HZ))) % 2 ** 64;
}

/** print_hex_dump's row: 16 bytes in hex, then as ASCII. */
function hexRow(b: Uint8Array): string {
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  const ascii = [...b].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
  return `${hex.padEnd(47)}  ${ascii}`;
}
