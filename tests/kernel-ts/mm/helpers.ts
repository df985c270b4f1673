// A real machine with the kernel's memory manager booted on it, for the mm tests.
import { Machine } from '../../../emu/machine/machine';
import { Access, TRAP_STATE, isTrap } from '../../../emu/machine/trap';
import { KernelMm } from '../../../kernel-ts/mm/kernel-mm';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import { Printk } from '../../../kernel-ts/printk';
import { Trace } from '../../../kernel-ts/trace';
import { TWO32 } from '../../../emu/machine/cpu/int64';

export interface Booted {
  machine: Machine;
  kmm: KernelMm;
  trace: Trace;
}

export function boot(opts: { memSize?: number; paging?: 4 | 5 } = {}): Booted {
  const machine = new Machine({ memSize: opts.memSize ?? 64 << 20 });
  const trace = new Trace(() => 0, () => null);
  const kmm = new KernelMm(machine, { paging: opts.paging ?? 4, printk: new Printk(() => 0), trace });
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
    return { fault: TRAP_STATE.error };
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
