// The values of vmlab's options, read one way for every command (run,
// shell, debug, asm, bench): integers, sizes, positive numbers and choices.
// A bad value is always the same kind of mistake, a usage error (exit
// status 2, docs/run.md) in one line that names the option, quotes what was
// given and says what was expected:
//   vmlab: --seed: 'abc' is not an integer from 0 to 4294967295
// yargs hands these options over as the text typed (main.ts and
// parseOptionWords turn off its number parsing, and the options have no
// yargs type or choices): its own conversion turns 'abc' into NaN and loses
// what the user wrote. An option given twice takes the last value, as
// getopt programs do.
import { UserError } from './errors';

/** Exit status of a usage error (a bad option or value), as docs/run.md lists it. */
export const EXIT_USAGE = 2;

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The text the user gave for an option: the last of repeated ones; a default may be a number. */
export function optionText(v: unknown): string {
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? '' : String(last);
}

/** `vmlab: OPT: 'TEXT' is not EXPECTED`, exit status 2. */
export function badValue(opt: string, text: string, expected: string): UserError {
  return new UserError(`${opt}: '${text}' is not ${expected}`, EXIT_USAGE);
}

/** What an integer option takes: a range, and optionally its own words and an alignment. */
export interface IntegerSpec {
  min: number;
  /** At most Number.MAX_SAFE_INTEGER (the default). */
  max?: number;
  /** Every value a multiple of this (e.g. a page). */
  align?: number;
  /** What to call a good value in the message; default `an integer from MIN to MAX`. */
  expected?: string;
}

/** Decimal without leading zeros (0123 could be meant as octal), or 0x hex. */
const INTEGER = /^(0[xX][0-9a-fA-F]+|0|[1-9][0-9]*)$/;

/** An integer option's value: decimal or 0x hex, within the spec; otherwise a usage error. */
export function parseInteger(opt: string, v: unknown, spec: IntegerSpec): number {
  const text = optionText(v);
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  const n = INTEGER.test(text) ? Number(text) : NaN;
  const ok = Number.isSafeInteger(n) && n >= spec.min && n <= max && (spec.align === undefined || n % spec.align === 0);
  if (!ok) throw badValue(opt, text, spec.expected ?? `an integer from ${spec.min} to ${max}`);
  return n;
}

/** What a size option takes, in bytes. */
export interface SizeSpec {
  min: number;
  max: number;
  align: number;
}

/** A size in bytes as units are written on the command line: 16M, 1G, 4096K. */
export function formatSize(bytes: number): string {
  for (const [unit, n] of [['G', GiB], ['M', MiB], ['K', KiB]] as const) if (bytes % n === 0 && bytes >= n) return `${bytes / n}${unit}`;
  return String(bytes);
}

/**
 * A size option's value: bytes, or a whole number with K, M or G (KiB, MiB,
 * GiB; also written KB, KiB...), within the spec and a multiple of its
 * alignment; otherwise a usage error that states all three.
 */
export function parseSize(opt: string, v: unknown, spec: SizeSpec): number {
  const text = optionText(v);
  const m = /^(\d+)([kKmMgG]?)(i?[bB])?$/.exec(text);
  const unit = m === null ? 0 : { '': 1, k: KiB, m: MiB, g: GiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = m === null ? NaN : Number(m[1]) * unit;
  if (!(bytes >= spec.min && bytes <= spec.max && bytes % spec.align === 0)) {
    throw badValue(opt, text, `a size from ${formatSize(spec.min)} to ${formatSize(spec.max)}, a multiple of ${formatSize(spec.align)} (e.g. 64M or 1G)`);
  }
  return bytes;
}

/** A positive finite number in decimal (e.g. 0.5, 2, 1e-3); otherwise a usage error. */
export function parsePositive(opt: string, v: unknown, example: string): number {
  const text = optionText(v);
  const n = /^[0-9.eE+-]+$/.test(text) ? Number(text) : NaN;
  if (!(n > 0 && Number.isFinite(n))) throw badValue(opt, text, `a positive number (e.g. ${example})`);
  return n;
}

/** `a, b or c`. */
function either(choices: readonly string[]): string {
  return choices.length === 1 ? choices[0]! : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
}

/** One of a fixed set of words; otherwise a usage error listing them. */
export function parseChoice<T extends string>(opt: string, v: unknown, choices: readonly T[]): T {
  const text = optionText(v);
  if (!(choices as readonly string[]).includes(text)) throw badValue(opt, text, either(choices));
  return text as T;
}

/** Each of a list of words (an option given several times, or once with several words) from a fixed set. */
export function parseChoices<T extends string>(opt: string, v: unknown, choices: readonly T[]): T[] {
  const words = (Array.isArray(v) ? v : [v]).map((w) => optionText(w));
  return words.map((w) => parseChoice(opt, w, choices));
}
