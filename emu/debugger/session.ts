// A debugging session: the kernel with one program loaded, stopped before
// its first instruction, and the run control gdb users expect.
//
// Two run loops (STYLE 14): with no breakpoint, catchpoint, watchpoint, step
// or recording in force, `continue` runs the kernel exactly as `vmlab run`
// does (kernel.userRun stays null, machine.run's fast loop). Otherwise the
// session installs kernel.userRun: one instruction at a time with
// cpu.step() when a stop condition must be checked between instructions
// (taskRun), or machine.run in chunks that end exactly at the next point of
// the time line when only the recorder or a replay is active (chunkRun).
//
// A stop is a pause (Kernel.requestPause): userRun returns Stop.Budget with
// pc at the next instruction, the kernel saves the task's registers and
// runUntil returns, and the next runUntil finishes the same slice. So stops
// are invisible to scheduling, and a replay that does not stop where the
// first run did still runs the same instructions in the same order. The
// session also pauses by itself: to take a snapshot (checkpoints, while
// recording) and to let the event loop run every 50 ms (Ctrl-C).
//
// A caught page fault stops BEFORE the kernel handles it: the faulting
// instruction changed nothing (STYLE 4), so resuming simply executes it
// again, faults again (the catchpoint lets that one through), and the
// kernel's handler runs; its outcome arrives through kernel.onUserFault.
// While recording, the stop travels back to the instruction start so the
// first attempt leaves no trace in the MMU.
//
// The time-travel primitives (restore a snapshot, scan, replay to a
// position) live here because they drive this run loop; timeline.ts builds
// the reverse commands from them.
import { Stop } from '../machine/cpu/cpu';
import { TWO32, bigHi, bigLo, u64Big } from '../machine/cpu/int64';
import { Access, PF_I, PF_W, Vector, pfWords } from '../machine/trap';
import { rd, rs1, immI } from '../machine/isa/fields';
import { insnByMnemonic } from '../machine/isa/table';
import type { Kernel, RunResult } from '../../kernel-ts/kernel';
import { shellExitCode } from '../../kernel-ts/proc/exit';
import type { Task } from '../../kernel-ts/proc/task';
import type { MmStruct } from '../../kernel-ts/mm/mm-struct';
import { syscallName } from '../../kernel-ts/syscalls/numbers';
import { FAULT_KIND_NAMES } from '../../kernel-ts/mm/mm-struct';
import type { Symbols } from './symbols';
import type { Recorder } from './record/recorder';
import { BreakpointTable } from './breakpoints';
import type { Breakpoint } from './breakpoints';

export interface FaultRecord {
  n: number;
  /** Time-line position when the kernel handled it (reverse execution drops later ones). */
  pos: number;
  pid: number;
  ip: number;
  /** CR2: all 64 bits (a kernel address is above 2^53). */
  addr: bigint;
  error: number;
  outcome: string;
}

/** Why the program stopped, for the stop report. */
export type StopEvent =
  | { kind: 'step' }
  | { kind: 'breakpoint'; bp: Breakpoint }
  | { kind: 'watch'; bp: Breakpoint; old: bigint | null; now: bigint | null; addr: number }
  | { kind: 'pagefault'; bp: Breakpoint; addr: bigint; error: number; ip: number }
  | { kind: 'syscall'; bp: Breakpoint; nr: number }
  | { kind: 'signal'; bp: Breakpoint; signo: number }
  | { kind: 'event'; bp: Breakpoint; text: string }
  | { kind: 'exited'; status: number | null; exitCode: number | null; reason: string }
  | { kind: 'interrupted' };

/** The session's state a snapshot keeps (record/recorder.ts Snapshot.mark). */
export interface SessionMark {
  skipAt: number;
  task: Task;
  /** A signal caught by `catch signal` and left pending, to be let through on the next resume. */
  deferredSignal: number;
}

/** Pauses the session handles itself: never shown to the user. */
export type Pause = { kind: 'checkpoint' } | { kind: 'yield' } | { kind: 'arrived' };

/** The debugged task's instruction starts seen by a scan, in order (parallel arrays). */
export interface Visits {
  /** Time-line position (instret + kernel entries). */
  pos: number[];
  pc: number[];
  /** Instructions the task had retired. */
  insns: number[];
  /** FLOW_CALL, FLOW_RET or 0: what the instruction does to the call chain (null: not collected, it costs a walk per instruction). */
  flow: number[] | null;
}

export const FLOW_CALL = 1;
export const FLOW_RET = 2;

const JAL = insnByMnemonic('jal')!;
const JALR = insnByMnemonic('jalr')!;
const isJal = (word: number): boolean => ((word & JAL.mask) >>> 0) === JAL.match;
const isJalr = (word: number): boolean => ((word & JALR.mask) >>> 0) === JALR.match;

/** jal/jalr writing ra is a call; jalr x0, 0(ra) a return (encodings from the ISA table). */
function flowOf(word: number): number {
  if ((isJal(word) || isJalr(word)) && rd(word) === 1) return FLOW_CALL;
  if (isJalr(word) && rd(word) === 0 && rs1(word) === 1 && immI(word) === 0) return FLOW_RET;
  return 0;
}

/** Instructions per machine.run call of chunkRun (between two looks at the clock). */
const RUN_CHUNK = 1 << 18;

/** Milliseconds of guest execution between two looks at the event loop (Ctrl-C). */
const YIELD_MS = 50;

const REG_SP = 2;
const REG_A7 = 17;
const FAULT_LOG_MAX = 64;

export class Session {
  /** The breakpoints, watchpoints and catchpoints (breakpoints.ts). */
  readonly bps: BreakpointTable = new BreakpointTable(this);
  readonly faults: FaultRecord[] = [];
  private faultCount = 0;
  /** Set by the stepping path when it must stop; read by runUntil's predicate. */
  private pending: StopEvent | Pause | null = null;
  /** The execution recorder (record/recorder.ts) while recording, else null. */
  recorder: Recorder<SessionMark> | null = null;
  /** The farthest position live execution reached: guest output at or before it was already shown. */
  frontier = 0;
  /** The task's instruction count at the frontier. */
  frontierInsns = 0;
  /** How the run stood at the frontier: a stop at an instruction, a signal stop inside the kernel, or the end. */
  frontierKind: 'insn' | 'signal' | 'exited' = 'insn';
  /** Positions of the last two stops the user saw (diff pagetables compares them). */
  lastStopPos = 0;
  prevStopPos = -1;
  /** Whether those stops were `catch signal` stops (inside the kernel, not at an instruction start). */
  lastStopSignal = false;
  prevStopSignal = false;
  /** gdb's follow-fork-mode: after a fork of the debugged process, keep debugging it ('parent') or its child. */
  followForkMode: 'parent' | 'child' = 'parent';
  /** A fork caught by `catch fork`, reported when the followed process next runs. */
  private forkEvent: StopEvent | null = null;
  /** Milliseconds of guest execution between two looks at the event loop. */
  yieldMs = YIELD_MS;
  /** Set (by the prompt's Ctrl-C) to stop a live run at its next look at the event loop. */
  interruptRequested = false;
  /** Replay: pause when the task is about to start an instruction at this position (-1: none). */
  replayTo = -1;
  /** The replay's target is a `catch signal` stop: the kernel's delivery at that position, not an instruction start. */
  private replayToSignal = false;
  /** Scan: pause at this position (-1: none); visits, when set, collects the task's instruction starts. */
  scanUntil = -1;
  visits: Visits | null = null;
  /** A replay or a scan of instruction starts: no user stop conditions are checked. */
  silent = false;
  nextCheckpoint = Infinity;
  private deadline = 0;
  /** True while the task's instructions run inside userRun (its registers are in the CPU, not in task.regs). */
  private inUserRun = false;
  /** Instructions left for stepi; -1 when not stepping by count. */
  private stepsLeft = -1;
  /** A predicate checked after each instruction (step/next/finish/until). */
  private stopAfter: (() => boolean) | null = null;
  /**
   * The instruction start whose breakpoint and `catch syscall` are not
   * checked again: the first instruction after a resume (stepped over, as
   * gdb steps over the breakpoint at pc), or one the kernel sends back to (a
   * fixed page fault retries it, a restarted system call re-executes its
   * ecall). -1: none. Page faults have their own rule (caughtFaultPos).
   */
  private skipAt = -1;
  /**
   * The position of the page fault the session is stopped at (a `catch
   * pagefault` stop, the attempt not yet handled), or -1. Resuming runs that
   * attempt again, and only that one goes to the kernel without a stop; any
   * other fault, the first instruction's after a breakpoint or at the start
   * included, is caught (a breakpoint is stepped over, a fault is an event).
   */
  private caughtFaultPos = -1;
  /** Whether a stop was reported: until then the program has not started, and nothing at its entry is stepped over. */
  private reported = false;

  /** True at a `catch signal` stop (inside the kernel, before the delivery). */
  get atSignalStop(): boolean {
    return this.deferredSignal !== 0;
  }

  /** What a snapshot keeps of the session's own state. */
  mark(): SessionMark {
    return { skipAt: this.skipAt, task: this.task, deferredSignal: this.deferredSignal };
  }
  /** What the kernel did with the faults handled since the last stop (shown in the next stop report). */
  readonly kernelNotes: string[] = [];
  exited: StopEvent | null = null;
  /** Extra instructions counted by the stepping path (for tests). */
  stepped = 0;

  constructor(
    readonly k: Kernel,
    /** The process being debugged: the one loaded, or a child it forked under `set follow-fork-mode child`. */
    public task: Task,
    readonly syms: Symbols,
  ) {
    k.onUserFault = (t, addr, error, kind) => this.logFault(t, addr, error, FAULT_KIND_NAMES[kind] ?? `kind ${kind}`);
    k.onSignalDeliver = (t, signo) => this.signalDeliver(t, signo);
    k.onFork = (parent, child) => this.forked(parent, child);
    k.mm.onUaccessFault = (mm, addr, error, fixed) => this.uaccessFault(mm, addr, error, fixed);
    this.activate();
  }

  // ---- registers and memory of the stopped task ------------------------

  get pc(): number {
    if (this.inUserRun) return (this.k.machine.cpu.pcHi >>> 0) * TWO32 + (this.k.machine.cpu.pcLo >>> 0);
    return (this.task.pcHi >>> 0) * TWO32 + (this.task.pcLo >>> 0);
  }

  set pc(v: number) {
    this.task.pcLo = v | 0;
    this.task.pcHi = Math.floor(v / TWO32) | 0;
  }

  reg(r: number): bigint {
    // A breakpoint condition is evaluated mid-slice, when the registers are the CPU's.
    const regs = this.inUserRun ? this.k.machine.cpu.x : this.task.regs;
    return (BigInt(regs[2 * r + 1]!) << 32n) | BigInt(regs[2 * r]! >>> 0);
  }

  /** The current position on the time line: instructions retired plus kernel entries (see Kernel.kernelEntries). */
  pos(): number {
    return this.k.machine.cpu.instret + this.k.kernelEntries;
  }

  /** Instructions the debugged task has retired (exact mid-slice too). */
  taskInsns(): number {
    const t = this.task;
    return this.inUserRun ? t.utimeNs + this.k.machine.cpu.instret - this.k.sliceStartInstret : t.utimeNs;
  }

  /** Whether guest output now is new (past the frontier) or a replay's repetition of what was shown. */
  showsOutput(): boolean {
    return this.pos() > this.frontier;
  }

  setReg(r: number, v: bigint): void {
    if (r === 0) return;
    this.task.regs[2 * r] = Number(BigInt.asIntN(32, v));
    this.task.regs[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** Makes the task's address space the one the MMU (and so probe) sees, as the kernel would before running it. */
  activate(): void {
    const mm = this.task.mm;
    if (mm !== null && !mm.dead && this.k.mm.activeMm !== mm) this.k.mm.switchMm(mm);
    this.k.machine.mmu.setCpl(3);
  }

  /** `size` bytes at a user virtual address through the side-effect-free probe, or why not. */
  readVirt(va: number, size: number): bigint | string {
    let v = 0n;
    for (let i = 0; i < size; i++) {
      const pa = this.virtToPhys(va + i);
      if (typeof pa === 'string') return pa;
      v |= BigInt(this.k.machine.mem.read8(pa)) << BigInt(8 * i);
    }
    return v;
  }

  readPhys(pa: number, size: number): bigint | string {
    const mem = this.k.machine.mem;
    if (pa < 0 || pa + size > mem.size) return `Cannot access physical memory at 0x${pa.toString(16)}`;
    let v = 0n;
    for (let i = 0; i < size; i++) v |= BigInt(mem.read8(pa + i)) << BigInt(8 * i);
    return v;
  }

  virtToPhys(va: number): number | string {
    const r = this.k.machine.mmu.probe(va | 0, Math.floor(va / TWO32) | 0, Access.Read, 3);
    if (r.kind === 'fault') return `Cannot access memory at virtual address 0x${va.toString(16)} (not mapped for a user read)`;
    return r.pa;
  }

  writeVirt(va: number, size: number, value: bigint): string | null {
    for (let i = 0; i < size; i++) {
      const pa = this.virtToPhys(va + i);
      if (typeof pa === 'string') return pa;
      this.k.machine.mem.write8(pa, Number((value >> BigInt(8 * i)) & 0xffn));
    }
    return null;
  }

  // ---- breakpoints ------------------------------------------------------

  get breakpoints(): Breakpoint[] {
    return this.bps.list;
  }

  addBreakpoint(init: Partial<Breakpoint> & Pick<Breakpoint, 'kind' | 'what'>): Breakpoint {
    return this.bps.add(init);
  }

  deleteBreakpoint(num: number): boolean {
    return this.bps.delete(num);
  }

  /** Register r as the next instruction sees it (mid-slice, the CPU's). */
  liveReg(r: number): bigint {
    return this.k.machine.cpu.reg(r);
  }

  /** True when the recorder, a replay or a stop condition needs kernel.userRun (catch fork: its report waits for the next instruction). */
  private needsStepping(): boolean {
    if (this.recorder !== null || this.replayTo >= 0 || this.scanUntil >= 0) return true;
    return !this.silent && (this.checkedPerInstruction() || this.bps.catchpoint('fork') !== null);
  }

  /** A stop condition of the user's checked between instructions (catch signal and catch fork are the kernel's to report). */
  private checkedPerInstruction(): boolean {
    return this.stepsLeft >= 0 || this.stopAfter !== null || this.breakpoints.some((b) => b.enabled && b.mode !== 'signal' && b.mode !== 'fork');
  }

  // ---- run control ------------------------------------------------------

  /** Runs until a stop condition or the program's end; `steps` for stepi, `after` for step/next/finish. */
  async resume(opts: { steps?: number; after?: () => boolean } = {}): Promise<StopEvent> {
    if (this.exited !== null) return this.exited;
    this.kernelNotes.length = 0;
    // As gdb's `run`: a breakpoint at the first instruction stops the program; later resumes step over the one at pc.
    this.skipAt = this.reported ? this.pc : -1;
    this.bps.rememberValues();
    this.stepsLeft = opts.steps ?? -1;
    this.stopAfter = opts.after ?? null;
    let ev: StopEvent | Extract<Pause, { kind: 'arrived' }>;
    try {
      ev = await this.runLoop();
    } finally {
      this.stepsLeft = -1;
      this.stopAfter = null;
    }
    if (ev.kind === 'pagefault' && this.recorder !== null) await this.undoCaughtAttempt();
    return this.stopped(ev as StopEvent);
  }

  /**
   * At a `catch pagefault` stop the faulting attempt has already touched the
   * MMU (CR2, dropped TLB entries, counters), and resuming runs it again. A
   * replay arriving at the same point has not made that attempt, so while
   * recording the session travels to the instruction start (state exactly as
   * before the attempt): the history then has one attempt, as replays do.
   */
  private async undoCaughtAttempt(): Promise<void> {
    const pos = this.pos();
    if (pos > this.frontier) {
      this.frontier = pos; // the output so far was shown: the replay must not show it again
      this.frontierInsns = this.taskInsns();
      this.frontierKind = 'insn';
    }
    const notes = [...this.kernelNotes];
    await this.travelTo(pos, false, false);
    this.kernelNotes.push(...notes);
  }

  /** Bookkeeping of a stop the user sees: the frontier, a snapshot when recording, the previous stop's position. */
  private stopped(ev: StopEvent): StopEvent {
    const pos = this.pos();
    if (pos > this.frontier) {
      this.frontier = pos;
      this.frontierInsns = this.taskInsns();
      this.frontierKind = ev.kind === 'exited' ? 'exited' : ev.kind === 'signal' ? 'signal' : 'insn';
    }
    if (ev.kind === 'exited') {
      this.exited = ev;
      return ev;
    }
    this.activate();
    this.reported = true;
    this.caughtFaultPos = ev.kind === 'pagefault' ? pos : -1;
    if (this.recorder !== null) this.recorder.take(pos, this.taskInsns(), this.mark());
    this.prevStopPos = this.lastStopPos;
    this.prevStopSignal = this.lastStopSignal;
    this.lastStopPos = pos;
    this.lastStopSignal = ev.kind === 'signal';
    return ev;
  }

  /**
   * Runs the kernel until a stop the caller must see, a replay's arrival or
   * the end. Internal pauses are handled here: checkpoints (a snapshot, then
   * on) and yields (the event loop runs, so Ctrl-C can arrive; then on).
   */
  private async runLoop(): Promise<StopEvent | Extract<Pause, { kind: 'arrived' }>> {
    this.pending = null;
    this.lastCr3 = this.k.machine.mmu.cr3;
    this.lastInvlpg = this.invlpgCount();
    this.lastMisses = this.tlbMisses();
    // The next look at the event loop: YIELD_MS of guest time from the start or the last look (a checkpoint does not move it).
    this.deadline = performance.now() + this.yieldMs;
    for (;;) {
      this.k.userRun = this.needsStepping() ? this.userRunHook : null;
      let r: RunResult;
      try {
        r = this.k.runUntil(() => this.pending !== null || performance.now() > this.deadline);
      } finally {
        this.k.userRun = null;
      }
      const p = this.pending as StopEvent | Pause | null;
      this.pending = null;
      if (r.reason === 'stopped') {
        if (p !== null && p.kind === 'checkpoint') {
          this.checkpoint();
          continue;
        }
        if (p === null || p.kind === 'yield') {
          await new Promise((resolve) => setImmediate(resolve));
          this.deadline = performance.now() + this.yieldMs;
          if (this.interruptRequested) {
            this.interruptRequested = false;
            if (this.silent) continue; // a replay finishes; Ctrl-C stops live runs only
            return { kind: 'interrupted' };
          }
          continue;
        }
        if (this.task.isAlive || p.kind === 'arrived') return p;
      }
      // The followed process's own status (a followed child's, not the first process's).
      if (!this.task.isAlive && r.reason === 'exited') return { kind: 'exited', status: this.task.exitCode, exitCode: shellExitCode(this.task.exitCode), reason: r.reason };
      return { kind: 'exited', status: r.status, exitCode: r.exitCode, reason: r.reason };
    }
  }

  // ---- time travel: the primitives timeline.ts builds reverse execution from ----

  /** Everything back to the recorder's snapshot i (not yet activated: the task may not be the one running). */
  private restoreSnapshot(i: number): void {
    const snap = this.recorder!.restore(i);
    this.exited = null;
    this.pending = null;
    this.skipAt = snap.mark.skipAt;
    this.caughtFaultPos = -1;
    this.task = snap.mark.task;
    this.deferredSignal = snap.mark.deferredSignal;
  }

  /** Restores the newest snapshot at or before `target`, then replays to it: the task about to start the instruction at that position. */
  async travelTo(target: number, toSignal = false, isStop = true): Promise<void> {
    const rec = this.recorder!;
    const i = Math.max(0, rec.indexAtOrBefore(target));
    this.restoreSnapshot(i);
    const from = rec.snapshots[i]!.pos;
    // The fault log as it was at the snapshot; the replay logs the rest again.
    this.truncateFaults(from);
    if (from < target) {
      this.replayTo = target;
      this.replayToSignal = toSignal;
      this.silent = true;
      this.nextCheckpoint = from + rec.interval;
      try {
        const ev = await this.runLoop();
        if (ev.kind === 'exited') this.exited = ev;
      } finally {
        this.replayTo = -1;
        this.replayToSignal = false;
        this.silent = false;
      }
    }
    this.nextCheckpoint = this.pos() + rec.interval;
    this.kernelNotes.length = 0;
    if (this.exited === null && isStop) this.stopped({ kind: 'step' });
  }

  /** reverse-continue arrived at a stop a scan found: resuming after a caught page fault lets its attempt through, as after the live stop. */
  arrivedAt(ev: StopEvent): void {
    this.caughtFaultPos = ev.kind === 'pagefault' ? this.pos() : -1;
  }

  /** Drops the fault-log entries after position pos. */
  private truncateFaults(pos: number): void {
    while (this.faults.length > 0 && this.faults[this.faults.length - 1]!.pos > pos) this.faults.pop();
    this.faultCount = this.faults.length === 0 ? 0 : this.faults[this.faults.length - 1]!.n;
  }

  /** Replays from snapshot i to `until` collecting the task's instruction starts. */
  async scanVisits(i: number, until: number, flow = false): Promise<Visits> {
    this.restoreSnapshot(i);
    const v: Visits = { pos: [], pc: [], insns: [], flow: flow ? [] : null };
    this.visits = v;
    this.scanUntil = Math.min(until, Number.MAX_SAFE_INTEGER);
    this.silent = true;
    this.nextCheckpoint = Infinity;
    try {
      await this.runLoop();
    } finally {
      this.visits = null;
      this.scanUntil = -1;
      this.silent = false;
    }
    return v;
  }

  /** Replays from snapshot i to `until` with the stop conditions on: where each would have stopped, and why. Breakpoint counts are left as they were. */
  async scanEvents(i: number, until: number): Promise<{ events: { pos: number; ev: StopEvent }[]; interrupted: boolean }> {
    const bps = [...this.breakpoints];
    const fields = bps.map((b) => ({ ...b }));
    this.restoreSnapshot(i);
    this.scanUntil = Math.min(until, Number.MAX_SAFE_INTEGER);
    this.nextCheckpoint = Infinity;
    const out: { pos: number; ev: StopEvent }[] = [];
    let interrupted = false;
    try {
      for (;;) {
        this.bps.rememberValues();
        const ev = await this.runLoop();
        if (ev.kind === 'interrupted') interrupted = true;
        if (ev.kind === 'arrived' || ev.kind === 'exited' || ev.kind === 'interrupted') break;
        out.push({ pos: this.pos(), ev });
        this.skipAt = this.pc;
        this.caughtFaultPos = ev.kind === 'pagefault' ? this.pos() : -1;
      }
    } finally {
      this.scanUntil = -1;
      this.breakpoints.splice(0, this.breakpoints.length, ...bps);
      bps.forEach((b, j) => Object.assign(b, fields[j]));
    }
    if (interrupted) this.stopped({ kind: 'interrupted' });
    return { events: out, interrupted };
  }

  /**
   * The user changed the program's registers or memory at this stop. In
   * replay mode the recorded future no longer follows: it is discarded (guest
   * output from here on is new). While recording, the snapshot here is
   * retaken so that coming back to this point finds the change.
   */
  edited(): string {
    const pos = this.pos();
    let note = '';
    this.caughtFaultPos = -1; // what resuming runs is no longer the attempt that was caught

    if (this.exited === null && pos < this.frontier) {
      this.frontier = pos;
      this.frontierInsns = this.taskInsns();
      this.frontierKind = this.deferredSignal !== 0 ? 'signal' : 'insn';
      note = '(replay mode: the recorded execution after this point is discarded; the program goes on from here anew)';
    }
    if (this.recorder !== null && this.exited === null) this.recorder.retake(pos, this.taskInsns(), this.mark());
    return note;
  }

  /** A snapshot at a checkpoint pause, and the next checkpoint. */
  private checkpoint(): void {
    const pos = this.pos();
    this.recorder?.take(pos, this.taskInsns(), this.mark());
    this.nextCheckpoint = this.recorder === null || this.scanUntil >= 0 ? Infinity : pos + this.recorder.interval;
  }

  private readonly userRunHook = (budget: number): Stop => this.userRun(budget);

  /** kernel.userRun: the stepping path. Returns Stop.Budget to stop (pc at the next instruction). */
  private userRun(budget: number): Stop {
    const k = this.k;
    if (k.current !== this.task) {
      // Other processes run freely, unless every instruction must be recorded or replayed.
      return this.recorder === null && this.scanUntil < 0 ? k.machine.run(budget) : this.chunkRun(budget);
    }
    this.inUserRun = true;
    const s = this.taskRun(budget);
    this.inUserRun = false;
    return s;
  }

  /**
   * Instructions in runs of up to RUN_CHUNK through machine.run (the fast
   * loop), each ending at the next point of the time line (a replay's target,
   * a scan's end, a checkpoint), for stretches where no per-instruction check
   * applies: other processes, replays, recording without breakpoints.
   */
  private chunkRun(budget: number): Stop {
    const k = this.k;
    const cpu = k.machine.cpu;
    let n = 0;
    while (n < budget) {
      const pos = cpu.instret + k.kernelEntries;
      const mine = k.current === this.task;
      if (mine && this.replayTo >= 0 && pos >= this.replayTo) return this.pause('arrived');
      if (this.scanUntil >= 0 && pos >= this.scanUntil) return this.pause('arrived');
      if (pos >= this.nextCheckpoint) return this.pause('checkpoint');
      if (n > 0 && performance.now() > this.deadline) return this.pause('yield');
      let chunk = Math.min(budget - n, RUN_CHUNK);
      if (mine && this.replayTo >= 0) chunk = Math.min(chunk, this.replayTo - pos);
      if (this.scanUntil >= 0) chunk = Math.min(chunk, this.scanUntil - pos);
      if (this.nextCheckpoint !== Infinity) chunk = Math.min(chunk, this.nextCheckpoint - pos);
      const before = cpu.instret;
      const s = k.machine.run(chunk);
      const ran = cpu.instret - before;
      n += ran;
      if (mine) {
        // As the stepping path keeps it: a retired instruction clears it, a trap or an ecall marks its instruction.
        if (s !== Stop.Budget) this.skipAt = (cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0);
        else if (ran > 0) this.skipAt = -1;
      }
      if (s !== Stop.Budget) return s;
    }
    return Stop.Budget;
  }

  /** True when the debugged task must run one instruction at a time: a stop condition of the user's, or a scan collecting instruction starts. */
  private perInstruction(): boolean {
    return this.visits !== null || (!this.silent && this.checkedPerInstruction());
  }

  /** The debugged task's instructions, one at a time, with every stop condition checked in between. */
  private taskRun(budget: number): Stop {
    const k = this.k;
    const cpu = k.machine.cpu;
    let n = 0;
    // CR3 writes and INVLPG happen in the kernel, between calls of this function.
    const ev = this.kernelEvent();
    if (ev !== null && !this.silent) return this.stop(ev);
    if (!this.perInstruction()) return this.chunkRun(budget);
    const missCatch = this.silent ? null : this.bps.catchpoint('tlb-miss');
    while (n < budget) {
      const pos = cpu.instret + k.kernelEntries;
      // The time line first: a replay's end, a scan's end, a checkpoint.
      if (this.replayTo >= 0 && pos >= this.replayTo) return this.pause('arrived');
      if (this.scanUntil >= 0 && pos >= this.scanUntil) return this.pause('arrived');
      if (pos >= this.nextCheckpoint) return this.pause('checkpoint');
      if ((n & 0xfff) === 0xfff && performance.now() > this.deadline) return this.pause('yield');
      if (this.visits !== null) {
        const v = this.visits;
        if (v.pos.length === 0 || v.pos[v.pos.length - 1] !== pos) {
          v.pos.push(pos);
          v.pc.push((cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0));
          v.insns.push(this.taskInsns());
          if (v.flow !== null) v.flow.push(flowOf(this.fetchWord()));
        }
      }
      const pc = (cpu.pcHi >>> 0) * TWO32 + (cpu.pcLo >>> 0);
      const first = pc === this.skipAt;
      this.skipAt = -1;
      if (this.silent) {
        const s = cpu.step();
        if (s !== Stop.Budget) {
          this.skipAt = pc;
          return s;
        }
        n++;
        continue;
      }
      if (!first) {
        const bp = this.bps.at(pc);
        if (bp !== null) return this.stop({ kind: 'breakpoint', bp });
      }
      const access = this.bps.accessAt(pc);
      const s = cpu.step();
      if (s === Stop.Trap) {
        const trap = cpu.trap;
        if (trap.vector === Vector.PF && pos !== this.caughtFaultPos) {
          const addr = u64Big(trap.addrLo, trap.addrHi);
          const bp = this.bps.pagefault(trap.error);
          if (bp !== null) return this.stop({ kind: 'pagefault', bp, addr, error: trap.error, ip: pc });
        }
        this.skipAt = pc; // the kernel fixes the fault and calls back to retry the same instruction
        return Stop.Trap;
      }
      if (s === Stop.Ecall) {
        if (!first) {
          const nr = cpu.x[2 * REG_A7]!;
          const bp = this.bps.syscall(nr);
          if (bp !== null) return this.stop({ kind: 'syscall', bp, nr });
        }
        this.skipAt = pc;
        return Stop.Ecall;
      }
      n++;
      this.stepped++;
      if (access !== null) {
        const w = this.bps.watchHit(access);
        if (w !== null) return this.stop({ kind: 'watch', bp: w.bp, old: w.old, now: w.now, addr: access.addr });
      }
      if (missCatch !== null) {
        const misses = this.tlbMisses();
        if (misses !== this.lastMisses) {
          this.lastMisses = misses;
          missCatch.hits++;
          return this.stop({ kind: 'event', bp: missCatch, text: `TLB miss (walk) by the instruction at VA 0x${pc.toString(16)}` });
        }
      }
      if (this.stepsLeft > 0 && --this.stepsLeft === 0) return this.stop({ kind: 'step' });
      if (this.stopAfter !== null && this.stopAfter()) return this.stop({ kind: 'step' });
    }
    return Stop.Budget;
  }

  private lastCr3 = 0;
  private lastInvlpg = 0;
  private lastMisses = 0;

  private invlpgCount(): number {
    const st = this.k.machine.mmu.stats();
    return st.itlb.flushes.invlpg + st.dtlb.flushes.invlpg;
  }

  private tlbMisses(): number {
    const st = this.k.machine.mmu.stats();
    return st.itlb.misses + st.dtlb.misses;
  }

  /** A fork, CR3 write or INVLPG the kernel did since the last instruction, when caught. */
  private kernelEvent(): StopEvent | null {
    const mmu = this.k.machine.mmu;
    let ev: StopEvent | null = this.forkEvent;
    this.forkEvent = null;
    const cr3 = this.bps.catchpoint('cr3');
    if (mmu.cr3 !== this.lastCr3) {
      if (cr3 !== null) {
        cr3.hits++;
        ev = { kind: 'event', bp: cr3, text: `CR3 written by the kernel: 0x${this.lastCr3.toString(16)} -> 0x${mmu.cr3.toString(16)}` };
      }
      this.lastCr3 = mmu.cr3;
    }
    const inv = this.bps.catchpoint('invlpg');
    if (inv !== null) {
      const n = this.invlpgCount();
      if (n !== this.lastInvlpg && ev === null) {
        inv.hits++;
        ev = { kind: 'event', bp: inv, text: `INVLPG by the kernel (${n - this.lastInvlpg} flush${n - this.lastInvlpg === 1 ? '' : 'es'})` };
      }
      this.lastInvlpg = n;
    }
    return ev;
  }

  /** Ends the run at this instruction boundary; the kernel keeps the slice for the next run (Kernel.requestPause). */
  private stop(ev: StopEvent): Stop {
    this.pending = ev;
    this.k.requestPause();
    return Stop.Budget;
  }

  private pause(kind: Pause['kind']): Stop {
    this.pending = { kind } as Pause;
    this.k.requestPause();
    return Stop.Budget;
  }

  /** The instruction word at pc (0 when pc is not mapped for a fetch: the step will fault). */
  private fetchWord(): number {
    const cpu = this.k.machine.cpu;
    const r = this.k.machine.mmu.probe(cpu.pcLo, cpu.pcHi, Access.Fetch, 3);
    return r.kind === 'ok' ? this.k.machine.mem.read32(r.pa) : 0;
  }

  /**
   * kernel.onFork: the debugged process forked. gdb's messages; under
   * follow-fork-mode child the session follows the child from here (replays
   * through this fork do the same: the mode in force when they run decides).
   */
  private forked(parent: Task, child: Task): void {
    if (parent !== this.task) return;
    const follow = this.followForkMode === 'child';
    if (!this.silent && this.scanUntil < 0) {
      if (follow) this.kernelNotes.push(`[Attaching after process ${parent.pid} fork to child process ${child.pid}]`, `[Detaching after fork from parent process ${parent.pid}]`);
      else this.kernelNotes.push(`[Detaching after fork from child process ${child.pid}]`);
    }
    if (follow) this.task = child;
    const bp = this.silent ? null : this.bps.catchpoint('fork');
    if (bp !== null) {
      bp.hits++;
      this.forkEvent = { kind: 'event', bp, text: `forked process ${child.pid}` };
    }
  }

  /** The signal a `catch signal` stop deferred: its delivery, on the next resume, is let through once. */
  private deferredSignal = 0;

  /**
   * kernel.onSignalDeliver: before the kernel delivers signo to the task (builds
   * the handler frame or applies the default action). True stops there: the
   * kernel leaves the signal pending and ends the slice; resuming delivers it.
   */
  private signalDeliver(t: Task, signo: number): boolean {
    if (t !== this.task) return false;
    if (this.replayToSignal && this.pos() >= this.replayTo) {
      // A replay to a `catch signal` stop: it ends where that stop was, the signal pending.
      this.deferredSignal = signo;
      this.pending = { kind: 'arrived' };
      return true;
    }
    if (this.silent) return false;
    const passed = this.deferredSignal;
    this.deferredSignal = 0;
    if (signo === passed) {
      if (t.sighand.action[signo]!.handler > 1) {
        // A handler's first instruction is new ground: its breakpoint is not skipped as the resume point,
        // and stepi stops there, before it runs (as gdb does: the kernel builds the frame, the step ends).
        this.skipAt = -1;
        if (this.stepsLeft > 0) {
          this.pending = { kind: 'step' };
          this.k.requestPause();
        }
      }
      return false;
    }
    const b = this.bps.signal(signo);
    if (b === null) return false;
    this.deferredSignal = signo;
    this.pending = { kind: 'signal', bp: b, signo };
    return true;
  }

  // ---- the fault log ----------------------------------------------------

  private logFault(t: Task, addr: bigint, error: number, outcome: string, userIp?: number): void {
    if (this.scanUntil >= 0) return; // a scan is followed by a replay, which logs (travelTo)
    const ip = userIp ?? (this.k.machine.cpu.pcHi >>> 0) * TWO32 + (this.k.machine.cpu.pcLo >>> 0);
    const rec = { n: ++this.faultCount, pos: this.pos(), pid: t.pid, ip, addr, error, outcome };
    this.faults.push(rec);
    if (this.faults.length > FAULT_LOG_MAX) this.faults.shift();
    if (t !== this.task) return;
    const r = this.k.machine.mmu.probe(bigLo(addr), bigHi(addr), error & PF_I ? Access.Fetch : error & PF_W ? Access.Write : Access.Read, 3);
    const now = r.kind === 'ok' ? `; now VA 0x${addr.toString(16)} -> PA 0x${r.pa.toString(16)}` : '';
    this.kernelNotes.push(`kernel: #PF at VA 0x${addr.toString(16)} (error 0x${error.toString(16)} ${pfWords(error)}) handled: ${outcome}${now}`);
  }

  /**
   * kernel.mm.onUaccessFault: a fault the kernel took touching user memory
   * (copy_to_user and friends; error code with U clear). Logged with the task's
   * pc (the ecall of the system call, if one is being served) and the outcome
   * suffixed ` (uaccess in NAME)`, or ` (uaccess)` outside a system call
   * (a signal frame); an unfixable one is `-EFAULT fixup`.
   */
  private uaccessFault(mm: MmStruct, addr: number, error: number, fixed: boolean): void {
    const cur = this.k.current;
    const t = cur !== null && cur.mm === mm ? cur : [...this.k.tasks.values()].find((x) => x.mm === mm);
    if (t === undefined) return;
    const what = fixed ? (FAULT_KIND_NAMES[mm.lastFault] ?? `kind ${mm.lastFault}`) : '-EFAULT fixup';
    const nr = this.k.syscallNr;
    this.logFault(t, BigInt(addr), error, `${what} (uaccess${nr >= 0 ? ` in ${syscallName(nr)}` : ''})`, t.pc);
  }

  /** The syscall name for a number (`write`), or its number. */
  static syscallName(nr: number): string {
    return syscallName(nr);
  }

  get sp(): number {
    return Number(this.reg(REG_SP));
  }

  /** The instruction at pc calls (jal/jalr writing ra): next and finish step over it. */
  isCallAt(pc: number): boolean {
    const w = this.readVirt(pc, 4);
    if (typeof w === 'string') return false;
    const word = Number(w) | 0;
    return (isJal(word) || isJalr(word)) && rd(word) === 1;
  }
}
