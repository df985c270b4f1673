// Turns one source instruction (real or pseudo) into the real instructions it
// stands for, exactly as GNU as expands them (binutils opcodes/riscv-opc.c
// aliases and gas/config/tc-riscv.c macro(), with -mno-relax and no PIC:
// `la` is `lla`; `call` is auipc ra + jalr ra; `tail` is auipc t1 + jalr zero).
// Immediates may stay symbolic; the encoder resolves them once addresses are known.
// Which operands are registers and which are expressions (where `s1` is a
// symbol) follows GNU's operand kinds; see parser.ts.
import type { InsnDef, Operand as OperandKind } from '../emu/machine/isa/table';
import { insnByMnemonic } from '../emu/machine/isa/table';
import { CSR_CYCLE, CSR_INSTRET, CSR_TIME } from '../emu/machine/isa/registers';
import type { Emit, Imm } from './encoder';
import { fenceBits, fenceSet, immOperand } from './encoder';
import type { ExprError, LocalRefResolver } from './expr';
import { isErr } from './expr';
import type { Tok } from './lexer';
import type { ImmExpr, Operand } from './parser';
import { isMemOperand, isRegOperand, operandExpr, operandImm, operandMem, operandReg, startsWithRegister } from './parser';

export interface ExpandCtx {
  localRef: LocalRefResolver;
  /** Evaluates `x` to a constant now (li needs its value to know its length). */
  constant(x: ImmExpr): bigint | ExprError;
  /** The value of `x` if it is already known to be a constant, else null (an address, or not defined yet). */
  constantNow(x: ImmExpr): bigint | null;
}

const ZERO = 0;
const RA = 1;
const T1 = 6;

function def(mnemonic: string): InsnDef {
  const d = insnByMnemonic(mnemonic);
  if (!d) throw new Error(`instruction table lacks '${mnemonic}'`); // a broken invariant, not a user error
  return d;
}

function emit(mnemonic: string, tok: Tok, rd: number, rs1: number, rs2: number, imm: Imm | null, bits = 0): Emit {
  return { def: def(mnemonic), rd, rs1, rs2, imm, bits, tok };
}

const konst = (v: number): Imm => ({ k: 'const', v });

/** Register-register forms that GNU as also accepts with an immediate third operand. */
const IMM_TWIN: Record<string, string> = {
  add: 'addi', addw: 'addiw', and: 'andi', or: 'ori', xor: 'xori', slt: 'slti', sltu: 'sltiu',
  sll: 'slli', srl: 'srli', sra: 'srai', sllw: 'slliw', srlw: 'srliw', sraw: 'sraiw',
};

const OPERAND_SYNTAX: Record<OperandKind, string> = {
  rd: 'rd', rs1: 'rs1', rs2: 'rs2', imm12: 'imm', load: 'offset(rs1)', store: 'offset(rs1)',
  shamt6: 'shamt', shamt5: 'shamt', branch: 'label', jump: 'label', uimm20: 'imm', fence: 'pred, succ',
};

/** Syntax of the pseudo-instructions, for operand-count messages. */
const PSEUDO_SYNTAX: Record<string, string> = {
  nop: '', ret: '', 'fence.tso': '', scall: '', sbreak: '',
  mv: 'rd, rs', not: 'rd, rs', neg: 'rd, rs', negw: 'rd, rs', 'sext.w': 'rd, rs', 'zext.b': 'rd, rs',
  'sext.b': 'rd, rs', 'sext.h': 'rd, rs', 'zext.h': 'rd, rs', 'zext.w': 'rd, rs',
  seqz: 'rd, rs', snez: 'rd, rs', sltz: 'rd, rs', sgtz: 'rd, rs', sgt: 'rd, rs1, rs2', sgtu: 'rd, rs1, rs2',
  beqz: 'rs, label', bnez: 'rs, label', blez: 'rs, label', bgez: 'rs, label', bltz: 'rs, label', bgtz: 'rs, label',
  bgt: 'rs1, rs2, label', ble: 'rs1, rs2, label', bgtu: 'rs1, rs2, label', bleu: 'rs1, rs2, label',
  j: 'label', jr: 'rs', call: 'symbol', tail: 'symbol', li: 'rd, imm', la: 'rd, symbol', lla: 'rd, symbol',
  csrr: 'rd, csr',
};

/** The operand syntax of a mnemonic for messages ("rd, rs1, imm"), or undefined if unknown. */
export function syntaxOf(mnemonic: string): string | undefined {
  const d = insnByMnemonic(mnemonic);
  if (d) return d.operands.map((o) => OPERAND_SYNTAX[o]).join(', ');
  return PSEUDO_SYNTAX[mnemonic];
}

export function isMnemonic(m: string): boolean {
  return insnByMnemonic(m) !== undefined || m in PSEUDO_SYNTAX;
}

function countErr(mn: Tok, got: number, expected: string): ExprError {
  const syn = syntaxOf(mn.text) ?? '';
  const form = syn === '' ? `'${mn.text}'` : `'${mn.text} ${syn}'`;
  return { err: `wrong number of operands for '${mn.text}': expected ${expected}, got ${got} (syntax: ${form})`, tok: mn };
}

/** Registers from the first `n` operands. */
function regs(ops: Operand[], n: number): number[] | ExprError {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = operandReg(ops[i]!);
    if (isErr(r)) return r;
    out.push(r);
  }
  return out;
}

const plural = (n: number): string => `${n} operand${n === 1 ? '' : 's'}`;

/** Expands one instruction statement into real instructions (empty only on error). */
export function expand(mn: Tok, ops: Operand[], ctx: ExpandCtx): Emit[] | ExprError {
  const m = mn.text;
  const n = ops.length;
  const need = (k: number): ExprError | null => (n === k ? null : countErr(mn, n, plural(k)));
  // Targets and symbols: GNU reads these with my_getExpression, so `j t0` jumps to a label t0.
  const imm = (i: number): ImmExpr | ExprError => operandExpr(ops[i]!, ctx.localRef);
  const exprImm = (x: ImmExpr): Imm => ({ k: 'expr', x });

  // rd, rs two-register aliases: [real mnemonic, order] where order says where rs goes.
  const twoReg = (real: string, place: 'rs1' | 'rs2' | 'rs1imm', immv = 0): Emit[] | ExprError => {
    const e = need(2);
    if (e) return e;
    const r = regs(ops, 2);
    if (isErr(r)) return r;
    const [rd, rs] = r as [number, number];
    if (place === 'rs2') return [emit(real, mn, rd, ZERO, rs, null)];
    return [emit(real, mn, rd, rs, ZERO, place === 'rs1imm' ? konst(immv) : null)];
  };
  const shiftPair = (left: string, right: string, amount: number): Emit[] | ExprError => {
    const e = need(2);
    if (e) return e;
    const r = regs(ops, 2);
    if (isErr(r)) return r;
    const [rd, rs] = r as [number, number];
    return [emit(left, mn, rd, rs, ZERO, konst(amount)), emit(right, mn, rd, rd, ZERO, konst(amount))];
  };
  const branchZ = (real: string, zeroFirst: boolean): Emit[] | ExprError => {
    const e = need(2);
    if (e) return e;
    const rs = operandReg(ops[0]!);
    if (isErr(rs)) return rs;
    const t = imm(1);
    if (isErr(t)) return t;
    return [zeroFirst ? emit(real, mn, ZERO, ZERO, rs, exprImm(t)) : emit(real, mn, ZERO, rs, ZERO, exprImm(t))];
  };
  const branchSwap = (real: string): Emit[] | ExprError => {
    const e = need(3);
    if (e) return e;
    const r = regs(ops, 2);
    if (isErr(r)) return r;
    const t = imm(2);
    if (isErr(t)) return t;
    return [emit(real, mn, ZERO, r[1]!, r[0]!, exprImm(t))];
  };
  // auipc tmp, %pcrel_hi(sym) then `second` using tmp and the matching low part.
  const pcrelPair = (tmp: number, symOp: number, second: (lo: Imm) => Emit): Emit[] | ExprError => {
    // `call f@plt` (what gcc -fpic writes) is `call f` in a static program.
    const t = ops[symOp]!.toks;
    if ((m === 'call' || m === 'tail') && t.length > 2 && t[t.length - 2]!.text === '@' && t[t.length - 1]!.text === 'plt') {
      ops[symOp] = { toks: t.slice(0, -2), end: ops[symOp]!.end };
    }
    const x = imm(symOp);
    if (isErr(x)) return x;
    if (x.fn !== null) return { err: `%${x.fn} is not allowed here; give a symbol`, tok: x.tok };
    return [emit('auipc', mn, tmp, ZERO, ZERO, exprImm({ ...x, fn: 'pcrel_hi' })), second({ k: 'pcrelLoPrev', x, back: 4 })];
  };

  switch (m) {
    case 'nop': return need(0) ?? [emit('addi', mn, ZERO, ZERO, ZERO, konst(0))];
    case 'mv': return twoReg('addi', 'rs1imm', 0);
    case 'not': return twoReg('xori', 'rs1imm', -1);
    case 'neg': return twoReg('sub', 'rs2');
    case 'negw': return twoReg('subw', 'rs2');
    case 'sext.w': return twoReg('addiw', 'rs1imm', 0);
    case 'zext.b': return twoReg('andi', 'rs1imm', 255);
    case 'seqz': return twoReg('sltiu', 'rs1imm', 1);
    case 'snez': return twoReg('sltu', 'rs2');
    case 'sltz': {
      const e = need(2);
      if (e) return e;
      const r = regs(ops, 2);
      if (isErr(r)) return r;
      return [emit('slt', mn, r[0]!, r[1]!, ZERO, null)];
    }
    case 'sgtz': return twoReg('slt', 'rs2');
    case 'sext.b': return shiftPair('slli', 'srai', 56);
    case 'sext.h': return shiftPair('slli', 'srai', 48);
    case 'zext.h': return shiftPair('slli', 'srli', 48);
    case 'zext.w': return shiftPair('slli', 'srli', 32);
    case 'sgt': case 'sgtu': {
      const e = need(3);
      if (e) return e;
      const r = regs(ops, 3);
      if (isErr(r)) return r;
      return [emit(m === 'sgt' ? 'slt' : 'sltu', mn, r[0]!, r[2]!, r[1]!, null)];
    }
    case 'beqz': return branchZ('beq', false);
    case 'bnez': return branchZ('bne', false);
    case 'blez': return branchZ('bge', true);
    case 'bgez': return branchZ('bge', false);
    case 'bltz': return branchZ('blt', false);
    case 'bgtz': return branchZ('blt', true);
    case 'bgt': return branchSwap('blt');
    case 'ble': return branchSwap('bge');
    case 'bgtu': return branchSwap('bltu');
    case 'bleu': return branchSwap('bgeu');
    case 'j': {
      const e = need(1);
      if (e) return e;
      const t = imm(0);
      if (isErr(t)) return t;
      return [emit('jal', mn, ZERO, ZERO, ZERO, exprImm(t))];
    }
    case 'jal': {
      if (n !== 1 && n !== 2) return countErr(mn, n, '1 or 2');
      const rd = n === 2 ? operandReg(ops[0]!) : RA;
      if (isErr(rd)) return rd;
      const t = imm(n - 1);
      if (isErr(t)) return t;
      return [emit('jal', mn, rd, ZERO, ZERO, exprImm(t))];
    }
    case 'jr': case 'jalr': return jumpReg(m, mn, ops, ctx);
    case 'ret': return need(0) ?? [emit('jalr', mn, ZERO, RA, ZERO, konst(0))];
    case 'call': {
      // `call sym` goes through ra; `call rd, sym` through t1 (riscv-opc.c: "d,c" with X_T1).
      if (n !== 1 && n !== 2) return countErr(mn, n, '1 or 2');
      const rd = n === 2 ? operandReg(ops[0]!) : RA;
      if (isErr(rd)) return rd;
      const tmp = n === 2 ? T1 : RA;
      return pcrelPair(tmp, n - 1, (lo) => emit('jalr', mn, rd, tmp, ZERO, lo));
    }
    case 'tail':
      return need(1) ?? pcrelPair(T1, 0, (lo) => emit('jalr', mn, ZERO, T1, ZERO, lo));
    case 'la': case 'lla': {
      const e = need(2);
      if (e) return e;
      const rd = operandReg(ops[0]!);
      if (isErr(rd)) return rd;
      // tc-riscv.c M_LA: a value already known to be a constant is loaded like li (load_const, without li's addi form).
      const x = imm(1);
      const v = !isErr(x) && x.fn === null ? ctx.constantNow(x) : null;
      if (v !== null && v !== BigInt.asIntN(32, v)) return { err: `${m} of the constant ${v} needs a 32-bit value (use li)`, tok: ops[1]!.toks[0]! };
      if (v !== null) return loadConstant(rd, v, mn);
      return pcrelPair(rd, 1, (lo) => emit('addi', mn, rd, rd, ZERO, lo));
    }
    case 'li': {
      const e = need(2);
      if (e) return e;
      const rd = operandReg(ops[0]!);
      if (isErr(rd)) return rd;
      const x = imm(1);
      if (isErr(x)) return x;
      if (x.fn !== null) return { err: `%${x.fn} is not allowed in li; use lui/addi`, tok: x.tok };
      const v = ctx.constant(x);
      if (isErr(v)) return v;
      // GNU tries the alias `li rd, imm12` (addi) first, whose operand is a small one: `li a0, t0` skips it.
      return startsWithRegister(ops[1]!.toks) ? loadConstant(rd, v, mn) : loadImmediate(rd, v, mn);
    }
    case 'fence': {
      if (n === 0) return [emit('fence', mn, ZERO, ZERO, ZERO, null, fenceBits(15, 15))];
      if (n !== 2) return countErr(mn, n, '0 or 2');
      const sets: number[] = [];
      for (const op of ops) {
        const t = op.toks[0]!;
        const bits = op.toks.length === 1 && (t.type === 'ident' || t.text === '0') ? fenceSet(t.text) : -1;
        if (bits < 0) return { err: `bad fence set '${op.toks.map((x) => x.text).join('')}' (use letters from iorw, in that order)`, tok: t };
        sets.push(bits);
      }
      return [emit('fence', mn, ZERO, ZERO, ZERO, null, fenceBits(sets[0]!, sets[1]!))];
    }
    case 'fence.tso': return need(0) ?? [emit('fence', mn, ZERO, ZERO, ZERO, null, (8 << 28) | fenceBits(3, 3))];
    case 'scall': return need(0) ?? [emit('ecall', mn, ZERO, ZERO, ZERO, null)];
    case 'sbreak': return need(0) ?? [emit('ebreak', mn, ZERO, ZERO, ZERO, null)];
    case 'csrr': {
      const e = need(2);
      if (e) return e;
      const rd = operandReg(ops[0]!);
      if (isErr(rd)) return rd;
      const csr = counterCsr(ops[1]!, ctx);
      if (isErr(csr)) return csr;
      return [emit(csr, mn, rd, ZERO, ZERO, null)];
    }
    default:
      return realInsn(mn, ops, ctx);
  }
}

/** The rdcycle/rdtime/rdinstret mnemonic a `csrr` operand names. */
function counterCsr(op: Operand, ctx: ExpandCtx): string | ExprError {
  const t = op.toks[0]!;
  const names: Record<string, string> = { cycle: 'rdcycle', time: 'rdtime', instret: 'rdinstret' };
  if (op.toks.length === 1 && t.type === 'ident' && t.text in names) return names[t.text]!;
  const bad: ExprError = { err: `unsupported CSR '${op.toks.map((x) => x.text).join('')}' (vmlab implements only cycle, time and instret)`, tok: t };
  if (t.type === 'ident' && op.toks.length === 1) return bad;
  const x = operandImm(op, ctx.localRef);
  if (isErr(x)) return x;
  const v = ctx.constant(x);
  if (isErr(v)) return v;
  const byNum: Record<number, string> = { [CSR_CYCLE]: 'rdcycle', [CSR_TIME]: 'rdtime', [CSR_INSTRET]: 'rdinstret' };
  return byNum[Number(v)] !== undefined && v < 0x1000n ? byNum[Number(v)]! : bad;
}

/** jr and jalr in all the forms GNU as accepts. */
function jumpReg(m: string, mn: Tok, ops: Operand[], ctx: ExpandCtx): Emit[] | ExprError {
  const n = ops.length;
  const link = m === 'jalr' ? RA : ZERO;
  const withOffset = (rd: number, memOp: Operand): Emit[] | ExprError => {
    const mem = operandMem(memOp, ctx.localRef);
    if (isErr(mem)) return mem;
    return [emit('jalr', mn, rd, mem.base, ZERO, mem.off ? { k: 'expr', x: mem.off } : konst(0))];
  };
  const withImm = (rd: number, rs: number, immOp: Operand): Emit[] | ExprError => {
    const x = operandImm(immOp, ctx.localRef);
    if (isErr(x)) return x;
    return [emit('jalr', mn, rd, rs, ZERO, { k: 'expr', x })];
  };
  if (n === 1) {
    if (isMemOperand(ops[0])) return withOffset(link, ops[0]!);
    const rs = operandReg(ops[0]!);
    if (isErr(rs)) return rs;
    return [emit('jalr', mn, link, rs, ZERO, konst(0))];
  }
  if (n === 2) {
    // jalr rd, rs | jalr rd, off(rs) | jalr rs, imm | jr rs, imm
    const first = operandReg(ops[0]!);
    if (isErr(first)) return first;
    if (m === 'jalr' && isMemOperand(ops[1])) return withOffset(first, ops[1]!);
    if (m === 'jalr' && isRegOperand(ops[1])) return [emit('jalr', mn, first, operandReg(ops[1]!) as number, ZERO, konst(0))];
    return withImm(link, first, ops[1]!);
  }
  if (n === 3 && m === 'jalr') {
    const r = regs(ops, 2);
    if (isErr(r)) return r;
    return withImm(r[0]!, r[1]!, ops[2]!);
  }
  return countErr(mn, n, m === 'jalr' ? '1, 2 or 3' : '1 or 2');
}

/** A table instruction with its own operand list (plus the GNU immediate and symbol forms). */
function realInsn(mn: Tok, ops: Operand[], ctx: ExpandCtx): Emit[] | ExprError {
  const m = mn.text;
  let d = insnByMnemonic(m);
  if (!d) return { err: `unknown instruction '${m}'`, tok: mn };
  const n = ops.length;
  const kinds = d.operands;
  const twin = IMM_TWIN[m];
  if (twin && n === 3 && !isRegOperand(ops[2])) d = def(twin);
  const immKind = immOperand(d);
  // lw rd, symbol / sd rs2, symbol, rt: pc-relative access through a temporary (`lw a0, s1` loads from a label s1).
  if (immKind === 'load' && n === 2 && !isMemOperand(ops[1]) && !hasParen(ops[1]!)) {
    const rd = operandReg(ops[0]!);
    if (isErr(rd)) return rd;
    return symbolAccess(d, mn, rd, ops[1]!, ctx, (lo) => ({ def: d, rd, rs1: rd, rs2: ZERO, imm: lo, bits: 0, tok: mn }));
  }
  if (immKind === 'store' && n === 3) {
    const r = regs([ops[0]!, ops[2]!], 2);
    if (isErr(r)) return r;
    const [rs2, tmp] = r as [number, number];
    return symbolAccess(d, mn, tmp, ops[1]!, ctx, (lo) => ({ def: d, rd: ZERO, rs1: tmp, rs2, imm: lo, bits: 0, tok: mn }));
  }
  if (n !== kinds.length) return countErr(mn, n, plural(kinds.length));
  const em: Emit = { def: d, rd: 0, rs1: 0, rs2: 0, imm: null, bits: 0, tok: mn };
  for (let i = 0; i < kinds.length; i++) {
    const op = ops[i]!;
    const kind = d.operands[i]!;
    switch (kind) {
      case 'rd': case 'rs1': case 'rs2': {
        const r = operandReg(op);
        if (isErr(r)) return r;
        em[kind] = r;
        break;
      }
      case 'load': case 'store': {
        const mem = operandMem(op, ctx.localRef);
        if (isErr(mem)) return mem;
        em.rs1 = mem.base;
        em.imm = mem.off ? { k: 'expr', x: mem.off } : konst(0);
        break;
      }
      case 'branch': case 'jump': case 'shamt6': case 'shamt5': {
        const x = operandExpr(op, ctx.localRef);
        if (isErr(x)) return x;
        em.imm = { k: 'expr', x };
        break;
      }
      default: {
        const x = operandImm(op, ctx.localRef);
        if (isErr(x)) return x;
        em.imm = { k: 'expr', x };
      }
    }
  }
  return [em];
}

/** `4(a0`, `(a0)x`...: meant as a memory operand, so report it as one. */
function hasParen(op: Operand): boolean {
  return op.toks.some((t) => t.type === 'op' && (t.text === '(' || t.text === ')'));
}

/**
 * `lw rd, sym` / `sw rs2, sym, tmp`: auipc tmp, %pcrel_hi(sym), then the
 * access at %pcrel_lo through tmp. As in GNU (riscv-opc.c "d,A"), sym must be
 * an address: a value already known to be a constant is refused.
 */
function symbolAccess(d: InsnDef, mn: Tok, tmp: number, symOp: Operand, ctx: ExpandCtx, second: (lo: Imm) => Emit): Emit[] | ExprError {
  const x = operandExpr(symOp, ctx.localRef);
  if (isErr(x)) return x;
  if (x.fn !== null) return { err: `expected 'offset(register)' for ${d.mnemonic}`, tok: x.tok };
  const v = ctx.constantNow(x);
  if (v !== null) return { err: `expected 'offset(register)' or a symbol for ${d.mnemonic}, got the constant ${v}`, tok: x.tok };
  return [emit('auipc', mn, tmp, ZERO, ZERO, { k: 'expr', x: { ...x, fn: 'pcrel_hi' } }), second({ k: 'pcrelLoPrev', x, back: 4 })];
}

/**
 * li rd, v exactly as GNU as: a 12-bit value is `addi rd, zero, v` (the
 * riscv-opc.c alias); otherwise tc-riscv.c load_const(): lui/addiw for a
 * sign-extended 32-bit value, else build the upper part recursively, shift
 * it left past its trailing zeros with slli, and add the low 12 bits.
 */
export function loadImmediate(rd: number, v: bigint, tok: Tok): Emit[] {
  if (v >= -2048n && v <= 2047n) return [emit('addi', tok, rd, ZERO, ZERO, konst(Number(v)))];
  return loadConstant(rd, v, tok);
}

/** tc-riscv.c load_const() alone, as `la` of a constant and `li rd, t0` (no addi alias) use it. */
function loadConstant(rd: number, v: bigint, tok: Tok): Emit[] {
  const out: Emit[] = [];
  loadConst(rd, BigInt.asIntN(64, v), tok, out);
  return out;
}

function loadConst(rd: number, v: bigint, tok: Tok, out: Emit[]): void {
  const lower = BigInt.asIntN(12, v);
  let upper = BigInt.asIntN(64, v - lower);
  if (v !== BigInt.asIntN(32, v)) {
    let shift = 12n;
    while (((upper >> shift) & 1n) === 0n) shift++;
    upper >>= shift;
    loadConst(rd, upper, tok, out);
    out.push(emit('slli', tok, rd, rd, ZERO, konst(Number(shift))));
    if (lower !== 0n) out.push(emit('addi', tok, rd, rd, ZERO, konst(Number(lower))));
    return;
  }
  let hiReg = ZERO;
  if (upper !== 0n) {
    out.push(emit('lui', tok, rd, ZERO, ZERO, konst(Number(BigInt.asUintN(32, upper) >> 12n))));
    hiReg = rd;
  }
  if (lower !== 0n || hiReg === ZERO) out.push(emit('addiw', tok, rd, hiReg, ZERO, konst(Number(lower))));
}
