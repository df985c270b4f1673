// Module parameters on the insmod command line (Linux kernel/params.c
// parse_args + the param_set_* of each type): `key=value` words, `key` alone
// for a bool. Names compare with '-' and '_' equal (parameq). An unknown name
// is ignored with a warning in the log (load_module's
// unknown_module_param_cb); a bad value fails the load with -EINVAL.
import { EINVAL } from '../errno';
import type { ParamSpec, ParamType, ParamValue } from './api';
import { TWO32 } from '../../emu/machine/cpu/int64';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = TWO32 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const ULONG_MAX = 2n ** 64n - 1n;

/** Each type's value when the module gives no default (Linux: the variable's static initializer, 0/NULL/false). */
const ZERO: Record<ParamType, ParamValue> = { int: 0, uint: 0, long: 0n, ulong: 0n, charp: '', bool: false };

export interface ParsedParams {
  /** Every declared parameter: its default, overridden by the command line. */
  readonly values: Map<string, ParamValue>;
  /** Log lines (warnings) to print, e.g. for unknown parameters. */
  readonly warnings: string[];
}

/** parameq(): '-' and '_' are the same character in parameter names. */
function canon(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * kstrtoll/kstrtoull with base 0: optional sign (signed types only), then
 * 0x hex, leading-0 octal or decimal; one trailing newline allowed. null if
 * the text is not a number.
 */
export function parseInteger(text: string, signed: boolean): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\n?$/.exec(text);
  if (!m) return null;
  if (m[1] === '-' && !signed) return null;
  const digits = m[2]!;
  const v = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/** kstrtobool(): y/Y/t/T/1, n/N/f/F/0, on/off; null otherwise. */
export function parseBool(text: string): boolean | null {
  const c = text[0];
  if (c === undefined) return null;
  if ('yYtT1'.includes(c)) return true;
  if ('nNfF0'.includes(c)) return false;
  if (c === 'o' || c === 'O') {
    const d = text[1];
    if (d === 'n' || d === 'N') return true;
    if (d === 'f' || d === 'F') return false;
  }
  return null;
}

/** One value for a parameter of `type` (undefined: the word had no '='), or null if invalid. */
export function parseParamValue(type: ParamType, text: string | undefined): ParamValue | null {
  if (type === 'bool') return text === undefined ? true : parseBool(text);
  if (text === undefined) return null;
  switch (type) {
    case 'charp':
      return text;
    case 'int': {
      const v = parseInteger(text, true);
      return v !== null && v >= INT_MIN && v <= INT_MAX ? Number(v) : null;
    }
    case 'uint': {
      const v = parseInteger(text, false);
      return v !== null && v <= UINT_MAX ? Number(v) : null;
    }
    case 'long': {
      const v = parseInteger(text, true);
      return v !== null && v >= LONG_MIN && v <= LONG_MAX ? v : null;
    }
    case 'ulong': {
      const v = parseInteger(text, false);
      return v !== null && v <= ULONG_MAX ? v : null;
    }
  }
}

/** A default given by a module in the wrong JS type is normalised (a number for a long becomes a bigint). */
function normaliseDefault(spec: ParamSpec): ParamValue {
  const d = spec.default ?? ZERO[spec.type];
  if ((spec.type === 'long' || spec.type === 'ulong') && typeof d === 'number') return BigInt(d);
  if ((spec.type === 'int' || spec.type === 'uint') && typeof d === 'bigint') return Number(d);
  return d;
}

/**
 * parse_args() for module `mod`: the values of every declared parameter, or
 * -EINVAL with Linux's error line (`mod: 'v' invalid for parameter 'p'`) in
 * `errors`.
 */
export function parseModuleParams(
  mod: string,
  specs: Readonly<Record<string, ParamSpec>> | undefined,
  words: readonly string[],
): ParsedParams | { errno: number; message: string } {
  const values = new Map<string, ParamValue>();
  const byCanon = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs ?? {})) {
    values.set(name, normaliseDefault(spec));
    byCanon.set(canon(name), name);
  }
  const warnings: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const text = eq < 0 ? undefined : word.slice(eq + 1);
    const name = byCanon.get(canon(key));
    if (name === undefined) {
      warnings.push(`${mod}: unknown parameter '${key}' ignored`);
      continue;
    }
    const v = parseParamValue(specs![name]!.type, text);
    if (v === null) return { errno: EINVAL, message: `${mod}: '${text ?? ''}' invalid for parameter '${key}'` };
    values.set(name, v);
  }
  return { values, warnings };
}
