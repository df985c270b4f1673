// Fault-path measurements for `vmlab bench` and the report: a demand-zero
// sweep over a fresh anonymous mapping, calling handleMmFault directly (the
// handler path), and the same sweep as the CPU sees it (CPL-3 translate
// faults, the handler maps, the retry hits).
import { Machine } from '../../emu/machine/machine';
import { Access, PF_U, PF_W, isTrap } from '../../emu/machine/trap';
import { Printk } from '../printk';
import { Trace } from '../trace';
import { KernelMm } from './kernel-mm';
import { MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from './mmap';
import { PAGE_SIZE } from './page';
import { TWO32 } from '../../emu/machine/cpu/int64';

export interface FaultBench {
  faults: number;
  ms: number;
  faultsPerSec: number;
}

export const FaultBenchMode = { Handler: 0, ThroughMmu: 1 } as const;
export type FaultBenchMode = (typeof FaultBenchMode)[keyof typeof FaultBenchMode];

/**
 * Demand-zero write faults over `bytes` of anonymous memory (default 64 MiB:
 * 16,384 faults). `warm`: the frames were used before (MADV_DONTNEED), so the
 * host has already backed them; cold, each zeroing also pays the host's own
 * first-touch page fault.
 */
export function benchDemandZero(bytes = 64 << 20, mode: FaultBenchMode = FaultBenchMode.Handler, warm = true, paging: 4 | 5 = 4): FaultBench {
  const machine = new Machine({ memSize: bytes + (64 << 20) });
  const kmm = new KernelMm(machine, { paging, printk: new Printk(() => 0), trace: new Trace(() => 0, () => null) });
  const mm = kmm.mmCreate()!;
  kmm.switchMm(mm);
  const a = kmm.doMmap(mm, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  if (a < 0) throw new Error(`bench mmap: ${a}`);
  const pages = bytes / PAGE_SIZE;
  const mmu = machine.mmu;
  if (warm) {
    // Fault every page in and write it, as a guest would, so the host has backed
    // the frames: what remains to measure is the handler's own work.
    for (let i = 0; i < pages; i++) {
      const va = a + i * PAGE_SIZE;
      kmm.handleMmFault(mm, va >>> 0, Math.floor(va / TWO32), PF_W | PF_U);
      machine.mem.write32(kmm.followPte(mm, va).pfn * PAGE_SIZE, i);
    }
    kmm.doMadvise(mm, a, bytes, MADV_DONTNEED);
  }
  const t0 = performance.now();
  if (mode === FaultBenchMode.Handler) {
    for (let i = 0; i < pages; i++) {
      const va = a + i * PAGE_SIZE;
      if (kmm.handleMmFault(mm, va >>> 0, Math.floor(va / TWO32), PF_W | PF_U) !== 0) throw new Error('bench fault failed');
    }
  } else {
    mmu.setCpl(3);
    for (let i = 0; i < pages; i++) {
      const va = a + i * PAGE_SIZE;
      const lo = va >>> 0;
      const hi = Math.floor(va / TWO32);
      try {
        mmu.translate(lo, hi, Access.Write);
      } catch (e) {
        if (!isTrap(e)) throw e;
        if (kmm.handleMmFault(mm, lo, hi, mmu.trap.error) !== 0) throw new Error('bench fault failed');
        mmu.translate(lo, hi, Access.Write);
      }
    }
    mmu.setCpl(0);
  }
  const ms = performance.now() - t0;
  kmm.exitMmap(mm);
  return { faults: pages, ms, faultsPerSec: Math.round((pages / ms) * 1000) };
}
