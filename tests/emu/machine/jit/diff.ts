// Differential harness: the same machine run under tier 0 (Cpu.run) and tier
// 1 (Tier1.run), compared at every stop: stop reason, trap record, pc,
// instret, registers, memory pages, TLB contents, LRU state and statistics.
import { expect } from 'vitest';
import { Stop } from '../../../../emu/machine/cpu/cpu';
import { Tier1 } from '../../../../emu/machine/jit/tier1';
import type { Machine, MachineOptions } from '../../../../emu/machine/machine';
import { machine } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';

/** Everything architectural (and every statistic) a stop leaves. */
export function snapshot(r: { readonly m: Machine }, stop: Stop): unknown {
  const m = r.m;
  return {
    stop,
    trap: stop === Stop.Trap ? { ...m.cpu.trap } : null,
    pc: m.cpu.pc,
    instret: m.cpu.instret,
    regs: Array.from(m.cpu.x64.subarray(0, 32)),
    cr2: [m.mmu.cr2Lo, m.mmu.cr2Hi],
    tlb: m.mmu.entries(),
    stats: m.mmu.stats(),
    lru: [Array.from(m.mmu.itlb.stamp), Array.from(m.mmu.dtlb.stamp), m.mmu.itlb.clock, m.mmu.dtlb.clock],
    itlbEpoch: m.mmu.itlbEpoch,
  };
}

export interface DiffOptions {
  /** Budgets of successive runs (cycled); default one big run. */
  budgets?: readonly number[];
  /** Stop after this many runs or instructions in all. */
  maxRuns?: number;
  hotThreshold?: number;
  /** Called on both machines after every stop that is not a budget stop; return false to end. */
  onStop?: (r: MachineRun, stop: Stop) => boolean;
  /** Extra memory to compare after every stop: [va, len]. */
  memory?: [number, number][];
  setup?: (r: MachineRun) => void;
  /** The machines' options (memory size, TLBs, arena frames). */
  machine?: MachineOptions;
  /** Called on both machines after every run (after onStop), with the run's index: page-table flips, code pokes. */
  between?: (r: MachineRun, run: number) => void;
}

/** Runs `program` under both tiers with the same sequence of budgets and asserts identical states at every stop. Returns tier 1's stats. */
export function runBoth(program: readonly number[] | string, opts: DiffOptions = {}): { runs: number; tier1: Tier1; t1: MachineRun } {
  const t0 = machine(program, opts.machine);
  const t1 = machine(program, opts.machine);
  opts.setup?.(t0);
  opts.setup?.(t1);
  const jit = new Tier1(t1.m, { hotThreshold: opts.hotThreshold ?? 2 });
  const budgets = opts.budgets ?? [1_000_000];
  const maxRuns = opts.maxRuns ?? 1000;
  let runs = 0;
  for (; runs < maxRuns; runs++) {
    const budget = budgets[runs % budgets.length]!;
    const s0 = t0.m.cpu.run(budget);
    const s1 = jit.run(budget);
    const a = snapshot(t0, s0), b = snapshot(t1, s1);
    expect(b).toEqual(a);
    for (const [va, len] of opts.memory ?? []) expect(t1.peek(va, len)).toEqual(t0.peek(va, len));
    if (s0 !== Stop.Budget) {
      const go0 = opts.onStop ? opts.onStop(t0, s0) : false;
      const go1 = opts.onStop ? opts.onStop(t1, s1) : false;
      expect(go1).toBe(go0);
      if (!go0) break;
    }
    opts.between?.(t0, runs);
    opts.between?.(t1, runs);
  }
  return { runs, tier1: jit, t1 };
}

/** An onStop that serves write/exit like MachineRun.runLinux; ends on exit or anything else. */
export function linuxLike(out: Map<MachineRun, number[]>): (r: MachineRun, stop: Stop) => boolean {
  return (r, stop) => {
    if (stop !== Stop.Ecall) return false;
    const nr = r.m.cpu.reg(17);
    if (nr !== 64n) return false;
    const len = Number(r.m.cpu.reg(12));
    if (!out.has(r)) out.set(r, []);
    out.get(r)!.push(...r.peek(Number(r.m.cpu.reg(11)), len));
    r.m.cpu.setReg(10, BigInt(len));
    r.m.cpu.pc += 4n;
    return true;
  };
}
