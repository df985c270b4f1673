// Test support for btplus: a process exec'd but not run, as `current`, with
// btplus loaded, and the driver's ioctl.
import { expect } from 'vitest';
import btplus from '../../../kernel-ts/drivers/btplus';
import type { File } from '../../../kernel-ts/fs/file';
import type { Task } from '../../../kernel-ts/proc/task';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, doMmap } from '../../../kernel-ts/mm/mmap';
import type { Booted } from './physicalview-support';
import { bootWith, programElf } from './physicalview-support';

const HOLD = programElf('mtest-hold');

export interface Setup {
  b: Booted;
  t: Task;
  ioctl: (cmd: number, arg: number) => number;
  mmapAnon: (len: number, addr?: number) => number;
  put64: (va: number, v: number) => void;
  get64: (va: number) => number;
}

/** A process exec'd but not run, as `current`, with btplus loaded; the driver's ioctl. */
export function setup(): Setup {
  const b = bootWith([btplus]);
  b.k.vfs.addExecutable('/bin/hold', HOLD);
  const t = b.k.spawn('/bin/hold', ['hold'], ['HOME=/']);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  b.k.current = t;
  const inode = b.k.vfs.lookup('/dev/btplus');
  if (typeof inode === 'number') throw new Error('no /dev/btplus');
  const file = { inode } as File;
  const kmm = b.k.mm;
  return {
    b,
    t,
    ioctl: (cmd, arg) => inode.fop.ioctl!(file, cmd, arg),
    mmapAnon: (len, addr = 0) => doMmap(kmm, t.mm!, addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED : 0), null, 0),
    put64: (va, v) => expect(kmm.putUser64(t.mm!, va, v)).toBe(0),
    get64: (va) => Number(kmm.getUser64(t.mm!, va)),
  };
}

/** Writes u64 fields at user address `at`. */
export function putStruct(s: Setup, at: number, ...fields: number[]): void {
  fields.forEach((f, i) => s.put64(at + 8 * i, f));
}

