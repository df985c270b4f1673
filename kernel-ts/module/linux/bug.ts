// <asm-generic/bug.h>: BUG/BUG_ON, WARN_ON/WARN/..._ONCE and dump_stack,
// printing Linux's lines (lib/bug.c report_bug, kernel/panic.c __warn,
// lib/dump_stack.c). A BUG logs report_bug's two lines and throws KernelBug:
// the call into the module ends as an oops (the kernel's oops path prints the
// `invalid opcode: 0000 [#N]` header and kills the calling process).
import { KERN_WARNING } from '../../printk';
import { dumpStack, warnReport } from '../../proc/oops';
import type { LinuxEnv } from './env';
import type { Kernel } from '../../kernel';
import { printkFlush, vsprintf } from './printk';

/** What BUG() throws: the oops of the call, die("invalid opcode") in Linux. */
export class KernelBug extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
  ) {
    super(`kernel BUG at ${file}:${line}!`);
    this.name = 'KernelBug';
  }
}

const CUT_HERE = '------------[ cut here ]------------';

interface CallSite {
  getFunctionName(): string | null;
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/** The frames of an error captured above `above` (that function and its callees left out). */
function captureAbove(above: (...a: never[]) => unknown): { err: Error; site: CallSite | null } {
  const err = new Error('stack');
  let sites: CallSite[] = [];
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_e, s) => {
    sites = s as unknown as CallSite[];
    return '';
  };
  try {
    Error.captureStackTrace(err, above);
    void err.stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  // Leave the V8 sites for kallsyms to read again: capture a second error the same way.
  const again = new Error('stack');
  Error.captureStackTrace(again, above);
  // The watchdog's counting wrapper (linux/index.ts) sits between a module and the API function it called.
  return { err: again, site: sites.find((s) => s.getFunctionName() !== 'vmlab_api_call') ?? null };
}

/** The caller of `above` as a Call Trace frame (` func+0xOFF/0xSIZE [module]`), '' when none can be named. */
export function callerFrame(k: LinuxEnv['kernel'], above: (...a: never[]) => unknown): string {
  const { err } = captureAbove(above);
  try {
    return k.modules?.kallsyms.callTrace(err)[0] ?? '';
  } catch {
    return '';
  }
}

/**
 * FILE:LINE of a call site: for module code the line of the module's own
 * file, from its source map (the kernel's Kallsyms); else the file's base
 * name (no host path) and the line in its code.
 */
function where(k: Kernel, site: CallSite | null): { file: string; line: number } {
  const name = site?.getFileName() ?? '';
  const line = site?.getLineNumber() ?? null;
  const col = site?.getColumnNumber() ?? null;
  const mapped = line === null || col === null ? null : (k.modules?.kallsyms.sourcePosition(name, line, col) ?? null);
  if (mapped !== null) return mapped;
  // Module code runs as the script `vmlab-module/NAME/N` (the loader's): it is module NAME's code.
  const loaded = /^vmlab-module\/([^/]+)\/\d+$/.exec(name);
  const base = loaded?.[1] ?? (name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1) || '??');
  return { file: base, line: site?.getLineNumber() ?? 0 };
}

export function bugApi(env: LinuxEnv): typeof import('./include/bug') {
  const k = env.kernel;
  const warned = new Set<string>();
  const log = (line: string): void => k.printk.log(line, KERN_WARNING);

  /** __warn(): the warning for the call site above `fn`, with an optional message. */
  const warn = (fn: (...a: never[]) => unknown, once: boolean, msg: string | null): void => {
    const { site } = captureAbove(fn);
    const at = where(k, site);
    if (once) {
      const key = `${at.file}:${at.line}:${site?.getColumnNumber() ?? 0}`;
      if (warned.has(key)) return;
      warned.add(key);
    }
    printkFlush(k);
    warnReport(k, { file: at.file, line: at.line, ...(msg === null ? {} : { message: msg }), entry: fn.name });
  };

  const bug = (fn: (...a: never[]) => unknown): never => {
    const { site } = captureAbove(fn);
    const at = where(k, site);
    printkFlush(k);
    log(CUT_HERE);
    k.printk.log(`kernel BUG at ${at.file}:${at.line}!`, KERN_WARNING);
    // Remembered: BUG cannot be caught in Linux, so a throw the module swallows (a try, an async function) is rethrown when its call returns.
    throw (env.module.raisedBug = new KernelBug(at.file, at.line));
  };

  const api: typeof import('./include/bug') = {
    BUG: function BUG(): never {
      return bug(api.BUG);
    },
    BUG_ON: function BUG_ON(cond: unknown): void {
      if (cond) bug(api.BUG_ON);
    },
    WARN_ON: function WARN_ON(cond: unknown): boolean {
      if (cond) warn(api.WARN_ON, false, null);
      return !!cond;
    },
    WARN_ON_ONCE: function WARN_ON_ONCE(cond: unknown): boolean {
      if (cond) warn(api.WARN_ON_ONCE, true, null);
      return !!cond;
    },
    WARN: function WARN(cond: unknown, fmt: string, ...args: unknown[]): boolean {
      if (cond) warn(api.WARN, false, vsprintf(fmt, args));
      return !!cond;
    },
    WARN_ONCE: function WARN_ONCE(cond: unknown, fmt: string, ...args: unknown[]): boolean {
      if (cond) warn(api.WARN_ONCE, true, vsprintf(fmt, args));
      return !!cond;
    },
    dump_stack: function dump_stack(): void {
      printkFlush(k);
      dumpStack(k, 'dump_stack');
    },
  };
  return api;
}
