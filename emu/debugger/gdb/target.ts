// The gdb stub's one door into the debugger: GdbTarget (dispatch.ts)
// implemented on today's Session and Debugger (session.ts, commands.ts,
// timeline.ts). Everything the stub knows about them is in this file, so
// that moving the stub onto another run-control engine means rewriting this
// file only. What it uses: Session's pc/reg/setReg/edited, readVirt/
// virtToPhys/writeVirt, addBreakpoint/deleteBreakpoint/breakpoints, resume,
// exited, kernelNotes, recorder, interruptRequested, task; Debugger's
// execute/stopReport/stream; timeline's reverseStepi/reverseContinue.
//
// Breakpoints and watchpoints gdb inserts (Z packets) are the session's own
// (they show in `monitor info breakpoints`); stops are the session's stop
// events turned into stop replies. Reverse execution is the session's
// recorder: the stub starts recording when gdb attaches (unless kernel
// modules are loaded, which the recorder cannot save), so reverse-stepi and
// reverse-continue work from the first instruction (and so that a
// watchpoint stop can be reported before its access, as gdb expects).
import type { Debugger } from '../commands';
import type { Session, StopEvent } from '../session';
import type { Breakpoint } from '../breakpoints';
import { Quit, findCommand } from '../table';
import { PAGE_SIZE } from '../../../kernel-ts/mm/page';
import { GDB_SIGINT, GDB_SIGKILL, GDB_SIGSEGV, GDB_SIGTRAP } from './dispatch';
import type { GdbTarget, PointType, ResumeAction, StopReason, TargetStop } from './dispatch';
import { PC_REGNUM } from './target-xml';

/** Linux signal numbers -> gdb's (include/gdb/signals.def); the ones that differ are listed, the rest are equal. */
const LINUX_TO_GDB: Record<number, number> = {
  7: 10, // SIGBUS
  10: 30, // SIGUSR1
  12: 31, // SIGUSR2
  16: 0, // SIGSTKFLT: no gdb number
  17: 20, // SIGCHLD
  18: 19, // SIGCONT
  19: 17, // SIGSTOP
  20: 18, // SIGTSTP
  23: 16, // SIGURG
  29: 23, // SIGIO
  30: 32, // SIGPWR
  31: 12, // SIGSYS
};

export function gdbSignal(linux: number): number {
  return LINUX_TO_GDB[linux] ?? linux;
}

/** Debugger commands that move the program: gdb must do that itself, or its view of the registers goes stale. */
const RUN_CONTROL = new Set([
  'run', 'continue', 'stepi', 'nexti', 'step', 'next', 'finish', 'until', 'advance', 'kill', 'quit',
  'reverse-stepi', 'reverse-nexti', 'reverse-step', 'reverse-next', 'reverse-continue', 'reverse-finish', 'diff',
]);

const ZTYPE_MODE: Record<number, string> = { 2: 'write', 3: 'read', 4: 'access' };

export interface SessionTargetOptions {
  /** Record from the start so that gdb's reverse commands work (default true). */
  record?: boolean;
}

export class SessionTarget implements GdbTarget {
  private readonly s: Session;
  /** The session breakpoints gdb inserted, by `type:addr:len`, and the Z type of each. */
  private readonly points = new Map<string, Breakpoint>();
  private readonly typeOf = new Map<Breakpoint, PointType>();
  private running = false;
  /** gdb's points so far (their session numbers are -1, -2, ...). */
  private gdbPoints = 0;
  /** Why recording did not start, if it did not (the reply to a reverse request says it). */
  notRecording = '';

  private constructor(readonly d: Debugger) {
    this.s = d.s;
  }

  static async attach(d: Debugger, opts: SessionTargetOptions = {}): Promise<SessionTarget> {
    const t = new SessionTarget(d);
    if (opts.record !== false && d.s.recorder === null) {
      t.notRecording = await d.execute('record');
    }
    return t;
  }

  threadId(): number {
    return this.s.task.pid;
  }

  readRegister(n: number): bigint {
    return n === PC_REGNUM ? BigInt(this.s.pc) : this.s.reg(n);
  }

  writeRegister(n: number, v: bigint): void {
    if (this.s.exited !== null) return;
    if (n === PC_REGNUM) this.s.pc = Number(BigInt.asUintN(64, v));
    else this.s.setReg(n, v);
    this.s.edited();
  }

  /**
   * Bytes through the MMU's side-effect-free probe (no A/D bits, no TLB
   * fill, no statistics). A page of a file mapping the program has not
   * touched yet reads as the file's bytes, without faulting it in (what
   * ptrace would show); any other unmapped byte makes the read fail.
   */
  readMemory(addr: number, len: number): Uint8Array | null {
    const out = new Uint8Array(len);
    const mem = this.s.k.machine.mem;
    // Page by page: one walk per page (a page is mapped or not as a whole).
    for (let done = 0; done < len; ) {
      const va = addr + done;
      const n = Math.min(len - done, PAGE_SIZE - (va % PAGE_SIZE));
      const pa = this.s.virtToPhys(va);
      let bytes: Uint8Array | null;
      if (typeof pa === 'number') bytes = mem.readBytes(pa, n);
      else {
        const page = this.s.unfaultedPage(va);
        bytes = page === null ? null : page.subarray(va % PAGE_SIZE, (va % PAGE_SIZE) + n);
      }
      if (bytes === null) return null;
      out.set(bytes, done);
      done += n;
    }
    return out;
  }


  writeMemory(addr: number, data: Uint8Array): boolean {
    if (this.s.exited !== null) return false;
    for (let i = 0; i < data.length; i++) if (typeof this.s.virtToPhys(addr + i) === 'string') return false;
    for (let i = 0; i < data.length; i++) this.s.writeVirt(addr + i, 1, BigInt(data[i]!));
    this.s.edited();
    return true;
  }

  insertPoint(type: PointType, addr: number, len: number): boolean {
    const key = `${type}:${addr}:${len}`;
    if (this.points.has(key)) return true; // gdb may insert again after a reconnect: the same point
    const hex = `0x${addr.toString(16)}`;
    if (type >= 2 && (len === 0 || len > 64)) return false;
    // gdb numbers its own breakpoints: the session's numbers stay the user's (monitor catch, monitor break),
    // so gdb's points get negative ones, which leave the table's counter where it was.
    const num = -++this.gdbPoints;
    const init = type <= 1
      ? { kind: 'breakpoint' as const, what: `(gdb Z${type}) *${hex}`, addr, num }
      : { kind: 'watchpoint' as const, what: `(gdb Z${type}) *${hex} len ${len}`, addr, len, mode: ZTYPE_MODE[type]!, num };
    const bp = this.s.addBreakpoint(init);
    this.points.set(key, bp);
    this.typeOf.set(bp, type);
    return true;
  }

  removePoint(type: PointType, addr: number, len: number): boolean {
    const key = `${type}:${addr}:${len}`;
    const bp = this.points.get(key);
    if (bp === undefined) return true; // removing what is not there is not an error for gdb
    this.points.delete(key);
    this.typeOf.delete(bp);
    this.s.deleteBreakpoint(bp.num);
    return true;
  }

  interrupt(): void {
    if (this.running) this.s.interruptRequested = true;
  }

  async resume(action: ResumeAction): Promise<TargetStop> {
    const s = this.s;
    if (s.exited !== null) return this.fromEvent(s.exited, '');
    this.running = true;
    s.interruptRequested = false;
    try {
      if (action === 'reverse-step' || action === 'reverse-continue') return await this.reverse(action);
      this.d.started = true;
      const ev = await s.resume(action === 'step' ? { steps: 1 } : {});
      this.d.lastStop = ev.kind;
      // gdb's riscv watchpoints are non-steppable: it expects the stop BEFORE the access and steps
      // over it itself. The session stops after it, so the recorder takes the one instruction back.
      if (ev.kind === 'watch' && s.recorder !== null) await s.reverseStepi(1);
      return this.fromEvent(ev, this.console(ev));
    } finally {
      this.running = false;
      s.interruptRequested = false;
    }
  }

  /** What the console shows at a stop gdb cannot explain itself: a catchpoint's report (with what the kernel did on the way). */
  private console(ev: StopEvent): string {
    if (ev.kind !== 'pagefault' && ev.kind !== 'syscall' && ev.kind !== 'event' && ev.kind !== 'signal') return '';
    return [...this.s.kernelNotes, this.d.stopReport(ev).replace(/^\n/, '')].join('\n');
  }

  private fromEvent(ev: StopEvent, console: string): TargetStop {
    const stopped = (signal: number, reason: StopReason | null = null): TargetStop => ({ kind: 'stopped', signal, reason, console });
    switch (ev.kind) {
      case 'exited':
        if (ev.status === null) return { kind: 'killed', signal: GDB_SIGKILL };
        if ((ev.status & 0x7f) !== 0) return { kind: 'killed', signal: gdbSignal(ev.status & 0x7f) };
        return { kind: 'exited', code: (ev.status >> 8) & 0xff };
      case 'breakpoint':
        return stopped(GDB_SIGTRAP, { kind: this.typeOf.get(ev.bp) === 1 ? 'hwbreak' : 'swbreak' });
      case 'watch': {
        const t = this.typeOf.get(ev.bp);
        const kind = t === 3 ? 'rwatch' : t === 4 ? 'awatch' : 'watch';
        // gdb matches the address against the watched range: the first watched byte the access touched.
        return stopped(GDB_SIGTRAP, { kind, addr: Math.max(ev.addr, ev.bp.addr) });
      }
      case 'pagefault':
        return stopped(GDB_SIGSEGV);
      case 'signal':
        return stopped(gdbSignal(ev.signo));
      case 'interrupted':
        return stopped(GDB_SIGINT);
      case 'history-end':
        return stopped(GDB_SIGTRAP, { kind: 'replaylog-begin' });
      case 'step':
      case 'syscall':
      case 'event':
        return stopped(GDB_SIGTRAP);
    }
  }

  /** bs/bc on the recorder: the engine's typed stop, as for a forward run. */
  private async reverse(action: ResumeAction): Promise<TargetStop> {
    if (this.s.recorder === null) {
      const why = this.notRecording !== '' ? this.notRecording : 'The program is not being recorded (monitor record starts it).';
      return { kind: 'error', message: `vmlab: no reverse execution: ${why}` };
    }
    const ev = action === 'reverse-step' ? await this.s.reverseStepi(1) : await this.s.reverseContinue();
    if (typeof ev === 'string') return { kind: 'error', message: `vmlab: no reverse execution: ${ev}` };
    this.d.lastStop = 'step';
    return this.fromEvent(ev, this.console(ev));
  }

  /** `monitor CMD`: the debugger command's output, exactly as the REPL prints it; run control is gdb's. */
  async monitor(command: string): Promise<string> {
    const line = command.trim();
    const word = /^[a-zA-Z][\w-]*/.exec(line)?.[0] ?? '';
    const cmd = findCommand(word);
    if (cmd !== undefined && cmd.names.some((n) => RUN_CONTROL.has(n)) || (word === 'record' && /^record\s+goto\b/.test(line))) {
      return `monitor ${word}: run control is gdb's (use its own command: continue, stepi, reverse-stepi...)`;
    }
    const stream = this.d.stream;
    this.d.stream = null; // the whole output comes back as the reply
    try {
      return await this.d.execute(line);
    } catch (e) {
      if (e instanceof Quit) return 'monitor quit: use gdb\'s kill or detach';
      throw e;
    } finally {
      this.d.stream = stream;
    }
  }

  /**
   * gdb detached: its points go, the recording stops, and the program runs
   * to its end on its own (as under gdbserver). Returns vmlab's exit status:
   * the guest's, 128+N when signal N killed it.
   */
  async detach(): Promise<number> {
    const s = this.s;
    for (const bp of [...s.breakpoints]) s.deleteBreakpoint(bp.num);
    this.points.clear();
    if (s.recorder !== null) await this.d.execute('record stop');
    while (s.exited === null) await s.resume();
    return this.exitStatus();
  }

  /** The guest's exit status as `vmlab run` reports it (128+N for signal N; 137 when it never finished). */
  exitStatus(): number {
    const ev = this.s.exited;
    return ev !== null && ev.kind === 'exited' && ev.exitCode !== null ? ev.exitCode : 137;
  }

  get exited(): boolean {
    return this.s.exited !== null;
  }
}
