// The Web Worker of the browser build: one booted kernel behind the vmlab
// shell (emu/cli/shell-session.ts, as `vmlab shell` runs it), its terminal
// output posted to the page, the views of a process computed on request
// (views.ts), and run control of the running command (pause, run, step one
// instruction). Built by scripts/build-web.mjs, with no Node built-in reachable.
import { ShellSession } from '../../emu/cli/shell-session';
import { Stop } from '../../emu/machine/cpu/cpu';
import type { Stop as StopReason } from '../../emu/machine/cpu/cpu';
import { FAULT_KIND_NAMES } from '../../kernel-ts/mm/mm-struct';
import { pfWords } from '../../emu/machine/trap';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { setOutputSink, setSliceGate } from '../host/output';
import type { ControlAction, PageMessage, ViewRequest, WorkerMessage } from '../protocol';
import type { Task } from '../../kernel-ts/proc/task';
import { TimeTravel, describeStop } from './travel';
import type { StopEvent } from '../../emu/debugger/engine-types';
import type { Views } from '../views-data';
import { FaultLog, chooseTask, collectViews } from './views';
import { Stops } from './stops';
import { TlbLog } from './tlb-log';

/** The worker's global scope, as much of it as this file uses (the lib is es2022, without DOM/WebWorker). */
interface WorkerScope {
  postMessage(m: WorkerMessage): void;
  onmessage: ((e: { data: PageMessage }) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;
const post = (m: WorkerMessage): void => scope.postMessage(m);

const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
// A replay's repetition of output the page already showed is not shown again.
setOutputSink((fd, bytes) => {
  if (travel.showsOutput()) post({ kind: 'output', fd, text: decoders[fd].decode(bytes, { stream: true }) });
});

const t0 = performance.now();
const session = new ShellSession({}, { out: (s) => post({ kind: 'output', fd: 1, text: s }), err: (s) => post({ kind: 'output', fd: 2, text: s }) });
const k = session.k;
const faults = new FaultLog();
k.onUserFault = (t, addr, error, kind) => {
  const cpu = k.machine.cpu;
  faults.add({
    pid: t.pid,
    comm: t.comm,
    ip: `0x${(cpu.pcHi * TWO32 + (cpu.pcLo >>> 0)).toString(16)}`,
    addr: `0x${BigInt.asUintN(64, addr).toString(16)}`,
    error: `0x${error.toString(16)}`,
    words: pfWords(error),
    outcome: FAULT_KIND_NAMES[kind] ?? `kind ${kind}`,
  }, cpu.instret + k.kernelEntries);
};
// What CR3 writes, INVLPG and INVPCID did to the TLB during the last step or run (the TLB view's log).
const tlbLog = new TlbLog(k.machine.mmu);
tlbLog.actor = () => (k.current === null ? 'kernel' : `pid ${k.current.pid} (${k.current.comm})`);
tlbLog.attach();
/** What the TLB log covers: the command, or the last run-control move. */
let tlbSince = 'the command';
function newMove(what: string): void {
  tlbLog.clear();
  tlbSince = what;
}
const stops = new Stops(k, () => {
  state = 'paused';
  held = k.current;
  session.yieldRequested = true;
});
const travel = new TimeTravel(k, (comm) => stops.symbols.of(comm));
k.onFork = (parent, child) => stops.forkHappened(parent, child);
const runStops = (budget: number): StopReason => stops.run(budget);
post({ kind: 'ready', bootMs: performance.now() - t0, programs: session.programs });

/** What the page last asked the views to show. */
let request: ViewRequest = { pid: null, expand: [], frame: null };

// ---- run control --------------------------------------------------------------

/** Whether a command runs, and whether the page holds it. */
let state: Views['run'] = 'idle';
/** Resolves the held run (Run or Step pressed). */
let release: (() => void) | null = null;
/** Pause pressed at the prompt: the next command stops after its first instruction (gdb's starti). */
let holdNext = false;
/** The task on the CPU when the command was held (recorded for reverse execution). */
let held: Task | null = null;
/** What the last time-travel move did ('' when none since the hold). */
let travelNote = '';

/** One instruction, then back to the host (kernel.userRun while stepping). */
function stepOne(budget: number): StopReason {
  const s = k.machine.run(Math.min(1, budget));
  if (s === Stop.Budget) {
    held = k.current;
    k.requestPause();
    session.yieldRequested = true;
  }
  return s;
}

function sendViews(): void {
  const views = collectViews(k, request, state, faults, (comm) => stops.symbols.of(comm), { events: tlbLog.events, total: tlbLog.total, since: tlbSince });
  views.stop = state === 'paused' ? travelNote || stops.reason : '';
  views.recording = state === 'paused' ? travel.why || (travel.fenced ? `recording since the last call into a driver (${k.modules.names().join(', ')})` : 'recording') : '';
  post({ kind: 'views', views });
}

/** kernel.userRun for a running command: the stop conditions' when any is set, else none (the fast loop). */
function runHook(): ((budget: number) => StopReason) | null {
  return stops.active ? runStops : null;
}

// Between slices of a running command: while paused, show the views and wait for Run or Step.
setSliceGate(() => {
  if (state !== 'paused') return Promise.resolve();
  try {
    travel.start(held !== null && held.isAlive ? held : chooseTask(k, null), stops.reason.startsWith('catch pagefault'));
  } catch (err) {
    travel.stop();
    travel.why = `the recorder failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  sendViews();
  return new Promise<void>((resolve) => {
    release = resolve;
  });
});

function control(action: ControlAction): void {
  if (state === 'idle') {
    holdNext = action === 'pause';
    return;
  }
  if (action === 'pause') {
    // During a move (a Next into a loop that never reaches another line): the engine stops at its next slice.
    if (moving) travel.engine?.interrupt();
    state = 'paused';
    return;
  }
  if (release === null) return; // not held yet (Pause pressed: the hold comes at the next slice boundary)
  travelNote = '';
  newMove(MOVE_NAMES[action]);
  if (action === 'run' && travel.engine === null) resume(false);
  else void timeTravel(action);
}

/** Lets the held command go on: one instruction (step) or freely. */
function resume(step: boolean): void {
  session.yieldRequested = false;
  stops.resumed();
  k.userRun = step ? stepOne : runHook();
  state = step ? 'paused' : 'running';
  const r = release;
  release = null;
  r?.();
}

/** The page's name of a move, as its stop line says it. */
const MOVE_NAMES: Record<ControlAction, string> = { pause: 'pause', run: 'run', step: 'step', next: 'next', 'reverse-step': 'reverse step', 'reverse-next': 'reverse next', 'reverse-continue': 'reverse continue' };

/** Run-control moves of a held command through the engine, one at a time (the engine lets the event loop run in between). */
let moving = false;
async function timeTravel(action: ControlAction): Promise<void> {
  if (moving) return;
  moving = true;
  const what = MOVE_NAMES[action];
  try {
    if (action === 'run') {
      // Back at the end of what ran: output already shown is not shown again.
      await travel.toFrontier();
      travel.stop();
      resume(false);
      return;
    }
    if ((action === 'step' || action === 'next') && travel.engine === null) {
      // No program to read lines from (travel.why says why): one instruction.
      if (action === 'next') travelNote = `next: one instruction (${travel.why})`;
      resume(true);
      return;
    }
    let ev: StopEvent | string;
    if (action === 'step') ev = await travel.step();
    else if (action === 'next') ev = await travel.next(stops);
    else if (action === 'reverse-step') ev = await travel.reverseStep();
    else if (action === 'reverse-next') ev = await travel.reverseNext();
    else ev = await travel.reverseContinue(stops);
    // Back at the retry of an instruction whose fault the kernel just handled: one more, to before the attempt
    // (as Step goes over the fault and the instruction, Reverse step undoes both).
    if (action === 'reverse-step' && typeof ev !== 'string' && ev.kind !== 'history-end' && faults.lastPos() === travel.pos()) ev = await travel.reverseStep();
    if (typeof ev !== 'string' && ev.kind === 'exited') {
      travel.stop();
      resume(false);
      return;
    }
    if (travel.engine !== null) {
      faults.truncate(travel.pos());
      stops.heldAt(travel.engine.pc, typeof ev !== 'string' && ev.kind === 'pagefault' ? travel.pos() : -1);
    }
    // A reverse move replays from a snapshot: what the replay did to the TLB is not what the move did.
    if (action.startsWith('reverse')) newMove(`${what}: a replay from a snapshot, not listed`);
    // A reverse move that ended where a driver call cut the history says so (reverse next arrives there as at a line's start).
    if (action.startsWith('reverse') && typeof ev !== 'string' && ev.kind !== 'history-end' && travel.atDriverCut()) ev = { kind: 'history-end' };
    travelNote = describeStop(ev, what, travel.historyStart());
    sendViews();
  } catch (err) {
    // A bug of the lab's, not the guest's: said in one line, the command stays held.
    travelNote = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
    sendViews();
  } finally {
    moving = false;
  }
}

// ---- command lines --------------------------------------------------------------

/** Lines wait here while one runs (the shell runs one command line at a time). */
const queue: string[] = [];
let busy = false;

async function runQueue(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const line = queue.shift()!;
    const insns0 = k.machine.cpu.instret;
    const start = performance.now();
    state = holdNext ? 'paused' : 'running';
    newMove('the command');
    k.userRun = holdNext ? stepOne : runHook();
    stops.resumed();
    holdNext = false;
    const status = await session.execLine(line);
    travel.stop();
    held = null;
    travelNote = '';
    state = 'idle';
    k.userRun = null;
    session.yieldRequested = false;
    post({ kind: 'prompt', status, insns: k.machine.cpu.instret - insns0, ms: performance.now() - start });
    sendViews();
  }
  busy = false;
}

/** The stop conditions in force, as the page lists them. */
function stopList(): string[] {
  const out = stops.breakpoints.map((b) => `break ${b.what}`);
  if (stops.catchFork) out.push('catch fork');
  if (stops.pagefault !== null) out.push(`catch pagefault${stops.pagefault.text === '' ? '' : ` ${stops.pagefault.text}`}`);
  return out;
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.kind) {
    case 'line':
      queue.push(m.text);
      void runQueue();
      break;
    case 'interrupt':
      session.interrupted = true;
      // A move in progress stops first (the SIGINT waits for the run); a held command runs on to receive it.
      if (moving) travel.engine?.interrupt();
      else if (state === 'paused') control('run');
      break;
    case 'control':
      control(m.action);
      break;
    case 'inspect':
      request = m.request;
      sendViews();
      break;
    case 'stops': {
      const errors = stops.set(m.settings, chooseTask(k, request.pid)?.comm ?? null);
      if (state === 'running') k.userRun = runHook();
      post({ kind: 'stops', list: stopList(), errors });
      break;
    }
    case 'ping':
      post({ kind: 'pong', n: m.n });
      break;
    case 'debug-hang':
      for (;;) {
        // Nothing: the page's watchdog must notice that no pong comes (docs/web.md).
      }
  }
};
sendViews();
