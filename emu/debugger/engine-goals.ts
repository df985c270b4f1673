// What step, next, nexti, finish and until run for: predicates the stepping
// path checks after each instruction (engine-types.ts Goal), and the call
// frames (unwind.ts) finish and backtraces read.
import { TWO32 } from '../machine/cpu/int64';
import type { Engine } from './engine';
import { unwindFrames } from './unwind';
import type { CallFrame } from './unwind';
import { FLOW_CALL, flowOf } from './engine-types';
import type { ResumeOptions } from './engine-types';

const REG_SP = 2;

const cpuPc = (e: Engine): number => {
  const cpu = e.k.machine.cpu;
  return (cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0);
};

/** The instruction at pc calls (jal/jalr writing ra): next and finish step over it. */
export function isCallAt(e: Engine, pc: number): boolean {
  const w = e.readVirt(pc, 4);
  return typeof w !== 'string' && flowOf(Number(w) | 0) === FLOW_CALL;
}

/** Until pc is addr. */
export function untilGoal(e: Engine, addr: number): ResumeOptions {
  return { after: () => cpuPc(e) === addr };
}

/** nexti: one instruction, or over the call at pc (until the return to the next instruction, same sp). */
export function nextiGoal(e: Engine): ResumeOptions {
  if (!isCallAt(e, e.pc)) return { steps: 1 };
  const target = e.pc + 4, sp = e.sp, cpu = e.k.machine.cpu;
  return { after: () => cpuPc(e) === target && Number(cpu.reg(REG_SP)) === sp };
}

/** step (over = false) or next (over = true): to the next source line (DWARF line table); one instruction where there is none. */
export function lineGoal(e: Engine, over: boolean): ResumeOptions {
  const start = e.syms.line(e.pc);
  if (start === undefined) return { steps: 1 };
  const cpu = e.k.machine.cpu;
  let last = e.pc;
  let returnTo = -1, returnSp = 0;
  return {
    after: () => {
      const pc = cpuPc(e);
      const prev = last;
      last = pc;
      if (returnTo >= 0) {
        if (pc !== returnTo || Number(cpu.reg(REG_SP)) !== returnSp) return false;
        returnTo = -1;
      } else if (over && isCallAt(e, prev)) {
        returnTo = prev + 4;
        returnSp = Number(cpu.reg(REG_SP));
        return false;
      }
      const l = e.syms.line(pc);
      if (l === undefined) return false; // code without line info (none in vmlab's own output): keep going
      return l.line !== start.line || l.file !== start.file;
    },
  };
}

/**
 * finish (of frame `level`, 0 the innermost): until pc is its caller's
 * resume address and, where CFI found that frame, sp is the caller's (so a
 * recursive call returning to the same address does not end it); null in
 * the outermost frame.
 */
export function finishGoal(e: Engine, level = 0): ResumeOptions | null {
  const caller = callFrames(e)[level + 1];
  if (caller === undefined) return null;
  const sp = caller.from === 'cfi' ? caller.regs[REG_SP] : null;
  if (sp === null || sp === undefined) return untilGoal(e, caller.pc);
  const cpu = e.k.machine.cpu, target = Number(sp);
  return { after: () => cpuPc(e) === caller.pc && Number(BigInt.asUintN(64, cpu.reg(REG_SP))) === target };
}

/** The call frames, innermost first (unwind.ts: CFI where the code has it, else the libc's fp/ra chain). */
export function callFrames(e: Engine): CallFrame[] {
  return unwindFrames(e);
}
