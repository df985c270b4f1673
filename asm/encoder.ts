// Encodes one real instruction (a table entry plus operand values) into its
// 32-bit word, checking every field's range the way GNU as does. Immediates
// may still be symbolic when the pseudo-expander builds the Emit; they are
// resolved here, at link time, when every address is known.
import type { InsnDef, Operand } from '../emu/machine/isa/table';
import {
  setFence, setImmB, setImmI, setImmJ, setImmS, setImmU, setRd, setRs1, setRs2, setShamt,
} from '../emu/machine/isa/fields';
import type { ExprError, Value } from './expr';
import { isErr } from './expr';
import type { Tok } from './lexer';
import type { ImmExpr } from './parser';

/**
 * An immediate operand: a known constant, an operand expression (maybe under
 * %hi/%lo/%pcrel_hi/%pcrel_lo), or the low part of a pc-relative pair whose
 * auipc sits `back` bytes earlier (la, call, tail, load/store from a symbol).
 */
export type Imm =
  | { k: 'const'; v: number }
  | { k: 'expr'; x: ImmExpr }
  | { k: 'pcrelLoPrev'; x: ImmExpr; back: number };

/** One real instruction ready to encode. Unused register fields stay 0. */
export interface Emit {
  def: InsnDef;
  rd: number;
  rs1: number;
  rs2: number;
  imm: Imm | null;
  /** Extra fixed bits (fence pred/succ/fm). */
  bits: number;
  /** Where errors about this instruction's immediate point. */
  tok: Tok;
}

/** What the encoder needs from the linker to resolve symbolic immediates. */
export interface ResolveCtx {
  /** Evaluates an expression to an absolute address or constant. */
  value(x: ImmExpr, pc: bigint): Value | ExprError;
  /** The %pcrel_hi target of the auipc at `addr`, or an error message. */
  pcrelHiTarget(addr: bigint): bigint | string;
}

const IMM_OPERANDS: readonly Operand[] = ['imm12', 'load', 'store', 'shamt6', 'shamt5', 'branch', 'jump', 'uimm20'];

/** The operand of `def` that carries its immediate, or null (R-type, ecall, fence...). */
export function immOperand(def: InsnDef): Operand | null {
  for (const o of def.operands) if (IMM_OPERANDS.includes(o)) return o;
  return null;
}

const lo12 = (v: bigint): bigint => BigInt.asIntN(12, v);
const hi20 = (v: bigint): bigint => BigInt.asUintN(20, (v + 0x800n) >> 12n);

function rangeErr(what: string, v: bigint, lo: number, hi: number, tok: Tok): ExprError {
  return { err: `${what} out of range: ${v} is not in ${lo}..${hi}`, tok };
}

/** The immediate's numeric field value for `em` at address `pc`, range-checked. */
function immValue(em: Emit, pc: bigint, ctx: ResolveCtx): bigint | ExprError {
  const imm = em.imm;
  if (imm === null) return 0n;
  if (imm.k === 'const') return BigInt(imm.v);
  const kind = immOperand(em.def);
  const val = ctx.value(imm.x, pc);
  if (isErr(val)) return val;
  const v = val.v;
  const tok = imm.x.tok;
  if (imm.k === 'pcrelLoPrev') return lo12(v - (pc - BigInt(imm.back)));
  const fn = imm.x.fn;
  const mn = em.def.mnemonic;
  switch (fn) {
    case 'hi':
      if (mn !== 'lui') return { err: `%hi is only valid as the operand of lui`, tok };
      return hi20(v);
    case 'pcrel_hi': {
      if (mn !== 'auipc') return { err: `%pcrel_hi is only valid as the operand of auipc`, tok };
      const d = v - pc;
      if (d < -0x80000800n || d > 0x7ffff7ffn) return { err: `pc-relative offset ${d} does not fit in 32 bits`, tok };
      return hi20(d);
    }
    case 'lo': case 'pcrel_lo': {
      if (kind !== 'imm12' && kind !== 'load' && kind !== 'store') {
        return { err: `%${fn} is only valid as a 12-bit immediate or load/store offset`, tok };
      }
      if (fn === 'lo') return lo12(v);
      const target = ctx.pcrelHiTarget(v);
      if (typeof target === 'string') return { err: target, tok };
      return lo12(target - v);
    }
    case null:
      break;
  }
  switch (kind) {
    case 'imm12': case 'load': case 'store':
      if (v < -2048n || v > 2047n) return rangeErr('immediate', v, -2048, 2047, tok);
      return v;
    case 'shamt6':
      if (v < 0n || v > 63n) return rangeErr('shift amount', v, 0, 63, tok);
      return v;
    case 'shamt5':
      if (v < 0n || v > 31n) return rangeErr('shift amount', v, 0, 31, tok);
      return v;
    case 'uimm20':
      if (v < 0n || v > 0xfffffn) return rangeErr('immediate', v, 0, 0xfffff, tok);
      return v;
    case 'branch': case 'jump': {
      const d = v - pc;
      const [lo, hi] = kind === 'branch' ? [-4096, 4094] : [-1048576, 1048574];
      const what = kind === 'branch' ? 'branch' : 'jump';
      if (d < BigInt(lo) || d > BigInt(hi)) return { err: `${what} target out of range: offset ${d} is not in ${lo}..${hi}`, tok };
      if ((d & 1n) !== 0n) return { err: `${what} target misaligned: offset ${d} is odd`, tok };
      return d;
    }
    default:
      return { err: `${mn} takes no immediate`, tok };
  }
}

/** The instruction word for `em` placed at `pc`. */
export function encodeEmit(em: Emit, pc: bigint, ctx: ResolveCtx): number | ExprError {
  const iv = immValue(em, pc, ctx);
  if (isErr(iv)) return iv;
  const v = Number(BigInt.asIntN(32, iv));
  let w = em.def.match | em.bits;
  for (const o of em.def.operands) {
    switch (o) {
      case 'rd': w |= setRd(em.rd); break;
      case 'rs1': w |= setRs1(em.rs1); break;
      case 'rs2': w |= setRs2(em.rs2); break;
      case 'imm12': w |= setImmI(v); break;
      case 'load': w |= setRs1(em.rs1) | setImmI(v); break;
      case 'store': w |= setRs1(em.rs1) | setImmS(v); break;
      case 'shamt6': case 'shamt5': w |= setShamt(v); break;
      case 'branch': w |= setImmB(v); break;
      case 'jump': w |= setImmJ(v); break;
      case 'uimm20': w |= setImmU(v << 12); break;
      case 'fence': break;
    }
  }
  return w >>> 0;
}

/**
 * Bits of a fence operand set ("iorw" letters, any subset, in that order); -1 if
 * malformed. The empty set, which GNU as cannot express, is also accepted as
 * `0` or as `unknown` (how objdump prints it), so every fence word round-trips.
 */
export function fenceSet(text: string): number {
  if (text === '0' || text === 'unknown') return 0;
  if (!/^i?o?r?w?$/.test(text) || text.length === 0) return -1;
  let bits = 0;
  for (const c of text) bits |= { i: 8, o: 4, r: 2, w: 1 }[c as 'i' | 'o' | 'r' | 'w'];
  return bits;
}

export const fenceBits = (pred: number, succ: number): number => setFence(pred, succ);
