// What kernel.userRun runs while the engine drives the kernel. With no stop
// condition, recording or replay in force, the fast loop itself (fastRun:
// tier 1 or machine.run, as `vmlab run` runs) in runs that end at the
// engine's next look at the event loop. Otherwise the stepping path
// (engine.ts needsStepping): one instruction at a time with cpu.step() when
// a stop condition must be checked between instructions (taskRun), or
// machine.run in chunks that end exactly at the next point of the time line
// when only the recorder, a replay or a scan is active (chunkRun). Every
// function returns what userRun returns: Stop.Budget to pause (pc at the
// next instruction; engine.pending says why), or the machine's stop for the
// kernel to dispatch.
//
// Slices end by instruction count (engine.yieldAt), never by time, so where
// a run looks at the event loop is the same on every machine; and they end
// there in every path, however long the kernel's own time slice is, so an
// interrupt lands within engine.sliceInsns instructions.
import { Stop } from '../machine/cpu/cpu';
import { TWO32, u64Big } from '../machine/cpu/int64';
import { Access, Vector } from '../machine/trap';
import type { Engine } from './engine';
import { flowOf } from './engine-types';
import type { Pause, StopEvent } from './engine-types';

/** Instructions per machine.run call of chunkRun. */
const RUN_CHUNK = 1 << 18;
const REG_A7 = 17;

function stop(e: Engine, p: StopEvent | Pause): Stop {
  e.stopWith(p);
  return Stop.Budget;
}

/**
 * kernel.userRun with nothing to check between instructions: the kernel's
 * own fast loop (tier 1 when it has one, else machine.run), cut at
 * engine.yieldAt. A pause there keeps the rest of the kernel's time slice
 * (Kernel.requestPause), so looking at the event loop changes nothing the
 * guest can see. One test per machine.run call, none per instruction
 * (STYLE 14).
 */
export function fastRun(e: Engine, budget: number): Stop {
  const k = e.k;
  const cpu = k.machine.cpu;
  const left = e.yieldAt - cpu.instret;
  if (left <= 0) return stop(e, { kind: 'yield' });
  const n = budget < left ? budget : left;
  const s = k.tier1 !== null ? k.tier1.run(n) : k.machine.run(n);
  return s === Stop.Budget && cpu.instret >= e.yieldAt ? stop(e, { kind: 'yield' }) : s;
}

/** kernel.userRun: the stepping path. */
export function userRun(e: Engine, budget: number): Stop {
  const k = e.k;
  if (k.current !== e.task) {
    // Other processes run freely, unless every instruction must be recorded or replayed.
    return e.recorder === null && e.mode.kind !== 'scan' ? fastRun(e, budget) : chunkRun(e, budget);
  }
  e.inUserRun = true;
  const s = taskRun(e, budget);
  e.inUserRun = false;
  return s;
}

/** The position where a replay or a scan ends, for the task running now (-1: none). */
function modeEnd(e: Engine, mine: boolean): number {
  const m = e.mode;
  if (m.kind === 'scan') return m.until;
  if (m.kind === 'replay' && mine) return m.to;
  return -1;
}

/**
 * Instructions in runs of up to RUN_CHUNK through machine.run (the fast
 * loop), each ending at the next point of the time line (a replay's target,
 * a scan's end, a checkpoint, a slice's end), for stretches where no
 * per-instruction check applies: other processes, replays, recording
 * without breakpoints.
 */
function chunkRun(e: Engine, budget: number): Stop {
  const k = e.k;
  const cpu = k.machine.cpu;
  let n = 0;
  while (n < budget) {
    const pos = cpu.instret + k.kernelEntries;
    const mine = k.current === e.task;
    const end = modeEnd(e, mine);
    if (end >= 0 && pos >= end) return stop(e, { kind: 'arrived' });
    if (pos >= e.nextCheckpoint) return stop(e, { kind: 'checkpoint' });
    if (n > 0 && cpu.instret >= e.yieldAt) return stop(e, { kind: 'yield' });
    let chunk = Math.min(budget - n, RUN_CHUNK, Math.max(1, e.yieldAt - cpu.instret));
    if (end >= 0) chunk = Math.min(chunk, end - pos);
    if (e.nextCheckpoint !== Infinity) chunk = Math.min(chunk, e.nextCheckpoint - pos);
    const before = cpu.instret;
    const s = k.machine.run(chunk);
    const ran = cpu.instret - before;
    n += ran;
    if (mine) {
      // As the stepping path keeps it: a retired instruction clears it, a trap or an ecall marks its instruction.
      if (s !== Stop.Budget) e.skipAt = (cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0);
      else if (ran > 0) e.skipAt = -1;
    }
    if (s !== Stop.Budget) return s;
  }
  return Stop.Budget;
}

/** The instruction word at pc (0 when pc is not mapped for a fetch: the step will fault). */
function fetchWord(e: Engine): number {
  const cpu = e.k.machine.cpu;
  const r = e.k.machine.mmu.probe(cpu.pcLo, cpu.pcHi, Access.Fetch, 3);
  return r.kind === 'ok' ? e.k.machine.mem.read32(r.pa) : 0;
}

/** The debugged task's instructions, one at a time, with every stop condition checked in between. */
function taskRun(e: Engine, budget: number): Stop {
  const k = e.k;
  const cpu = k.machine.cpu;
  const silent = e.silent;
  let n = 0;
  // CR3 writes and INVLPG happen in the kernel, between calls of this function.
  const ev = e.events.kernelEvent();
  if (ev !== null && !silent) return stop(e, ev);
  const visits = e.mode.kind === 'scan' ? e.mode.visits : null;
  // One instruction at a time: a stop condition of the user's, or a scan collecting instruction starts.
  if (visits === null && (silent || !e.checkedPerInstruction())) return chunkRun(e, budget);
  const end = modeEnd(e, true);
  const missCatch = silent ? null : e.bps.catchpoint('tlb-miss');
  const goal = e.goal;
  while (n < budget) {
    const pos = cpu.instret + k.kernelEntries;
    // The time line first: a replay's end, a scan's end, a checkpoint, the slice's end.
    if (end >= 0 && pos >= end) return stop(e, { kind: 'arrived' });
    if (pos >= e.nextCheckpoint) return stop(e, { kind: 'checkpoint' });
    if (n > 0 && cpu.instret >= e.yieldAt) return stop(e, { kind: 'yield' });
    if (visits !== null && (visits.pos.length === 0 || visits.pos[visits.pos.length - 1] !== pos)) {
      visits.pos.push(pos);
      visits.pc.push((cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0));
      visits.insns.push(e.taskInsns());
      if (visits.flow !== null) visits.flow.push(flowOf(fetchWord(e)));
    }
    const pc = (cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0);
    const first = pc === e.skipAt;
    e.skipAt = -1;
    if (silent) {
      const s = cpu.step();
      if (s !== Stop.Budget) {
        e.skipAt = pc;
        return s;
      }
      n++;
      continue;
    }
    if (!first) {
      const bp = e.bps.at(pc);
      if (bp !== null) return stop(e, { kind: 'breakpoint', bp });
    }
    const access = e.bps.accessAt(pc);
    const s = cpu.step();
    if (s === Stop.Trap) {
      const trap = cpu.trap;
      if (trap.vector === Vector.PF && pos !== e.caughtFaultPos) {
        const addr = u64Big(trap.addrLo, trap.addrHi);
        const bp = e.bps.pagefault(trap.error);
        if (bp !== null) return stop(e, { kind: 'pagefault', bp, addr, error: trap.error, ip: pc });
      }
      e.skipAt = pc; // the kernel fixes the fault and calls back to retry the same instruction
      return Stop.Trap;
    }
    if (s === Stop.Ecall) {
      if (!first) {
        const nr = cpu.x[2 * REG_A7]!;
        const bp = e.bps.syscall(nr);
        if (bp !== null) return stop(e, { kind: 'syscall', bp, nr });
      }
      e.skipAt = pc;
      return Stop.Ecall;
    }
    n++;
    e.stepped++;
    if (access !== null) {
      const w = e.bps.watchHit(access);
      if (w !== null) return stop(e, { kind: 'watch', bp: w.bp, old: w.old, now: w.now, addr: access.addr });
    }
    if (missCatch !== null) {
      const m = e.events.tlbMiss(missCatch, pc);
      if (m !== null) return stop(e, m);
    }
    if (goal.kind === 'steps' && goal.left > 0 && --goal.left === 0) return stop(e, { kind: 'step' });
    if (goal.kind === 'until' && goal.done()) return stop(e, { kind: 'step' });
  }
  return Stop.Budget;
}
