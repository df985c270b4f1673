// What step, next, nexti, finish and until run for: predicates the stepping
// path checks after each instruction (engine-types.ts Goal), and the call
// frames (the fp/ra chain) finish and backtraces read.
import { TWO32 } from '../machine/cpu/int64';
import { rd, rs1 } from '../machine/isa/fields';
import { insnByMnemonic } from '../machine/isa/table';
import type { Engine } from './engine';
import { FLOW_CALL, flowOf } from './engine-types';
import type { ResumeOptions } from './engine-types';

/** addi, from the ISA table: the frame-pointer setup (addi s0, sp, imm) a backtrace looks for. */
const ADDI = insnByMnemonic('addi')!;
const REG_RA = 1;
const REG_SP = 2;
const REG_FP = 8;

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

/** finish: until pc is the caller's return address (frame 1); null in the outermost frame. */
export function finishGoal(e: Engine): ResumeOptions | null {
  const frames = callFrames(e);
  if (frames.length < 2) return null;
  return untilGoal(e, frames[1]!);
}

/**
 * The call chain's pcs, innermost first, from the fp/ra chain the libc's
 * frames keep (ra at fp-8, the caller's fp at fp-16); at most 65 frames.
 */
export function callFrames(e: Engine): number[] {
  const frames: number[] = [e.pc];
  let fp = Number(BigInt.asUintN(64, e.reg(REG_FP)));
  // In a function's first instructions (before `addi fp, sp, N`) the return address is still in ra.
  if (!prologueDone(e, e.pc)) frames.push(Number(BigInt.asUintN(64, e.reg(REG_RA))));
  for (let i = 0; i < 64 && fp !== 0; i++) {
    const ra = e.readVirt(fp - 8, 8), prev = e.readVirt(fp - 16, 8);
    if (typeof ra === 'string' || typeof prev === 'string' || ra === 0n) break;
    frames.push(Number(ra));
    if (Number(prev) <= fp) break;
    fp = Number(prev);
  }
  return frames.filter((pc, i) => i === 0 || pc !== 0);
}

/** Whether the function around pc has set up its frame pointer (addi s0, sp, imm) before pc. */
function prologueDone(e: Engine, pc: number): boolean {
  const sym = e.syms.symbolAt(pc);
  if (sym === undefined) return true;
  for (let a = sym.sym.value; a < pc && a < sym.sym.value + 64; a += 4) {
    const w = e.readVirt(a, 4);
    if (typeof w === 'string') return true;
    const word = Number(w);
    if (((word & ADDI.mask) >>> 0) === ADDI.match && rd(word) === REG_FP && rs1(word) === REG_SP) return true;
  }
  return false;
}
