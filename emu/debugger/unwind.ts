// The call frames of the stopped program, innermost first: each frame's pc,
// CFA and the registers as they were in it, so that backtraces, finish and
// the locals of an outer frame (locals.ts) read the right ones. Where an FDE
// of .debug_frame or .eh_frame covers a frame's code (C built by gcc), its
// CFI row says where the caller's registers are (dwarf-cfi.ts; gdb's
// dwarf2_frame_prev_register). Elsewhere (vmlab's assembly and libc, which
// have no CFI): in a function whose prologue has not set fp, or that sets
// none (the libc's C at -O2), what of the prologue ran (`addi sp, sp, -N`,
// `sd ra/s0-s11, OFF(sp)`; in the innermost frame, ra itself when it is not
// saved yet), as gdb's prologue analyser; else the fp chain the libc keeps:
// ra at fp-8, the caller's fp at fp-16, fp the frame's CFA. The walk ends
// at the function of the ELF's entry point (_start), at a return address
// of 0 or undefined, at a CFA that does not grow, and at a slot that cannot
// be read: memory is read through the side-effect-free probe
// (Inspector.readVirt), so nothing is faulted in.
//
// A signal handler returns to the [vdso] trampoline (`li a7, 139; ecall`,
// kernel-ts/proc/vdso.ts): that frame is `<signal handler called>`, and
// its caller is the interrupted code, whose pc and x1-x31 the kernel saved
// in the rt_sigframe at the trampoline frame's sp (kernel-ts/proc/sigframe.ts:
// uc_mcontext's sc_regs), as gdb's riscv_linux_sigframe_init reads them.
import { immS, rd, rs1, rs2 } from '../machine/isa/fields';
import { insnByMnemonic } from '../machine/isa/table';
import { PAGE_SIZE } from '../machine/mmu/paging';
import { SC_REGS } from '../../kernel-ts/proc/sigframe';
import { INSN_ECALL, INSN_LI_A7_RT_SIGRETURN } from '../../kernel-ts/proc/vdso';
import type { Inspector } from './engine-inspect';
import type { Symbols } from './symbols';

const ADDI = insnByMnemonic('addi')!;
const REG_RA = 1;
const REG_SP = 2;
const REG_FP = 8;
/** At most this many frames (gdb's backtrace limit is unbounded; a corrupt chain must still end). */
const MAX_FRAMES = 65;

/** How a frame's registers were recovered from its callee's ('sigframe': all of them from the rt_sigframe the kernel saved). */
export type FrameSource = 'live' | 'cfi' | 'fp' | 'ra' | 'sigframe';

/** A function's frame, or the signal trampoline's (gdb's SIGTRAMP_FRAME, `<signal handler called>`). */
export type FrameKind = 'normal' | 'sigtramp';

export interface CallFrame {
  level: number;
  pc: number;
  /**
   * The address the frame's code is looked up by (FDE, function, block,
   * location list): pc in frame 0; in a caller pc - 1, inside the call
   * rather than after it, which may be another function or line (gdb's
   * get_frame_address_in_block).
   */
  lookupPc: number;
  /** The canonical frame address (sp before the call that made this frame); null where it is not known. */
  cfa: number | null;
  /** x0-x31 as they are in this frame (x2 the frame's sp); null: not recovered. */
  regs: (bigint | null)[];
  from: FrameSource;
  kind: FrameKind;
}

/**
 * What the walk reads: the stopped registers, memory through the
 * side-effect-free probe (and a file page not faulted in yet, for the
 * trampoline's code), the program's CFI and symbols (an Inspector).
 */
export type UnwindSource = Pick<Inspector, 'pc' | 'reg' | 'readVirt'> & Partial<Pick<Inspector, 'unfaultedPage'>> & { syms: Pick<Symbols, 'cfi' | 'symbolAt' | 'entry'> };

/** The frames from the stopped pc outwards (at least frame 0). */
export function unwindFrames(e: UnwindSource): CallFrame[] {
  const regs = Array.from({ length: 32 }, (_, r) => (r === 0 ? 0n : BigInt.asUintN(64, e.reg(r))));
  const frames: CallFrame[] = [{ level: 0, pc: e.pc, lookupPc: e.pc, cfa: null, regs, from: 'live', kind: inSigtramp(e, e.pc) ? 'sigtramp' : 'normal' }];
  for (;;) {
    const f = frames[frames.length - 1]!;
    // The function at the ELF's entry point (_start) is the outermost (gdb's `backtrace past-entry off`).
    if (e.syms.symbolAt(f.lookupPc)?.sym.value === e.syms.entry) break;
    const caller = callerOf(e, f);
    const callee = frames[frames.length - 2];
    // A frame whose CFA is not above its callee's means a corrupt chain (gdb: "previous frame inner to this frame"): it is the last.
    // The trampoline's frame is the signal frame's base, which is the handler's CFA.
    if (callee !== undefined && callee.cfa !== null && f.cfa !== null && f.cfa <= callee.cfa && f.kind !== 'sigtramp') break;
    if (caller === null || frames.length >= MAX_FRAMES) break;
    frames.push(caller);
  }
  return frames;
}

/** The caller of frame f (f.cfa is set on the way), or null where the walk ends. */
function callerOf(e: UnwindSource, f: CallFrame): CallFrame | null {
  if (f.kind === 'sigtramp') return interrupted(e, f);
  const row = e.syms.cfi.rowFor(f.lookupPc);
  if (row !== undefined) {
    if (row.cfa.kind !== 'register') return null; // DW_CFA_def_cfa_expression: not evaluated
    const base = f.regs[row.cfa.reg];
    if (base === null || base === undefined) return null;
    const cfa = Number(BigInt.asUintN(64, base + BigInt(row.cfa.offset)));
    f.cfa = cfa;
    const regs: (bigint | null)[] = [];
    for (let r = 0; r < 32; r++) {
      const rule = row.regs.get(r);
      // Unmentioned registers keep their value (gdb's unspecified rule); sp is the CFA (riscv_dwarf2_frame_init_reg).
      if (r === 0) regs.push(0n);
      else if (rule === undefined) regs.push(r === REG_SP ? BigInt(cfa) : f.regs[r]!);
      else if (rule.kind === 'same') regs.push(f.regs[r]!);
      else if (rule.kind === 'offset') regs.push(read8(e, cfa + rule.offset));
      else if (rule.kind === 'val-offset') regs.push(BigInt.asUintN(64, BigInt(cfa + rule.offset)));
      else if (rule.kind === 'register') regs.push(f.regs[rule.reg] ?? null);
      else regs.push(null); // undefined, or an expression (not evaluated)
    }
    const ra = regs[e.syms.cfi.fdeFor(f.lookupPc)!.cie.raColumn] ?? null;
    if (ra === null || ra === 0n) return null;
    return frame(f, Number(ra), regs, 'cfi', e);
  }
  // No CFI: vmlab's libc convention.
  if (!prologueDone(e, f.lookupPc)) {
    // Before fp is set (or in a function that sets none, -O2 C): the prologue's own saves.
    const p = prologue(e, f);
    // A caller's ra register is not its return address any more: only a save slot says it (an interrupted frame's ra is its own).
    if (f.from !== 'live' && f.from !== 'sigframe' && p?.saved.has(REG_RA) !== true) return null;
    const regs = f.regs.slice();
    if (p !== null) {
      f.cfa = p.cfa;
      regs[REG_SP] = BigInt(p.cfa);
      for (const [r, at] of p.saved) {
        const v = read8(e, at);
        if (v === null) return null;
        regs[r] = v;
      }
    }
    const ra = regs[REG_RA];
    if (ra === null || ra === undefined || ra === 0n) return null;
    return frame(f, Number(ra), regs, 'ra', e);
  }
  const fp = f.regs[REG_FP];
  if (fp === null || fp === undefined || fp === 0n) return null;
  const at = Number(fp);
  f.cfa = at;
  const ra = read8(e, at - 8), prev = read8(e, at - 16);
  if (ra === null || prev === null || ra === 0n) return null;
  const regs = f.regs.slice();
  regs[REG_FP] = prev;
  regs[REG_SP] = fp;
  regs[REG_RA] = ra;
  return frame(f, Number(ra), regs, 'fp', e);
}

/** The caller of callee at pc; the trampoline's frame is looked up at its pc (it was not called: the kernel set ra to it). */
function frame(callee: CallFrame, pc: number, regs: (bigint | null)[], from: FrameSource, e: UnwindSource): CallFrame {
  const sigtramp = inSigtramp(e, pc);
  return { level: callee.level + 1, pc, lookupPc: sigtramp ? pc : pc - 1, cfa: null, regs, from, kind: sigtramp ? 'sigtramp' : 'normal' };
}

/**
 * The frame a signal interrupted, under the trampoline's frame f: pc and
 * x1-x31 from sc_regs of the rt_sigframe at f's sp (the kernel's
 * setup_rt_frame put the handler's sp there). Its pc is where the program
 * stopped, not a return address: it is looked up as it is (gdb's
 * get_frame_address_in_block for a frame under a sigtramp frame).
 */
function interrupted(e: UnwindSource, f: CallFrame): CallFrame | null {
  const sp = f.regs[REG_SP];
  if (sp === null || sp === undefined) return null;
  f.cfa = Number(sp);
  const at = Number(sp) + SC_REGS;
  const regs: (bigint | null)[] = [0n];
  for (let r = 1; r < 32; r++) {
    const v = read8(e, at + 8 * r);
    if (v === null) return null;
    regs.push(v);
  }
  const pc = read8(e, at);
  if (pc === null || pc === 0n) return null;
  return { level: f.level + 1, pc: Number(pc), lookupPc: Number(pc), cfa: null, regs, from: 'sigframe', kind: inSigtramp(e, Number(pc)) ? 'sigtramp' : 'normal' };
}

/** An instruction word of code at va, read as ptrace would (a file page not faulted in yet from the page cache or file), or null. */
export function codeWord(e: UnwindSource, va: number): number | null {
  const w = e.readVirt(va, 4);
  if (typeof w !== 'string') return Number(w);
  const page = e.unfaultedPage?.(va) ?? null;
  const off = va % PAGE_SIZE;
  return page === null || off > PAGE_SIZE - 4 ? null : new DataView(page.buffer, page.byteOffset).getUint32(off, true);
}

/**
 * Whether pc is in riscv Linux's rt_sigreturn trampoline, at either of its
 * instructions (`li a7, 139` then `ecall`), as gdb's riscv_linux_sigframe
 * matches it. Only code outside the ELF's symbols is read for it (the
 * trampoline is the [vdso]'s).
 */
export function inSigtramp(e: UnwindSource, pc: number): boolean {
  if (e.syms.symbolAt(pc) !== undefined) return false;
  const w = codeWord(e, pc);
  if (w === INSN_LI_A7_RT_SIGRETURN) return codeWord(e, pc + 4) === INSN_ECALL;
  return w === INSN_ECALL && codeWord(e, pc - 4) === INSN_LI_A7_RT_SIGRETURN;
}

function read8(e: UnwindSource, va: number): bigint | null {
  const v = e.readVirt(va, 8);
  return typeof v === 'string' ? null : v;
}

/** Whether the function around pc has set up its frame pointer (addi s0, sp, imm) before pc. */
function prologueDone(e: UnwindSource, pc: number): boolean {
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

/** Callee-saved registers a prologue may store (ra, s0-s11). */
const SAVED = new Set([1, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]);
const OPCODE_SD = 0x3023, MASK_SD = 0x707f;
/** jal, jalr and the branches end a prologue (gdb's riscv_scan_prologue stops at control flow too). */
const isFlow = (w: number): boolean => (w & 0x7f) === 0x6f || (w & 0x7f) === 0x67 || (w & 0x7f) === 0x63;

/**
 * A frame in a function without CFI, before its frame pointer is set (or
 * in one that sets none): the CFA (sp plus the prologue's `addi sp, sp, -N`
 * that ran before pc) and where the `sd REG, OFF(sp)` that ran saved ra and
 * s0-s11; null without a symbol to start from.
 */
function prologue(e: UnwindSource, f: CallFrame): { cfa: number; saved: Map<number, number> } | null {
  const sym = e.syms.symbolAt(f.lookupPc);
  const sp = f.regs[REG_SP];
  if (sym === undefined || sp === null || sp === undefined) return null;
  let frameSize = 0;
  const offsets = new Map<number, number>();
  for (let a = sym.sym.value; a < f.lookupPc && a < sym.sym.value + 256; a += 4) {
    const w = e.readVirt(a, 4);
    if (typeof w === 'string') break;
    const word = Number(w);
    if (isFlow(word)) break;
    if (((word & ADDI.mask) >>> 0) === ADDI.match && rd(word) === REG_SP && rs1(word) === REG_SP && word >> 20 < 0) frameSize = -(word >> 20);
    if ((word & MASK_SD) === OPCODE_SD && rs1(word) === REG_SP && SAVED.has(rs2(word)) && !offsets.has(rs2(word))) offsets.set(rs2(word), immS(word));
  }
  // The saves are relative to sp after the `addi sp`: the frame's sp now.
  const saved = new Map([...offsets].map(([r, off]) => [r, Number(sp) + off] as [number, number]));
  return { cfa: Number(sp) + frameSize, saved };
}
