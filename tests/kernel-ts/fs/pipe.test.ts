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

function fake(): { k: PipeKernel; log: string[]; as: (name: string) => void } {
  const log: string[] = [];
  let current: Task | null = null;
  const k: PipeKernel = {
    get current() {
      return current;
    },
    sleep: (t, q) => log.push(`sleep ${(t as unknown as { name: string }).name} ${q}`),
    wakeUp: (t) => log.push(`wake ${(t as unknown as { name: string }).name}`),
    sigpipe: (t) => log.push(`SIGPIPE ${(t as unknown as { name: string }).name}`),
  };
  return { k, log, as: (name) => (current = { name } as unknown as Task) };
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

  it('full: a write of up to PIPE_BUF bytes waits for room for all of it; a larger one takes what fits; O_NONBLOCK says -EAGAIN', () => {
    const { k, log, as } = fake();
    const p = new PipeFs(k).createPipeFiles(0);
    as('w');
    expect(write(p.write, new Uint8Array(PIPE_DEF_SIZE - 100))).toBe(PIPE_DEF_SIZE - 100);
    expect(write(p.write, new Uint8Array(PIPE_BUF))).toBe(RESTART);
    expect(log).toEqual(['sleep w pipe_write']);
    expect(write(p.write, new Uint8Array(PIPE_BUF + 1))).toBe(100);
    as('r');
    expect((read(p.read, 5000) as Uint8Array).length).toBe(5000);
    expect(log).toContain('wake w');
    const nb = new PipeFs(k).createPipeFiles(O_NONBLOCK);
    expect(read(nb.read, 1)).toBe(-EAGAIN);
    write(nb.write, new Uint8Array(PIPE_DEF_SIZE));
    expect(write(nb.write, 'z')).toBe(-EAGAIN);
  });
});
