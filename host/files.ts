// Reading files of the host machine: the one road every vmlab tool takes to a
// path the user named (a program to run, sources to assemble, an .include,
// a script, a module, a conformance file, a source line for the debugger).
//
// Only a regular file is read, and at most a bounded number of bytes of it:
// /dev/zero, /dev/urandom, a FIFO or a terminal is refused with one line
// saying what it is and what was expected, before anything is read (a FIFO
// is opened non-blocking, so not even the open waits for a writer), and a
// file that grows past the bound while being read is refused too.
//
// This folder depends on Node only, so every layer may use it: asm (which may
// not import emu/cli), kernel-ts (which may not import a front end) and the
// front ends.
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { Transform } from 'node:stream';

/** The most bytes vmlab reads from one host file (programs, sources, scripts are far smaller). */
export const HOST_FILE_LIMIT = 64 * 1024 * 1024;

/** A host file's contents, or why it was not read: a reason to print after `PATH: `. */
export type HostFile<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Whether anything is at `path` on the host (a program the shell may load from the host). */
export function hostFileExists(path: string): boolean {
  return existsSync(path);
}

/** What kind of file st is, in words ('a character device'); null for a regular file. */
function notRegular(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeWords(limit: number): string {
  return limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`;
}

/** The refusal for st (a kind of file, or a size over limit), or null when it may be read. */
function refusal(st: Stats, expected: string, limit: number): string | null {
  if (st.isDirectory()) return 'is a directory';
  const kind = notRegular(st);
  if (kind !== null) return `is ${kind}, not ${expected}`;
  if (st.size > limit) return `is larger than ${sizeWords(limit)}, too large for ${expected}`;
  return null;
}

function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot read (${code ?? (e instanceof Error ? e.message : String(e))})`;
}

/**
 * Checks that `path` is a regular file of at most `limit` bytes without
 * opening it, for readers that hand the path to another tool (esbuild for
 * insmod). Its size, or the reason it will not be read.
 */
export function statHostFile(path: string, expected: string, limit = HOST_FILE_LIMIT): HostFile<number> {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
  const r = refusal(st, expected, limit);
  return r === null ? { ok: true, value: st.size } : { ok: false, reason: r };
}

/**
 * The bytes of the regular file at `path` (at most `limit` of them), or the
 * reason it is not read: no such file, a directory, a device/FIFO/socket
 * ("is a character device, not EXPECTED"), or too large. `expected` says
 * what the caller wanted ("an ELF executable").
 */
export function readHostBytes(path: string, expected: string, limit = HOST_FILE_LIMIT): HostFile<Uint8Array> {
  const pre = statHostFile(path, expected, limit);
  if (!pre.ok) return pre;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
  try {
    // The path may have changed since the stat: judge what was opened.
    const r = refusal(fstatSync(fd), expected, limit);
    if (r !== null) return { ok: false, reason: r };
    let buf = new Uint8Array(Math.min(limit + 1, Math.max(pre.value + 1, 4096)));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > limit) return { ok: false, reason: `is larger than ${sizeWords(limit)}, too large for ${expected}` };
        const next = new Uint8Array(Math.min(limit + 1, buf.length * 2));
        next.set(buf);
        buf = next;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > limit) return { ok: false, reason: `is larger than ${sizeWords(limit)}, too large for ${expected}` };
    return { ok: true, value: buf.subarray(0, n) };
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  } finally {
    closeSync(fd);
  }
}

/** readHostBytes decoded as UTF-8 (malformed sequences become U+FFFD, as Node's 'utf8' reading does). */
export function readHostText(path: string, expected: string, limit = HOST_FILE_LIMIT): HostFile<string> {
  const r = readHostBytes(path, expected, limit);
  return r.ok ? { ok: true, value: new TextDecoder().decode(r.value) } : r;
}

/** The longest line vmlab takes from a stream of commands (the shell's or the debugger's stdin). */
export const HOST_LINE_LIMIT = 1024 * 1024;

/**
 * A stream of `input`'s bytes that ends after `onTooLong` is called when a
 * line runs past `limit` bytes, so a line reader over it (readline) never
 * holds more than that: `vmlab shell < /dev/zero` would otherwise buffer one
 * endless line.
 */
export function lineBounded(input: NodeJS.ReadableStream, onTooLong: () => void, limit = HOST_LINE_LIMIT): NodeJS.ReadableStream {
  let run = 0;
  let over = false;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done): void {
      if (over) return done();
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        const end = nl < 0 ? chunk.length : nl;
        run += end - from;
        if (run > limit) {
          over = true;
          this.push(chunk.subarray(0, from));
          input.unpipe?.(out);
          onTooLong();
          this.push(null);
          return done();
        }
        if (nl < 0) break;
        run = 0;
        from = nl + 1;
      }
      done(null, chunk);
    },
  });
  input.pipe(out);
  return out;
}
