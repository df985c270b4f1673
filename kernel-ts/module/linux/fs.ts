// <linux/fs.h>: struct file_operations as a module writes it, turned into the
// kernel's FileOperations (kernelFops: the adapter proc_fs.ts and
// miscdevice.ts use too), register_chrdev and the read/write/llseek helpers.
//
// The adapter hands the driver views of the kernel's File and Inode
// (views.ts), the user buffer's address (FileOperations readUser/writeUser:
// the driver does its own copy_to_user) and a loff_ptr whose bigint `pos`
// goes back into the kernel's position. For callers inside the kernel that
// have a kernel buffer (the shell's cat and echo >, tests), read and write
// are kept too: they bounce through an anonymous page range mapped in the
// caller's mm for the call, as Linux's old set_fs(KERNEL_DS) let vfs_read
// take a kernel buffer.
import type { LinuxEnv } from './env';
import type * as Fs from './include/fs';
import type { file_operations, loff_ptr } from './include/fs';
import type { file, inode } from './include/fs_types';
import { fileOf, fileView, inodeView, vmaView } from './views';
import type { File, FileOperations, Loff } from '../../fs/file';
import { MAX_LFS_FILESIZE, SEEK_CUR, SEEK_END, SEEK_SET } from '../../fs/file';
import type { Inode } from '../../fs/inode';
import { S_ISCHR, devMajor, devMinor } from '../../fs/stat';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../mm/mmap';
import { PAGE_SIZE } from '../../mm/page';
import { EBUSY, EFAULT, EINVAL, ESPIPE } from '../../errno';
import { KERN_ERR } from '../../printk';
import type { Kernel } from '../../kernel';
import { describeThrown, warnReport } from '../../proc/oops';
import { isThenable, swallowRejection } from '../watchdog';

const encoder = new TextEncoder();

/** A driver method's ssize_t/loff_t result as the kernel's number; a non-number is the module's bug (thrown: an oops). */
export function ssizeOf(op: string, r: unknown, env?: LinuxEnv): number {
  if (isThenable(r)) {
    // An async method: its rejection is handled here (never Node's unhandledRejection), and the call is the module's bug.
    if (env !== undefined) swallowRejection(r, (e) => env.kernel.printk.log(`${env.module.name}: a Promise of ${op} rejected: ${describeThrown(e).text}`, KERN_ERR));
    else swallowRejection(r, () => {});
    throw new TypeError(`${op} returned a Promise: module callbacks must be synchronous (not async functions)`);
  }
  // Below -MAX_ERRNO is neither a count nor an error (Linux's IS_ERR_VALUE): the module's bug too.
  if (typeof r === 'number' && Number.isSafeInteger(r) && r >= -MAX_ERRNO) return r;
  if (typeof r === 'bigint' && r >= BigInt(-MAX_ERRNO) && r <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(r);
  const what = typeof r === 'number' || typeof r === 'bigint' ? String(r) : r === undefined ? 'undefined' : typeof r;
  throw new TypeError(`${op} returned ${what}, not a ssize_t (a count, or -errno from -1 to -${MAX_ERRNO})`);
}

/** Linux MAX_ERRNO: -4095..-1 are errors. */
const MAX_ERRNO = 4095;

/** A size_t argument (number | bigint) as a number, or null when it is not a size (negative, fractional, beyond 2^53). */
export function sizeOf(v: number | bigint): number | null {
  const n = typeof v === 'bigint' ? (v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1) : v;
  return Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : null;
}

/** A user pointer (bigint) as the kernel's number: null when no user address could be that big. */
export function userAddr(p: bigint): number | null {
  return typeof p === 'bigint' && p >= 0n && p <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(p) : null;
}

/** The bytes of `from` (a string's UTF-8 bytes). */
export function bytesOf(from: Uint8Array | string): Uint8Array {
  return typeof from === 'string' ? encoder.encode(from) : from;
}

/** Files nonseekable_open() was called on (lseek -ESPIPE). Per kernel, as every view cache. */
const nonseekable = new WeakSet<File>();

/**
 * The kernel FileOperations for a module's file_operations. Each method runs
 * under the module's guard (a throw is an oops of the caller, -EFAULT);
 * LoadedModule.registerChrdev/procCreate add the open counting.
 */
export function kernelFops(env: LinuxEnv, fops: file_operations): FileOperations {
  const m = env.module;
  const fv = (f: File): file => fileView(env, f);
  const iv = (i: Inode): inode => inodeView(env, i);
  const transfer = (op: 'read' | 'write', fn: NonNullable<file_operations['read']>) =>
    (f: File, ubuf: number, count: number, ppos: Loff): number =>
      m.guard(op, -EFAULT, () => {
        const p: loff_ptr = { pos: BigInt(ppos.pos) };
        const r = ssizeOf(op, fn.call(fops, fv(f), BigInt(ubuf), BigInt(count), p), env);
        if (r < 0) return r;
        const pos = typeof p.pos === 'bigint' || typeof p.pos === 'number' ? Number(p.pos) : NaN;
        if (!(Number.isInteger(pos) && pos >= 0 && pos <= MAX_LFS_FILESIZE)) throw new TypeError(`${op}: *ppos set to ${String(p.pos)}, not a position`);
        ppos.pos = pos;
        return r;
      });
  const readUser = fops.read && transfer('read', fops.read);
  const writeUser = fops.write && transfer('write', fops.write);
  const ioctl = fops.unlocked_ioctl;
  const unlockedIoctl = ioctl && ((f: File, cmd: number, arg: bigint): number =>
    m.guard('unlocked_ioctl', -EFAULT, () => ssizeOf('unlocked_ioctl', ioctl.call(fops, fv(f), cmd >>> 0, arg), env)));
  const llseek = fops.llseek;
  const mmap = fops.mmap;
  return {
    open: (inode, f) => (fops.open ? ssizeOf('open', fops.open(iv(inode), fv(f)), env) : 0),
    release: (inode, f) => {
      const r = fops.release?.(iv(inode), fv(f));
      // An async release: its rejection handled, the call reported as the module's bug.
      if (isThenable(r)) ssizeOf('release', r, env);
    },
    ...(readUser && { readUser, read: (f: File, buf: Uint8Array, ppos: Loff): number => bounce(env.kernel, buf, (u) => readUser(f, u, buf.length, ppos), 'read') }),
    ...(writeUser && { writeUser, write: (f: File, data: Uint8Array, ppos: Loff): number => bounce(env.kernel, data, (u) => writeUser(f, u, data.length, ppos), 'write') }),
    ...(unlockedIoctl && { unlockedIoctl, ioctl: (f: File, cmd: number, arg: number): number => unlockedIoctl(f, cmd, BigInt(arg)) }),
    // Always there, so read/write move f_pos (Linux: no llseek is lseek's -ESPIPE, not a stream).
    llseek: (f, offset, whence) => {
      if (!llseek || nonseekable.has(f)) return -ESPIPE;
      return ssizeOf('llseek', llseek.call(fops, fv(f), BigInt(offset), whence), env);
    },
    ...(mmap && { mmap: (f: File, vma: Parameters<NonNullable<FileOperations['mmap']>>[1]): number => ssizeOf('mmap', mmap.call(fops, fv(f), vmaView(env, vma, env.kernel.current?.mm ?? null)), env) }),
  };
}

/**
 * A kernel buffer through a user-buffer method: maps an anonymous range of
 * the caller's mm, copies `buf` in (write) or out (read) around `call`, and
 * unmaps it. -EFAULT when there is no caller with an mm or no room.
 */
function bounce(k: Kernel, buf: Uint8Array, call: (ubuf: number) => number, dir: 'read' | 'write'): number {
  const mm = k.current?.mm;
  if (!mm) return -EFAULT;
  const len = Math.max(PAGE_SIZE, Math.ceil(buf.length / PAGE_SIZE) * PAGE_SIZE);
  const u = k.mm.doMmap(mm, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  if (u < 0) return -EFAULT;
  try {
    if (dir === 'write' && buf.length > 0 && k.mm.copyToUser(mm, u, buf) < 0) return -EFAULT;
    const n = call(u);
    if (dir === 'read' && n > 0) {
      const got = k.mm.copyFromUser(mm, u, Math.min(n, buf.length));
      if (typeof got === 'number') return -EFAULT;
      buf.set(got);
    }
    return n;
  } finally {
    k.mm.doMunmap(mm, u, len);
  }
}

/** Major -> what register_chrdev gave it: the kernel fops (for device_create's extra nodes) and the /dev node that proves it is live. */
interface Chrdev {
  readonly name: string;
  readonly fops: file_operations;
  readonly node: Inode;
}
const chrdevTables = new WeakMap<Kernel, Map<number, Chrdev>>();

/** The chrdev table of kernel k (Linux's chrdevs[], fs/char_dev.c); entries whose /dev node is gone (rmmod) are dropped. */
export function chrdevOf(k: Kernel, major: number): Chrdev | undefined {
  let t = chrdevTables.get(k);
  if (t === undefined) chrdevTables.set(k, (t = new Map()));
  const c = t.get(major);
  if (c !== undefined && k.vfs.dev.children?.get(c.name) !== c.node) {
    t.delete(major);
    return undefined;
  }
  return c;
}

function chrdevTable(k: Kernel): Map<number, Chrdev> {
  chrdevOf(k, -1);
  return chrdevTables.get(k)!;
}

/** CHRDEV_MAJOR_MAX: majors are below 512. */
const CHRDEV_MAJOR_MAX = 512;

/**
 * The WARN Linux prints where a driver misuses an API (kernel/panic.c
 * __warn): cut here, why, `WARNING: CPU: 0 PID: N at FILE FN [module]`, and
 * the rest of the report (the Call Trace from the module's call of FN).
 */
export function warn(env: LinuxEnv, file: string, fn: string, why: string): void {
  warnReport(env.kernel, { file, message: why, entry: fn, fn: `${fn} [${env.module.name}]` });
}

function posOf(file: file): bigint {
  return file.f_pos;
}

/** vfs_setpos(): the position, or -EINVAL outside 0..maxsize. */
function setpos(file: file, pos: bigint, maxsize: bigint): bigint {
  if (pos < 0n || pos > maxsize) return BigInt(-EINVAL);
  file.f_pos = pos;
  return pos;
}

function llseekTo(file: file, offset: loff_t, whence: number, size: bigint, maxsize: bigint): bigint {
  switch (whence) {
    case SEEK_SET: return setpos(file, offset, maxsize);
    case SEEK_CUR: return setpos(file, posOf(file) + offset, maxsize);
    case SEEK_END: return setpos(file, size + offset, maxsize);
    default: return BigInt(-EINVAL);
  }
}
type loff_t = bigint;
const MAXBYTES = BigInt(MAX_LFS_FILESIZE);

export function fsApi(env: LinuxEnv): typeof Fs {
  const k = env.kernel;
  const mmOrNull = () => k.current?.mm ?? null;
  return {
    SEEK_SET,
    SEEK_CUR,
    SEEK_END,

    register_chrdev(major, name, fops) {
      if (!Number.isInteger(major) || major < 0 || major >= CHRDEV_MAJOR_MAX) {
        // __register_chrdev_region's pr_err.
        k.printk.log(`CHRDEV "${name}" major requested (${major}) is greater than the maximum (${CHRDEV_MAJOR_MAX - 1})`, KERN_ERR);
        return -EINVAL;
      }
      if (major !== 0 && chrdevOf(k, major) !== undefined) return -EBUSY;
      const r = env.module.registerChrdev(name, kernelFops(env, fops), { major, minor: 0, mode: 0o666 });
      if (r < 0) return r;
      const node = k.vfs.dev.children!.get(name)!;
      chrdevTable(k).set(r, { name, fops, node });
      return major === 0 ? r : 0;
    },

    unregister_chrdev(major, name) {
      const c = chrdevOf(k, major);
      if (c === undefined || c.name !== name) return;
      chrdevTable(k).delete(major);
      // Every node of the major this module made (register_chrdev's and device_create's).
      for (const [n, inode] of [...(k.vfs.dev.children ?? new Map<string, Inode>())]) {
        if (S_ISCHR(inode.mode) && devMajor(inode.rdev) === major) env.module.unregisterChrdev(n);
      }
    },

    iminor: (inode) => devMinor(inode.i_rdev),
    imajor: (inode) => devMajor(inode.i_rdev),

    simple_read_from_buffer(to, count, ppos, from, available) {
      const pos = ppos.pos;
      const want = sizeOf(count);
      const avail = sizeOf(available);
      if (want === null || avail === null) return -EINVAL;
      if (pos < 0n) return -EINVAL;
      const data = bytesOf(from);
      const end = Math.min(avail, data.length);
      if (pos >= BigInt(end) || want === 0) return 0;
      const n = Math.min(want, end - Number(pos));
      const u = userAddr(to);
      const mm = mmOrNull();
      if (u === null || mm === null) return -EFAULT;
      if (k.mm.copyToUser(mm, u, data.subarray(Number(pos), Number(pos) + n)) < 0) return -EFAULT;
      ppos.pos = pos + BigInt(n);
      return n;
    },

    simple_write_to_buffer(to, available, ppos, from, count) {
      const pos = ppos.pos;
      const want = sizeOf(count);
      const avail = sizeOf(available);
      if (want === null || avail === null) return -EINVAL;
      if (pos < 0n) return -EINVAL;
      const end = Math.min(avail, to.length);
      if (pos >= BigInt(end) || want === 0) return 0;
      const n = Math.min(want, end - Number(pos));
      const u = userAddr(from);
      const mm = mmOrNull();
      if (u === null || mm === null) return -EFAULT;
      const got = k.mm.copyFromUser(mm, u, n);
      if (typeof got === 'number') return -EFAULT;
      to.set(got, Number(pos));
      ppos.pos = pos + BigInt(n);
      return n;
    },

    no_llseek: () => BigInt(-ESPIPE),
    noop_llseek: (file) => file.f_pos,
    default_llseek: (file, offset, whence) => llseekTo(file, offset, whence, file.f_inode.i_size, MAXBYTES),
    generic_file_llseek: (file, offset, whence) => llseekTo(file, offset, whence, file.f_inode.i_size, MAXBYTES),
    fixed_size_llseek: (file, offset, whence, size) => llseekTo(file, offset, whence, size, size),
    nonseekable_open(_inode, file) {
      const f = fileOf(file);
      if (f !== undefined) nonseekable.add(f);
      return 0;
    },
  };
}
