// The run-control engine: the kernel with one program loaded, and the run
// control that the REPL (commands.ts), a gdb stub and a DAP adapter all
// drive. It owns the registers and memory of the stopped task, the
// breakpoints, watchpoints and catchpoints, resume with a goal (continue,
// stepi N, a predicate for step/next/finish/until), interrupt, and record /
// reverse execution. It returns typed stops (engine-types.ts StopEvent) and
// never formats text, except the kernel's one-line notes (kernelNotes).
//
// For front-end authors:
//   registers   pc (get/set), reg(r), setReg(r, v): x0-x31 as 64-bit bigints
//   memory      readVirt(va, n) / readVirtBytes(va, n): through the MMU's
//               side-effect-free probe (no fault, no A/D bits, no TLB fill);
//               a string says why not. writeVirt / writeVirtBytes, readPhys,
//               virtToPhys. After writing registers or memory call edited().
//   stops       setBreakpoint(addr), setWatchpoint(addr, len, mode, physical),
//               catchPagefault(mustSet, mustClear), addBreakpoint (any kind),
//               deleteBreakpoint(num). Stops carry bp.num.
//   running     cont(), stepi(n), nexti(), step(), next(), finish(), until(addr),
//               resume(options): each a Promise<StopEvent>. The run goes in
//               slices of sliceInsns instructions (instruction counts, never
//               time, so it is deterministic) and looks at the event loop
//               between slices: interrupt(), called from anywhere (a socket's
//               Ctrl-C, a DAP pause), ends it with { kind: 'interrupted' } at
//               the next slice boundary, at most sliceInsns instructions on
//               (whatever the kernel's time slice: every path cuts its runs
//               at the boundary). onSlice is called at each boundary. One
//               run at a time: a resume during a run is a front end's bug.
//   time travel record(), recordStop(), reverseStepi(n), reverseContinue()
//               (engine-reverse.ts), travelTo(pos); { kind: 'history-end' }
//               says the recorded history begins here.
//   mode        mode: live | replay | scan (engine-types.ts Mode); a front end
//               only ever sees 'live' between calls.
//
// Two run loops (STYLE 14): with no breakpoint, catchpoint, watchpoint, step
// or recording in force, `cont` runs the kernel's fast loop as `vmlab run`
// does (tier 1 or machine.run; engine-step.ts fastRun only ends each run at
// the next slice boundary). Otherwise the stepping path (engine-step.ts
// userRun). A stop is a pause
// (Kernel.requestPause): the next runUntil finishes the same slice, so stops
// are invisible to scheduling, and a replay that does not stop where the
// first run did still runs the same instructions in the same order.
//
// A caught page fault stops BEFORE the kernel handles it: the faulting
// instruction changed nothing (STYLE 4), so resuming executes it again,
// faults again (the catchpoint lets that one through), and the kernel's
// handler runs; its outcome arrives through kernel.onUserFault
// (kernel-events.ts). While recording, the stop travels back to the
// instruction start so the first attempt leaves no trace in the MMU.
import type { Kernel, RunResult } from '../../kernel-ts/kernel';
import { shellExitCode } from '../../kernel-ts/proc/exit';
import { nextTurn } from '../../host/event-loop';
import type { Task } from '../../kernel-ts/proc/task';
import type { Symbols } from './symbols';
import { Recorder } from './record/recorder';
import { BreakpointTable } from './breakpoints';
import type { Breakpoint } from './breakpoints';
import { KernelEvents } from './kernel-events';
import { Inspector } from './engine-inspect';
import { fastRun, userRun } from './engine-step';
import { finishGoal, lineGoal, nextiGoal, untilGoal } from './engine-goals';
import { reverseContinue, reverseFinish, reverseLine, reverseStepi } from './engine-reverse';
import type { FaultRecord, Goal, Mode, Pause, ResumeOptions, SessionMark, StopEvent, Visits } from './engine-types';

/** Instructions between two looks at the event loop (interrupt, onSlice). */
export const SLICE_INSNS = 1 << 20;

export const NOT_RECORDING = 'The program is not being recorded: type "record" first (reverse execution can go back to where recording started).';
export const NOT_RUNNING = 'The program is not being run.';

export class Engine extends Inspector {
  /** The breakpoints, watchpoints and catchpoints (breakpoints.ts). */
  readonly bps: BreakpointTable = new BreakpointTable(this);
  /** The kernel's hooks: forks, signals, the fault log (kernel-events.ts). */
  readonly events: KernelEvents;
  /** The execution recorder (record/recorder.ts) while recording, else null. */
  recorder: Recorder<SessionMark> | null = null;
  /** What the kernel's instructions run for now (live between calls). */
  mode: Mode = { kind: 'live' };
  /** Instructions between two looks at the event loop. */
  sliceInsns = SLICE_INSNS;
  /** Called at each look at the event loop (between slices) with the engine. */
  onSlice: ((e: Engine) => void) | null = null;
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
  /** What the kernel did since the last stop (forks, handled faults), one line each. */
  readonly kernelNotes: string[] = [];
  /** The stop that ended the program, once it has ended. */
  exited: StopEvent | null = null;
  /** Instructions run one at a time by the stepping path (for tests: the fast loop steps none). */
  stepped = 0;

  // ---- internal to engine*.ts and kernel-events.ts -----------------------

  /** What the current resume runs for. */
  goal: Goal = { kind: 'continue' };
  /** Set by the stepping path or a kernel hook when the run must stop; read by runUntil's predicate. */
  pending: StopEvent | Pause | null = null;
  /** The position of the next snapshot while recording (Infinity: none). */
  nextCheckpoint = Infinity;
  /**
   * The instruction start whose breakpoint and `catch syscall` are not
   * checked again: the first instruction after a resume (stepped over, as
   * gdb steps over the breakpoint at pc), or one the kernel sends back to (a
   * fixed page fault retries it, a restarted system call re-executes its
   * ecall). -1: none. Page faults have their own rule (caughtFaultPos).
   */
  skipAt = -1;
  /**
   * The position of the page fault the engine is stopped at (a `catch
   * pagefault` stop, the attempt not yet handled), or -1. Resuming runs that
   * attempt again, and only that one goes to the kernel without a stop.
   */
  caughtFaultPos = -1;
  /** The instruction count at which the run looks at the event loop next. */
  yieldAt = 0;
  private interruptPending = false;
  /** Whether a stop was reported: until then the program has not started, and nothing at its entry is stepped over. */
  private reported = false;

  constructor(k: Kernel, task: Task, syms: Symbols) {
    super(k, task, syms);
    this.events = new KernelEvents(this);
    this.activate();
  }

  /** Whether guest output now is new (past the frontier) or a replay's repetition of what was shown. */
  showsOutput(): boolean {
    return this.pos() > this.frontier;
  }

  /** A replay or a scan of instruction starts: no user stop conditions are checked, nothing is reported. */
  get silent(): boolean {
    return this.mode.kind === 'replay' || (this.mode.kind === 'scan' && this.mode.visits !== null);
  }

  /** The page faults the kernel handled (info faults). */
  get faults(): FaultRecord[] {
    return this.events.faults;
  }

  /** True at a `catch signal` stop (inside the kernel, before the delivery). */
  get atSignalStop(): boolean {
    return this.events.deferredSignal !== 0;
  }

  /** What a snapshot keeps of the engine's own state. */
  mark(): SessionMark {
    return { skipAt: this.skipAt, task: this.task, deferredSignal: this.events.deferredSignal };
  }

  // ---- breakpoints, watchpoints, catchpoints ----------------------------

  get breakpoints(): Breakpoint[] {
    return this.bps.list;
  }

  addBreakpoint(init: Partial<Breakpoint> & Pick<Breakpoint, 'kind' | 'what'>): Breakpoint {
    return this.bps.add(init);
  }

  deleteBreakpoint(num: number): boolean {
    return this.bps.delete(num);
  }

  /** A breakpoint at a virtual address. */
  setBreakpoint(addr: number, opts: { temporary?: boolean; condition?: string | null; what?: string } = {}): Breakpoint {
    return this.bps.add({ kind: 'breakpoint', what: opts.what ?? `*0x${addr.toString(16)}`, addr, temporary: opts.temporary ?? false, condition: opts.condition ?? null });
  }

  /** A watchpoint on [addr, addr+len): virtual, or physical (any mapping of those frames, in any process). */
  setWatchpoint(addr: number, len: number, mode: 'write' | 'read' | 'access', physical = false): Breakpoint {
    const what = `${physical ? '-p ' : ''}*0x${addr.toString(16)}`;
    return this.bps.add({ kind: 'watchpoint', mode, what, addr, len, physical });
  }

  /** catch pagefault: error codes with every bit of mustSet and none of mustClear (PF_* of machine/trap). */
  catchPagefault(mustSet = 0, mustClear = 0, what = ''): Breakpoint {
    return this.bps.add({ kind: 'catchpoint', mode: 'pagefault', what, mustSet, mustClear });
  }

  /** True when the recorder, a replay or a stop condition needs kernel.userRun (catch fork: its report waits for the next instruction). */
  private needsStepping(): boolean {
    if (this.recorder !== null || this.mode.kind !== 'live') return true;
    return this.checkedPerInstruction() || this.bps.catchpoint('fork') !== null;
  }

  /** A stop condition of the user's checked between instructions (catch signal and catch fork are the kernel's to report). */
  checkedPerInstruction(): boolean {
    return this.goal.kind !== 'continue' || this.breakpoints.some((b) => b.enabled && b.mode !== 'signal' && b.mode !== 'fork');
  }

  // ---- run control ------------------------------------------------------

  cont(): Promise<StopEvent> {
    return this.resume();
  }

  /** n instructions, into calls. */
  stepi(n = 1): Promise<StopEvent> {
    return this.resume({ steps: n });
  }

  /** One instruction, over a call. */
  nexti(): Promise<StopEvent> {
    return this.resume(nextiGoal(this));
  }

  /** To the next source line, into calls (stepi without line information). */
  step(): Promise<StopEvent> {
    return this.resume(lineGoal(this, false));
  }

  /** To the next source line of this function, over calls. */
  next(): Promise<StopEvent> {
    return this.resume(lineGoal(this, true));
  }

  /** Until the current function returns to its caller ('step' when it did); null in the outermost frame. */
  finish(): Promise<StopEvent> | null {
    const g = finishGoal(this);
    return g === null ? null : this.resume(g);
  }

  /** Until pc is addr. */
  until(addr: number): Promise<StopEvent> {
    return this.resume(untilGoal(this, addr));
  }

  /** Ends the run in progress at its next slice boundary with { kind: 'interrupted' } (a replay finishes first; one made while stopped is dropped at the next resume). */
  interrupt(): void {
    this.interruptPending = true;
  }

  /** Whether an interrupt() waits to be taken. */
  get interruptRequested(): boolean {
    return this.interruptPending;
  }

  set interruptRequested(v: boolean) {
    this.interruptPending = v;
  }

  /** Runs until a stop condition or the program's end; `steps` for stepi, `after` for step/next/finish/until. */
  async resume(opts: ResumeOptions = {}): Promise<StopEvent> {
    this.mustBeStopped();
    if (this.exited !== null) return this.exited;
    this.interruptPending = false; // an interrupt while stopped is for no run
    this.kernelNotes.length = 0;
    // As gdb's `run`: a breakpoint at the first instruction stops the program; later resumes step over the one at pc.
    this.skipAt = this.reported ? this.pc : -1;
    this.bps.rememberValues();
    this.goal = opts.steps !== undefined ? { kind: 'steps', left: opts.steps } : opts.after !== undefined ? { kind: 'until', done: opts.after } : { kind: 'continue' };
    let ev: StopEvent | Extract<Pause, { kind: 'arrived' }>;
    try {
      ev = await this.runLoop();
    } finally {
      this.goal = { kind: 'continue' };
    }
    if (ev.kind === 'pagefault' && this.recorder !== null) await this.undoCaughtAttempt();
    return this.stopped(ev as StopEvent);
  }

  /**
   * At a `catch pagefault` stop the faulting attempt has already touched the
   * MMU (CR2, dropped TLB entries, counters), and resuming runs it again. A
   * replay arriving at the same point has not made that attempt, so while
   * recording the engine travels to the instruction start (state exactly as
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
  stopped(ev: StopEvent): StopEvent {
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

  private readonly userRunHook = (budget: number): ReturnType<typeof userRun> => userRun(this, budget);
  private readonly fastRunHook = (budget: number): ReturnType<typeof fastRun> => fastRun(this, budget);
  /** A runLoop is under way (between its start and its stop, event-loop turns included). */
  private inRunLoop = false;

  /**
   * Runs the kernel until a stop the caller must see, a replay's arrival or
   * the end. Internal pauses are handled here: checkpoints (a snapshot, then
   * on) and yields every sliceInsns instructions (the event loop runs, so
   * interrupt() can arrive; then on).
   */
  async runLoop(): Promise<StopEvent | Extract<Pause, { kind: 'arrived' }>> {
    this.mustBeStopped();
    this.inRunLoop = true;
    try {
      return await this.runSlices();
    } finally {
      this.inRunLoop = false;
    }
  }

  /** Whether a run is under way (a resume, a reverse run or a replay, until its stop). */
  get isRunning(): boolean {
    return this.inRunLoop;
  }

  /**
   * Two runs of one kernel would take each other's stops and interrupts
   * (the second run's stop leaving the first one running unseen): starting
   * one during another is a front end's bug, refused before anything changes.
   */
  private mustBeStopped(): void {
    if (this.inRunLoop) throw new Error('the engine is already running (one run at a time: wait for its stop)');
  }

  private async runSlices(): Promise<StopEvent | Extract<Pause, { kind: 'arrived' }>> {
    const cpu = this.k.machine.cpu;
    this.pending = null;
    this.events.baseline();
    this.yieldAt = cpu.instret + this.sliceInsns;
    for (;;) {
      this.k.userRun = this.needsStepping() ? this.userRunHook : this.fastRunHook;
      let r: RunResult;
      try {
        r = this.k.runUntil(() => this.pending !== null || cpu.instret >= this.yieldAt);
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
          await nextTurn();
          this.yieldAt = cpu.instret + this.sliceInsns;
          this.onSlice?.(this);
          if (this.interruptPending) {
            this.interruptPending = false;
            if (this.silent) continue; // a replay finishes (the interrupt is dropped); it stops live runs and event scans
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

  /** Ends the run at this instruction boundary; the kernel keeps the slice for the next run (Kernel.requestPause). */
  stopWith(p: StopEvent | Pause): void {
    this.pending = p;
    this.k.requestPause();
  }

  // ---- recording and time travel -----------------------------------------

  /**
   * Starts recording here (the first snapshot); null, or why not. With
   * modules loaded it refuses, unless `withModules`: the caller then keeps
   * the history from crossing a call into module code (its closures' state
   * is in no snapshot), as web/worker/travel.ts does.
   */
  record(settings: { interval: number; maxInsns: number; maxBytes: number; withModules?: boolean }): string | null {
    if (this.exited !== null) return NOT_RUNNING;
    if (this.recorder !== null) return 'The process is already being recorded.  Use "record stop" to stop recording first.';
    const mods = this.k.modules.names();
    if (mods.length > 0 && settings.withModules !== true) return `record: not with kernel modules loaded (${mods.join(', ')}): a module keeps state the recorder cannot save.`;
    const r = new Recorder<SessionMark>(this.k);
    r.interval = settings.interval;
    r.maxInsns = settings.maxInsns;
    r.maxBytes = settings.maxBytes;
    this.recorder = r;
    r.take(this.pos(), this.taskInsns(), this.mark());
    this.nextCheckpoint = this.pos() + r.interval;
    return null;
  }

  /** Drops the history; false when not recording. */
  recordStop(): boolean {
    if (this.recorder === null) return false;
    this.recorder.stop();
    this.recorder = null;
    this.nextCheckpoint = Infinity;
    return true;
  }

  /** Back n instructions of the debugged task ('history-end' when the history began first); a string: why not. */
  async reverseStepi(n = 1): Promise<StopEvent | string> {
    return this.recorder === null ? NOT_RECORDING : (await reverseStepi(this, n)).stop;
  }

  /** Back to the start of the previous source line: of this function, over calls (over = true), or wherever it is. */
  reverseLine(over: boolean): Promise<StopEvent | string> {
    return this.recorder === null ? Promise.resolve(NOT_RECORDING) : reverseLine(this, over);
  }

  /** Back to the call of the current function. */
  reverseFinish(): Promise<StopEvent | string> {
    if (this.recorder === null) return Promise.resolve(NOT_RECORDING);
    return this.exited !== null ? Promise.resolve(NOT_RUNNING) : reverseFinish(this);
  }

  /** Back to the most recent stop a breakpoint, watchpoint or catchpoint made, or to the history's start. */
  reverseContinue(): Promise<StopEvent | string> {
    return this.recorder === null ? Promise.resolve(NOT_RECORDING) : reverseContinue(this);
  }

  /** Everything back to the recorder's snapshot i (not yet activated: the task may not be the one running). */
  private restoreSnapshot(i: number): void {
    this.mustBeStopped();
    const snap = this.recorder!.restore(i);
    this.exited = null;
    this.pending = null;
    this.skipAt = snap.mark.skipAt;
    this.caughtFaultPos = -1;
    this.task = snap.mark.task;
    this.events.deferredSignal = snap.mark.deferredSignal;
  }

  /** Runs `mode` from snapshot i: the run loop with the mode in force, live again after. */
  private async runIn<T>(mode: Mode, run: () => Promise<T>): Promise<T> {
    this.mode = mode;
    try {
      return await run();
    } finally {
      this.mode = { kind: 'live' };
    }
  }

  /** Restores the newest snapshot at or before `target`, then replays to it: the task about to start the instruction at that position. */
  async travelTo(target: number, toSignal = false, isStop = true): Promise<void> {
    const rec = this.recorder!;
    const i = Math.max(0, rec.indexAtOrBefore(target));
    this.restoreSnapshot(i);
    const from = rec.snapshots[i]!.pos;
    // The fault log as it was at the snapshot; the replay logs the rest again.
    this.events.truncateFaults(from);
    if (from < target) {
      this.nextCheckpoint = from + rec.interval;
      const ev = await this.runIn({ kind: 'replay', to: target, toSignal }, () => this.runLoop());
      if (ev.kind === 'exited') this.exited = ev;
    }
    this.nextCheckpoint = this.pos() + rec.interval;
    this.kernelNotes.length = 0;
    if (this.exited === null && isStop) this.stopped({ kind: 'step' });
  }

  /** reverse-continue arrived at a stop a scan found: resuming after a caught page fault lets its attempt through, as after the live stop. */
  arrivedAt(ev: StopEvent): void {
    this.caughtFaultPos = ev.kind === 'pagefault' ? this.pos() : -1;
  }

  /** Replays from snapshot i to `until` collecting the task's instruction starts. */
  async scanVisits(i: number, until: number, flow = false): Promise<Visits> {
    this.restoreSnapshot(i);
    const v: Visits = { pos: [], pc: [], insns: [], flow: flow ? [] : null };
    this.nextCheckpoint = Infinity;
    await this.runIn({ kind: 'scan', until: Math.min(until, Number.MAX_SAFE_INTEGER), visits: v }, () => this.runLoop());
    return v;
  }

  /** Replays from snapshot i to `until` with the stop conditions on: where each would have stopped, and why. Breakpoint counts are left as they were. */
  async scanEvents(i: number, until: number): Promise<{ events: { pos: number; ev: StopEvent }[]; interrupted: boolean }> {
    const bps = [...this.breakpoints];
    const fields = bps.map((b) => ({ ...b }));
    this.restoreSnapshot(i);
    this.nextCheckpoint = Infinity;
    const out: { pos: number; ev: StopEvent }[] = [];
    let interrupted = false;
    try {
      await this.runIn({ kind: 'scan', until: Math.min(until, Number.MAX_SAFE_INTEGER), visits: null }, async () => {
        for (;;) {
          this.bps.rememberValues();
          const ev = await this.runLoop();
          if (ev.kind === 'interrupted') interrupted = true;
          if (ev.kind === 'arrived' || ev.kind === 'exited' || ev.kind === 'interrupted') break;
          out.push({ pos: this.pos(), ev });
          this.skipAt = this.pc;
          this.caughtFaultPos = ev.kind === 'pagefault' ? this.pos() : -1;
        }
      });
    } finally {
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
   * retaken so that coming back to this point finds the change. Returns the
   * note to show ('' when none).
   */
  edited(): string {
    const pos = this.pos();
    let note = '';
    this.caughtFaultPos = -1; // what resuming runs is no longer the attempt that was caught
    if (this.exited === null && pos < this.frontier) {
      this.frontier = pos;
      this.frontierInsns = this.taskInsns();
      this.frontierKind = this.atSignalStop ? 'signal' : 'insn';
      note = '(replay mode: the recorded execution after this point is discarded; the program goes on from here anew)';
    }
    if (this.recorder !== null && this.exited === null) this.recorder.retake(pos, this.taskInsns(), this.mark());
    return note;
  }

  /** A snapshot at a checkpoint pause, and the next checkpoint. */
  private checkpoint(): void {
    const pos = this.pos();
    this.recorder?.take(pos, this.taskInsns(), this.mark());
    this.nextCheckpoint = this.recorder === null || this.mode.kind === 'scan' ? Infinity : pos + this.recorder.interval;
  }
}
