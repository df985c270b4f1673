// The C side of the REPL's variables (locals.ts): the expression language
// (C's postfix and unary operators on names: `*p`, `&v`, `s.f`, `p->f`,
// `a[i]`), the DWARF expression reader, and gdb's ways with bytes: bit-fields,
// array elements with `<repeats N times>`, character arrays as strings.
import { escapeChar } from './return-value';
import { sizeOf, strip } from './dwarf-types';
import type { CT } from './dwarf-types';
import { ByteCursor } from './dwarf-info';

/** A mistake in what the user asked (gdb's message), not a bug. */
export class CError extends Error {}

/** gdb's `print elements` (200) and `repeat_count_threshold` (10). */
export const PRINT_ELEMENTS = 200;
const REPEAT_THRESHOLD = 10;

/** Little-endian bytes as an unsigned number. */
export function leBits(b: Uint8Array, size: number): bigint {
  let v = 0n;
  for (let i = Math.min(size, b.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** A bit-field's value as the bytes of its declared type. */
export function bitField(b: Uint8Array, bits: { size: number; offset: number }, type: CT): Uint8Array {
  const size = sizeOf(type);
  const all = leBits(b, b.length);
  const t = strip(type);
  const signed = t.t === 'base' ? t.enc === 'signed' || t.enc === 'char' : t.t === 'enum' && t.signed;
  // A signed field's top bit is its sign, as the C type it is declared with.
  const raw = all >> BigInt(bits.offset);
  const v = BigInt.asUintN(size * 8, signed ? BigInt.asIntN(bits.size, raw) : BigInt.asUintN(bits.size, raw));
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** gdb's array elements: a run of more than 10 equal ones is `V <repeats N times>`. */
export function repeats(items: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    if (j - i > REPEAT_THRESHOLD) out.push(`${items[i]} <repeats ${j - i} times>`);
    else out.push(...items.slice(i, j));
    i = j;
  }
  return out;
}

/**
 * A char array, gdb's generic_printstr: one trailing NUL is not shown; runs
 * of more than 10 equal characters are `'c' <repeats N times>`, the rest
 * quoted, the pieces joined with ", "; 200 characters at most.
 */
export function charArray(b: Uint8Array): string {
  let n = Math.min(b.length, PRINT_ELEMENTS);
  const truncated = b.length > PRINT_ELEMENTS;
  if (!truncated && n > 0 && b[n - 1] === 0) n--;
  if (n === 0) return '""';
  const parts: string[] = [];
  let quoted = '';
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && b[j] === b[i]) j++;
    if (j - i > REPEAT_THRESHOLD) {
      if (quoted !== '') parts.push(`"${quoted}"`);
      quoted = '';
      parts.push(`'${escapeChar(b[i]!, "'")}' <repeats ${j - i} times>`);
    } else {
      for (let k = i; k < j; k++) quoted += escapeChar(b[k]!, '"');
    }
    i = j;
  }
  if (quoted !== '') parts.push(`"${quoted}"`);
  return `${parts.join(', ')}${truncated ? '...' : ''}`;
}

// ---- the expression language: C's postfix and unary operators on names -----

export type Node =
  | { k: 'id'; name: string }
  | { k: 'num'; v: bigint }
  | { k: 'member'; of: Node; field: string }
  | { k: 'index'; of: Node; index: Node }
  | { k: 'deref'; of: Node }
  | { k: 'addr'; of: Node }
  | { k: 'neg'; of: Node };

export class Parser {
  private readonly toks: string[];
  private i = 0;
  /** The first name in the expression (what decides whether it is about a C variable). */
  readonly root: string | null;

  constructor(text: string) {
    this.toks = text.match(/->|0x[0-9a-fA-F]+|\d+|[A-Za-z_]\w*|\S/g) ?? [];
    this.root = this.toks.find((t) => /^[A-Za-z_]/.test(t)) ?? null;
  }

  parse(): Node {
    const n = this.unary();
    if (this.i < this.toks.length) throw new CError(`A syntax error in expression, near \`${this.toks.slice(this.i).join('')}'.`);
    return n;
  }

  private unary(): Node {
    const t = this.toks[this.i];
    if (t === '*') { this.i++; return { k: 'deref', of: this.unary() }; }
    if (t === '&') { this.i++; return { k: 'addr', of: this.unary() }; }
    if (t === '-') { this.i++; return { k: 'neg', of: this.unary() }; }
    return this.postfix(this.primary());
  }

  private primary(): Node {
    const t = this.toks[this.i++];
    if (t === undefined) throw new CError('A syntax error in expression, near `\'.');
    if (t === '(') {
      const n = this.unary();
      if (this.toks[this.i++] !== ')') throw new CError('A syntax error in expression, near `\'.');
      return n;
    }
    if (/^\d|^0x/.test(t)) return { k: 'num', v: BigInt(t) };
    if (/^[A-Za-z_]/.test(t)) return { k: 'id', name: t };
    throw new CError(`A syntax error in expression, near \`${this.toks.slice(this.i - 1).join('')}'.`);
  }

  private postfix(n: Node): Node {
    for (;;) {
      const t = this.toks[this.i];
      if (t === '.' || t === '->') {
        this.i++;
        const f = this.toks[this.i++];
        if (f === undefined || !/^[A-Za-z_]/.test(f)) throw new CError('A syntax error in expression, near `\'.');
        n = { k: 'member', of: t === '->' ? { k: 'deref', of: n } : n, field: f };
      } else if (t === '[') {
        this.i++;
        const index = this.unary();
        if (this.toks[this.i++] !== ']') throw new CError('A syntax error in expression, near `\'.');
        n = { k: 'index', of: n, index };
      } else return n;
    }
  }
}

/** Little-endian reader of a DWARF expression (bounds-safe: see ByteCursor). */
export class Bytes extends ByteCursor {
  u64(): bigint {
    let v = 0n;
    for (let i = 0; i < 8; i++) v |= BigInt(this.u8()) << BigInt(8 * i);
    return v;
  }
}
