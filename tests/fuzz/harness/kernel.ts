// A fuzz case's view of a booted kernel: it takes the memory manager's
// baseline, watches every system call (registers the kernel must leave alone,
// a return value Linux could give, the mm invariants afterwards), runs the
// scheduler within an instruction and a step budget, catches oopses as they
// are logged, and at the end, with every process gone, checks that frames and
// page tables are back to the baseline.
import { Kernel } from '../../../kernel-ts/kernel';
import type { RunResult } from '../../../kernel-ts/kernel';
import { KERN_ALERT } from '../../../kernel-ts/printk';
import { checkVm, formatViolations, vmBaseline } from '../../../kernel-ts/mm/check';
import type { VmBaseline } from '../../../kernel-ts/mm/check';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import type { Task } from '../../../kernel-ts/proc/task';
import { SIGKILL } from '../../../kernel-ts/proc/signal-defs';
import { syscallName } from '../../../kernel-ts/syscalls/numbers';
import { SYSCALL_NORETURN, SYSCALL_RESTART } from '../../../kernel-ts/syscalls/table';
import type { SyscallHandler } from '../../../kernel-ts/syscalls/table';
import type { SyscallArgs } from '../../../kernel-ts/syscalls/args';
import type { CaseContext } from './target';
import { graceMms } from '../../../kernel-ts/module/process';

/** When the mm invariants are checked: after every system call and scheduler step, or only when the case ends. */
export type CheckEvery = 'syscall' | 'exit';

/** Linux's largest errno (MAX_ERRNO): -4095..-1 are errors. */
const MAX_ERRNO = 4095;
const TWO64 = 2 ** 64;

/**
 * A value or -errno, exactly: an integer in [-4095, 2^64), and above 2^53
 * (where a double cannot hold every integer) a multiple of the page size,
 * as addresses are; anything else was rounded on the way.
 */
function plausibleReturn(ret: number): boolean {
  return Number.isInteger(ret) && ret >= -MAX_ERRNO && ret < TWO64 && (ret <= 2 ** 53 || ret % 4096 === 0);
}

/** Argument i of a system call, exactly, in hex. */
function argHex(a: SyscallArgs, i: number): string {
  return `0x${((BigInt(a.half[2 * i + 1]! >>> 0) << 32n) | BigInt(a.half[2 * i]! >>> 0)).toString(16)}`;
}

/** Every mm some task of k uses, and those of short-lived processes (insmod, cat) in their grace period. */
export function liveMms(k: Kernel): MmStruct[] {
  const out = new Set<MmStruct>(graceMms(k));
  for (const t of k.tasks.values()) if (t.mm !== null) out.add(t.mm);
  return [...out];
}

export interface WatchOptions {
  check: CheckEvery;
  /**
   * Scheduler steps (slices, idle jumps) in a row in which no instruction
   * retires that a case may take; more is a budget failure: a kernel that
   * spins without letting the guest run. (The guest's own work is bounded
   * by the kernel's maxInsns.)
   */
  maxSteps: number;
  /** System calls a case may make (each is checked, which costs host time); more ends the run. */
  maxSyscalls?: number;
  /** Whether reaching the kernel's maxInsns or maxSyscalls is a failure (false where the guest may loop by design). */
  insnBudgetFails: boolean;
  /** Kernel work of the target's own between two scheduler steps (a khugepaged pass, say), before the check. */
  onStep?: (step: number) => void;
  /** A target's own check of a call that returned (not one that will be restarted). */
  afterSyscall?: (nr: number, t: Task, a: SyscallArgs, ret: number) => void;
  /**
   * Oopses are expected (a module's misuse is an oops of that call): they are
   * not failures here; the target checks their shape (harness/oops-format.ts).
   */
  oopsExpected?: boolean;
}

export class KernelWatch {
  readonly baseline: VmBaseline;
  private broken = false;
  private steps = 0;
  private syscalls = 0;
  private oopsLines: string[] = [];
  private inOops = false;
  /** The system call being served, for the failure messages. */
  private where = 'boot';

  constructor(
    readonly k: Kernel,
    private readonly ctx: CaseContext,
    private readonly opts: WatchOptions,
  ) {
    k.mm.dropCaches(1);
    k.mm.slab.shrink();
    this.baseline = vmBaseline(k.mm);
    const prev = k.printk.onLine;
    k.printk.onLine = (line, rec) => {
      prev?.(line, rec);
      this.onLog(rec.text, rec.level);
    };
    for (const nr of Object.keys(k.syscalls)) this.wrap(Number(nr));
  }

  /** Oops lines (the BUG line, then the JS stack up to the end-trace line) become one failure each. */
  private onLog(text: string, level: number): void {
    if (level === KERN_ALERT && text.startsWith('BUG: ')) {
      this.inOops = true;
      this.oopsLines = [text];
      return;
    }
    if (text.startsWith('Fixing recursive fault')) this.ctx.fail('oops', text);
    if (!this.inOops || this.opts.oopsExpected === true) return;
    this.oopsLines.push(text);
    if (text.startsWith('---[ end trace')) {
      this.inOops = false;
      const [bug, ...rest] = this.oopsLines;
      this.ctx.fail('oops', `${bug!.slice(5)} (in ${this.where})`, rest.filter((l) => l.startsWith(' ') && !l.startsWith(' <')).slice(0, 10).join('\n'));
    }
  }

  /** Adds a system call of the harness's own (a number no Linux call uses). */
  addSyscall(nr: number, h: SyscallHandler): void {
    this.k.syscalls[nr] = h;
    this.wrap(nr);
  }

  private wrap(nr: number): void {
    const h = this.k.syscalls[nr]!;
    const name = syscallName(nr);
    this.k.syscalls[nr] = (k, t, a) => {
      this.syscalls++;
      const regs = t.regs.slice();
      const pcLo = t.pcLo, pcHi = t.pcHi;
      this.where = `${name}(${[0, 1, 2, 3, 4, 5].map((i) => argHex(a, i)).join(', ')}) by pid ${t.pid}`;
      const ret = h(k, t, a);
      if (ret !== SYSCALL_RESTART) this.opts.afterSyscall?.(nr, t, a, ret);
      if (ret !== SYSCALL_NORETURN) {
        if (ret !== SYSCALL_RESTART && !plausibleReturn(ret))
          this.ctx.fail('check', `${name} returned ${ret}, neither a value nor -errno (${this.where})`);
        if (t.isAlive && (t.pcLo !== pcLo || t.pcHi !== pcHi || regs.some((v, i) => t.regs[i] !== v)))
          this.ctx.fail('check', `${name} changed the caller's registers (${this.where})`);
      }
      // After every call early on, then every 16th: a program looping by design makes thousands.
      if (this.opts.check === 'syscall' && (this.syscalls <= 500 || this.syscalls % 16 === 0)) this.check(`after ${this.where}`);
      this.where = `pid ${t.pid} after ${name}`;
      return ret;
    };
  }

  /** Checks the mm invariants now (once broken, a case is not checked again: what follows is noise). */
  check(where: string, quiescent = false): boolean {
    if (this.broken) return false;
    const v = checkVm(this.k.mm, liveMms(this.k), { baseline: this.baseline, quiescent });
    if (v.length === 0) return true;
    this.broken = true;
    this.ctx.fail('invariant', `${v[0]!.invariant}: ${v[0]!.message} (${where})`, formatViolations(v.slice(1, 8)));
    return false;
  }

  /** Runs the scheduler to the end within the budgets; then kills what is left, and checks the kernel with every process gone. */
  run(): RunResult {
    const r = this.runTasks();
    this.finish();
    return r;
  }

  /** run() without the final check (a target with more to do before the kernel is back to its baseline: a module to remove). */
  runTasks(): RunResult {
    const k = this.k;
    let idle = 0;
    let lastInstret = k.machine.cpu.instret;
    const maxSyscalls = this.opts.maxSyscalls ?? Infinity;
    const r = k.runUntil(() => {
      this.steps++;
      const instret = k.machine.cpu.instret;
      idle = instret === lastInstret ? idle + 1 : 0;
      lastInstret = instret;
      this.opts.onStep?.(this.steps);
      // Every step early on, then every 64th: a program running in short slices takes many.
      if (this.opts.check === 'syscall' && (this.steps <= 1000 || this.steps % 64 === 0)) this.check(`between slices (step ${this.steps})`);
      return idle > this.opts.maxSteps || this.syscalls > maxSyscalls;
    });
    if (r.reason === 'stopped') {
      if (idle > this.opts.maxSteps) this.ctx.fail('budget', `${this.opts.maxSteps} scheduler steps in a row without an instruction retired (${k.tasks.size} tasks left, ${r.instructions} instructions)`);
      else if (this.opts.insnBudgetFails) this.ctx.fail('budget', `more than ${maxSyscalls} system calls (${k.tasks.size} tasks left, ${r.instructions} instructions)`);
      for (const pid of [...k.tasks.keys()]) k.kill(pid, SIGKILL);
      let more = 0;
      k.runUntil(() => ++more > 1000);
    } else if (r.reason === 'maxInsns' && this.opts.insnBudgetFails) {
      this.ctx.fail('budget', `instruction budget ${k.opts.maxInsns} spent (${k.tasks.size} tasks were alive)`);
    }
    return r;
  }

  /** With every process gone: no task left behind, frames and page tables back to the baseline. */
  finish(): void {
    const k = this.k;
    const alive = [...k.tasks.values()];
    if (alive.length > 0) {
      this.ctx.fail('check', `${alive.length} task(s) left after the run: ${alive.map((t) => `${t.pid} (${t.comm}, state ${t.state})`).join(', ')}`);
      return;
    }
    k.mm.dropCaches(1);
    k.mm.slab.shrink();
    this.check('after every process exited', true);
  }
}

export interface BootOptions {
  memSize: number;
  paging: 4 | 5;
  aslr: boolean;
  seed: number;
  sliceInsns: number;
  maxInsns: number;
  /** The soft-lockup bounds of calls into module code: API calls, and the wall-clock backstop for a loop that calls nothing (KernelOptions). */
  softLockupCalls?: number;
  softLockupWallMs?: number;
  /** Collects what the guests write to fds 1 and 2 (bounded by the caller). */
  output?: (bytes: Uint8Array) => void;
}

/** A kernel for one case: no console input, output to `output` or nowhere. */
export function bootKernel(o: BootOptions): Kernel {
  const out = o.output ?? ((): void => {});
  return Kernel.boot({
    memSize: o.memSize,
    paging: o.paging,
    aslr: o.aslr,
    seed: o.seed,
    sliceInsns: o.sliceInsns,
    maxInsns: o.maxInsns,
    ...(o.softLockupCalls === undefined ? {} : { softLockupCalls: o.softLockupCalls }),
    ...(o.softLockupWallMs === undefined ? {} : { softLockupWallMs: o.softLockupWallMs }),
    stdout: out,
    stderr: out,
    stdin: () => null,
  });
}
