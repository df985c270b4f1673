// A scripted gdb for the stub's tests: speaks RSP over TCP, acks what it
// receives until no-ack mode, and returns each reply (with the O packets
// that came before it). Every wait is for a packet, never for time.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { PacketDecoder, frame, hexToText } from '../../../../emu/debugger/gdb/packet';
import type { Incoming } from '../../../../emu/debugger/gdb/packet';

export interface RspReply {
  /** The reply's payload. */
  payload: string;
  /** The console output (O packets) that came before it. */
  console: string;
}

export class RspClient {
  private readonly decoder = new PacketDecoder();
  private readonly events: Incoming[] = [];
  private waiter: (() => void) | null = null;
  private closedFlag = false;
  ack = true;
  /** Every + and - received (ack mode). */
  acks = 0;
  nacks = 0;

  private constructor(private readonly sock: Socket) {
    sock.setNoDelay(true); // many small writes: no Nagle delay
    sock.on('data', (b: Buffer) => {
      for (const ev of this.decoder.push(b)) {
        if (ev.kind === 'ack') this.acks++;
        else if (ev.kind === 'nack') this.nacks++;
        else this.events.push(ev);
      }
      this.wake();
    });
    sock.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    sock.on('error', () => {});
  }

  static connect(port: number): Promise<RspClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RspClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Raw bytes (latin1): truncated packets, garbage, 0x03. */
  raw(bytes: string): void {
    this.sock.write(bytes, 'latin1');
  }

  /** The next packet from the stub; null when the connection closed first. */
  async next(): Promise<string | null> {
    for (;;) {
      const ev = this.events.shift();
      if (ev !== undefined) {
        if (ev.kind !== 'packet') continue;
        if (this.ack) this.sock.write('+');
        return ev.payload;
      }
      if (this.closedFlag) return null;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** Waits for the reply to what was sent, collecting O packets; null when the connection closed. */
  async reply(): Promise<RspReply | null> {
    let console = '';
    for (;;) {
      const p = await this.next();
      if (p === null) return null;
      if (p.startsWith('O') && p !== 'OK' && /^O([0-9a-f]{2})+$/.test(p)) {
        console += hexToText(p.slice(1)) ?? '';
        continue;
      }
      return { payload: p, console };
    }
  }

  /** Sends a packet and returns its reply's payload (throws if the connection closed). */
  async request(payload: string): Promise<string> {
    return (await this.requestFull(payload)).payload;
  }

  async requestFull(payload: string): Promise<RspReply> {
    this.sock.write(frame(payload), 'latin1');
    const r = await this.reply();
    if (r === null) throw new Error(`connection closed waiting for the reply to ${payload}`);
    return r;
  }

  send(payload: string): void {
    this.sock.write(frame(payload), 'latin1');
  }

  /** Resolves when the stub has closed the connection. */
  async waitClosed(): Promise<void> {
    while (!this.closedFlag) await new Promise<void>((r) => (this.waiter = r));
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Text as the hex qRcmd wants. */
export function hexText(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}
