// execve's argument copying (kernel-ts/proc/bprm.ts): ARG_MAX holds the
// strings and their pointers, every string is measured before it is copied,
// and the work is bounded by ARG_MAX whatever the argv array claims. Work is
// counted as the user-page translations the kernel makes (Mmu.tryTranslate)
// and the bytes it copies in (copyFromUser), never as time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { E2BIG, EFAULT, ENOENT } from '../../../kernel-ts/errno';
import { ARG_MAX, MAX_ARG_STRLEN } from '../../../kernel-ts/proc/exec';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { SYSCALL_NORETURN } from '../../../kernel-ts/syscalls/table';
import type { Kernel } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import { bootKernel, call, elfOf, framesAfter, prog, spawned } from './helpers';
import { TWO32 } from '../../../emu/machine/cpu/int64';

const PAGE = 4096;
const PROT_RW = 3;
const MAP_PRIVATE_ANON = 0x22;
/** What a successful execve returns to the dispatcher (the registers are the new program's). */
const OK = SYSCALL_NORETURN;

/** An anonymous read-write mapping of len bytes in t, filled with bytes. */
function mapBytes(k: Kernel, t: Task, bytes: Uint8Array): number {
  const addr = call(k, t, NR.mmap, 0, Math.ceil((bytes.length + 1) / PAGE) * PAGE, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
  expect(addr).toBeGreaterThan(0);
  expect(k.mm.copyToUser(t.mm!, addr, bytes)).toBe(0);
  return addr;
}

/** A NUL-terminated string of n 'a's (n + 1 bytes with the NUL). */
function aString(n: number): Uint8Array {
  const b = new Uint8Array(n + 1).fill(0x61);
  b[n] = 0;
  return b;
}

/** A NULL-terminated pointer array. */
function pointers(ptrs: readonly number[]): Uint8Array {
  const b = new Uint8Array(8 * (ptrs.length + 1));
  const dv = new DataView(b.buffer);
  ptrs.forEach((p, i) => {
    dv.setUint32(8 * i, p % TWO32, true);
    dv.setUint32(8 * i + 4, Math.floor(p / TWO32), true);
  });
  return b;
}

/** Counts what execve does to user memory: page translations and bytes copied in. */
function meter(k: Kernel): { translations: () => number; copiedIn: () => number } {
  const tr = vi.spyOn(k.mm.mmu, 'tryTranslate');
  let copied = 0;
  const real = k.mm.copyFromUser.bind(k.mm);
  vi.spyOn(k.mm, 'copyFromUser').mockImplementation((mm, uaddr, len) => {
    copied += len;
    return real(mm, uaddr, len);
  });
  return { translations: () => tr.mock.calls.length, copiedIn: () => copied };
}

/** execve(path, argv, envp) from t; the path is placed in t's memory first (see `paths`). */
function execve(k: Kernel, t: Task, path: string, argv: number, envp: number): number {
  return call(k, t, NR.execve, paths(k, t)[path]!, argv, envp);
}

/** "/bin/p" and "/bin/none" in t's memory, mapped once per task. */
const pathCache = new WeakMap<Task, Record<string, number>>();
function paths(k: Kernel, t: Task): Record<string, number> {
  let p = pathCache.get(t);
  if (p === undefined) {
    const at = mapBytes(k, t, new TextEncoder().encode('/bin/p\0/bin/none\0'));
    p = { '/bin/p': at, '/bin/none': at + 7 };
    pathCache.set(t, p);
  }
  return p;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('execve argument limits', () => {
  it('a million argv pointers to one 128 KiB string: -E2BIG after reading ARG_MAX of pointers and no string', () => {
    const { k, t } = spawned();
    const s = mapBytes(k, t, aString(MAX_ARG_STRLEN - 1));
    const argv = mapBytes(k, t, pointers(new Array<number>(1 << 20).fill(s)));
    paths(k, t);
    const m = meter(k);
    expect(execve(k, t, '/bin/p', argv, 0)).toBe(-E2BIG);
    // The path's page, then ARG_MAX / 8 pointers: one translation per page of them.
    expect(m.translations()).toBeLessThanOrEqual(1 + ARG_MAX / PAGE + 1);
    expect(m.copiedIn()).toBeLessThanOrEqual(ARG_MAX);
    expect(t.comm).toBe('p'); // the old image is untouched
  });

  it('copies strings only while they fit: 20 pointers to a MAX_ARG_STRLEN string stop at the 16th, measured, never copied', () => {
    const { k, t } = spawned();
    const s = mapBytes(k, t, aString(MAX_ARG_STRLEN - 1));
    const argv = mapBytes(k, t, pointers(new Array<number>(20).fill(s)));
    paths(k, t);
    const m = meter(k);
    const measured = vi.spyOn(k.mm, 'strnlenUser');
    expect(execve(k, t, '/bin/p', argv, 0)).toBe(-E2BIG);
    // room = ARG_MAX - 21 pointers - "/bin/p\0": 15 strings of 128 KiB fit, the 16th does not.
    expect(measured.mock.calls.length).toBe(16);
    expect(m.copiedIn()).toBeLessThanOrEqual(15 * MAX_ARG_STRLEN + PAGE);
  });

  it('a string of MAX_ARG_STRLEN bytes without its NUL is -E2BIG, one byte shorter is accepted', () => {
    const { k, t } = spawned();
    const long = mapBytes(k, t, aString(MAX_ARG_STRLEN));
    expect(execve(k, t, '/bin/p', mapBytes(k, t, pointers([long])), 0)).toBe(-E2BIG);
    expect(execve(k, t, '/bin/p', mapBytes(k, t, pointers([long + 1])), 0)).toBe(OK);
  });

  // argc = 17, envc = 0: room = ARG_MAX - 17 * 8 - "/bin/p\0" = 2097009 = 15 * 131072 + 2 + 130927.
  const fitting = (extra: number): number[] => [2, ...new Array<number>(15).fill(MAX_ARG_STRLEN), 130927 + extra];

  it('strings and pointers filling ARG_MAX exactly are accepted; one byte more is -E2BIG (execve)', () => {
    for (const [extra, want] of [[0, OK], [1, -E2BIG]] as const) {
      const { k, t } = spawned();
      const s = mapBytes(k, t, aString(MAX_ARG_STRLEN - 1));
      // A pointer into the run of 'a's is a string of any length up to MAX_ARG_STRLEN.
      const argv = mapBytes(k, t, pointers(fitting(extra).map((len) => s + MAX_ARG_STRLEN - len)));
      expect(execve(k, t, '/bin/p', argv, 0)).toBe(want);
      if (want === OK) expect(t.mm!.argEnd - t.mm!.argStart).toBe(ARG_MAX - 17 * 8 - 7);
    }
  });

  it('the same bound for a program the host spawns', () => {
    const b = bootKernel();
    b.k.vfs.addExecutable('/bin/p', elfOf(prog('        li a0, 0\n        li a7, SYS_exit\n        ecall')));
    const args = (extra: number): string[] => fitting(extra).map((len) => 'a'.repeat(len - 1));
    expect(b.k.spawn('/bin/p', args(1), [])).toBe(-E2BIG);
    const t = b.k.spawn('/bin/p', args(0), []);
    if (typeof t === 'number') throw new Error(`spawn: ${t}`);
    expect(t.mm!.argEnd - t.mm!.argStart).toBe(ARG_MAX - 17 * 8 - 7);
    b.k.run();
    expect(framesAfter(b.k)).toBe(b.baseline);
  });

  it('pointers alone reaching ARG_MAX are -E2BIG before any string is looked at, envp counted with argv', () => {
    const { k, t } = spawned();
    const s = mapBytes(k, t, aString(0));
    const half = mapBytes(k, t, pointers(new Array<number>(ARG_MAX / 16).fill(s)));
    const measured = vi.spyOn(k.mm, 'strnlenUser');
    expect(execve(k, t, '/bin/p', half, half)).toBe(-E2BIG);
    expect(measured).not.toHaveBeenCalled();
    // 116000 + 116000 empty strings: 9 bytes each with its pointer, "/bin/p" 7: 2088007 <= ARG_MAX.
    const many = mapBytes(k, t, pointers(new Array<number>(116000).fill(s)));
    expect(execve(k, t, '/bin/p', many, many)).toBe(OK);
  });
});

describe('execve argument copying', () => {
  it('passes bytes that are not UTF-8 through unchanged', () => {
    const { k, t } = spawned();
    const s = mapBytes(k, t, Uint8Array.from([0xff, 0xfe, 0x80, 0x41, 0]));
    expect(execve(k, t, '/bin/p', mapBytes(k, t, pointers([s])), 0)).toBe(OK);
    const args = k.mm.copyFromUser(t.mm!, t.mm!.argStart, t.mm!.argEnd - t.mm!.argStart);
    expect([...(args as Uint8Array)]).toEqual([0xff, 0xfe, 0x80, 0x41, 0]);
  });

  it('-EFAULT for an unreadable pointer array or string; the file is opened first (-ENOENT)', () => {
    const { k, t } = spawned();
    const unmapped = 0x100000000;
    expect(execve(k, t, '/bin/p', unmapped, 0)).toBe(-EFAULT);
    expect(execve(k, t, '/bin/p', 0, unmapped)).toBe(-EFAULT);
    expect(execve(k, t, '/bin/p', mapBytes(k, t, pointers([unmapped])), 0)).toBe(-EFAULT);
    expect(execve(k, t, '/bin/none', unmapped, 0)).toBe(-ENOENT);
  });

  it('an unaligned pointer array, one pointer straddling two pages, is read whole', () => {
    const { k, t } = spawned();
    const s = mapBytes(k, t, aString(3));
    const arr = call(k, t, NR.mmap, 0, 2 * PAGE, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    // 3 pointers, the second straddling the page boundary (an unaligned array).
    const start = arr + PAGE - 12;
    expect(k.mm.copyToUser(t.mm!, start, pointers([s, s, s]))).toBe(0);
    expect(execve(k, t, '/bin/p', start, 0)).toBe(OK);
    expect(t.mm!.argEnd - t.mm!.argStart).toBe(3 * 4);
  });

  it('a NULL argv starts the program with argv[0] = "" and a warning', () => {
    const { k, t } = spawned();
    expect(execve(k, t, '/bin/p', 0, 0)).toBe(OK);
    expect(t.mm!.argEnd - t.mm!.argStart).toBe(1);
    expect(k.printk.all().map((r) => r.text)).toContain("process 'p' launched '/bin/p' with NULL argv: empty string added");
  });

  it('a relative path starts at the working directory, as open(2) does', () => {
    const { k, t } = spawned();
    /** path's string in t's memory (each exec replaces the memory). */
    const str = (path: string): number => mapBytes(k, t, new TextEncoder().encode(`${path}\0`));
    expect(call(k, t, NR.chdir, str('/bin'))).toBe(0);
    expect(call(k, t, NR.execve, str('p'), 0, 0)).toBe(OK);
    expect(t.comm).toBe('p');
    expect(call(k, t, NR.execve, str('./p'), 0, 0)).toBe(OK);
    expect(call(k, t, NR.execve, str('../bin/p'), 0, 0)).toBe(OK);
    expect(call(k, t, NR.chdir, str('/tmp'))).toBe(0);
    expect(call(k, t, NR.execve, str('p'), 0, 0)).toBe(-ENOENT);
    expect(call(k, t, NR.execve, str('/bin/p'), 0, 0)).toBe(OK);
  });
});
