// The browser build's worker (web/dist/worker.js) run in a bare V8 context:
// only what a Web Worker has (no process, Buffer, require or setImmediate),
// its postMessage collected, the page's messages delivered to its onmessage.
// Tests drive it as the page does and wait for messages, never for time.
import { readFileSync } from 'node:fs';
import { createContext, runInContext } from 'node:vm';
import type { PageMessage, WorkerMessage } from '../../web/protocol';

export class WorkerHarness {
  readonly messages: WorkerMessage[] = [];
  private waiters: { pred: (m: WorkerMessage) => boolean; resolve: (m: WorkerMessage) => void; from: number }[] = [];
  private readonly scope: { onmessage: ((e: { data: PageMessage }) => void) | null };

  constructor(workerJs: string) {
    const scope: Record<string, unknown> = {
      postMessage: (m: WorkerMessage) => this.receive(m),
      onmessage: null,
      TextEncoder,
      TextDecoder,
      performance,
      MessageChannel,
      atob,
      console,
      URL,
      queueMicrotask,
      setTimeout,
      clearTimeout,
    };
    scope.globalThis = scope;
    scope.self = scope;
    createContext(scope);
    runInContext(readFileSync(workerJs, 'utf8'), scope, { filename: 'worker.js' });
    this.scope = scope as { onmessage: ((e: { data: PageMessage }) => void) | null };
  }

  private receive(m: WorkerMessage): void {
    this.messages.push(m);
    const i = this.messages.length - 1;
    this.waiters = this.waiters.filter((w) => {
      if (i >= w.from && w.pred(m)) {
        w.resolve(m);
        return false;
      }
      return true;
    });
  }

  send(m: PageMessage): void {
    this.scope.onmessage!({ data: structuredClone(m) });
  }

  /** The first message from index `from` on that satisfies pred (already received, or the next). */
  next<K extends WorkerMessage['kind']>(kind: K, from = 0, pred: (m: Extract<WorkerMessage, { kind: K }>) => boolean = () => true): Promise<Extract<WorkerMessage, { kind: K }>> {
    const test = (m: WorkerMessage): boolean => m.kind === kind && pred(m as Extract<WorkerMessage, { kind: K }>);
    const found = this.messages.slice(from).find(test);
    if (found) return Promise.resolve(found as Extract<WorkerMessage, { kind: K }>);
    return new Promise((resolve) => this.waiters.push({ pred: test, resolve: resolve as (m: WorkerMessage) => void, from }));
  }

  /** Sends a command line; resolves with its terminal output and the prompt message. */
  async run(line: string): Promise<{ out: string; prompt: Extract<WorkerMessage, { kind: 'prompt' }> }> {
    const from = this.messages.length;
    this.send({ kind: 'line', text: line });
    const prompt = await this.next('prompt', from);
    const upto = this.messages.indexOf(prompt);
    const out = this.messages.slice(from, upto).flatMap((m) => (m.kind === 'output' ? [m.text] : [])).join('');
    return { out, prompt };
  }
}
