// Expressions as GNU as evaluates them: 64-bit two's complement, gas's
// operator ranks (gas manual, "Infix Operators": * / % << >> bind tightest,
// then | & ^, then + - and comparisons, then &&, then ||), comparisons yield
// -1 for true, `>>` is a logical shift. Values are BigInt: the assembler is
// not the emulator's hot path, and 64-bit constants (li, .dword) need all bits.
import type { Tok } from './lexer';
import { charValue, numberValue } from './lexer';
import { registerNumber } from '../emu/machine/isa/registers';

/** A resolved value: absolute (sec null) or an offset into a section chunk. */
export interface Value {
  sec: string | null;
  v: bigint;
}

export type Expr =
  | { k: 'num'; v: bigint; tok: Tok }
  | { k: 'sym'; name: string; tok: Tok; bound?: unknown }
  | { k: 'dot'; tok: Tok }
  | { k: 'un'; op: string; e: Expr; tok: Tok }
  | { k: 'bin'; op: string; l: Expr; r: Expr; tok: Tok };

export interface ExprError {
  err: string;
  tok: Tok;
}

export const isErr = (x: unknown): x is ExprError => typeof x === 'object' && x !== null && 'err' in x;

const RANK: Record<string, number> = {
  '||': 1, '&&': 2,
  '+': 3, '-': 3, '==': 3, '!=': 3, '<>': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
  '|': 4, '&': 4, '^': 4,
  '*': 5, '/': 5, '%': 5, '<<': 5, '>>': 5,
};

export const MAX_EXPR_TOKENS = 1000;

/** Resolves numeric local label references (`1f`, `1b`) to unique symbol names. */
export type LocalRefResolver = (tok: Tok) => string;

/** Parses an expression from toks[pos..]; returns the tree and the index after it. */
export function parseExpr(
  toks: Tok[], pos: number, localRef: LocalRefResolver, endTok: Tok,
): { e: Expr; pos: number } | ExprError {
  // Parsing and evaluation recurse over the tree: bound its size so no input can exhaust the stack.
  if (toks.length - pos > MAX_EXPR_TOKENS) return { err: `expression too long (more than ${MAX_EXPR_TOKENS} tokens)`, tok: toks[pos]! };
  let i = pos;
  const peek = (): Tok | undefined => toks[i];

  function primary(): Expr | ExprError {
    const t = toks[i];
    if (!t) return { err: 'expected an expression', tok: endTok };
    i++;
    switch (t.type) {
      case 'number': {
        const v = numberValue(t.text);
        if (v === undefined) return { err: `invalid number '${t.text}'`, tok: t };
        if (v >= 1n << 64n) return { err: `number '${t.text}' does not fit in 64 bits`, tok: t };
        return { k: 'num', v: BigInt.asIntN(64, v), tok: t };
      }
      case 'char':
        return { k: 'num', v: BigInt(charValue(t.text)), tok: t };
      case 'localRef':
        return { k: 'sym', name: localRef(t), tok: t };
      case 'ident':
        if (t.text === '.') return { k: 'dot', tok: t };
        return { k: 'sym', name: t.text, tok: t };
      case 'op':
        if (t.text === '(') {
          const inner = binary(1);
          if (isErr(inner)) return inner;
          const close = peek();
          if (close?.text !== ')' || close.type !== 'op') return { err: "expected ')'", tok: close ?? endTok };
          i++;
          return inner;
        }
        if (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+') {
          const e = primary();
          if (isErr(e)) return e;
          return t.text === '+' ? e : { k: 'un', op: t.text, e, tok: t };
        }
        break;
      case 'reloc':
        return { err: `relocation function '${t.text}' is not allowed here`, tok: t };
      default:
        break;
    }
    return { err: `unexpected '${t.text}' in expression`, tok: t };
  }

  function binary(minRank: number): Expr | ExprError {
    let l = primary();
    if (isErr(l)) return l;
    for (;;) {
      const t = peek();
      const rank = t && t.type === 'op' ? RANK[t.text] : undefined;
      if (!t || rank === undefined || rank < minRank) return l;
      i++;
      const r = binary(rank + 1);
      if (isErr(r)) return r;
      l = { k: 'bin', op: t.text, l, r, tok: t };
    }
  }

  const e = binary(1);
  if (isErr(e)) return e;
  return { e, pos: i };
}

/** How symbols and `.` get their values during one evaluation. */
export interface EvalEnv {
  dot: Value;
  /** The symbol's value, or an error message (undefined symbol, cycle...). */
  symbol(node: Extract<Expr, { k: 'sym' }>): Value | string;
}

/** The numbered register families, for names such as `a8` that look like registers but are not. */
const FAMILY: Record<string, string> = { x: 'x0..x31', a: 'a0..a7', s: 's0..s11', t: 't0..t6' };

/**
 * "undefined symbol 'name'". A register name reaches here only from an
 * operand that takes no register (GNU as then reads it as a symbol), and a
 * near-register such as `x32` or `a8` is most likely a mistyped register:
 * both get a word of explanation.
 */
export function undefinedSymbol(name: string): string {
  if (registerNumber(name) >= 0) return `undefined symbol '${name}' (this operand takes no register, so '${name}' is read as a symbol)`;
  const near = /^([xast])\d+$/.exec(name);
  if (near) return `undefined symbol '${name}' (and not a register: the ${near[1]} registers are ${FAMILY[near[1]!]!})`;
  return `undefined symbol '${name}'`;
}

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);
const abs = (v: bigint): Value => ({ sec: null, v: wrap(v) });

/** Evaluates `e`; section-relative values survive + and -, everything else needs constants. */
export function evalExpr(e: Expr, env: EvalEnv): Value | ExprError {
  switch (e.k) {
    case 'num': return { sec: null, v: e.v };
    case 'dot': return env.dot;
    case 'sym': {
      const v = env.symbol(e);
      return typeof v === 'string' ? { err: v, tok: e.tok } : v;
    }
    case 'un': {
      const x = evalExpr(e.e, env);
      if (isErr(x)) return x;
      if (x.sec !== null) return { err: `operator '${e.op}' needs a constant, not an address`, tok: e.tok };
      return abs(e.op === '-' ? -x.v : e.op === '~' ? ~x.v : x.v === 0n ? 1n : 0n);
    }
    case 'bin': {
      const l = evalExpr(e.l, env);
      if (isErr(l)) return l;
      const r = evalExpr(e.r, env);
      if (isErr(r)) return r;
      return binop(e.op, l, r, e.tok);
    }
  }
}

function binop(op: string, l: Value, r: Value, tok: Tok): Value | ExprError {
  if (op === '+') {
    if (l.sec !== null && r.sec !== null) return { err: 'cannot add two addresses', tok };
    return { sec: l.sec ?? r.sec, v: wrap(l.v + r.v) };
  }
  if (op === '-') {
    if (l.sec !== null && r.sec !== null) {
      if (l.sec !== r.sec) return { err: 'cannot subtract addresses in different sections', tok };
      return abs(l.v - r.v);
    }
    if (r.sec !== null) return { err: 'cannot subtract an address from a constant', tok };
    return { sec: l.sec, v: wrap(l.v - r.v) };
  }
  if (l.sec !== null || r.sec !== null) {
    // Comparing two addresses of one section is still meaningful.
    if (l.sec === r.sec && ['==', '!=', '<>', '<', '>', '<=', '>='].includes(op)) return binop(op, abs(l.v), abs(r.v), tok);
    return { err: `operator '${op}' needs constants, not addresses`, tok };
  }
  const a = l.v;
  const b = r.v;
  const T = -1n;
  switch (op) {
    case '*': return abs(a * b);
    case '/': case '%':
      if (b === 0n) return { err: 'division by zero', tok };
      return abs(op === '/' ? a / b : a % b);
    case '<<': case '>>':
      if (b < 0n) return { err: `negative shift count ${b}`, tok };
      if (b >= 64n) return abs(0n);
      return abs(op === '<<' ? a << b : BigInt.asUintN(64, a) >> b);
    case '|': return abs(a | b);
    case '&': return abs(a & b);
    case '^': return abs(a ^ b);
    case '==': return abs(a === b ? T : 0n);
    case '!=': case '<>': return abs(a !== b ? T : 0n);
    case '<': return abs(a < b ? T : 0n);
    case '>': return abs(a > b ? T : 0n);
    case '<=': return abs(a <= b ? T : 0n);
    case '>=': return abs(a >= b ? T : 0n);
    case '&&': return abs(a !== 0n && b !== 0n ? 1n : 0n);
    case '||': return abs(a !== 0n || b !== 0n ? 1n : 0n);
    default: return { err: `unknown operator '${op}'`, tok };
  }
}
