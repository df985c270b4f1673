// The messages between the page (web/page) and the worker that runs the
// machine and kernel (web/worker): one union each way, discriminated by kind.
import type { Views } from './views-data';

/** What the page wants the views to show. */
export interface ViewRequest {
  /** The process (null: the running one, else the last live one). */
  pid: number | null;
  /** PAs of the page tables expanded in the tree (the top table is always sent). */
  expand: readonly number[];
  /** The frame whose details are shown, or null. */
  frame: number | null;
}

/** The stop conditions the page sets (web/worker/stops.ts). */
export interface StopSettings {
  /** `0xADDR`, `PROG:SYMBOL[+OFF]` or `SYMBOL[+OFF]` (a symbol of the program shown). */
  breakpoints: readonly string[];
  catchFork: boolean;
  /** catch pagefault's filter (`write !user`; '' catches every fault), or null: off. */
  pagefault: string | null;
}

/** Run control of a command: pause it, run on, one instruction (step) or source line over calls (next) forward or back, back to the last stop. */
export type ControlAction = 'pause' | 'run' | 'step' | 'next' | 'reverse-step' | 'reverse-next' | 'reverse-continue';

/** Page -> worker. */
export type PageMessage =
  /** A command line typed at the prompt. */
  | { kind: 'line'; text: string }
  /** Ctrl-C: SIGINT to the foreground program at the next slice boundary. */
  | { kind: 'interrupt' }
  /** Run control of the running command: pause between two instructions, run on, or step one instruction. */
  | { kind: 'control'; action: ControlAction }
  /** The views, for this request. */
  | { kind: 'inspect'; request: ViewRequest }
  /** Replaces the stop conditions. */
  | { kind: 'stops'; settings: StopSettings }
  /** Are you there? (the page's watchdog: a worker stuck in synchronous code answers nothing). */
  | { kind: 'ping'; n: number }
  /** For the browser test of that watchdog: the worker loops forever, as a driver stuck in `for (;;) {}` would. */
  | { kind: 'debug-hang' };

/** Worker -> page. */
export type WorkerMessage =
  /** The kernel booted and the shell is ready: how long the boot took (ms, the worker's clock). */
  | { kind: 'ready'; bootMs: number; programs: readonly string[] }
  /** Bytes the shell or a guest wrote to the terminal (fd 1 or 2), decoded. */
  | { kind: 'output'; fd: 1 | 2; text: string }
  /** A command line finished: the shell prints its prompt. Instructions it retired and the time it took. */
  | { kind: 'prompt'; status: number; insns: number; ms: number }
  /** The views (after each command, pause, step, or an inspect). */
  | { kind: 'views'; views: Views }
  /** The stop conditions in force (one line each) and what could not be set. */
  | { kind: 'stops'; list: string[]; errors: string[] }
  /** The answer to ping n. */
  | { kind: 'pong'; n: number };
