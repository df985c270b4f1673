// The GDB remote serial protocol's framing (gdb's "Overview" and "Binary
// Data" sections of the RSP appendix): `$payload#cs` with cs the sum of the
// payload's bytes mod 256 in two hex digits, acknowledged with `+` (or `-`
// to ask for it again) until QStartNoAckMode; a lone 0x03 outside a packet
// is an interrupt. Payloads are byte strings: here JS strings of latin1
// code units (one char per byte), so binary X data survives unchanged.
// Nothing here throws on bad input: a bad packet is an event, never a crash.

/** What the byte stream from gdb holds, in order. */
export type Incoming =
  | { kind: 'packet'; payload: string }
  /** A packet whose checksum did not match (answered with `-` in ack mode). */
  | { kind: 'bad-checksum' }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' };

/** Largest packet accepted; a longer one is dropped (gdb sends at most the PacketSize we announce). */
export const MAX_PACKET = 0x4000;

export function checksum(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum = (sum + (payload.charCodeAt(i) & 0xff)) & 0xff;
  return sum;
}

/** `$payload#cs`. A payload holding `$ # } *` must have been escaped (escapeBinary) by whoever made it. */
export function frame(payload: string): string {
  return `$${payload}#${checksum(payload).toString(16).padStart(2, '0')}`;
}

/** Binary data for a packet: `$ # } *` as 0x7d, then the byte xor 0x20 (gdb's "Binary Data"). */
export function escapeBinary(data: string): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    out += c === 0x23 || c === 0x24 || c === 0x7d || c === 0x2a ? `}${String.fromCharCode(c ^ 0x20)}` : data[i];
  }
  return out;
}

/** Undoes escapeBinary (X packets, binary data); a trailing lone `}` is dropped. */
export function unescapeBinary(data: string): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    if (data.charCodeAt(i) === 0x7d) {
      i++;
      if (i < data.length) out += String.fromCharCode(data.charCodeAt(i) ^ 0x20);
    } else out += data[i];
  }
  return out;
}

/**
 * Splits the byte stream from gdb into packets, acks and interrupts. Bytes
 * may arrive in any pieces; garbage between packets is skipped; a packet
 * that grows past MAX_PACKET without its `#` is dropped.
 */
export class PacketDecoder {
  private buf = '';
  /** Inside a packet: the bytes after `$` so far; null between packets. */
  private body: string | null = null;
  /** Checksum digits read after `#` (0..2); -1 before `#`. */
  private csDigits = -1;
  private cs = '';

  /** Feeds bytes (a latin1 string or a Buffer); returns what they complete. */
  push(data: string | Uint8Array): Incoming[] {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    const out: Incoming[] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.body === null) {
        if (ch === '$') {
          this.body = '';
          this.buf = '';
          this.csDigits = -1;
        } else if (ch === '+') out.push({ kind: 'ack' });
        else if (ch === '-') out.push({ kind: 'nack' });
        else if (ch === '\x03') out.push({ kind: 'interrupt' });
        continue; // anything else between packets is noise
      }
      if (this.csDigits < 0) {
        if (ch === '#') {
          this.csDigits = 0;
          this.cs = '';
        } else if (ch === '$') {
          this.buf = ''; // a new packet starts: the unfinished one is dropped
        } else {
          this.buf += ch;
          if (this.buf.length > MAX_PACKET) {
            this.body = null;
            out.push({ kind: 'bad-checksum' });
          }
        }
        continue;
      }
      this.cs += ch;
      if (++this.csDigits < 2) continue;
      const payload = this.buf;
      this.body = null;
      this.buf = '';
      const want = /^[0-9a-fA-F]{2}$/.test(this.cs) ? parseInt(this.cs, 16) : -1;
      out.push(want === checksum(payload) ? { kind: 'packet', payload } : { kind: 'bad-checksum' });
    }
    return out;
  }
}

// ---- hex helpers ------------------------------------------------------------

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes of an even-length hex string, or null when it is not one. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Text as hex (qRcmd's command, O packets' output). */
export function textToHex(text: string): string {
  return toHex(Buffer.from(text, 'utf8'));
}

export function hexToText(hex: string): string | null {
  const b = fromHex(hex);
  return b === null ? null : Buffer.from(b).toString('utf8');
}

/** A 64-bit register value as gdb sends it: 8 bytes, little-endian, in hex. */
export function regToHex(v: bigint): string {
  let s = '';
  let x = BigInt.asUintN(64, v);
  for (let i = 0; i < 8; i++) {
    s += Number(x & 0xffn).toString(16).padStart(2, '0');
    x >>= 8n;
  }
  return s;
}

/** The value of 16 little-endian hex digits, or null. */
export function hexToReg(hex: string): bigint | null {
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) return null;
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return v;
}

/** A big-endian hex number as gdb writes addresses and lengths (at most 16 digits), or null. */
export function parseHexNumber(text: string): number | null {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) return null;
  const v = BigInt(`0x${text}`);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v);
}
