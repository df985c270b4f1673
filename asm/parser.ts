// Statement structure: `label: label2: mnemonic op, op, ...`, `.directive args`
// or `name = expr`, and the operand shapes instructions take: a register, an
// expression (optionally wrapped in %hi/%lo/%pcrel_hi/%pcrel_lo) or a memory
// reference `offset(reg)`.
//
// A register name is a register only where the instruction takes one; where
// it takes an expression, `s1` or `t0` is a symbol like any other, as in GNU
// as (binutils 2.40 tc-riscv.c). The one exception is GNU's "small"
// operands, the 12- and 20-bit fields (my_getSmallExpression): there an
// operand that *starts* with a register name is read as that register, and
// so rejected; `(t0)`, `-t0`, `1+t0` and `%lo(t0)` are expressions.
import { registerNumber } from '../emu/machine/isa/registers';
import type { Expr, ExprError, LocalRefResolver } from './expr';
import { isErr, parseExpr } from './expr';
import type { Statement, Tok } from './lexer';

/** One comma-separated operand: its tokens (empty only for alignment directives) and the token after it, for "expected ..." positions. */
export interface Operand {
  toks: Tok[];
  end: Tok;
}

export type Parsed =
  | { kind: 'empty' }
  | { kind: 'insn'; mnemonic: Tok; ops: Operand[] }
  | { kind: 'directive'; name: Tok; ops: Operand[] }
  | { kind: 'assign'; name: Tok; ops: Operand[] };

export interface ParsedStatement {
  labels: Tok[];
  body: Parsed;
}

const isOp = (t: Tok | undefined, text: string): boolean => t !== undefined && t.type === 'op' && t.text === text;

/** Splits a statement into its labels and body; operands are split on top-level commas. */
export function parseStatement(st: Statement): ParsedStatement | ExprError {
  const t = st.toks;
  const labels: Tok[] = [];
  let i = 0;
  while (i + 1 < t.length && (t[i]!.type === 'ident' || t[i]!.type === 'number') && isOp(t[i + 1], ':')) {
    labels.push(t[i]!);
    i += 2;
  }
  if (i >= t.length) return { labels, body: { kind: 'empty' } };
  const head = t[i]!;
  if (head.type === 'ident' && isOp(t[i + 1], '=')) {
    const ops = splitOperands(t, i + 2);
    if (isErr(ops)) return ops;
    return { labels, body: { kind: 'assign', name: head, ops } };
  }
  if (head.type !== 'ident') return { err: `expected an instruction or directive, got '${head.text}'`, tok: head };
  const isDirective = head.text.startsWith('.') && head.text !== '.';
  const ops = splitOperands(t, i + 1, isDirective && /^\.(p2|b)?align$/i.test(head.text));
  if (isErr(ops)) return ops;
  if (isDirective) return { labels, body: { kind: 'directive', name: head, ops } };
  return { labels, body: { kind: 'insn', mnemonic: head, ops } };
}

/** Splits on top-level commas; only the alignment directives may leave an operand empty (`.p2align 3,,2`). */
function splitOperands(t: Tok[], from: number, allowEmpty = false): Operand[] | ExprError {
  const ops: Operand[] = [];
  if (from >= t.length) return ops;
  let cur: Tok[] = [];
  let depth = 0;
  const last = t[t.length - 1]!;
  const endTok: Tok = { type: 'op', text: '', line: last.line, col: last.col + last.text.length };
  for (let i = from; i < t.length; i++) {
    const tok = t[i]!;
    if (tok.type === 'op' && tok.text === '(') depth++;
    if (tok.type === 'op' && tok.text === ')') depth--;
    if (depth === 0 && isOp(tok, ',')) {
      if (cur.length === 0 && !allowEmpty) return { err: "missing operand before ','", tok };
      ops.push({ toks: cur, end: tok });
      cur = [];
      continue;
    }
    cur.push(tok);
  }
  if (cur.length === 0) return { err: "missing operand after ','", tok: endTok };
  ops.push({ toks: cur, end: endTok });
  return ops;
}

/** Relocation functions accepted around an operand. */
export type RelocFn = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';
const RELOC_FNS: Record<string, RelocFn> = { '%hi': 'hi', '%lo': 'lo', '%pcrel_hi': 'pcrel_hi', '%pcrel_lo': 'pcrel_lo' };

/** An operand expression, possibly wrapped in a relocation function. */
export interface ImmExpr {
  fn: RelocFn | null;
  e: Expr;
  tok: Tok;
}

/** Register number of an operand that must be a register. */
export function operandReg(op: Operand): number | ExprError {
  const t = op.toks[0]!;
  if (op.toks.length === 1 && t.type === 'ident') {
    const r = registerNumber(t.text);
    if (r >= 0) return r;
    if (/^x\d+$/.test(t.text) || /^[astx]\d+$/.test(t.text)) return { err: `bad register name '${t.text}'`, tok: t };
  }
  return { err: `expected a register, got '${op.toks.map((x) => x.text).join(' ')}'`, tok: t };
}

/** True when the operand is a single register name (used to pick between operand forms). */
export function isRegOperand(op: Operand | undefined): boolean {
  return op !== undefined && op.toks.length === 1 && op.toks[0]!.type === 'ident' && registerNumber(op.toks[0]!.text) >= 0;
}

/** True when the operand is a memory reference ending in `(reg)`. */
export function isMemOperand(op: Operand | undefined): boolean {
  if (!op) return false;
  const n = op.toks.length;
  return n >= 3 && isOp(op.toks[n - 1], ')') && isOp(op.toks[n - 3], '(') && op.toks[n - 2]!.type === 'ident'
    && registerNumber(op.toks[n - 2]!.text) >= 0;
}

/** Parses toks as `expr` or `%fn(expr)`, requiring all tokens to be consumed; register names are symbols. */
export function parseImm(toks: Tok[], end: Tok, localRef: LocalRefResolver): ImmExpr | ExprError {
  const first = toks[0];
  if (!first) return { err: 'expected an expression', tok: end };
  if (first.type === 'reloc') {
    const fn = RELOC_FNS[first.text];
    if (!fn) return { err: `unknown relocation function '${first.text}' (vmlab knows %hi %lo %pcrel_hi %pcrel_lo)`, tok: first };
    if (!isOp(toks[1], '(')) return { err: `expected '(' after ${first.text}`, tok: toks[1] ?? end };
    const r = parseExpr(toks, 2, localRef, end);
    if (isErr(r)) return r;
    if (!isOp(toks[r.pos], ')')) return { err: "expected ')'", tok: toks[r.pos] ?? end };
    if (r.pos + 1 < toks.length) return { err: `unexpected '${toks[r.pos + 1]!.text}' after ${first.text}(...)`, tok: toks[r.pos + 1]! };
    return { fn, e: r.e, tok: first };
  }
  const r = parseExpr(toks, 0, localRef, end);
  if (isErr(r)) return r;
  if (r.pos < toks.length) return { err: `unexpected '${toks[r.pos]!.text}' in expression`, tok: toks[r.pos]! };
  return { fn: null, e: r.e, tok: first };
}

/** True when toks begin with a register name: GNU reads such a "small" operand as a register (tc-riscv.c my_getSmallExpression). */
export function startsWithRegister(toks: Tok[]): boolean {
  const t = toks[0];
  return t !== undefined && t.type === 'ident' && registerNumber(t.text) >= 0;
}

/**
 * An operand that takes any expression (GNU's my_getExpression: branch and
 * jump targets, call/tail/la/lla/li operands, the symbol of `lw rd, symbol`,
 * shift amounts): a register name in it is a symbol.
 */
export function operandExpr(op: Operand, localRef: LocalRefResolver): ImmExpr | ExprError {
  return parseImm(op.toks, op.end, localRef);
}

/**
 * An immediate operand of a 12- or 20-bit field (GNU's my_getSmallExpression:
 * addi's imm, lui/auipc's imm, a load/store or jalr offset): one that starts
 * with a register name is that register, which the field cannot take.
 */
export function operandImm(op: Operand, localRef: LocalRefResolver): ImmExpr | ExprError {
  return smallImm(op.toks, op.end, localRef);
}

function smallImm(toks: Tok[], end: Tok, localRef: LocalRefResolver): ImmExpr | ExprError {
  if (startsWithRegister(toks)) return { err: `expected an immediate or symbol, got register '${toks[0]!.text}'`, tok: toks[0]! };
  return parseImm(toks, end, localRef);
}

/** A memory operand `offset(reg)` / `(reg)`; the offset is a small immediate. */
export function operandMem(op: Operand, localRef: LocalRefResolver): { off: ImmExpr | null; base: number } | ExprError {
  const n = op.toks.length;
  if (!isMemOperand(op)) {
    const close = op.toks[n - 1]!;
    if (isOp(close, ')') && n >= 3 && isOp(op.toks[n - 3], '(')) {
      const r = operandReg({ toks: [op.toks[n - 2]!], end: close });
      if (isErr(r)) return r;
    }
    return { err: `expected a memory operand 'offset(register)', got '${op.toks.map((x) => x.text).join('')}'`, tok: op.toks[0]! };
  }
  const base = registerNumber(op.toks[n - 2]!.text);
  if (n === 3) return { off: null, base };
  const off = smallImm(op.toks.slice(0, n - 3), op.toks[n - 3]!, localRef);
  if (isErr(off)) return off;
  return { off, base };
}
