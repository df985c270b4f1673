// Run control of a held command in the browser lab, through the debugger's
// run-control engine (emu/debugger/engine.ts): while the page holds a
// command, the held process is driven by an Engine, so Step (stepi), Next
// (`next`: to the next C or assembly source line, over calls, engine-goals.ts
// lineGoal) go forward through it, and, when it records the process (as
// `vmlab debug`'s `record` does), Reverse step, Reverse next and Reverse
// continue go back (engine-reverse.ts: a snapshot restored, the history
// replayed to the instruction before). Run drops the engine and lets the
// shell run the command on as before.
//
// With a module loaded: a module keeps state in its closures (a driver's
// `let major`, a mode set by an ioctl), which no snapshot saves, so a replay
// that ran its code again would apply it twice. The history is therefore
// cut at every call into module code (the watchdog sees each one,
// Watchdog.onCall): a snapshot is taken right after the call, and before
// each move the snapshots from before it are dropped (Recorder.dropThrough).
// Reverse moves then go back as far as the last call into a driver, never
// across it ('history-end' there), and no replay runs module code. The engine takes the kernel's hooks (onUserFault,
// onFork, onSignalDeliver, mm.onUaccessFault) while it lives; the worker's
// are chained after its and given back when it ends.
import type { Kernel } from '../../kernel-ts/kernel';
import type { Task } from '../../kernel-ts/proc/task';
import { Engine } from '../../emu/debugger/engine';
import type { StopEvent } from '../../emu/debugger/engine-types';
import { DEFAULT_RECORD_INTERVAL } from '../../emu/debugger/record/recorder';
import { pfWords } from '../../emu/machine/trap';
import type { Symbols } from '../../emu/debugger/symbols';
import type { Stops } from './stops';

/** Bounds of the history (as `record` in vmlab debug, smaller: a page's memory). */
const MAX_INSNS = 2_000_000;
const MAX_BYTES = 64 * 1048576;

type Hooks = Pick<Kernel, 'onUserFault' | 'onFork' | 'onSignalDeliver'> & { onUaccessFault: Kernel['mm']['onUaccessFault'] };

export class TimeTravel {
  /** The engine driving the held process (null: none held, or no symbols for it). */
  engine: Engine | null = null;
  /** Whether the engine records (reverse moves work). */
  recorded = false;
  /** Why the held command is not recorded ('' while it is). */
  why = 'No command is held.';
  /** With modules loaded: whether module code was called since the recording began. */
  private moduleCalled = false;
  /** The newest snapshot when module code was last called: it and the older ones are from before the call. */
  private beforeCall: object | null = null;
  private saved: Hooks | null = null;

  constructor(
    private readonly k: Kernel,
    private readonly symbolsOf: (comm: string) => Symbols | null,
  ) {}

  private hooks(): Hooks {
    const k = this.k;
    return { onUserFault: k.onUserFault, onFork: k.onFork, onSignalDeliver: k.onSignalDeliver, onUaccessFault: k.mm.onUaccessFault };
  }

  private restore(h: Hooks): void {
    const k = this.k;
    k.onUserFault = h.onUserFault;
    k.onFork = h.onFork;
    k.onSignalDeliver = h.onSignalDeliver;
    k.mm.onUaccessFault = h.onUaccessFault;
  }

  /**
   * Starts driving the held task, recording it when no module is loaded
   * (nothing when already started); sets `why` when it does not record.
   * `caughtFault`: the hold is at a page fault the page's catch pagefault
   * caught, not yet handled: the next move lets that attempt through.
   */
  start(task: Task | null, caughtFault = false): void {
    if (this.engine !== null) return;
    if (task === null || !task.isAlive) {
      this.why = 'No process is held.';
      return;
    }
    const syms = this.symbolsOf(task.comm);
    if (syms === null) {
      this.why = `No program /bin/${task.comm} to read symbols from.`;
      return;
    }
    const mine = this.hooks();
    const e = new Engine(this.k, task, syms);
    // The engine's hooks first (its fault log and fork handling), then the worker's (the page's fault log, catch fork).
    const theirs = this.hooks();
    this.k.onUserFault = (t, addr, error, kind) => {
      theirs.onUserFault?.(t, addr, error, kind);
      mine.onUserFault?.(t, addr, error, kind);
    };
    this.k.onFork = (parent, child) => {
      theirs.onFork?.(parent, child);
      mine.onFork?.(parent, child);
    };
    this.saved = mine;
    this.engine = e;
    // Held here as at a stop of the engine's own: the next move steps over a breakpoint at pc, and lets a caught fault through.
    e.stopped({ kind: 'step' });
    if (caughtFault) e.caughtFaultPos = e.pos();
    const mods = this.k.modules.names();
    this.moduleCalled = false;
    this.beforeCall = null;
    // Set before the first snapshot: the watchdog is part of what snapshots save, and a restore must keep the hook.
    if (mods.length > 0) {
      this.k.modules.watchdog.onCall = () => {
        const rec = e.recorder;
        if (rec === null) return;
        this.moduleCalled = true;
        this.beforeCall = rec.snapshots[rec.snapshots.length - 1] ?? this.beforeCall;
        // A snapshot at the next instruction boundary, after the call: the history may begin there.
        e.nextCheckpoint = Math.min(e.nextCheckpoint, e.pos());
      };
    }
    const err = e.record({ interval: DEFAULT_RECORD_INTERVAL, maxInsns: MAX_INSNS, maxBytes: MAX_BYTES, withModules: true });
    this.recorded = err === null;
    this.why = err ?? '';
    if (!this.recorded) this.k.modules.watchdog.onCall = null;
  }

  /** Whether the history is cut at calls into module code (modules loaded). */
  get fenced(): boolean {
    return this.k.modules.watchdog.onCall !== null;
  }

  /** Before a move: the history from before the last call into module code is dropped (a replay must not run module code). */
  private fence(): void {
    const e = this.engine;
    const rec = e?.recorder ?? null;
    if (e === null || rec === null || this.beforeCall === null) return;
    const i = rec.snapshots.indexOf(this.beforeCall as (typeof rec.snapshots)[number]);
    if (i >= 0) rec.dropThrough(rec.snapshots[i]!.pos);
    this.beforeCall = null;
    if (rec.snapshots.length === 0) rec.take(e.pos(), e.taskInsns(), e.mark());
  }

  /** Whether the held process is where the history begins, cut at a call into a driver (a reverse move can go no further back). */
  atDriverCut(): boolean {
    const e = this.engine;
    if (!this.moduleCalled) return false;
    const first = e?.recorder?.snapshots[0];
    return e !== null && first !== undefined && first.pos === e.pos();
  }

  /** Why a reverse move stopped where the history begins. */
  historyStart(): string {
    return this.moduleCalled
      ? 'the history begins here, after the last call into a driver (a module keeps state the recorder cannot save: reverse execution does not go back across a call into one)'
      : 'the recording begins here (the command was first held here)';
  }

  /** Ends the recording (Run, or the held process ended): the worker's hooks back. */
  stop(): void {
    if (this.engine === null) return;
    this.k.modules.watchdog.onCall = null;
    this.engine.recordStop();
    this.engine = null;
    this.recorded = false;
    this.restore(this.saved!);
    this.saved = null;
    this.why = 'No command is held.';
  }

  /** Whether guest output now is new (not a replay's repetition of what the page showed). */
  showsOutput(): boolean {
    return this.engine === null || this.engine.showsOutput();
  }

  /** One instruction forward through the engine (a fault on the way is handled). */
  async step(): Promise<StopEvent> {
    this.fence();
    return this.engine!.stepi(1);
  }

  /** To the next source line, over calls (gdb's next; one instruction where the program has no line information); the page's breakpoints and caught faults stop it on the way. */
  async next(stops: Stops): Promise<StopEvent> {
    const e = this.engine!;
    this.fence();
    return this.withStops(e, stops, () => e.next());
  }

  /** One instruction back; a string: why not. */
  async reverseStep(): Promise<StopEvent | string> {
    if (!this.recorded) return this.why;
    this.fence();
    return this.engine!.reverseStepi(1);
  }

  /** Back to the start of the previous source line of this function, over calls (gdb's reverse-next); a string: why not. */
  async reverseNext(): Promise<StopEvent | string> {
    if (!this.recorded) return this.why;
    this.fence();
    return this.engine!.reverseLine(true);
  }

  /** Back to the most recent stop of a breakpoint or `catch pagefault` of the page's, or to the start of the recording. */
  async reverseContinue(stops: Stops): Promise<StopEvent | string> {
    const e = this.engine;
    if (e === null || !this.recorded) return this.why;
    this.fence();
    return this.withStops(e, stops, () => e.reverseContinue());
  }

  /** run() with the page's breakpoints (of this program, or of any) and catch pagefault set in the engine. */
  private async withStops<T>(e: Engine, stops: Stops, run: () => Promise<T>): Promise<T> {
    const added = stops.breakpoints.filter((b) => b.comm === null || b.comm === e.task.comm).map((b) => e.setBreakpoint(b.addr, { what: b.what }));
    if (stops.pagefault !== null) added.push(e.catchPagefault(stops.pagefault.mustSet, stops.pagefault.mustClear, stops.pagefault.text));
    try {
      return await run();
    } finally {
      for (const b of added) e.deleteBreakpoint(b.num);
    }
  }

  /** The time-line position (instructions retired plus kernel entries). */
  pos(): number {
    return this.engine!.pos();
  }

  /** Back at the farthest point reached (before Run: nothing the page showed is printed again). */
  async toFrontier(): Promise<void> {
    const e = this.engine!;
    if (!this.recorded || e.frontierKind !== 'insn' || e.pos() >= e.frontier) return;
    this.fence();
    await e.travelTo(e.frontier);
  }
}

/** A stop of the engine in the page's words. */
export function describeStop(ev: StopEvent | string, what: string, historyStart = 'the recording begins here (the command was first held here)'): string {
  if (typeof ev === 'string') return ev;
  switch (ev.kind) {
    case 'history-end':
      return `${what}: ${historyStart}`;
    case 'breakpoint':
      return `${what}: breakpoint ${ev.bp.what}`;
    case 'pagefault':
      return `${what}: catch pagefault: #PF at 0x${BigInt.asUintN(64, ev.addr).toString(16)}, error 0x${ev.error.toString(16)} (${pfWords(ev.error)}), ip 0x${ev.ip.toString(16)}: not yet handled`;
    case 'exited':
      return `${what}: the process exited`;
    case 'interrupted':
      return `${what}: stopped by Pause before it arrived`;
    default:
      return what;
  }
}
