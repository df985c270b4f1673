// `vmlab dap`'s reading side of the protocol: Content-Length framed JSON
// messages from stdin, made into requests for the SDK's session
// (session.handleMessage). The SDK's own reader takes a header at its word
// and a message it cannot parse as the end of the session (an 'error' event
// that shuts it down); this one says what was wrong on one line and finds
// the next message, so that no input stops or wedges the adapter:
// - a header without a Content-Length of at most MAX_BODY bytes is skipped,
//   and reading goes on at the next `Content-Length:`;
// - a body cut short by the next message (a complete header inside the
//   bytes it claims: no JSON text holds one, raw CR LF being invalid in a
//   JSON string) ends where that message starts;
// - a body that is not JSON, or JSON that is not a DAP request or response
//   (no whole-number seq, no command string), is dropped with its reason.
// A request with arguments of the wrong shape is still a request: it is
// delivered, and the session answers it with an error.
import type { DebugProtocol } from '@vscode/debugprotocol';

/** The largest body accepted (VS Code's messages are a few KiB; setBreakpoints of a large file some more). */
export const MAX_BODY = 1 << 24;
/** The longest header that can be one: `Content-Length: N` and perhaps a Content-Type. */
const MAX_HEADER = 1024;
const HEADER = /Content-Length: *(\d+)\r\n(?:[^\r\n]*\r\n)*?\r\n/;
const CRLF2 = Buffer.from('\r\n\r\n');
const MARK = Buffer.from('Content-Length:');

export class DapFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** The body's length once a header is read; -1 while reading a header. */
  private need = -1;

  private readonly complain: (why: string) => void;

  /** `complain` gets one line (control characters of the input escaped) for each thing dropped. */
  constructor(
    private readonly deliver: (m: DebugProtocol.ProtocolMessage) => void,
    complain: (why: string) => void,
  ) {
    this.complain = (why) => complain(why.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)));
  }

  feed(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.need < 0) {
        if (!this.header()) return;
      } else if (!this.body()) return;
    }
  }

  /** Reads a header; false when more bytes are needed. */
  private header(): boolean {
    const end = this.buf.indexOf(CRLF2);
    if (end < 0) {
      if (this.buf.length <= MAX_HEADER) return false;
      this.complain(`a header longer than ${MAX_HEADER} bytes: skipped`);
      this.resync(1);
      return true;
    }
    const text = this.buf.toString('latin1', 0, end);
    const m = /^Content-Length: *(\d+)$/im.exec(text);
    const n = m === null ? NaN : Number(m[1]);
    // Two Content-Length lines: a header cut short, then the next one.
    const twice = (text.match(/Content-Length:/gi) ?? []).length > 1;
    if (m === null || twice || !Number.isSafeInteger(n) || n > MAX_BODY || end > MAX_HEADER) {
      this.complain(m === null || twice ? `a header without one Content-Length: ${JSON.stringify(text.slice(0, 80))}` : `a Content-Length of ${m[1]!.slice(0, 20)} (at most ${MAX_BODY}): skipped`);
      this.resync(1);
      return true;
    }
    this.buf = this.buf.subarray(end + CRLF2.length);
    this.need = n;
    return true;
  }

  /** Reads a body; false when more bytes are needed. */
  private body(): boolean {
    // A complete header that starts inside the bytes the body claims: the body was cut short there.
    const cut = this.headerWithin(this.need);
    if (cut >= 0) {
      this.complain(`a message cut short after ${cut} of its ${this.need} bytes: dropped`);
      this.buf = this.buf.subarray(cut);
      this.need = -1;
      return true;
    }
    if (this.buf.length < this.need) return false;
    const text = this.buf.toString('utf8', 0, this.need);
    this.buf = this.buf.subarray(this.need);
    this.need = -1;
    if (text.length === 0) {
      this.complain('an empty message: dropped');
      return true;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      // The start of the next header may be the body's last bytes (the rest not read yet): read it again.
      const tail = headerPrefixAt(text);
      if (tail >= 0) this.buf = Buffer.concat([Buffer.from(text.slice(tail), 'utf8'), this.buf]);
      this.complain(`a message that is not JSON (${e instanceof Error ? e.message : String(e)}): dropped`);
      return true;
    }
    const why = notAMessage(msg);
    if (why !== null) this.complain(`${why}: dropped`);
    else this.deliver(msg as DebugProtocol.ProtocolMessage);
    return true;
  }

  /** Where a complete header starts within the first n bytes, or -1. */
  private headerWithin(n: number): number {
    for (let at = this.buf.indexOf(MARK); at >= 0 && at < n; at = this.buf.indexOf(MARK, at + 1)) {
      if (headerAt(this.buf, at)) return at;
    }
    return -1;
  }

  /** Drops bytes up to the next `Content-Length:` from `from` on (all of them if there is none). */
  private resync(from: number): void {
    const at = this.buf.indexOf(MARK, from);
    if (at >= 0) this.buf = this.buf.subarray(at);
    else {
      // Keep only an end that may be the mark's beginning (it holds no CR LF: the loop moves on).
      let keep = Math.min(MARK.length - 1, this.buf.length);
      while (keep > 0 && !this.buf.subarray(this.buf.length - keep).equals(MARK.subarray(0, keep))) keep--;
      this.buf = this.buf.subarray(this.buf.length - keep);
    }
    this.need = -1;
  }
}

/** Whether a whole header starts at `at`: Content-Length, digits, perhaps other header lines, the blank line. */
function headerAt(buf: Buffer, at: number): boolean {
  const m = HEADER.exec(buf.toString('latin1', at, Math.min(buf.length, at + MAX_HEADER)));
  return m !== null && m.index === 0;
}

/** Where the body's text ends in the beginning of a header (`Content-Le`, `Content-Length: 12\r\n`), or -1. */
function headerPrefixAt(text: string): number {
  for (let i = Math.max(0, text.length - 40); i < text.length; i++) {
    const t = text.slice(i);
    if ('Content-Length: '.startsWith(t) || /^Content-Length: *\d+(\r(\n(\r)?)?)?$/.test(t)) return i;
  }
  return -1;
}

/** Why a parsed message is not one a client sends (a request, or a response to a reverse request); null when it is. */
function notAMessage(m: unknown): string | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'a message that is not a JSON object';
  const o = m as Record<string, unknown>;
  if (!Number.isSafeInteger(o.seq)) return 'a message without a whole-number "seq"';
  if (o.type === 'request') return typeof o.command === 'string' ? null : 'a request without a "command" string';
  if (o.type === 'response') return Number.isSafeInteger(o.request_seq) && typeof o.command === 'string' ? null : 'a response without "request_seq" and "command"';
  return `a message of type ${JSON.stringify(o.type)} (a client sends requests and responses)`;
}
