// Letting the host's event loop run: the one place a long run (the
// debugger's run-control engine between two slices) gives way to sockets,
// timers and Ctrl-C. Node's setImmediate here; the browser build substitutes
// web/host/event-loop.ts (a MessageChannel) for this file.

/** Resolves after the event loop has had one turn. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
