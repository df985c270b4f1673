// `finish`'s "Value returned is $N = ..." as gdb prints it for the C type
// the function returns (RISC-V lp64: the value is in a0, sign- or
// zero-extended from its width; a float is its bit pattern in a0's low
// half; a struct of at most 16 bytes is its memory image in a0 and a1):
// integers at their width and signedness, characters as `65 'A'`, _Bool as
// true/false, enumerators by name (flag enums split into their bits),
// pointers as `(T *) 0x... <symbol>`, a character pointer as its address
// and the string there (200 characters at most, gdb's `print elements`),
// structs as `{a = 1, b = 2}`. A string on a file page the program has not
// touched yet is read from the page cache or the file, without faulting the
// page in (table.ts), so it shows as gdb (ptrace) shows it.
import type { CType } from './dwarf-info';

/** Reads one byte of guest memory for a string (a string is an error message). */
export type ReadByte = (va: number) => number | string;

const PRINT_ELEMENTS = 200;

/** The value a0 holds for a type of `size` bytes, sign- or zero-extended as the type says. */
export function narrow(a0: bigint, size: number, signed: boolean): bigint {
  const bits = BigInt(Math.min(8, Math.max(1, size)) * 8);
  return signed ? BigInt.asIntN(Number(bits), a0) : BigInt.asUintN(Number(bits), a0);
}

/** gdb's escape of one character inside quotes (c_emit_char): `\n`, `\033`, `\\`. */
export function escapeChar(c: number, quote: string): string {
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033' };
  if (named[c] !== undefined) return named[c]!;
  if (c === 0x5c) return '\\\\';
  if (String.fromCharCode(c) === quote) return `\\${quote}`;
  if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
  return `\\${c.toString(8).padStart(3, '0')}`;
}

/** C's %g with `digits` significant digits, as gdb prints floating point (%.9g for float, %.17g for double). */
export function formatG(x: number, digits: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan(0x8000000000000)' : 'nan(0x8000000000000)';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(digits)))));
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= digits) {
    const [m, e] = x.toExponential(digits - 1).split('e');
    const n = Number(e);
    return `${trim(m!)}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(Math.max(0, digits - 1 - exp)));
}

/** The string at va, gdb's way: ` "text"`, `..."` past the limit, or ` <error: ...>`. */
function stringAt(va: number, read: ReadByte): string {
  let s = '';
  for (let i = 0; i < PRINT_ELEMENTS; i++) {
    const b = read(va + i);
    if (typeof b === 'string') return i === 0 ? ` <error: Cannot access memory at address 0x${va.toString(16)}>` : ` "${s}"...`;
    if (b === 0) return ` "${s}"`;
    s += escapeChar(b, '"');
  }
  return ` "${s}"...`;
}

/** What value printing needs from the debugger: guest bytes and symbol names. */
export interface ValueReader {
  readByte: ReadByte;
  /** `<sym>` or `<sym+off>` (decimal) for an address inside a symbol, as gdb's print symbol; '' otherwise. */
  symbolic(va: number): string;
}

/**
 * gdb's enum printing (generic_val_print_enum_1): the enumerator's name; for
 * a "flag enum" (no negative value, no two enumerators sharing a bit) a value
 * that names none is split into its flags, `(A | B | unknown: 0x4)`; else
 * the number.
 */
function enumText(t: CType, v: bigint): string {
  const names = t.enumerators ?? new Map<bigint, string>();
  const exact = names.get(v);
  if (exact !== undefined) return exact;
  let mask = 0n;
  let flag = names.size > 0;
  for (const e of names.keys()) {
    if (e < 0n || (mask & e) !== 0n) flag = false;
    mask |= e;
  }
  if (!flag || v < 0n) return String(v);
  const parts: string[] = [];
  let rest = v;
  for (const [e, n] of names) {
    if (e !== 0n && (rest & e) === e) {
      parts.push(n);
      rest &= ~e;
    }
  }
  if (rest !== 0n) parts.push(`unknown: 0x${rest.toString(16)}`);
  return `(${parts.join(' | ')})`;
}

/** The `size` bytes at byte `offset` of a value's bits. */
function sliceBits(bits: bigint, offset: number, size: number): bigint {
  return BigInt.asUintN(Math.max(8, size * 8), bits >> BigInt(8 * offset));
}

/** gdb's `repeat_count_threshold` (10): a run of at least that many equal elements prints as `V <repeats N times>`. */
function collapseRepeats(items: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    if (j - i >= 10) out.push(`${items[i]} <repeats ${j - i} times>`);
    else out.push(...items.slice(i, j));
    i = j;
  }
  return out;
}

/** The value of type t held in `bits` (its bytes, little-endian, as a0 and a1 hold it), gdb's way. */
function valueText(t: CType, bits: bigint, r: ValueReader): { text: string; value: bigint } {
  switch (t.kind) {
    case 'bool': {
      const v = narrow(bits, t.size, false);
      return { text: v === 0n ? 'false' : v === 1n ? 'true' : String(v), value: v };
    }
    case 'char': {
      const v = narrow(bits, t.size, t.signed);
      return { text: `${v} '${escapeChar(Number(BigInt.asUintN(8, v)), "'")}'`, value: v };
    }
    case 'enum': {
      const v = narrow(bits, t.size, t.signed);
      return { text: enumText(t, v), value: v };
    }
    case 'float': {
      const buf = new DataView(new ArrayBuffer(8));
      buf.setBigUint64(0, BigInt.asUintN(64, bits), true);
      const x = t.size === 4 ? buf.getFloat32(0, true) : buf.getFloat64(0, true);
      return { text: formatG(x, t.size === 4 ? 9 : 17), value: BigInt.asUintN(64, bits) };
    }
    case 'pointer': {
      const v = BigInt.asUintN(64, bits);
      const sym = v === 0n ? '' : r.symbolic(Number(v));
      const at = `0x${v.toString(16)}${sym === '' ? '' : ` ${sym}`}`;
      // gdb shows a character pointer with its string and without the cast.
      if (t.pointee?.kind === 'char') return { text: v === 0n ? '0x0' : `${at}${stringAt(Number(v), r.readByte)}`, value: v };
      return { text: `(${t.name}) ${at}`, value: v };
    }
    case 'array': {
      const elem = t.element!;
      const items: string[] = [];
      for (let i = 0; i < t.count! && items.length < PRINT_ELEMENTS; i++) items.push(valueText(elem, sliceBits(bits, i * elem.size, elem.size), r).text);
      return { text: `{${collapseRepeats(items).join(', ')}}`, value: BigInt.asUintN(64, bits) };
    }
    case 'aggregate': {
      const parts = (t.members ?? []).map((m) => {
        const field = sliceBits(bits, m.offset, m.type.size);
        return `${m.name} = ${valueText(m.type, field, r).text}`;
      });
      return { text: `{${parts.join(', ')}}`, value: BigInt.asUintN(64, bits) };
    }
    default: {
      const v = narrow(bits, t.size, t.signed);
      return { text: String(v), value: v };
    }
  }
}

/** The text after `$N = ` for a value of type t returned in a0 (and a1 for a two-register struct); the value kept for $N. */
export function formatReturned(t: CType, a0: bigint, a1: bigint, r: ValueReader): { text: string; value: bigint } {
  return valueText(t, BigInt.asUintN(64, a0) | (BigInt.asUintN(64, a1) << 64n), r);
}

/** What the debugger gives finish: a0 and a1, guest memory and symbols, and the $N history. */
export interface ReturnContext extends ValueReader {
  reg(r: 10 | 11): bigint;
  keep(v: bigint): number;
}

/** The lp64 integer calling convention returns aggregates of at most two registers in a0/a1; larger ones in memory. */
const MAX_REG_AGGREGATE = 16;

/**
 * The "Value returned" line that ends finish's output (with its leading
 * newline): none for a void function (as gdb); a struct of more than 16
 * bytes is read at the address a0 holds; for one vmlab cannot describe
 * (bit-fields, char arrays) or read, gdb's "Value returned has type: T.
 * Cannot determine contents"; a0 as a long for a function with no DWARF
 * description (assembly).
 */
export function returnedValueLine(fn: { returns: CType | null } | undefined, c: ReturnContext): string {
  if (fn === undefined) {
    const v = c.reg(10);
    return `\nValue returned is $${c.keep(v)} = ${v}`;
  }
  const t = fn.returns;
  if (t === null) return '';
  if (t.kind === 'aggregate' && t.members === undefined) return `\nValue returned has type: ${t.name}. Cannot determine contents`;
  let text: string, value: bigint;
  if (t.kind === 'aggregate' && t.size > MAX_REG_AGGREGATE) {
    // Returned in memory: the caller passed the address in a0, which the callee gives back (as gdb reads it).
    const at = Number(BigInt.asUintN(64, c.reg(10)));
    let bits = 0n;
    for (let i = t.size - 1; i >= 0; i--) {
      const b = c.readByte(at + i);
      if (typeof b === 'string') return `\nValue returned has type: ${t.name}. Cannot determine contents`;
      bits = (bits << 8n) | BigInt(b);
    }
    ({ text, value } = valueText(t, bits, c));
  } else {
    ({ text, value } = formatReturned(t, c.reg(10), c.reg(11), c));
  }
  return `\nValue returned is $${c.keep(value)} = ${text}`;
}
