// host/event-loop.ts in the browser build (scripts/build-web.mjs substitutes
// this file for it): a turn of a Web Worker's event loop through a
// MessageChannel (a setTimeout(0) chain is clamped to 4 ms by browsers).

const waiting: (() => void)[] = [];
let channel: MessageChannel | null = null;

/** Resolves after the event loop has had one turn. */
export function nextTurn(): Promise<void> {
  if (channel === null) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  const ch = channel;
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    ch.port2.postMessage(0);
  });
}
