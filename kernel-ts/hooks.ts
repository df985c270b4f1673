// Named attachment points in the core mm, in the spirit of ftrace/kprobes:
// a module registers pre/post handlers for a point and the core calls them
// around the operation with the mm, the range and the VMAs involved
// (docs/hooks.md). A pre handler runs before the VMA set or any page table
// changes (the place to split a huge page that the range cuts); a post
// handler runs after the operation completed.
//
//   const off = registerHook(kmm, 'munmap', { pre: (a) => ..., post: (a) => ... });
//   off();                        // unregister (rmmod does it for a module's hooks)
//
// Points:
//   munmap    a range is taken out of an address space (munmap, and the
//             munmaps inside mmap MAP_FIXED, brk shrinking, mremap)
//   mprotect  the protection of a range changes (VMAs may split)
//   mremap    mremap(2) resizes or moves [addr, addr + oldLen)
//   vma_move  a whole VMA's entries move to a new range (moveVma: mremap, btplus)
import type { KernelMm } from './mm/kernel-mm';
import type { MmStruct } from './mm/mm-struct';
import type { VmAreaStruct } from './mm/vma';

export type HookPoint = 'munmap' | 'mprotect' | 'mremap' | 'vma_move';
export const HOOK_POINTS: readonly HookPoint[] = ['munmap', 'mprotect', 'mremap', 'vma_move'];

/** What a handler is told. For vma_move, `to` is the new start of [start, end). */
export interface HookArgs {
  readonly point: HookPoint;
  readonly mm: MmStruct;
  readonly start: number;
  readonly end: number;
  /** The VMAs meeting [start, end) when the pre handlers run (the same array is passed to post). */
  readonly vmas: readonly VmAreaStruct[];
  readonly to?: number;
}

export interface HookHandlers {
  pre?(a: HookArgs): void;
  post?(a: HookArgs): void;
}

class HookTable {
  private readonly byPoint = new Map<HookPoint, HookHandlers[]>();

  register(point: HookPoint, h: HookHandlers): () => void {
    const list = this.byPoint.get(point) ?? [];
    list.push(h);
    this.byPoint.set(point, list);
    return () => {
      const i = list.indexOf(h);
      if (i >= 0) list.splice(i, 1);
    };
  }

  has(point: HookPoint): boolean {
    return (this.byPoint.get(point)?.length ?? 0) > 0;
  }

  run(which: 'pre' | 'post', a: HookArgs): void {
    // A copy: a handler may unregister itself.
    for (const h of [...(this.byPoint.get(a.point) ?? [])]) h[which]?.(a);
  }
}

const tables = new WeakMap<KernelMm, HookTable>();

function table(kmm: KernelMm): HookTable {
  let t = tables.get(kmm);
  if (t === undefined) {
    t = new HookTable();
    tables.set(kmm, t);
  }
  return t;
}

/** Attaches handlers to a point of this kernel's mm; returns the function that detaches them. */
export function registerHook(kmm: KernelMm, point: HookPoint, h: HookHandlers): () => void {
  return table(kmm).register(point, h);
}

/** The VMAs of mm meeting [start, end), lowest first. */
function vmasIn(mm: MmStruct, start: number, end: number): VmAreaStruct[] {
  const out: VmAreaStruct[] = [];
  for (let v = mm.vmas.findVmaIntersection(start, end); v !== null && v.vmStart < end; v = mm.vmas.vmaNext(v)) out.push(v);
  return out;
}

/**
 * Called by the core around an operation on [start, end) of mm: runs the pre
 * handlers, then `op`, then the post handlers; returns op's result. Costs one
 * map lookup when nothing is attached.
 */
export function withHooks<T>(kmm: KernelMm, point: HookPoint, mm: MmStruct, start: number, end: number, op: () => T, to?: number): T {
  const t = tables.get(kmm);
  if (t === undefined || !t.has(point)) return op();
  const a: HookArgs = { point, mm, start, end, vmas: vmasIn(mm, start, end), to };
  t.run('pre', a);
  const r = op();
  t.run('post', a);
  return r;
}
