// <linux/printk.h>: printk and pr_*, formatting as lib/vsprintf.c and
// logging to the kernel's log (kernel-ts/printk.ts) at the KERN_* level of
// the message's prefix. A line not ended by "\n" stays open (per kernel)
// until the next printk: a KERN_CONT message continues it, any other closes
// it first (Linux's cont buffer, kernel/printk/printk.c vprintk_store).
import type { Kernel } from '../../kernel';
import { KERN_WARNING as LEVEL_WARNING } from '../../printk';
import type { LinuxEnv } from './env';

const SOH = '\x01';
/** MESSAGE_LOGLEVEL_DEFAULT: the level of a message with no prefix. */
const DEFAULT_LEVEL = LEVEL_WARNING;

/** The open line of each kernel's log, if a printk left one. */
const open = new WeakMap<Kernel, { text: string; level: number }>();

/** Logs the open line of k, if any (called before any other record, and by the module-call end). */
export function printkFlush(k: Kernel): void {
  const o = open.get(k);
  if (o === undefined) return;
  open.delete(k);
  k.printk.log(o.text, o.level);
}

/** printk_get_level + printk_skip_level: the level ('c' for KERN_CONT, -1 for none) and the text after the prefix. */
function splitLevel(s: string): { level: number | 'c' | -1; text: string } {
  let level: number | 'c' | -1 = -1;
  while (s.length >= 2 && s[0] === SOH) {
    const c = s[1]!;
    if (c >= '0' && c <= '7') level = c.charCodeAt(0) - 48;
    else if (c === 'c') level = 'c';
    else if (c !== 'd') break; // KERN_DEFAULT "\x01d" (older kernels)
    s = s.slice(2);
  }
  return { level, text: s };
}

/** vprintk_store for text already formatted: complete lines become records, a tail without "\n" stays open. */
export function printkText(k: Kernel, msg: string): number {
  const { level, text } = splitLevel(msg);
  const o = open.get(k);
  let lvl: number;
  let body = text;
  if (level === 'c' && o !== undefined) {
    open.delete(k);
    body = o.text + text;
    lvl = o.level;
  } else {
    printkFlush(k);
    lvl = level === 'c' || level === -1 ? DEFAULT_LEVEL : level;
  }
  const lines = body.split('\n');
  const tail = lines.pop()!;
  for (const l of lines) k.printk.log(l, lvl);
  if (tail !== '') open.set(k, { text: tail, level: lvl });
  return text.length;
}

// ---- vsprintf ------------------------------------------------------------------

const SPEC = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|z|t|j)?([diouxXcsn%]|p[xK]?)/g;

function toBig(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return 0n;
}

/** The bits a C argument of this length has (l, ll, z, t, j: 64; h: 16; hh: 8; none: 32). */
function widthBits(len: string | undefined): number {
  switch (len) {
    case 'hh':
      return 8;
    case 'h':
      return 16;
    case undefined:
      return 32;
    default:
      return 64;
  }
}

/** lib/vsprintf.c's formatting of fmt with args (see include/printk.d.ts). */
export function vsprintf(fmt: string, args: readonly unknown[]): string {
  let i = 0;
  const next = (): unknown => args[i++];
  return fmt.replace(SPEC, (_m, flags: string, w: string | undefined, p: string | undefined, len: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const width = w === '*' ? Number(next()) : w === undefined ? 0 : Number(w);
    const prec = p === '*' ? Number(next()) : p === undefined ? -1 : Number(p);
    const left = flags.includes('-') || width < 0;
    const zero = flags.includes('0') && !left;
    let body: string;
    let sign = '';
    let prefix = '';
    switch (conv) {
      case 'd':
      case 'i': {
        const v = BigInt.asIntN(widthBits(len), toBig(next()));
        if (v < 0n) sign = '-';
        else if (flags.includes('+')) sign = '+';
        else if (flags.includes(' ')) sign = ' ';
        body = (v < 0n ? -v : v).toString();
        break;
      }
      case 'u':
      case 'o':
      case 'x':
      case 'X': {
        const v = BigInt.asUintN(widthBits(len), toBig(next()));
        const radix = conv === 'u' ? 10 : conv === 'o' ? 8 : 16;
        body = v.toString(radix);
        if (conv === 'X') body = body.toUpperCase();
        if (flags.includes('#') && v !== 0n) prefix = conv === 'o' ? '0' : conv === 'x' ? '0x' : conv === 'X' ? '0X' : '';
        break;
      }
      case 'p':
      case 'px':
      case 'pK': {
        // %p, %px and %pK: the pointer in hex, 16 digits (vmlab does not hash pointers: %p prints as %px).
        const v = BigInt.asUintN(64, toBig(next()));
        body = v.toString(16).padStart(16, '0');
        break;
      }
      case 'c':
        body = typeof args[i] === 'string' ? String(next()).slice(0, 1) : String.fromCharCode(Number(toBig(next())) & 0xff);
        break;
      case 's': {
        const v = next();
        body = v === null || v === undefined || v === 0n ? '(null)' : String(v);
        if (prec >= 0) body = body.slice(0, prec);
        break;
      }
      default:
        // %n: not supported by the kernel either (it is ignored with a WARN); print nothing.
        return '';
    }
    if ((conv === 'd' || conv === 'i' || conv === 'u' || conv === 'o' || conv === 'x' || conv === 'X') && prec >= 0) body = body.padStart(prec, '0');
    const text = sign + prefix + body;
    const w0 = Math.abs(width);
    if (text.length >= w0) return text;
    if (left) return text.padEnd(w0);
    if (zero && conv !== 's' && conv !== 'c' && prec < 0) return sign + prefix + body.padStart(w0 - sign.length - prefix.length, '0');
    return text.padStart(w0);
  });
}

export function printkApi(env: LinuxEnv): typeof import('./include/printk') {
  const k = env.kernel;
  const fmtd = (fmt: string, args: readonly unknown[]): string => vsprintf(String(fmt), args);
  const at = (prefix: string) => (fmt: string, ...args: unknown[]): number => printkText(k, prefix + fmtd(fmt, args));
  return {
    KERN_SOH: SOH,
    KERN_EMERG: `${SOH}0`,
    KERN_ALERT: `${SOH}1`,
    KERN_CRIT: `${SOH}2`,
    KERN_ERR: `${SOH}3`,
    KERN_WARNING: `${SOH}4`,
    KERN_NOTICE: `${SOH}5`,
    KERN_INFO: `${SOH}6`,
    KERN_DEBUG: `${SOH}7`,
    KERN_DEFAULT: '',
    KERN_CONT: `${SOH}c`,
    printk: (fmt, ...args) => printkText(k, fmtd(fmt, args)),
    pr_emerg: at(`${SOH}0`),
    pr_alert: at(`${SOH}1`),
    pr_crit: at(`${SOH}2`),
    pr_err: at(`${SOH}3`),
    pr_warn: at(`${SOH}4`),
    pr_notice: at(`${SOH}5`),
    pr_info: at(`${SOH}6`),
    pr_cont: at(`${SOH}c`),
    pr_debug: () => 0,
    sprintf: (fmt, ...args) => fmtd(fmt, args),
  };
}
