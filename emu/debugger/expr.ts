// The debugger's expressions, gdb's C subset over 64-bit values: numbers
// (decimal, 0x, 0b, 0o), registers ($a0, $sp, $pc, $x5), $cr2/$cr3/$cr0/$cr4,
// symbols, memory (*(long*)ADDR, *(int*)ADDR, *(char*)ADDR, *ADDR for 8 bytes,
// or $mem64(ADDR) / $mem32 / $mem16 / $mem8), $pa(VA) (the physical address
// VA translates to, for a user read), gdb's value history ($ the last value
// printed, $$ the one before, $$N N back, $N the Nth), unary - ~ !, and the binary
// operators * / % + - << >> & ^ | == != < > <= >= with C's precedence.
// Values are BigInts: this is the debugger, never the hot path (STYLE 3).
// Each value has its C type's width, as gdb types it, for print/FMT: a
// literal is an int (4 bytes) unless it does not fit (a hex, octal or binary
// one up to 0xffffffff is an unsigned int), then a long; a register, $pc, a
// symbol, $pa and the value history are 8 bytes; *(TYPE*) is TYPE's size,
// $memN N bits; a binary operator's is the wider operand's (at least an
// int's, C's integer promotions), a shift's its left operand's, a comparison
// or ! an int's.
// Nesting (parentheses, prefix operators) is bounded, as gdb's parser stack
// is: a recursive parser must refuse before the JavaScript stack runs out.

export interface ExprEnv {
  /** A register or pseudo-register by name without the `$` (a0, pc, cr2), or undefined. */
  register(name: string): bigint | undefined;
  symbol(name: string): number | undefined;
  /** `size` bytes at virtual address va (little endian, zero-extended), or an error message. */
  readMem(va: bigint, size: number): bigint | string;
  /** The physical address va translates to (a user read, through the page tables), or an error message. */
  translate(va: bigint): bigint | string;
  /** Value history: the Nth value (N >= 1), or with `back` the value N before the last (0: the last); undefined if none. */
  history(n: number, back: boolean): bigint | undefined;
}

export class ExprError extends Error {}

/** The deepest nesting of parentheses and prefix operators an expression may have. */
export const MAX_EXPR_DEPTH = 1000;
/** How much of the text after an error's place the message quotes. */
const NEAR_CHARS = 40;

const TYPE_SIZES: Record<string, number> = {
  char: 1, 'unsigned char': 1, uint8_t: 1, int8_t: 1,
  short: 2, 'unsigned short': 2, uint16_t: 2, int16_t: 2,
  int: 4, unsigned: 4, 'unsigned int': 4, uint32_t: 4, int32_t: 4,
  long: 8, 'unsigned long': 8, 'long long': 8, uint64_t: 8, int64_t: 8, void: 8,
};
const SIGNED = new Set(['char', 'short', 'int', 'long', 'long long', 'int8_t', 'int16_t', 'int32_t', 'int64_t']);

const BINARY: [string[], number][] = [
  [['||'], 1], [['&&'], 2], [['|'], 3], [['^'], 4], [['&'], 5], [['==', '!='], 6],
  [['<=', '>=', '<', '>'], 7], [['<<', '>>'], 8], [['+', '-'], 9], [['*', '/', '%'], 10],
];
const TOKEN = /\s*(0x[0-9a-fA-F]+|0b[01]+|0o[0-7]+|\d+|\$\$\d*|\$\d+|\$?[A-Za-z_.][\w.]*|\$|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^~!()<>])/y;

/** A value and its type's width in bytes (print/FMT formats the bits at that width). */
export interface Typed {
  v: bigint;
  size: number;
}

export function evaluate(text: string, env: ExprEnv): bigint {
  return evaluateTyped(text, env).v;
}

const INT = 4;
const LONG = 8;
/** A literal's width: an int if it fits, an unsigned int for a hex, octal or binary one that fits 32 bits, else a long. */
const literalSize = (t: string, v: bigint): number => (v <= 0x7fffffffn || (!/^\d+$/.test(t) && v <= 0xffffffffn) ? INT : LONG);
const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=', '&&', '||']);

export function evaluateTyped(text: string, env: ExprEnv): Typed {
  const toks: string[] = [];
  /** Where each token starts in text (for "near" in messages). */
  const at: number[] = [];
  const SPACE = /\s*/y;
  let pos = 0;
  while (pos < text.length) {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    if (SPACE.lastIndex === text.length) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (m === null) throw new ExprError(`cannot parse '${text.slice(pos, pos + NEAR_CHARS).trim()}${text.length - pos > NEAR_CHARS ? '...' : ''}'`);
    toks.push(m[1]!);
    at.push(TOKEN.lastIndex - m[1]!.length);
    pos = TOKEN.lastIndex;
  }
  let i = 0;
  let depth = 0;
  /** gdb's "near `REST'": the text from the current token on, cut short. */
  const near = (): string => {
    const rest = text.slice(at[i] ?? text.length).trim();
    return rest.length > NEAR_CHARS ? `${rest.slice(0, NEAR_CHARS)}...` : rest;
  };
  const peek = (): string | undefined => toks[i];
  const expect = (t: string): void => {
    if (toks[i] !== t) throw new ExprError(`expected '${t}'${toks[i] === undefined ? ' at the end' : ` before '${toks[i]}'`}`);
    i++;
  };
  const deref = (addr: bigint, type: string): Typed => {
    const size = TYPE_SIZES[type] ?? 8;
    const v = env.readMem(BigInt.asUintN(64, addr), size);
    if (typeof v === 'string') throw new ExprError(v);
    return { v: SIGNED.has(type) ? BigInt.asIntN(size * 8, v) : v, size };
  };
  const long = (v: bigint): Typed => ({ v, size: LONG });
  const castType = (): string | null => {
    // ( TYPE * )  -- a pointer cast
    if (peek() !== '(') return null;
    let j = i + 1;
    const words: string[] = [];
    while (toks[j] !== undefined && /^[A-Za-z_]\w*$/.test(toks[j]!)) words.push(toks[j++]!);
    const type = words.join(' ');
    if (!(type in TYPE_SIZES)) return null;
    if (toks[j] === '*' && toks[j + 1] === ')') {
      i = j + 2;
      return type;
    }
    return null;
  };
  const primary = (): Typed => {
    const t = toks[i++];
    if (t === undefined) throw new ExprError('expression ends too soon');
    if (t === '(') {
      const v = binary(0);
      expect(')');
      return v;
    }
    if (/^\d/.test(t)) {
      const v = BigInt(t);
      return { v, size: literalSize(t, v) };
    }
    const h = /^\$(\$?)(\d*)$/.exec(t);
    if (h) {
      // $ (the last value), $N (the Nth), $$ (the one before the last), $$N (N before the last)
      const back = h[2] === '' || h[1] === '$';
      const n = h[2] === '' ? (h[1] === '$' ? 1 : 0) : Number(h[2]);
      const v = env.history(n, back);
      if (v === undefined) throw new ExprError(back ? 'History is empty.' : `History has not yet reached $${n}.`);
      return long(v);
    }
    if (t.startsWith('$')) {
      const name = t.slice(1);
      if (name === 'pa') {
        expect('(');
        const a = binary(0);
        expect(')');
        const pa = env.translate(BigInt.asUintN(64, a.v));
        if (typeof pa === 'string') throw new ExprError(pa);
        return long(pa);
      }
      const m = /^mem(8|16|32|64)$/.exec(name);
      if (m) {
        expect('(');
        const a = binary(0);
        expect(')');
        const v = env.readMem(BigInt.asUintN(64, a.v), Number(m[1]) / 8);
        if (typeof v === 'string') throw new ExprError(v);
        return { v, size: Number(m[1]) / 8 };
      }
      const r = env.register(name);
      if (r === undefined) throw new ExprError(`no register or convenience variable '${t}'`);
      return long(r);
    }
    const s = env.symbol(t);
    if (s === undefined) throw new ExprError(`No symbol "${t}" in current context.`);
    return long(BigInt(s));
  };
  const unary = (): Typed => {
    if (depth >= MAX_EXPR_DEPTH) throw new ExprError(`Expression nested more than ${MAX_EXPR_DEPTH} levels deep, near \`${near()}'.`);
    depth++;
    try {
      return prefixed();
    } finally {
      depth--;
    }
  };
  const prefixed = (): Typed => {
    const t = peek();
    const promoted = (f: (v: bigint) => bigint): Typed => {
      i++;
      const a = unary();
      return { v: f(a.v), size: Math.max(INT, a.size) };
    };
    if (t === '-') return promoted((v) => -v);
    if (t === '+') return promoted((v) => v);
    if (t === '~') return promoted((v) => ~v);
    if (t === '!') return (i++, { v: unary().v === 0n ? 1n : 0n, size: INT });
    if (t === '&') {
      i++;
      const name = toks[i++];
      const s = name === undefined ? undefined : env.symbol(name);
      if (s === undefined) throw new ExprError(`cannot take the address of '${name ?? ''}'`);
      return long(BigInt(s));
    }
    if (t === '*') {
      i++;
      const type = castType();
      if (type !== null) return deref(unary().v, type);
      return deref(unary().v, 'long');
    }
    const type = castType();
    if (type !== null) return long(unary().v); // a pointer cast of a value keeps it (a pointer: 8 bytes)
    return primary();
  };
  const binary = (minPrec: number): Typed => {
    let left = unary();
    for (;;) {
      const op = peek();
      const entry = BINARY.find(([ops]) => op !== undefined && ops.includes(op));
      if (entry === undefined || entry[1] < minPrec) return left;
      i++;
      const right = binary(entry[1] + 1);
      const size = COMPARISONS.has(op!) ? INT : Math.max(INT, left.size, op === '<<' || op === '>>' ? 0 : right.size);
      left = { v: apply(op!, left.v, right.v), size };
    }
  };
  const r = binary(0);
  if (i < toks.length) throw new ExprError(`unexpected '${toks[i]}'`);
  return { v: BigInt.asIntN(64, r.v), size: r.size };
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': if (b === 0n) throw new ExprError('Division by zero'); return a / b;
    case '%': if (b === 0n) throw new ExprError('Division by zero'); return a % b;
    case '<<': return a << (b & 63n);
    case '>>': return BigInt.asIntN(64, a) >> (b & 63n);
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    default: return a !== 0n || b !== 0n ? 1n : 0n;
  }
}
