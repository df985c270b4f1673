// emu/cli/output.ts in the browser build (scripts/build-web.mjs substitutes
// this file for it): vmlab's stdout and stderr are the page's terminal, a
// sink the worker sets (web/worker/main.ts), and the event loop is let run
// between slices of a running guest (event-loop.ts's nextTurn).
import { nextTurn } from './event-loop';

type Sink = (fd: 1 | 2, bytes: Uint8Array) => void;

/** The worker's stdout/stderr, as fd 1 and 2 are the Node process's: one per worker. */
const output: { sink: Sink } = { sink: () => {} };

/** Where fd 1 and 2 go from now on (the worker posts them to the page). */
export function setOutputSink(sink: Sink): void {
  output.sink = sink;
}

const encoder = new TextEncoder();

/** Writes all of `s` to fd (1 or 2). */
export function writeFd(fd: number, s: string | Uint8Array): void {
  output.sink(fd === 2 ? 2 : 1, typeof s === 'string' ? encoder.encode(s) : s.slice());
}

/** The guests' console: the page's terminal (xterm.js is a terminal: isatty is true). */
export function guestConsole(): { stdout: (b: Uint8Array) => void; stderr: (b: Uint8Array) => void; ttys: { stdout: boolean; stderr: boolean } } {
  return { stdout: (b) => writeFd(1, b), stderr: (b) => writeFd(2, b), ttys: { stdout: true, stderr: true } };
}

/** The worker's pause: awaited after each yield while the host holds the run (web/worker/run-control.ts). */
const gate: { wait: (() => Promise<void>) | null } = { wait: null };

/** Installs the pause awaited between slices (null: none). */
export function setSliceGate(wait: (() => Promise<void>) | null): void {
  gate.wait = wait;
}

/** Lets the worker's event loop run (the page's messages: Ctrl-C, pause) between slices of a running guest. */
export function yieldToEventLoop(): Promise<void> {
  const yielded = nextTurn();
  return gate.wait === null ? yielded : yielded.then(() => gate.wait?.());
}
