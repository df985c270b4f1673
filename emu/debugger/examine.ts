// The x and xp commands (gdb's x/NFU, printcmd.c x_command and
// decode_format): memory shown as values, strings or instructions.
//
// gdb's rules for what carries over from one x to the next: the count never
// does (it is 1 unless written); the format and the unit size of an x that
// succeeded do (initially x and w). A size written without a format keeps the last format, unless
// that was i (then x); a format written without a size takes the last size,
// except a (giant words: addresses), c (bytes) and s (byte strings); x/s
// leaves b as the next size, and x/i leaves the size as it was.
//
// What gdb bounds by its pager, vmlab bounds outright: at most
// MAX_EXAMINE_COUNT units per command; output goes to the front end in
// pieces as it is made (Debugger.stream), never held whole; and, as in gdb,
// the first address that cannot be read ends the dump with "Cannot access
// memory", x/i included (it used to print <not mapped> and run on).
import { disassembleWord } from '../../asm/disasm';
import type { Debugger } from './commands';
import { evaluate } from './expr';
import { hexn, symSuffix } from './views';

/** The most units (values, strings, instructions) one x shows. */
export const MAX_EXAMINE_COUNT = 65536;
/** Lines made before they are handed to the front end (Debugger.stream). */
const FLUSH_LINES = 256;
/** x/s shows at most this many characters of one string. */
const MAX_STRING = 200;

type Size = 'b' | 'h' | 'w' | 'g';
const BYTES: Record<Size, number> = { b: 1, h: 2, w: 4, g: 8 };
const PER_LINE: Record<Size, number> = { b: 8, h: 8, w: 4, g: 2 };

/** gdb's last_format and last_size: what the next x without them uses. */
export interface ExamineDefaults {
  fmt: string;
  size: Size;
}

export const INITIAL_EXAMINE: ExamineDefaults = { fmt: 'x', size: 'w' };

/** decode_format(): the count, format and size of `/NFU` (or of nothing), from the last ones. */
export function decodeFormat(spec: { count: string; fmt: string; size: string }, last: ExamineDefaults): { count: number; fmt: string; size: Size } {
  const count = spec.count === '' ? 1 : Number(spec.count);
  let fmt = spec.fmt;
  let size = spec.size as Size | '';
  if (fmt === '') fmt = size === '' || last.fmt !== 'i' ? last.fmt : 'x';
  else if (size === '') size = fmt === 'a' ? 'g' : fmt === 'c' || fmt === 's' ? 'b' : last.size;
  return { count, fmt, size: size === '' ? last.size : size };
}

/** x/NFU ADDR (virtual) and xp/NFU PADDR (physical): the output not yet streamed, or a message. */
export function examine(d: Debugger, args: string, physical: boolean): string {
  const m = /^(?:\/(\d*)([xduotcsia]?)([bhwg]?)([xduotcsia]?))?\s*(.*)$/.exec(args)!;
  const f = decodeFormat({ count: m[1] ?? '', fmt: m[2] || m[4] || '', size: m[3] ?? '' }, d.lastX);
  if (f.count > MAX_EXAMINE_COUNT) return `Count ${m[1]} is more than ${MAX_EXAMINE_COUNT}, the most units x shows at once.`;
  if (m[5]!.trim() === '') return 'Argument required (starting display address).';
  const start = Number(BigInt.asUintN(64, evaluate(m[5]!, d.env)));
  const out = new Output(d);
  // x_command remembers the format and size once the examine succeeds (x/s leaves byte strings).
  const done = (): string => {
    d.lastX = { fmt: f.fmt, size: f.fmt === 's' ? 'b' : f.size };
    return out.end();
  };
  const space = physical ? 'PA' : 'VA';
  const read = (a: number, n: number): bigint | string => (physical ? d.s.readPhys(a, n) : d.s.readVirt(a, n));
  if (f.fmt === 'i') {
    for (let i = 0; i < f.count; i++) {
      const a = start + 4 * i;
      const w = read(a, 4);
      if (typeof w === 'string') return out.end(w);
      if (physical) out.line(`   PA ${hexn(a)}:\t${disassembleWord(Number(w) | 0, a).text}`);
      else out.line(d.insnLine(a, a === d.s.pc ? '=> ' : '   '));
    }
    return done();
  }
  if (f.fmt === 's') {
    let a = start;
    for (let i = 0; i < f.count; i++) {
      let str = '';
      for (;;) {
        const b = read(a++, 1);
        if (typeof b === 'string') return out.end(b);
        if (b === 0n || str.length > MAX_STRING) break;
        str += String.fromCharCode(Number(b));
      }
      out.line(`${space} ${hexn(a - str.length - 1)}:\t${JSON.stringify(str)}`);
    }
    return done();
  }
  const bytes = BYTES[f.size];
  const perLine = PER_LINE[f.size];
  let cur = '';
  for (let i = 0; i < f.count; i++) {
    const a = start + i * bytes;
    if (i % perLine === 0 && cur !== '') {
      out.line(cur);
      cur = '';
    }
    const v = read(a, bytes);
    if (typeof v === 'string') {
      if (cur !== '') out.line(cur);
      return out.end(v);
    }
    if (cur === '') cur = `${space} ${hexn(a)}${physical ? '' : symSuffix(d.s, a)}:`;
    cur += `\t${formatValue(v, f.fmt, bytes)}`;
  }
  if (cur !== '') out.line(cur);
  return done();
}

/** Lines of one command's output, handed to the front end every FLUSH_LINES lines when it streams. */
class Output {
  private lines: string[] = [];
  constructor(private readonly d: Debugger) {}

  line(text: string): void {
    this.lines.push(text);
    if (this.lines.length >= FLUSH_LINES && this.d.stream !== null) {
      this.d.stream(this.lines.join('\n'));
      this.lines = [];
    }
  }

  /** The lines not yet streamed (and a last one, such as the error that ended the dump). */
  end(last?: string): string {
    if (last !== undefined) this.lines.push(last);
    return this.lines.join('\n');
  }
}

/** A value as print/FMT and x/FMT show it, `bytes` wide. */
export function formatValue(v: bigint, fmt: string, bytes: number): string {
  const bits = BigInt(bytes * 8);
  const u = BigInt.asUintN(Number(bits), v);
  switch (fmt) {
    case 'x': return `0x${u.toString(16).padStart(bytes * 2, '0')}`;
    case 'a': return `0x${u.toString(16)}`;
    case 'd': return BigInt.asIntN(Number(bits), v).toString();
    case 'u': return u.toString();
    case 'o': return `0${u.toString(8)}`;
    case 't': return u.toString(2);
    case 'c': {
      const c = Number(u & 0xffn);
      return `${BigInt.asIntN(8, BigInt(c))} '${c >= 32 && c < 127 ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, '0')}`}'`;
    }
    default: return u.toString();
  }
}

/**
 * print/FMT of a value `size` bytes wide (its C type's, expr.ts), as gdb's
 * print_scalar_formatted prints an integer: /x without leading zeros (/z pads
 * them to the width), /o a 0 before the digits (0 alone for zero), /t the
 * bits from the highest set one, /d and /u the bits read signed or unsigned,
 * /c the low byte. '' (and /s, /f) is the value in decimal.
 */
export function formatPrinted(v: bigint, fmt: string, size: number): string {
  const u = BigInt.asUintN(size * 8, v);
  switch (fmt) {
    case 'x': return `0x${u.toString(16)}`;
    case 'z': return formatValue(v, 'x', size);
    case 'o': return u === 0n ? '0' : `0${u.toString(8)}`;
    case 't': case 'u': case 'c': return formatValue(v, fmt, size);
    case 'd': return BigInt.asIntN(size * 8, v).toString();
    default: return v.toString();
  }
}
