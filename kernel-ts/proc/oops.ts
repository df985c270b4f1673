// A host exception thrown while the kernel serviced a task is a kernel bug:
// the log gets Linux's x86-64 oops (arch/x86/mm/fault.c page_fault_oops,
// arch/x86/kernel/dumpstack.c __die/show_regs/show_trace_log_lvl/oops_end,
// kernel/panic.c print_tainted/__warn, kernel/watchdog.c), and the task that
// was being serviced dies; the kernel keeps running. Four shapes:
//   a page fault (KernelPageFault)  BUG: unable to handle page fault ..., #PF lines, PGD.., Oops: EEEE
//   a #GP (KernelGeneralProtection) general protection fault, probably for non-canonical address 0x...: 0000
//   BUG()/BUG_ON() (KernelBug)      (cut here, kernel BUG at FILE:LINE!, logged by BUG itself), invalid opcode: 0000
//   a soft lockup (SoftLockup)      watchdog: BUG: soft lockup - CPU#0 stuck for Ns! [comm:pid], no Oops line
//   any other thrown value          BUG: kernel exception in OP [module]: TEXT, Oops: 0000
// then the task line, RIP (the innermost frame: the module's function), the
// registers (oops-regs.ts), the Call Trace (kallsyms.ts), Modules linked in,
// the end marker and the first oops's registers again (the executive summary).
// WARN (warnReport) prints the same block without killing anyone.
import { KERN_ALERT, KERN_EMERG, KERN_INFO, KERN_WARNING } from '../printk';
import type { Kernel } from '../kernel';
import { Kallsyms } from './kallsyms';
import type { Frame } from './kallsyms';
import { isKernelBug, isKernelGeneralProtection, isKernelPageFault } from './oops-fault';
import type { PageFaultShape } from './oops-fault';
import { dumpPagetable, hex16, showRegs } from './oops-regs';
import type { OopsMachine } from './oops-regs';
import type { Task } from './task';
import { UTS_RELEASE, UTS_VERSION } from './uts';
import { PAGE_SIZE } from '../../emu/machine/mmu/paging';
import { PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W } from '../../emu/machine/trap';

/**
 * What the soft-lockup watchdog throws when one call into module code ran
 * past its bound (Linux kernel/watchdog.c watchdog_timer_fn): the oops says
 * "soft lockup" with the bound in whole seconds instead of "kernel exception".
 */
export class SoftLockup extends Error {
  constructor(
    /** The bound, rounded up to whole seconds (Linux prints the measured duration). */
    readonly seconds: number,
    where: string,
  ) {
    super(`soft lockup in ${where}`);
    this.name = 'SoftLockup';
  }
}

/** The longest description of a thrown value an oops prints (Linux's printk truncates a record near 1 KiB). */
const DESCRIBE_MAX = 512;

/**
 * `NAME: MESSAGE` for a thrown Error, a description for anything else
 * (`Error: TEXT` for a string or number, as before; `null`, `undefined`,
 * `Symbol(x)`, an object's String()), and the Error itself when it is one.
 * Never throws: a toString, name or message getter that throws, or a Proxy
 * whose traps throw, is described as unprintable instead.
 */
export function describeThrown(e: unknown): { text: string; error: Error | null } {
  const cap = (s: string): string => (s.length > DESCRIBE_MAX ? `${s.slice(0, DESCRIBE_MAX)}...` : s);
  const field = (read: () => unknown, fallback: string): string => {
    try {
      const v = read();
      return typeof v === 'string' ? v : fallback;
    } catch {
      return fallback;
    }
  };
  switch (typeof e) {
    case 'undefined':
      return { text: 'thrown value: undefined', error: null };
    case 'symbol':
      return { text: `thrown value: Symbol(${field(() => e.description, '')})`, error: null };
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return { text: cap(`Error: ${String(e)}`), error: null };
    default:
      break;
  }
  if (e === null) return { text: 'thrown value: null', error: null };
  let isError = false;
  try {
    // A Proxy's getPrototypeOf trap runs here and may throw.
    isError = e instanceof Error;
  } catch {
    isError = false;
  }
  if (isError) {
    const err = e as Error;
    return { text: cap(`${field(() => err.name, 'Error')}: ${field(() => err.message, '(unprintable message)')}`), error: err };
  }
  return { text: cap(`thrown value: ${field(() => String(e), '(an object that cannot be printed)')}`), error: null };
}

// ---- taint and the die counter (kernel/panic.c) --------------------------

/** Linux 6.1's taint_flags letters, bit 0 first (TAINT_FLAGS_COUNT 19); bit 0 prints G when clear. */
const TAINT_LETTERS = 'PFSRMBUDAWCIOELKXTN';
export const TAINT_DIE = 7;
export const TAINT_WARN = 9;
export const TAINT_OOT_MODULE = 12;
export const TAINT_SOFTLOCKUP = 14;

/** print_tainted(): `Not tainted`, or `Tainted: ` and one column per flag (its letter, or G / a space). */
export function printTainted(mask: number): string {
  if (mask === 0) return 'Not tainted';
  let s = 'Tainted: ';
  for (let i = 0; i < TAINT_LETTERS.length; i++) s += (mask >>> i) & 1 ? TAINT_LETTERS[i] : i === 0 ? 'G' : ' ';
  return s;
}

/** A kernel's oops state: die_counter, the taint flags oopses set, the first oops's registers (exec_summary_regs). */
export class DieState {
  /** Oopses since boot (the `[#N]`). */
  count = 0;
  /** tainted_mask's bits set by oopses, warnings and lockups (O comes from the module loader). */
  taint = 0;
  /** __show_regs of the first oops, printed again after every oops's end marker. */
  summary: string[] | null = null;
}

// ---- the report --------------------------------------------------------------

/** Accessors Linux inlines (their fault's RIP is their caller), and the BUG/WARN macros. */
const INLINE = new Set([
  'readb', 'readw', 'readl', 'readq', 'writeb', 'writew', 'writel', 'writeq',
  'pgdp_get', 'p4dp_get', 'pudp_get', 'pmdp_get', 'ptep_get', 'READ_ONCE', 'WRITE_ONCE',
  'BUG', 'BUG_ON', 'WARN', 'WARN_ON', 'WARN_ON_ONCE', 'WARN_ONCE',
]);

/** The symbol's own name: `Class.method` -> `method`. */
const bare = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

/**
 * The frames from the code that made the error on: the frames inside the
 * entry (the vmlab/linux function the module called, e.g. readq; of several
 * names, the outermost found: BUG_ON calls BUG's code) are the kernel's way
 * of doing what Linux does in that function, so they go; an inline entry
 * goes too (its code is its caller's, as in Linux). No such frame: all.
 */
export function framesFrom(frames: readonly Frame[], entry: string | readonly string[] | null): Frame[] {
  if (entry === null) return [...frames];
  const names = typeof entry === 'string' ? [entry] : entry;
  let i = -1;
  frames.forEach((f, j) => {
    if (names.includes(bare(f.name))) i = j;
  });
  if (i < 0) return [...frames];
  return frames.slice(INLINE.has(bare(frames[i]!.name)) ? i + 1 : i);
}

/** The macros a KernelBug comes from. */
const BUG_ENTRIES = ['BUG', 'BUG_ON'];

/** This file's own functions, which a WARN's or dump_stack's stack starts with. */
const SELF = new Set(['warnReport', 'dumpStack']);

/** e instanceof SoftLockup, where a Proxy's getPrototypeOf trap may throw. */
function isSoftLockup(e: unknown): e is SoftLockup {
  try {
    return e instanceof SoftLockup;
  } catch {
    return false;
  }
}

/** The Call Trace frames of e (none for a thrown non-Error, or a stack that cannot be read). */
function framesOf(syms: Kallsyms, e: unknown): Frame[] {
  if (typeof e !== 'object' || e === null) return [];
  try {
    const ok = e instanceof Error || typeof (e as { stack?: unknown }).stack === 'string';
    return ok ? syms.frames(e as Error).filter((f) => !SELF.has(f.name)) : [];
  } catch {
    return [];
  }
}

/** The MMU's control registers and RAM as an oops reads them; CR2 and CR3 as the fault gives them. */
function machineOf(k: Kernel, pf: PageFaultShape | null): OopsMachine {
  const mmu = k.machine.mmu;
  const cr2 = pf !== null ? pf.address : (BigInt(mmu.cr2Hi >>> 0) << 32n) | BigInt(mmu.cr2Lo >>> 0);
  return { cr0: mmu.cr0, cr3: pf?.cr3 ?? mmu.cr3, cr4: mmu.cr4, cr2, mem: k.machine.mem, memSize: k.opts.memSize };
}

/** The taint mask now: the oopses' flags, and O once an out-of-tree module was loaded. */
function taintOf(k: Kernel): number {
  return k.die.taint | (k.modules?.tainted ? 1 << TAINT_OOT_MODULE : 0);
}

/** show_regs_print_info(): the task line and the machine's name. */
function taskLines(k: Kernel, t: Task | null): string[] {
  const version = UTS_VERSION.slice(0, UTS_VERSION.indexOf(' '));
  return [
    `CPU: 0 PID: ${t?.pid ?? 0} Comm: ${(t?.comm ?? 'swapper/0').slice(0, 20)} ${printTainted(taintOf(k))} ${UTS_RELEASE} ${version}`,
    'Hardware name: vmlab',
  ];
}

/** show_trace_log_lvl() for a task's stack: `Call Trace:`, ` <TASK>`, one ` sym+0xOFF/0xSIZE [mod]` a frame, ` </TASK>`. */
function traceLines(frames: readonly Frame[]): string[] {
  return ['Call Trace:', ' <TASK>', ...frames.map((f) => ` ${f.text}`), ' </TASK>'];
}

/** print_modules(): always printed, even with no module loaded. */
function modulesLine(k: Kernel): string {
  const linked = k.modules?.linkedIn() ?? '';
  return linked === '' ? 'Modules linked in:' : `Modules linked in: ${linked}`;
}

/** show_fault_oops(): the BUG line, the two #PF lines, and dump_pagetable. */
function faultLines(m: OopsMachine, pf: PageFaultShape): [string, number][] {
  const code = pf.errorCode;
  const addr = hex16(pf.address);
  const access = code & PF_I ? 'instruction fetch' : code & PF_W ? 'write access' : 'read access';
  const why = !(code & PF_P) ? 'not-present page' : code & PF_RSVD ? 'reserved bit violation' : code & PF_PK ? 'protection keys violation' : 'permissions violation';
  return [
    [BigInt.asUintN(64, pf.address) < BigInt(PAGE_SIZE) ? `BUG: kernel NULL pointer dereference, address: ${addr}` : `BUG: unable to handle page fault for address: ${addr}`, KERN_ALERT],
    [`#PF: ${code & PF_U ? 'user' : 'supervisor'} ${access} in kernel mode`, KERN_ALERT],
    [`#PF: error_code(0x${(code & 0xffff).toString(16).padStart(4, '0')}) - ${why}`, KERN_ALERT],
    ...dumpPagetable(m, pf.address).map((l): [string, number] => [l, KERN_INFO]),
  ];
}

/**
 * Logs the oops for error `e` raised in `where` (`OP [module]`, or the
 * kernel path) while serving t: one of the four shapes above. Counts the
 * oops and taints the kernel (D; L for a soft lockup, which is not an oops
 * in Linux and has no Oops line or end marker). The caller decides t's fate.
 */
export function reportOops(k: Kernel, t: Task | null, where: string, e: unknown): void {
  handleThrownPromise(k, e);
  const syms = k.modules?.kallsyms ?? new Kallsyms();
  const pf = isKernelPageFault(e) ? e : null;
  const gp = pf === null && isKernelGeneralProtection(e) ? e : null;
  const bug = pf === null && gp === null && isKernelBug(e) ? e : null;
  const lockup = isSoftLockup(e) ? e : null;
  const m = machineOf(k, pf);
  const frames = framesFrom(framesOf(syms, e), pf?.fn ?? gp?.fn ?? (bug !== null ? BUG_ENTRIES : null));
  // A soft lockup's stack is the watchdog's, outside the module: RIP names the call it stopped.
  const rip = lockup === null && frames.length > 0 ? frames.shift()!.text : where;
  const out: [string, number][] = [];
  const log = (level: number, ...lines: string[]): void => {
    for (const l of lines) out.push([l, level]);
  };
  const regs = showRegs(m, rip);

  if (lockup !== null) {
    // watchdog_timer_fn(): no die(): the report, then taint L.
    log(KERN_EMERG, `watchdog: BUG: soft lockup - CPU#0 stuck for ${lockup.seconds}s! [${t?.comm ?? 'swapper/0'}:${t?.pid ?? 0}]`, modulesLine(k));
    log(KERN_WARNING, ...taskLines(k, t), ...regs, ...traceLines(frames));
    k.die.taint |= 1 << TAINT_SOFTLOCKUP;
  } else {
    let header = 'Oops';
    let err = 0;
    if (pf !== null) {
      out.push(...faultLines(m, pf));
      err = pf.errorCode & 0xffff;
    } else if (gp !== null) {
      // exc_general_protection() -> die_addr(): the description is the header; no BUG line, no CR2 line.
      header = `general protection fault, probably for non-canonical address 0x${hex16(gp.address)}`;
    } else if (bug !== null) {
      // report_bug()'s `cut here` and `kernel BUG at FILE:LINE!` were logged by BUG itself, before it threw.
      header = 'invalid opcode';
    } else {
      log(KERN_ALERT, `BUG: kernel exception in ${where}: ${describeThrown(e).text}`);
    }
    // __die_header(), __die_body() (show_regs, print_modules), then page_fault_oops's CR2 and oops_end().
    log(KERN_WARNING, `${header}: ${err.toString(16).padStart(4, '0')} [#${++k.die.count}] PREEMPT SMP NOPTI`);
    log(KERN_WARNING, ...taskLines(k, t), ...regs, ...traceLines(frames), modulesLine(k));
    if (pf !== null) log(KERN_WARNING, `CR2: ${hex16(pf.address)}`);
    k.die.taint |= 1 << TAINT_DIE;
    log(KERN_WARNING, END_TRACE);
    k.die.summary ??= regs;
    log(KERN_WARNING, ...k.die.summary);
  }
  for (const [line, level] of out) k.printk.log(line, level);
}

/**
 * A thrown Promise (a module's `throw Promise.reject(...)`): its rejection is
 * handled here and logged, never Node's unhandledRejection, which would end
 * vmlab. Never throws.
 */
export function handleThrownPromise(k: Kernel, e: unknown): void {
  try {
    if ((typeof e !== 'object' && typeof e !== 'function') || e === null) return;
    const then = (e as { then?: unknown }).then;
    if (typeof then !== 'function') return;
    then.call(e, undefined, (why: unknown) => {
      try {
        k.printk.log(`a thrown Promise rejected: ${describeThrown(why).text}`, KERN_WARNING);
      } catch {
        // Reporting must not turn into a rejection of its own.
      }
    });
  } catch {
    // A `then` getter or call that throws: nothing was scheduled.
  }
}

/** print_oops_end_marker(): Linux 6.x prints a zero oops id. */
const END_TRACE = `---[ end trace ${hex16(0)} ]---`;

/** What a WARN reports: where (FILE, or FILE:LINE), its message, and the vmlab/linux macro the module called. */
export interface WarnSite {
  readonly file: string;
  readonly line?: number;
  /** WARN()'s formatted message, printed after the cut-here line. */
  readonly message?: string;
  /** The macro the module called (WARN_ON, WARN, ...): its frames and those inside it are left out. */
  readonly entry: string | readonly string[];
  /** The function the WARNING line and RIP name, when it is the kernel's (`__proc_create [mod]`), not the module's frame. */
  readonly fn?: string;
}

/**
 * __warn(): `------------[ cut here ]------------`, the message, `WARNING:
 * CPU: 0 PID: N at FILE:LINE fn+0xOFF/0xSIZE [module]` (fn: the module
 * function that warned), Modules linked in, the task and registers, the
 * Call Trace, the end marker; then taint W. Nobody is killed: the caller
 * goes on. Call it from inside the macro's implementation.
 */
export function warnReport(k: Kernel, site: WarnSite): void {
  const syms = k.modules?.kallsyms ?? new Kallsyms();
  const frames = framesFrom(framesOf(syms, new Error('WARN')), site.entry);
  const inner = frames.shift()?.text ?? '0x0';
  const rip = site.fn ?? inner;
  const t = k.current;
  const at = site.line === undefined ? site.file : `${site.file}:${site.line}`;
  const lines = ['------------[ cut here ]------------'];
  if (site.message !== undefined) lines.push(...site.message.replace(/\n$/, '').split('\n'));
  lines.push(`WARNING: CPU: 0 PID: ${t?.pid ?? 0} at ${at} ${rip}`, modulesLine(k), ...taskLines(k, t), ...showRegs(machineOf(k, null), rip), ...traceLines(frames), END_TRACE);
  for (const line of lines) k.printk.log(line, KERN_WARNING);
  k.die.taint |= 1 << TAINT_WARN;
}

/**
 * dump_stack(): the task line, the machine's name and the Call Trace of the
 * caller, whose first frame is the module function that called `entry`
 * (dump_stack, or a caller's own name). Taints nothing.
 */
export function dumpStack(k: Kernel, entry = 'dump_stack'): void {
  const syms = k.modules?.kallsyms ?? new Kallsyms();
  const frames = framesFrom(framesOf(syms, new Error('dump_stack')), entry);
  for (const line of [...taskLines(k, k.current), ...traceLines(frames)]) k.printk.log(line, KERN_WARNING);
}
