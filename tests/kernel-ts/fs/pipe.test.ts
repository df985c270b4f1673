// Pipes (kernel-ts/fs/pipe.ts) over a fake kernel: what blocks and what wakes
// whom, EOF and EPIPE, PIPE_BUF atomicity. The same calls end to end, with
// fork and a blocking read, are in guest-programs/libc-tests/files.c
// (tests/guest/libc-c.test.ts).
import { describe, expect, it } from 'vitest';
import { PIPE_BUF, PIPE_DEF_SIZE, PipeFs } from '../../../kernel-ts/fs/pipe';
import type { PipeKernel } from '../../../kernel-ts/fs/pipe';
import { O_NONBLOCK, fput } from '../../../kernel-ts/fs/file';
import type { File } from '../../../kernel-ts/fs/file';
import { S_IFIFO } from '../../../kernel-ts/fs/stat';
import type { Task } from '../../../kernel-ts/proc/task';
import { EAGAIN, EPIPE } from '../../../kernel-ts/errno';

const RESTART = -512;

/** A fake kernel; `as(name)` makes a task current (one object per name, so it keeps its partialWrite), `signal(name)` makes one pending. */
function fake(): { k: PipeKernel; log: string[]; as: (name: string) => Task; signal: (name: string) => void } {
  const log: string[] = [];
  const tasks = new Map<string, Task>();
  const pending = new Set<string>();
  let current: Task | null = null;
  const nameOf = (t: Task): string => (t as unknown as { name: string }).name;
  const k: PipeKernel = {
    get current() {
      return current;
    },
    sleep: (t, q) => log.push(`sleep ${(t as unknown as { name: string }).name} ${q}`),
    wakeUp: (t) => log.push(`wake ${(t as unknown as { name: string }).name}`),
    sigpipe: (t) => log.push(`SIGPIPE ${(t as unknown as { name: string }).name}`),
    signalPending: (t) => pending.has(nameOf(t)),
  };
  const as = (name: string): Task => {
    if (!tasks.has(name)) tasks.set(name, { name, partialWrite: null } as unknown as Task);
    return (current = tasks.get(name)!);
  };
  return { k, log, as, signal: (name) => pending.add(name) };
}

const read = (f: File, n: number): Uint8Array | number => {
  const buf = new Uint8Array(n);
  const r = f.fop.read!(f, buf, { pos: 0 });
  return r < 0 ? r : buf.subarray(0, r);
};
const write = (f: File, bytes: Uint8Array | string): number =>
  f.fop.write!(f, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, { pos: 0 });

describe('pipe', () => {
  it('an empty pipe puts the reader to sleep; a write wakes it and the read then gets the bytes', () => {
    const { k, log, as } = fake();
    const { read: r, write: w } = new PipeFs(k).createPipeFiles(0);
    expect(r.inode.mode).toBe(S_IFIFO | 0o600);
    expect([r.readable, r.writable, w.readable, w.writable]).toEqual([true, false, false, true]);
    as('reader');
    expect(read(r, 10)).toBe(RESTART);
    expect(log).toEqual(['sleep reader pipe_read']);
    as('writer');
    expect(write(w, 'abc')).toBe(3);
    expect(log).toEqual(['sleep reader pipe_read', 'wake reader']);
    as('reader');
    expect(new TextDecoder().decode(read(r, 2) as Uint8Array)).toBe('ab');
    expect(new TextDecoder().decode(read(r, 10) as Uint8Array)).toBe('c');
  });

  it('EOF once every writer is gone (after the data); -EPIPE and SIGPIPE once every reader is', () => {
    const { k, log, as } = fake();
    const p = new PipeFs(k).createPipeFiles(0);
    as('w');
    write(p.write, 'x');
    fput(p.write);
    expect((read(p.read, 4) as Uint8Array).length).toBe(1);
    expect((read(p.read, 4) as Uint8Array).length).toBe(0);
    const q = new PipeFs(k).createPipeFiles(0);
    fput(q.read);
    expect(write(q.write, 'y')).toBe(-EPIPE);
    expect(log).toContain('SIGPIPE w');
  });

  it('full: a write of up to PIPE_BUF bytes waits for room for all of it; O_NONBLOCK says -EAGAIN, or takes what fits', () => {
    const { k, log, as } = fake();
    const p = new PipeFs(k).createPipeFiles(0);
    as('w');
    expect(write(p.write, new Uint8Array(PIPE_DEF_SIZE - 100))).toBe(PIPE_DEF_SIZE - 100);
    expect(write(p.write, new Uint8Array(PIPE_BUF))).toBe(RESTART);
    expect(log).toEqual(['sleep w pipe_write']);
    as('r');
    expect((read(p.read, 5000) as Uint8Array).length).toBe(5000);
    expect(log).toContain('wake w');
    as('w');
    expect(write(p.write, new Uint8Array(PIPE_BUF))).toBe(PIPE_BUF);
    const nb = new PipeFs(k).createPipeFiles(O_NONBLOCK);
    expect(read(nb.read, 1)).toBe(-EAGAIN);
    expect(write(nb.write, new Uint8Array(PIPE_DEF_SIZE + 5))).toBe(PIPE_DEF_SIZE);
    expect(write(nb.write, 'z')).toBe(-EAGAIN);
    expect(write(nb.write, new Uint8Array(PIPE_BUF + 1))).toBe(-EAGAIN);
  });

  /** n bytes 0, 1, 2, ... (mod 251, so no two pages look alike). */
  const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i % 251);

  it('a blocking write larger than PIPE_BUF sleeps for room as often as it takes, goes on where it was, and returns the whole count', () => {
    const { k, log, as } = fake();
    const p = new PipeFs(k).createPipeFiles(0);
    const data = pattern(3 * PIPE_DEF_SIZE + 10);
    const w = as('w');
    expect(write(p.write, data)).toBe(RESTART); // the call is re-issued whole, with the same bytes, after each wake
    expect(w.partialWrite).toEqual({ inode: p.write.inode, done: PIPE_DEF_SIZE });
    const got = new Uint8Array(data.length);
    let have = 0;
    const drain = (): number => {
      const chunk = read(p.read, 30000) as Uint8Array;
      got.set(chunk, have);
      have += chunk.length;
      return chunk.length;
    };
    let calls = 1;
    for (;;) {
      as('r');
      drain();
      as('w');
      calls++;
      const r = write(p.write, data);
      if (r !== RESTART) {
        expect(r).toBe(data.length);
        break;
      }
    }
    as('r');
    while (have < data.length && drain() > 0);
    expect(have).toBe(data.length);
    expect(got.findIndex((b, i) => b !== data[i])).toBe(-1);
    // 65536 bytes at the first call, then 30000 each time the reader makes room: 65536 + 5 * 30000 >= 196618.
    expect(calls).toBe(6);
    expect(log.filter((l) => l === 'sleep w pipe_write')).toHaveLength(5);
  });

  it('a big write a signal interrupts returns what it wrote; with nothing written it sleeps (and the signal makes it -EINTR)', () => {
    const { k, as, signal } = fake();
    const p = new PipeFs(k).createPipeFiles(0);
    const data = pattern(PIPE_DEF_SIZE + 100);
    as('w');
    expect(write(p.write, data)).toBe(RESTART);
    signal('w');
    expect(write(p.write, data)).toBe(PIPE_DEF_SIZE); // woken by the signal, still no room
    const q = new PipeFs(k).createPipeFiles(0);
    expect(write(q.write, new Uint8Array(PIPE_DEF_SIZE))).toBe(PIPE_DEF_SIZE);
    expect(write(q.write, data)).toBe(RESTART); // nothing written yet: the signal path says -EINTR (signal.ts)
    const r = new PipeFs(k).createPipeFiles(0);
    expect(write(r.write, data)).toBe(PIPE_DEF_SIZE); // room for some, a signal pending: no sleep
  });

  it('the last reader gone half-way: SIGPIPE, and the count written, not -EPIPE', () => {
    const { k, log, as } = fake();
    const p = new PipeFs(k).createPipeFiles(0);
    const data = pattern(PIPE_DEF_SIZE + 100);
    as('w');
    expect(write(p.write, data)).toBe(RESTART);
    fput(p.read);
    expect(write(p.write, data)).toBe(PIPE_DEF_SIZE);
    expect(log).toContain('SIGPIPE w');
  });
});
