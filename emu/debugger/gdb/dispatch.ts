// The RSP commands the stub answers (gdb's "Packets", "General Query
// Packets" and "Stop Reply Packets" sections), over a narrow GdbTarget that
// target.ts implements on the debugger's session. One packet in, the packets
// to send out: replies are payloads (the server frames them); a malformed
// packet gets `E01` (bad syntax) or an empty reply (unsupported), never an
// exception.
import { GDB_REG_NAMES, NUM_REGS, PC_REGNUM, targetXml } from './target-xml';
import { MAX_PACKET, escapeBinary, fromHex, hexToReg, hexToText, parseHexNumber, regToHex, textToHex, toHex, unescapeBinary } from './packet';

/** gdb's signal numbers (include/gdb/signals.def), the ones a stop reply uses. */
export const GDB_SIGINT = 2;
export const GDB_SIGTRAP = 5;
export const GDB_SIGKILL = 9;
export const GDB_SIGSEGV = 11;

/** Why the target stopped, as a T packet says it. */
export type StopReason =
  | { kind: 'swbreak' }
  | { kind: 'hwbreak' }
  | { kind: 'watch' | 'rwatch' | 'awatch'; addr: number }
  /** Reverse execution reached the start of the recorded history. */
  | { kind: 'replaylog-begin' };

export type TargetStop =
  /** console: text gdb shows before the stop (O packets), e.g. a caught page fault's explanation. */
  | { kind: 'stopped'; signal: number; reason: StopReason | null; console: string }
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: number }
  /** The request could not run (e.g. reverse execution without a recording); the target did not move. */
  | { kind: 'error'; message: string };

export type ResumeAction = 'continue' | 'step' | 'reverse-step' | 'reverse-continue';

/** Z packet types: 0 software and 1 hardware breakpoint, 2 write, 3 read, 4 access watchpoint. */
export type PointType = 0 | 1 | 2 | 3 | 4;

/** What the stub needs of the debugged program (target.ts). */
export interface GdbTarget {
  /** The thread id gdb sees (the process's pid). */
  threadId(): number;
  /** Register n (0..31 x0..x31, 32 pc). */
  readRegister(n: number): bigint;
  writeRegister(n: number, v: bigint): void;
  /** len bytes at virtual address addr without side effects, or null when some byte cannot be read. */
  readMemory(addr: number, len: number): Uint8Array | null;
  /** False when some byte is not mapped (nothing is written then). */
  writeMemory(addr: number, data: Uint8Array): boolean;
  /** False when the point cannot be set. */
  insertPoint(type: PointType, addr: number, len: number): boolean;
  removePoint(type: PointType, addr: number, len: number): boolean;
  resume(action: ResumeAction): Promise<TargetStop>;
  /** Ctrl-C: stop a running resume at its next look at the event loop. */
  interrupt(): void;
  /** A vmlab debugger command's output (monitor CMD). */
  monitor(command: string): Promise<string>;
}

/** What the server does after sending the replies. */
export type After = 'none' | 'no-ack' | 'detach' | 'kill';

export interface Reply {
  packets: string[];
  after: After;
}

const SUPPORTED = [
  `PacketSize=${MAX_PACKET.toString(16)}`,
  'qXfer:features:read+',
  'swbreak+',
  'hwbreak+',
  'ReverseStep+',
  'ReverseContinue+',
  'QStartNoAckMode+',
  'vContSupported+',
].join(';');

/** Error replies: E01 a malformed packet, E14 (EFAULT, 14: gdb prints "Cannot access memory") memory that cannot be read or written, E16 (EINVAL, 22) a request the target refused. */
const E_SYNTAX = 'E01';
const E_FAULT = 'E14';
const E_INVAL = 'E16';

/** Largest m reply in bytes (two hex digits each within the packet size). */
const MAX_READ = (MAX_PACKET - 8) >> 1;

/** Console text as O packets (each within the packet size). */
export function consolePackets(text: string): string[] {
  if (text === '') return [];
  const hex = textToHex(text.endsWith('\n') ? text : `${text}\n`);
  const out: string[] = [];
  const step = (MAX_PACKET - 8) & ~1;
  for (let i = 0; i < hex.length; i += step) out.push(`O${hex.slice(i, i + step)}`);
  return out;
}

export class RspDispatcher {
  /** The last stop, for `?`. */
  private last: TargetStop = { kind: 'stopped', signal: GDB_SIGTRAP, reason: null, console: '' };
  private readonly xml = targetXml();
  /** Set once the target exited or was killed: only `?`, queries and k/D make sense. */
  private ended = false;

  constructor(private readonly t: GdbTarget) {}

  /** The stop reply for a stop (T, W or X). */
  stopReply(s: TargetStop): string {
    const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
    if (s.kind === 'exited') return `W${hex2(s.code)}`;
    if (s.kind === 'killed') return `X${hex2(s.signal)}`;
    if (s.kind === 'error') return E_INVAL;
    let r = '';
    if (s.reason !== null) {
      const k = s.reason.kind;
      r = k === 'swbreak' || k === 'hwbreak' ? `${k}:;` : k === 'replaylog-begin' ? 'replaylog:begin;' : `${k}:${s.reason.addr.toString(16)};`;
    }
    return `T${hex2(s.signal)}thread:${this.t.threadId().toString(16)};${r}`;
  }

  /** Answers one packet's payload. */
  async handle(p: string): Promise<Reply> {
    const one = (packet: string, after: After = 'none'): Reply => ({ packets: [packet], after });
    try {
      return await this.dispatch(p, one);
    } catch (e) {
      // A bug of the stub's must not take the session down: gdb sees an error reply.
      return one(`E.internal error: ${e instanceof Error ? e.message : String(e)}`.replace(/[$#*}]/g, '?').slice(0, 200));
    }
  }

  private async dispatch(p: string, one: (packet: string, after?: After) => Reply): Promise<Reply> {
    const c = p[0] ?? '';
    switch (c) {
      case '?':
        return one(this.stopReply(this.last));
      case 'g':
        if (p !== 'g' || this.ended) return one(this.ended ? E_INVAL : E_SYNTAX);
        return one(Array.from({ length: NUM_REGS }, (_, i) => regToHex(this.t.readRegister(i))).join(''));
      case 'G': {
        if (this.ended) return one(E_INVAL);
        const hex = p.slice(1);
        if (hex.length !== NUM_REGS * 16) return one(E_SYNTAX);
        const vals: bigint[] = [];
        for (let i = 0; i < NUM_REGS; i++) {
          const v = hexToReg(hex.slice(16 * i, 16 * i + 16));
          if (v === null) return one(E_SYNTAX);
          vals.push(v);
        }
        vals.forEach((v, i) => this.t.writeRegister(i, v));
        return one('OK');
      }
      case 'p': {
        const n = parseHexNumber(p.slice(1));
        if (n === null) return one(E_SYNTAX);
        if (n >= NUM_REGS || this.ended) return one(E_INVAL);
        return one(regToHex(this.t.readRegister(n)));
      }
      case 'P': {
        const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]*)$/.exec(p);
        const n = m === null ? null : parseHexNumber(m[1]!);
        const v = m === null ? null : hexToReg(m[2]!);
        if (n === null || v === null) return one(E_SYNTAX);
        if (n >= NUM_REGS || this.ended) return one(E_INVAL);
        this.t.writeRegister(n, v);
        return one('OK');
      }
      case 'm': {
        const m = /^m([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
        if (m === null) return one(E_SYNTAX);
        const addr = parseHexNumber(m[1]!), len = parseHexNumber(m[2]!);
        if (len === null) return one(E_SYNTAX);
        if (addr === null || this.ended) return one(E_FAULT); // above 2^53: no user address
        const data = this.t.readMemory(addr, Math.min(len, MAX_READ));
        return one(data === null ? E_FAULT : toHex(data));
      }
      case 'M':
      case 'X': {
        const colon = p.indexOf(':');
        const m = /^[MX]([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(colon < 0 ? '' : p.slice(0, colon));
        if (m === null) return one(E_SYNTAX);
        const addr = parseHexNumber(m[1]!), len = parseHexNumber(m[2]!);
        if (len === null) return one(E_SYNTAX);
        const raw = p.slice(colon + 1);
        let data: Uint8Array | null;
        if (c === 'M') data = fromHex(raw);
        else data = Uint8Array.from(unescapeBinary(raw), (ch) => ch.charCodeAt(0) & 0xff);
        if (data === null || data.length !== len) return one(E_SYNTAX);
        if (len === 0) return one('OK'); // gdb's probe for X support
        if (addr === null || this.ended) return one(E_FAULT);
        return one(this.t.writeMemory(addr, data) ? 'OK' : E_FAULT);
      }
      case 'Z':
      case 'z': {
        const m = /^[Zz]([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
        if (m === null) return one(/^[Zz][5-9]/.test(p) ? '' : E_SYNTAX); // an unsupported type is empty, as gdb expects
        const type = Number(m[1]) as PointType;
        const addr = parseHexNumber(m[2]!), len = parseHexNumber(m[3]!);
        if (addr === null || len === null || len > 0x10000) return one(E_SYNTAX);
        const ok = c === 'Z' ? this.t.insertPoint(type, addr, len) : this.t.removePoint(type, addr, len);
        return one(ok ? 'OK' : E_INVAL);
      }
      case 'c':
      case 's':
      case 'C':
      case 'S': {
        // c [ADDR], C SIG[;ADDR]: the signal is not passed (the kernel, not gdb, decides what a fault does).
        const m = c === 'c' || c === 's' ? /^[cs]([0-9a-fA-F]*)$/.exec(p) : /^[CS][0-9a-fA-F]{2}(?:;([0-9a-fA-F]+))?$/.exec(p);
        if (m === null) return one(E_SYNTAX);
        if (m[1] !== undefined && m[1] !== '') {
          const addr = parseHexNumber(m[1]);
          if (addr === null) return one(E_SYNTAX);
          if (!this.ended) this.t.writeRegister(PC_REGNUM, BigInt(addr));
        }
        return this.resume(c === 'c' || c === 'C' ? 'continue' : 'step');
      }
      case 'b':
        if (p === 'bs') return this.resume('reverse-step');
        if (p === 'bc') return this.resume('reverse-continue');
        return one('');
      case 'v':
        return this.vPacket(p, one);
      case 'H':
        return one(/^H[gc](-1|0|[0-9a-fA-F]+)$/.test(p) ? 'OK' : E_SYNTAX);
      case 'T':
        return one(p === `T${this.t.threadId().toString(16)}` && !this.ended ? 'OK' : E_INVAL);
      case 'k':
        return { packets: [], after: 'kill' };
      case 'D':
        return one('OK', 'detach');
      case 'q':
        return this.query(p, one);
      case 'Q':
        if (p === 'QStartNoAckMode') return one('OK', 'no-ack');
        return one('');
      default:
        return one('');
    }
  }

  private async vPacket(p: string, one: (packet: string, after?: After) => Reply): Promise<Reply> {
    if (p === 'vCont?') return one('vCont;c;C;s;S');
    if (p.startsWith('vCont;')) {
      // The first action for our thread (or for all): one thread, so one action.
      const tid = this.t.threadId().toString(16);
      for (const part of p.slice(6).split(';')) {
        const m = /^([cs]|[CS][0-9a-fA-F]{2})(?::(-1|0|[0-9a-fA-F]+))?$/.exec(part);
        if (m === null) return one(E_SYNTAX);
        const who = m[2];
        if (who !== undefined && who !== '-1' && who !== '0' && who.replace(/^0+/, '') !== tid) continue;
        return this.resume(m[1]![0]!.toLowerCase() === 'c' ? 'continue' : 'step');
      }
      return one(E_SYNTAX);
    }
    if (p === 'vMustReplyEmpty') return one('');
    if (p.startsWith('vKill')) return { packets: ['OK'], after: 'kill' };
    return one('');
  }

  private async query(p: string, one: (packet: string, after?: After) => Reply): Promise<Reply> {
    const tid = this.t.threadId().toString(16);
    if (p.startsWith('qSupported')) return one(SUPPORTED);
    if (p === 'qAttached' || p.startsWith('qAttached:')) return one('1');
    if (p === 'qC') return one(`QC${tid}`);
    if (p === 'qfThreadInfo') return one(this.ended ? 'l' : `m${tid}`);
    if (p === 'qsThreadInfo') return one('l');
    if (p === 'qSymbol::') return one('OK');
    if (p.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (m === null) return one(E_SYNTAX);
      if (m[1] !== 'target.xml') return one('E00');
      const off = parseHexNumber(m[2]!), len = parseHexNumber(m[3]!);
      if (off === null || len === null) return one(E_SYNTAX);
      if (off > this.xml.length) return one(E_INVAL);
      const chunk = this.xml.slice(off, off + Math.min(len, MAX_READ));
      return one(`${off + chunk.length >= this.xml.length ? 'l' : 'm'}${escapeBinary(chunk)}`);
    }
    if (p.startsWith('qRcmd,')) {
      const cmd = hexToText(p.slice(6));
      if (cmd === null) return one(E_SYNTAX);
      const text = await this.t.monitor(cmd);
      return { packets: [...consolePackets(text), 'OK'], after: 'none' };
    }
    if (p.startsWith('qThreadExtraInfo,')) return one(textToHex(this.ended ? 'exited' : 'vmlab'));
    return one('');
  }

  private async resume(action: ResumeAction): Promise<Reply> {
    if (this.ended) return { packets: [this.stopReply(this.last)], after: 'none' };
    const s = await this.t.resume(action);
    if (s.kind === 'error') return { packets: [...consolePackets(s.message), E_INVAL], after: 'none' };
    this.last = s;
    if (s.kind !== 'stopped') this.ended = true;
    return { packets: [...(s.kind === 'stopped' ? consolePackets(s.console) : []), this.stopReply(s)], after: 'none' };
  }
}

/** The register names in g order (for messages and tests). */
export const REGISTER_NAMES: readonly string[] = [...GDB_REG_NAMES, 'pc'];
