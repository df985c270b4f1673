// The stub's TCP side: listens on 127.0.0.1 (node:net), takes ONE gdb
// connection, and feeds its packets to the dispatcher one at a time, acking
// them until gdb asks for QStartNoAckMode. Ctrl-C (0x03) is not queued: it
// reaches the target at once, so a running `continue` stops at its next
// look at the event loop. The session ends when the connection does: how
// (detach, kill, or a dropped connection) is what serve() resolves to; the
// caller decides what happens to the program then.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { PacketDecoder, frame } from './packet';
import type { Incoming } from './packet';
import { RspDispatcher } from './dispatch';
import type { GdbTarget } from './dispatch';

export type Outcome = 'detach' | 'kill' | 'disconnect';

export interface GdbServerOptions {
  /** TCP port; 0 lets the OS choose (the chosen one is in `listening`). */
  port: number;
  /** Called once the socket listens, with the port. */
  listening?: (port: number) => void;
  /** Every packet in and out, for `--gdb-log`-style debugging (none by default). */
  trace?: (line: string) => void;
}

/** Serves one gdb connection on 127.0.0.1:port; resolves when it ends. */
export function serve(target: GdbTarget, opts: GdbServerOptions): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    let taken = false;
    server.on('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot listen on 127.0.0.1:${opts.port}: ${e.code ?? e.message}`)));
    server.on('connection', (sock) => {
      if (taken) {
        sock.destroy(); // one debugger at a time
        return;
      }
      taken = true;
      server.close();
      void session(sock, target, opts).then(resolve, reject);
    });
    server.listen(opts.port, '127.0.0.1', () => opts.listening?.((server.address() as AddressInfo).port));
  });
}

function session(sock: Socket, target: GdbTarget, opts: GdbServerOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const dispatcher = new RspDispatcher(target);
    const decoder = new PacketDecoder();
    const queue: string[] = [];
    let ack = true;
    let busy = false;
    let closed = false;
    let outcome: Outcome = 'disconnect';
    let lastSent = '';
    const trace = opts.trace ?? null;

    const send = (payload: string): void => {
      if (closed) return;
      lastSent = frame(payload);
      trace?.(`<- ${payload}`);
      sock.write(lastSent, 'latin1');
    };
    // A connection lost during a resume: the program is stopped first (Ctrl-C), then the session ends.
    const finish = (): void => {
      if (closed) return;
      closed = true;
      sock.destroy();
      if (busy) target.interrupt();
      else resolve(outcome);
    };

    const drain = async (): Promise<void> => {
      busy = true;
      while (queue.length > 0 && !closed) {
        const payload = queue.shift()!;
        trace?.(`-> ${payload}`);
        const reply = await dispatcher.handle(payload);
        for (const p of reply.packets) send(p);
        if (reply.after === 'no-ack') ack = false;
        else if (reply.after === 'detach' || reply.after === 'kill') {
          outcome = reply.after;
          sock.end(() => finish());
          break;
        }
      }
      busy = false;
      if (closed) resolve(outcome);
    };

    const take = (ev: Incoming): void => {
      switch (ev.kind) {
        case 'packet':
          if (ack) sock.write('+');
          queue.push(ev.payload);
          if (!busy) void drain();
          return;
        case 'bad-checksum':
          if (ack) sock.write('-');
          return;
        case 'nack':
          if (ack && lastSent !== '') sock.write(lastSent, 'latin1');
          return;
        case 'interrupt':
          trace?.('-> ^C');
          if (busy) target.interrupt();
          return;
        case 'ack':
          return;
      }
    };

    sock.setNoDelay(true);
    sock.on('data', (b: Buffer) => {
      if (!closed) for (const ev of decoder.push(b)) take(ev);
    });
    sock.on('error', () => finish());
    sock.on('close', () => finish());
  });
}
