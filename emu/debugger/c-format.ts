// C values printed as gdb prints them (locals.ts reads them): the default
// format (print, info locals) and print's /FMT letters, gdb's
// print_formatted / print_scalar_formatted. A format applies to every scalar
// inside a struct, union or array; a scalar is formatted from its bits at its
// type's width (a bit-field's: its declared type's, sign-extended), so /x of
// a negative int is its two's complement in 32 bits, /z pads to the width,
// /t drops leading zeros, /d and /u read the bits as signed or unsigned
// whatever the type says, /c keeps the low byte (signed when the type is),
// /a names the symbol an address falls in, /f reads 4 or 8 bytes of an
// integer as a float. /x, /d, ... on a float show its bits (gdb 8.1 on);
// /s is the default format (a char array or char pointer is a string anyway).
import { escapeChar, formatG } from './return-value';
import { PRINT_ELEMENTS, bitField, charArray, leBits, repeats } from './c-values';
import { declare, sizeOf, strip } from './dwarf-types';
import type { CT } from './dwarf-types';

/** What formatting needs from the program: symbols and strings in guest memory. */
export interface PrintContext {
  /** `<table+8>` for an address inside a variable or an ELF symbol, '' otherwise. */
  symbolic(va: number): string;
  /** A character pointer's string: `"text"`, `"text"...`, or `<error: ...>`. */
  stringAt(va: number): string;
}

/** print's format letters (gdb's `print/FMT`); '' is the default format. */
export type PrintFormat = '' | 'x' | 'd' | 'u' | 'o' | 't' | 'z' | 'c' | 'a' | 'f' | 's';

/**
 * print's `/FMT` prefix, as gdb's decode_format reads it for print: one
 * format letter; a count or a size letter is an error, and so are x's own
 * letters (i, s is print's). Returns the format and the rest, or gdb's message.
 */
export function printFormat(args: string): { fmt: PrintFormat; rest: string } | string {
  const m = /^\/(\S*)\s*([^]*)$/.exec(args);
  if (m === null) return { fmt: '', rest: args };
  const spec = m[1]!;
  if (/^-?\d/.test(spec)) return 'Item count other than 1 is meaningless in "print" command.';
  let fmt: PrintFormat = '';
  for (const ch of spec) {
    if ('bhwg'.includes(ch)) return 'Size letters are meaningless in "print" command.';
    if (ch === 'i') return 'Format letter "i" is meaningless in "print" command.';
    if (!'xduotzcafs'.includes(ch)) return `Undefined output format "${ch}".`;
    fmt = ch as PrintFormat;
  }
  return { fmt, rest: m[2]! };
}

const isCharLike = (t: CT): boolean => t.t === 'base' && (t.enc === 'char' || t.enc === 'uchar') && t.size === 1;

/** Whether gdb counts t's values as signed (a char is; an enum is when it has a negative value). */
function isSigned(t: CT): boolean {
  return t.t === 'base' ? t.enc === 'signed' || t.enc === 'char' || t.enc === 'float' : t.t === 'enum' && t.signed;
}

/** The float or double whose bits these are. */
function floatValue(bits: bigint, size: 4 | 8): number {
  const b = new DataView(new ArrayBuffer(8));
  if (size === 4) b.setUint32(0, Number(bits & 0xffffffffn), true);
  else b.setBigUint64(0, bits, true);
  return size === 4 ? b.getFloat32(0, true) : b.getFloat64(0, true);
}

/** A float's text, gdb's %g with 9 (float) or 17 (double) digits; a NaN shows its sign and mantissa bits. */
function floatText(bits: bigint, size: 4 | 8): string {
  const x = floatValue(bits, size);
  if (!Number.isNaN(x)) return formatG(x, size === 4 ? 9 : 17);
  const mant = bits & (size === 4 ? 0x7fffffn : 0xfffffffffffffn);
  const neg = (bits >> BigInt(size * 8 - 1)) & 1n;
  return `${neg === 1n ? '-' : ''}nan(0x${mant.toString(16)})`;
}

/** A char's value and quoted letter, `65 'A'`. */
const charText = (v: bigint): string => `${v} '${escapeChar(Number(BigInt.asUintN(8, v)), "'")}'`;

/**
 * The bytes b of a value of type `type`, printed as gdb prints it with
 * format fmt; `top`: print's own value (a pointer shows its cast in the
 * default format), not one inside a struct, an array or info locals.
 */
export function formatBytes(ctx: PrintContext, type: CT, b: Uint8Array, top: boolean, fmt: PrintFormat = ''): string {
  const t = strip(type);
  const size = sizeOf(t);
  const bits = leBits(b, size);
  if (t.t === 'array') {
    const es = sizeOf(t.of);
    const n = t.count ?? 0;
    if (isCharLike(strip(t.of)) && (fmt === '' || fmt === 's')) return charArray(b.subarray(0, n));
    const items: string[] = [];
    for (let i = 0; i < n && i < PRINT_ELEMENTS; i++) items.push(formatBytes(ctx, t.of, b.subarray(i * es, (i + 1) * es), false, fmt));
    return `{${repeats(items).join(', ')}${n > PRINT_ELEMENTS ? '...' : ''}}`;
  }
  if (t.t === 'struct') {
    return `{${t.members.map((m) => {
      const ms = sizeOf(m.type);
      const mb = m.bits !== undefined ? bitField(b, m.bits, m.type) : b.subarray(m.offset, m.offset + ms);
      return `${m.name} = ${formatBytes(ctx, m.type, mb, false, fmt)}`;
    }).join(', ')}}`;
  }
  if (fmt !== '' && fmt !== 's' && t.t !== 'void') return scalar(ctx, t, bits, size, fmt);
  switch (t.t) {
    case 'base':
      switch (t.enc) {
        case 'bool': return bits === 0n ? 'false' : bits === 1n ? 'true' : String(bits);
        case 'char':
        case 'uchar': return charText(t.enc === 'char' ? BigInt.asIntN(size * 8, bits) : bits);
        case 'float': return floatText(bits, size === 4 ? 4 : 8);
        case 'signed': return String(BigInt.asIntN(size * 8, bits));
        default: return String(bits);
      }
    case 'enum': {
      const v = t.signed ? BigInt.asIntN(size * 8, bits) : bits;
      return t.values.find(([, x]) => x === v)?.[0] ?? String(v);
    }
    case 'ptr': {
      const to = strip(t.to());
      const sym = bits === 0n ? '' : ctx.symbolic(Number(bits));
      const at = `0x${bits.toString(16)}${sym === '' ? '' : ` ${sym}`}`;
      if (isCharLike(to)) return bits === 0n ? '0x0' : `${at} ${ctx.stringAt(Number(bits))}`;
      return top ? `(${declare(type, '')}) ${at}` : at;
    }
    case 'func':
      return `{${declare(type, '')}} 0x${bits.toString(16)}`;
    default:
      return 'void';
  }
}

/** A scalar (integer, char, bool, enum, pointer, float, function) in format fmt, from its `size` bytes' bits. */
function scalar(ctx: PrintContext, t: CT, bits: bigint, size: number, fmt: Exclude<PrintFormat, '' | 's'>): string {
  const width = size * 8;
  const float = t.t === 'base' && t.enc === 'float';
  switch (fmt) {
    case 'x': return `0x${bits.toString(16)}`;
    case 'z': return `0x${bits.toString(16).padStart(size * 2, '0')}`;
    case 'o': return bits === 0n ? '0' : `0${bits.toString(8)}`;
    case 't': return bits.toString(2);
    case 'd': return String(BigInt.asIntN(width, bits));
    case 'u': return String(bits);
    case 'c': {
      // A float is converted to an integer first (gdb's value_as_long); everything else keeps its low byte.
      const x = float ? floatValue(bits, size === 4 ? 4 : 8) : 0;
      const v = float ? BigInt(Number.isFinite(x) ? Math.trunc(x) : 0) : bits;
      return charText(isSigned(t) ? BigInt.asIntN(8, v) : BigInt.asUintN(8, v));
    }
    case 'a': {
      // An address is 64 bits: a signed value is sign-extended to them (gdb's unpack_pointer on a long).
      const va = isSigned(t) ? BigInt.asUintN(64, BigInt.asIntN(width, bits)) : bits;
      const sym = ctx.symbolic(Number(va));
      return `0x${va.toString(16)}${sym === '' ? '' : ` ${sym}`}`;
    }
    case 'f':
      // An integer of a float's size is read as that float; a shorter one prints as the integer it is.
      if (size === 4 || size === 8) return floatText(bits, size);
      return String(isSigned(t) ? BigInt.asIntN(width, bits) : bits);
  }
}
