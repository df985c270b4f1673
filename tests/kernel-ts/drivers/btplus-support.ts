// Test support for btplus (kernel-ts/drivers/btplus*.ts, a driver written
// against vmlab/linux, loaded by insmod as the shell loads it): a process
// exec'd but not run, as `current`, and the driver reached as a program
// reaches it — open/ioctl/close of /dev/btplus and write/read of
// /sys/kernel/kobject_cs614/promote through the system calls.
import { expect } from 'vitest';
import { Kernel } from '../../../kernel-ts/kernel';
import { runKthreads } from '../../../kernel-ts/kthread';
import type { Task } from '../../../kernel-ts/proc/task';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, doMmap } from '../../../kernel-ts/mm/mmap';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../kernel-ts/syscalls/fs';
import { O_RDONLY, O_RDWR, O_WRONLY } from '../../../kernel-ts/fs/file';
import { builtinModules } from '../../../emu/cli/builtins';
import { TEST_MEM } from '../../support/kernel';
import { programElf } from './physicalview-support';
import { getString, putString, sys } from '../module/linux/support';

const HOLD = programElf('mtest-hold');

/** The driver's ioctl numbers (asm-generic/ioctl.h encoding, type 'b'), as the lab's header defines them. */
export const IOCTL_MVE_VMA_TO = 0x40106201;
export const IOCTL_MVE_VMA = 0xc0106202;
export const IOCTL_PROMOTE_VMA = 0x6203;
export const IOCTL_COMPACT_VMA = 0xc0186204;
export const BTPLUS_WALK = 0xc0186205;
export const PROMOTE = '/sys/kernel/kobject_cs614/promote';
/** btplus-huge.ts's PROMOTE_POLL_MS: how often the promotion thread looks at its process when nothing wakes it. */
export const PROMOTE_POLL_MS = 10;

export interface Setup {
  b: { k: Kernel };
  t: Task;
  /** ioctl(fd of /dev/btplus, cmd, arg), the file opened and closed around it. */
  ioctl: (cmd: number, arg: number) => number;
  mmapAnon: (len: number, addr?: number) => number;
  put64: (va: number, v: number) => void;
  get64: (va: number) => number;
  /** A page of the process for the system calls' paths and buffers. */
  scratch: number;
}

/** Boots (256 MiB, seed 1), insmods btplus, makes a process exec'd but not run its `current`. */
export function setup(): Setup {
  const k = Kernel.boot({ memSize: TEST_MEM, seed: 1, builtinModules: builtinModules(), stdout: () => {}, stderr: () => {} });
  const err: string[] = [];
  const r = k.modules.insmod('btplus', [], (l) => err.push(l));
  if (r !== 0) throw new Error(`insmod btplus: ${r} ${err.join('\n')}`);
  k.vfs.addExecutable('/bin/hold', HOLD);
  const t = k.spawn('/bin/hold', ['hold'], ['HOME=/']);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  k.current = t;
  const kmm = k.mm;
  const mmapAnon = (len: number, addr = 0): number =>
    doMmap(kmm, t.mm!, addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED : 0), null, 0);
  const scratch = mmapAnon(4096, 0x7f0000000);
  // Faulted in now, so the tests' counts of pages (rss, free frames) taken after setup do not see it arrive.
  expect(kmm.putUser64(t.mm!, scratch, 0)).toBe(0);
  return {
    b: { k },
    t,
    ioctl: (cmd, arg) => {
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, scratch, '/dev/btplus'), O_RDWR);
      if (fd < 0) throw new Error(`open /dev/btplus: ${fd}`);
      const res = sys(k, t, NR.ioctl, fd, cmd, arg);
      sys(k, t, NR.close, fd);
      return res;
    },
    mmapAnon,
    put64: (va, v) => expect(kmm.putUser64(t.mm!, va, v)).toBe(0),
    get64: (va) => Number(kmm.getUser64(t.mm!, va)),
    scratch,
  };
}

/** Writes u64 fields at user address `at`. */
export function putStruct(s: Setup, at: number, ...fields: number[]): void {
  fields.forEach((f, i) => s.put64(at + 8 * i, f));
}

/** BTPLUS_WALK: the level of the leaf mapping va (1 = PTE, 2 = a 2 MiB PMD, 0 = none). */
export function level(s: Setup, va: number): number {
  const arg = s.scratch + 2048;
  putStruct(s, arg, va, 0, 0);
  expect(s.ioctl(BTPLUS_WALK, arg)).toBe(0);
  return s.get64(arg + 16);
}

/** echo TEXT > /sys/kernel/kobject_cs614/promote: write's result. */
export function writePromote(s: Setup, text: string): number {
  const { k } = s.b;
  const fd = sys(k, s.t, NR.openat, AT_FDCWD, putString(k, s.t, s.scratch, PROMOTE), O_WRONLY);
  if (fd < 0) return fd;
  putString(k, s.t, s.scratch + 1024, text);
  const r = sys(k, s.t, NR.write, fd, s.scratch + 1024, text.length);
  sys(k, s.t, NR.close, fd);
  return r;
}

/** cat /sys/kernel/kobject_cs614/promote. */
export function readPromote(s: Setup): string {
  const { k } = s.b;
  const fd = sys(k, s.t, NR.openat, AT_FDCWD, putString(k, s.t, s.scratch, PROMOTE), O_RDONLY);
  if (fd < 0) throw new Error(`open ${PROMOTE}: ${fd}`);
  const n = sys(k, s.t, NR.read, fd, s.scratch + 1024, 64);
  sys(k, s.t, NR.close, fd);
  return getString(k, s.t, s.scratch + 1024, n);
}

/**
 * One promotion round as part2 asks for it: IOCTL_PROMOTE_VMA, promote=1,
 * the kernel threads' turn. The number of huge pages the round made (its
 * dmesg line); promote reads 0 again.
 */
export function promote(s: Setup): number {
  const { k } = s.b;
  expect(s.ioctl(IOCTL_PROMOTE_VMA, 0)).toBe(0);
  expect(writePromote(s, '1\n')).toBe(2);
  const before = k.printk.all().length;
  runKthreads(k);
  expect(readPromote(s)).toBe('0\n');
  const line = k.printk.all().slice(before).map((r) => /^btplus: promotion round for pid \d+: (\d+) huge page\(s\)$/.exec(r.text)).find((m) => m !== null);
  if (line == null) throw new Error('no promotion round in dmesg');
  return Number(line[1]);
}
