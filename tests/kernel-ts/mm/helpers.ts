// A real machine with the kernel's memory manager booted on it, for the mm tests.
import { Machine } from '../../../emu/machine/machine';
import { Access, isTrap } from '../../../emu/machine/trap';
import { KernelMm } from '../../../kernel-ts/mm/kernel-mm';
import type { CurrentTask } from '../../../kernel-ts/mm/kernel-mm';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import { Printk } from '../../../kernel-ts/printk';
import { Trace } from '../../../kernel-ts/trace';
import { TWO32 } from '../../../emu/machine/cpu/int64';

export interface Booted {
  machine: Machine;
  kmm: KernelMm;
  trace: Trace;
}

export function boot(opts: { memSize?: number; paging?: 4 | 5; clockNs?: () => number; current?: () => CurrentTask | null } = {}): Booted {
  const machine = new Machine({ memSize: opts.memSize ?? 64 << 20 });
  const clock = opts.clockNs ?? (() => 0);
  const trace = new Trace(clock, () => null);
  const kmm = new KernelMm(machine, { paging: opts.paging ?? 4, printk: new Printk(clock), trace, clockNs: clock, current: opts.current });
  return { machine, kmm, trace };
}

/** A new mm, loaded in CR3. */
export function newMm(kmm: KernelMm): MmStruct {
  const mm = kmm.mmCreate();
  if (mm === null) throw new Error('mmCreate failed');
  kmm.switchMm(mm);
  return mm;
}

/** What a CPL-3 access through the real MMU does: the physical address, or the #PF error code as { fault }. */
export function userAccess(b: Booted, va: number, access: Access): number | { fault: number } {
  const mmu = b.machine.mmu;
  mmu.setCpl(3);
  try {
    return mmu.translate(va >>> 0, Math.floor(va / TWO32), access);
  } catch (e) {
    if (!isTrap(e)) throw e;
    return { fault: mmu.trap.error };
  } finally {
    mmu.setCpl(0);
  }
}

/** A CPL-3 access that faults into handleMmFault and retries, as the kernel's trap path does; returns the PA. */
export function touch(b: Booted, mm: MmStruct, va: number, access: Access): number {
  for (let i = 0; i < 4; i++) {
    const r = userAccess(b, va, access);
    if (typeof r === 'number') return r;
    const out = b.kmm.handleMmFault(mm, va >>> 0, Math.floor(va / TWO32), r.fault);
    if (out !== 0) throw new Error(`fault at 0x${va.toString(16)} error 0x${r.fault.toString(16)}: outcome ${out}`);
  }
  throw new Error('fault loop');
}

/** handleMmFault for a user address given as a number. */
export function fault(b: Booted, mm: MmStruct, va: number, error: number): number {
  return b.kmm.handleMmFault(mm, va >>> 0, Math.floor(va / TWO32), error);
}

/**
 * Every entry of the kernel half's page tables (swapper_pg_dir's upper half
 * and each table below it), as [table address (-1 for the pgd), index, low,
 * high] rows: what
 * every mm shares, to compare with a snapshot taken before an operation.
 */
export function kernelHalf(kmm: KernelMm, pgd: number = kmm.kspace.initPgd): number[][] {
  const mem = kmm.mem;
  const rows: number[][] = [];
  const visit = (table: number, level: number, first: number): void => {
    for (let i = first; i < 512; i++) {
      const lo = mem.read32(table + 8 * i);
      const hi = mem.read32(table + 8 * i + 4);
      if (lo === 0 && hi === 0) continue;
      rows.push([level === kmm.levels ? -1 : table, i, lo, hi]);
      if (level > 1 && (lo & 1) !== 0 && (lo & 0x80) === 0) visit((hi & 0xfffff) * TWO32 + ((lo & ~0xfff) >>> 0), level - 1, 0);
    }
  };
  visit(pgd, kmm.levels, 256);
  return rows;
}

/** A CPL-0 read through the real MMU of the direct map at physical address pa: the PA it translates to, or { fault }. */
export function kernelRead(b: Booted, pa: number): number | { fault: number } {
  const off = b.kmm.kspace.pageOffset;
  const mmu = b.machine.mmu;
  mmu.setCpl(0);
  try {
    return mmu.translate((off.lo + pa) >>> 0, (off.hi + Math.floor((off.lo + pa) / TWO32)) | 0, Access.Read);
  } catch (e) {
    if (!isTrap(e)) throw e;
    return { fault: mmu.trap.error };
  }
}
