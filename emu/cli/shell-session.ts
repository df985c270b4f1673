// One booted kernel behind `vmlab shell`: the shell's state (jobs, $?), how
// programs run (foreground until they exit, or in the background), and the
// dispatch of a parsed line to the commands of shell-commands.ts.
//
// The kernel runs only while the shell waits for something: a foreground
// program, `sleep` or `wait`. Background jobs run then too (round robin with
// the foreground), so a script's output is deterministic. The run is cut into
// slices of wall time that yield to the event loop, which is how Ctrl-C
// reaches a running program (as SIGINT).
import { hostFileExists } from '../../host/files';
import { Kernel } from '../../kernel-ts/kernel';
import type { KernelOptions } from '../../kernel-ts/kernel';
import { SIGINT, SIGKILL, SIGPIPE } from '../../kernel-ts/proc/signal-defs';
import type { Task } from '../../kernel-ts/proc/task';
import { TASK_INTERRUPTIBLE } from '../../kernel-ts/proc/task';
import { signalPending } from '../../kernel-ts/proc/signal';
import { timerExpired } from '../../kernel-ts/proc/sched';
import { strerror } from '../../kernel-ts/module/strerror';
import { execFailureText } from '../../kernel-ts/proc/execve';
import { UserError } from './errors';
import { guestConsole, yieldToEventLoop } from './output';
import { guestEnvironment, loadProgram } from './run';
import { installPrograms } from './shell-programs';
import { COMMANDS } from './shell-commands';
import { expandStatus, parseLine } from './shell-words';
import type { ParsedCommand } from './shell-words';
import { signalDescription } from './shell-signals';
import { builtinModules } from './builtins';

/** Where the shell's own output goes. */
export interface ShellIo {
  out(s: string): void;
  err(s: string): void;
}

/** A background job (bash's job table). */
export interface Job {
  id: number;
  task: Task;
  /** The command line, for `jobs` and the Done line. */
  text: string;
}

/** The prompt, and the prefix of echoed script commands. */
export const PROMPT = 'vmlab# ';
/** Status of a command that was not found (as sh). */
export const EXIT_NOT_FOUND = 127;
/** Wall time the kernel runs before the shell looks at the event loop (Ctrl-C). */
const SLICE_MS = 25;
/** The status of a program that --max-insns or `timeout` stopped (coreutils timeout's). */
export const EXIT_TIMEDOUT = 124;

/**
 * `timeout`'s terms for a foreground program, in guest nanoseconds (the
 * kernel's clock: one instruction is one nanosecond, idle time passes at
 * once): after `ns`, send `signal`; `killAfterNs` later, if it still runs,
 * SIGKILL.
 */
export interface Timeout {
  ns: number;
  signal: number;
  killAfterNs: number | null;
}

export class ShellSession {
  readonly k: Kernel;
  /** $?: the last command's status. */
  status = 0;
  readonly jobs: Job[] = [];
  /** Set by `exit`/`quit`: the shell ends with this status. */
  exitStatus: number | null = null;
  /** Set on Ctrl-C: the foreground program gets SIGINT at the next slice boundary. */
  interrupted = false;
  /** Programs installed at boot from guest-programs/programs. */
  readonly programs: string[];
  /** Script mode: each command is echoed as `vmlab# COMMAND` before it runs. */
  echoCommands = false;
  /** --max-insns: the most instructions the machine retires for one foreground program (null: no bound). */
  maxInsns: number | null = null;
  /**
   * Set by a host that steps the machine (the browser lab's Pause and Step):
   * the running command leaves the kernel at the next check, as at the end of
   * a slice of wall time, and goes on when the host lets it (yieldToEventLoop).
   */
  yieldRequested = false;
  private nextJob = 1;

  constructor(kernelOpts: KernelOptions, readonly io: ShellIo) {
    this.k = Kernel.boot({
      // The built-in modules unless the caller chose others (kernelOptionsFrom hands the same map).
      builtinModules: builtinModules(),
      ...kernelOpts,
      // The guests' stdout and stderr: the host's (its terminals, or the page's in the browser build).
      ...guestConsole(),
      // Programs see end-of-file on stdin: the shell's own input is its commands.
      stdin: () => null,
    });
    this.k.trace.sink = (line) => io.out(line + '\n');
    this.programs = installPrograms(this.k, (s) => io.err(s));
  }

  /** Runs one input line (one or more commands); returns the last status. */
  async execLine(line: string): Promise<number> {
    const p = parseLine(line);
    if (!p.ok) {
      this.io.err(`vmlab: ${p.message}\n`);
      return (this.status = 2);
    }
    for (const cmd of p.commands) {
      if (this.exitStatus !== null) break;
      if (this.echoCommands) this.io.out(`${PROMPT}${cmd.source}\n`);
      this.status = await this.execCommand(cmd);
      this.reportDoneJobs();
    }
    return this.status;
  }

  private async execCommand(parsed: ParsedCommand): Promise<number> {
    const expand = (w: string): string => expandStatus(w, this.status);
    const cmd: ParsedCommand = {
      ...parsed,
      words: parsed.words.map(expand),
      redirect: parsed.redirect && { ...parsed.redirect, path: expand(parsed.redirect.path) },
    };
    const [name, ...args] = cmd.words;
    if (name === undefined) return 0;
    const builtin = COMMANDS.get(name);
    if (builtin && name !== 'run') {
      if (cmd.background) this.io.err(`vmlab: ${name}: a shell command cannot run in the background; running it now\n`);
      if (cmd.redirect && !builtin.redirects) {
        this.io.err(`vmlab: ${name}: output redirection is only for echo\n`);
        return 2;
      }
      return builtin.run(this, args, cmd);
    }
    const words = name === 'run' ? args : cmd.words;
    if (words.length === 0) {
      this.io.err('run: usage: run PROG [ARGS...] [&]\n');
      return 2;
    }
    return this.runProgram(words, cmd);
  }

  // ---- programs -------------------------------------------------------------

  /**
   * Finds PROG: /bin/PROG for a bare name, a path in the guest's file
   * system, else a host file (an ELF or .s sources, installed as
   * /bin/<name>). The guest path and argv, or null (message printed).
   */
  resolveProgram(words: string[]): { path: string; argv: string[] } | null {
    const prog = words[0]!;
    if (!prog.includes('/')) {
      if (typeof this.k.vfs.lookup(`/bin/${prog}`) !== 'number') return { path: `/bin/${prog}`, argv: words };
      if (!hostFileExists(prog)) {
        this.io.err(`${prog}: command not found\n`);
        return null;
      }
    } else if (prog.startsWith('/') && typeof this.k.vfs.lookup(prog) !== 'number') {
      return { path: prog, argv: words };
    }
    if (!hostFileExists(prog)) {
      this.io.err(`${prog}: No such file or directory\n`);
      return null;
    }
    try {
      const p = loadProgram(prog, words.slice(1), (s) => this.io.err(s));
      this.k.vfs.addExecutable(`/bin/${p.name}`, p.elf);
      return { path: `/bin/${p.name}`, argv: [p.name, ...p.args] };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      this.io.err(`vmlab: ${e.message}\n`);
      return null;
    }
  }

  /** Runs PROG ARGS (words) in the foreground, or in the background for `&`; `timeout` bounds a foreground run. Its status. */
  async runProgram(words: string[], cmd: ParsedCommand, timeout: Timeout | null = null): Promise<number> {
    if (cmd.redirect) {
      this.io.err('vmlab: output redirection of programs is not supported\n');
      return 2;
    }
    const r = this.resolveProgram(words);
    if (r === null) return EXIT_NOT_FOUND;
    const t = this.k.spawn(r.path, r.argv, guestEnvironment());
    if (typeof t === 'number') {
      const why = execFailureText(this.k, r.path, t);
      this.io.err(`${words[0]}: ${strerror(t)}${why === null ? '' : `: ${why}`}\n`);
      return t === -2 ? EXIT_NOT_FOUND : 126;
    }
    if (cmd.background) {
      const job = { id: this.nextJob++, task: t, text: cmd.text };
      this.jobs.push(job);
      this.io.out(`[${job.id}] ${t.pid}\n`);
      return 0;
    }
    return this.waitForeground(t, timeout);
  }

  /**
   * Runs the kernel until t exits; Ctrl-C sends it SIGINT. The shell's status
   * for t. Bounded by --max-insns (t is killed after that many instructions,
   * status 124) and by `timeout`'s terms (status 124 once the time is up, 137
   * when the SIGKILL that follows was needed), both counted in guest time.
   */
  async waitForeground(t: Task, timeout: Timeout | null = null): Promise<number> {
    const insnLimit = this.maxInsns === null ? Infinity : this.k.machine.cpu.instret + this.maxInsns;
    let alarm = timeout === null ? Infinity : this.k.clockNs() + timeout.ns;
    let sent: number | null = null;
    for (;;) {
      // With an alarm set, nobody runnable before it means guest time jumps to it (as `sleep` does).
      const until = (): boolean => !t.isAlive || this.k.clockNs() >= alarm || (alarm !== Infinity && !this.anyRunnableBefore(alarm));
      await this.runKernel(until, () => this.k.kill(t.pid, SIGINT), insnLimit);
      if (!t.isAlive) break;
      if (this.k.machine.cpu.instret >= insnLimit) return this.stopRunaway(t);
      if (alarm === Infinity) break; // nothing can run any more
      this.k.idle(alarm - this.k.clockNs());
      sent = sent === null ? timeout!.signal : SIGKILL;
      this.k.kill(t.pid, sent);
      alarm = sent !== SIGKILL && timeout!.killAfterNs !== null ? this.k.clockNs() + timeout!.killAfterNs : Infinity;
    }
    if (t.isAlive) return 0;
    const status = t.exitCode;
    const sig = status & 0x7f;
    // coreutils: 124 when the time ran out (whatever the program then did), 128 + 9 when it died of SIGKILL.
    if (sent !== null) return sig === SIGKILL ? 128 + SIGKILL : EXIT_TIMEDOUT;
    if (sig === 0) return (status >> 8) & 0xff;
    const text = signalDescription(sig);
    if (sig === SIGINT) this.io.err('\n');
    else if (sig !== SIGPIPE) this.io.err(`${text}\n`);
    return 128 + sig;
  }

  /** --max-insns ran out for foreground program t: kill it and say so, as `vmlab run` does. */
  private async stopRunaway(t: Task): Promise<number> {
    const ran = this.maxInsns!;
    this.k.kill(t.pid, SIGKILL);
    await this.runKernel(() => !t.isAlive);
    this.io.err(`vmlab: ${t.comm}: stopped after ${ran} instructions (--max-insns)\n`);
    return EXIT_TIMEDOUT;
  }

  /**
   * Runs the kernel until `done()` (checked between time slices), the machine
   * has retired `insnLimit` instructions since boot, or nothing is left to
   * run. On Ctrl-C, `onInterrupt` is called and the run goes on; without one
   * the run ends. Returns whether it was interrupted.
   */
  async runKernel(done: () => boolean, onInterrupt?: () => void, insnLimit = Infinity): Promise<boolean> {
    this.interrupted = false;
    let interrupted = false;
    for (;;) {
      if (done() || this.k.sched.nrTasks === 0 || this.k.machine.cpu.instret >= insnLimit) return interrupted;
      const deadline = performance.now() + SLICE_MS;
      const r = this.k.runUntil(() => done() || this.interrupted || this.yieldRequested || performance.now() > deadline, insnLimit);
      if (r.reason !== 'stopped') return interrupted;
      await yieldToEventLoop();
      if (this.interrupted) {
        this.interrupted = false;
        interrupted = true;
        if (!onInterrupt) return true;
        onInterrupt();
      }
    }
  }

  /** Whether any live task could run before guest time `ns` (runnable, or a timer due by then). */
  anyRunnableBefore(ns: number): boolean {
    for (const t of this.k.sched.tasks()) {
      if (t.state !== TASK_INTERRUPTIBLE) return true;
      if (signalPending(t)) return true;
      if (timerExpired(t, ns)) return true;
    }
    return false;
  }

  // ---- jobs -----------------------------------------------------------------

  /** bash's notice for finished background jobs (before the next command): `[1]+  Done   cmd`. */
  reportDoneJobs(): void {
    const done = this.jobs.filter((j) => !j.task.isAlive);
    for (const j of done) {
      this.io.out(`${this.jobLine(j)}\n`);
      this.jobs.splice(this.jobs.indexOf(j), 1);
    }
  }

  /** `[N]+  State                   command` (bash's jobs layout). */
  jobLine(j: Job): string {
    const ids = this.jobs.map((x) => x.id);
    const mark = j.id === ids[ids.length - 1] ? '+' : j.id === ids[ids.length - 2] ? '-' : ' ';
    let state: string;
    if (j.task.isAlive) state = 'Running';
    else {
      const st = j.task.exitCode;
      const sig = st & 0x7f;
      const code = (st >> 8) & 0xff;
      state = sig !== 0 ? signalDescription(sig) : code === 0 ? 'Done' : `Exit ${code}`;
    }
    return `[${j.id}]${mark}  ${state.padEnd(24)}${j.text}${j.task.isAlive ? ' &' : ''}`;
  }

  /** A job spec (%N) or pid to a pid; null if neither. */
  pidOf(spec: string): number | null {
    if (/^%\d+$/.test(spec)) {
      const j = this.jobs.find((x) => x.id === Number(spec.slice(1)));
      return j ? j.task.pid : null;
    }
    return /^\d+$/.test(spec) ? Number(spec) : null;
  }
}
