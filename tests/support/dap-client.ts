// A Debug Adapter Protocol client for tests: runs `vmlab dap` (the bundled
// CLI) and speaks the protocol over its stdin/stdout (Content-Length framed
// JSON), as VS Code does. Requests resolve with their response; events are
// queued in arrival order and taken with nextEvent.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { VMLAB } from './cli';

export interface DapMessage {
  seq: number;
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  /** The message body: its shape depends on the command or event. */
  body?: any;
}

export class DapClient {
  readonly proc: ChildProcessWithoutNullStreams;
  private seq = 1;
  private buf = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (m: DapMessage) => void; reject: (e: Error) => void }>();
  private readonly events: DapMessage[] = [];
  private eventWaiter: (() => void) | null = null;
  /** Responses to requests not sent with request() (raw ones). */
  readonly stray: DapMessage[] = [];
  /** How many events of each name arrived (taken with nextEvent or not). */
  readonly eventCounts = new Map<string, number>();
  /** Everything the server wrote to stderr. */
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(cwd?: string) {
    this.proc = spawn(process.execPath, [VMLAB, 'dap'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    this.proc.stdout.on('data', (chunk: Buffer) => this.data(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => {
        // A request the server will never answer: a crash shows as an error, not a hang.
        for (const [seq, p] of this.pending) p.reject(new Error(`vmlab dap exited (${code ?? signal}) before answering request ${seq}; stderr:\n${this.stderr.slice(-2000)}`));
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  private data(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, end).toString());
      if (m === null) throw new Error(`bad header: ${this.buf.subarray(0, end).toString()}`);
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString()) as DapMessage;
      this.buf = this.buf.subarray(end + 4 + len);
      if (msg.type === 'response') {
        const r = this.pending.get(msg.request_seq!);
        this.pending.delete(msg.request_seq!);
        if (r === undefined) this.stray.push(msg);
        else r.resolve(msg);
      }
      else if (msg.type === 'event') {
        this.eventCounts.set(msg.event!, (this.eventCounts.get(msg.event!) ?? 0) + 1);
        this.events.push(msg);
        this.eventWaiter?.();
      }
    }
  }

  /** Sends raw bytes (for malformed-input tests). */
  raw(text: string): void {
    this.proc.stdin.write(text);
  }

  request(command: string, args: unknown = {}): Promise<DapMessage> {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }

  /** The next event named `name`; the events before it are returned too (in order), for output checks. */
  async nextEvent(name: string): Promise<{ event: DapMessage; before: DapMessage[] }> {
    const before: DapMessage[] = [];
    for (;;) {
      while (this.events.length > 0) {
        const e = this.events.shift()!;
        if (e.event === name) return { event: e, before };
        before.push(e);
      }
      await new Promise<void>((resolve) => (this.eventWaiter = resolve));
      this.eventWaiter = null;
    }
  }
}
