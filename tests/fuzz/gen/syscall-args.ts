// Arguments for the random system calls: what each call takes (a table of
// argument kinds), and for each kind a mix of sensible values (a buffer, a
// descriptor some earlier call returned, a small length) and edge values (0,
// -1, huge, kernel-half addresses, unaligned, page boundaries, 2^46, 2^63).
import type { Rng } from '../harness/rng';
import { NR } from '../../../kernel-ts/syscalls/numbers';

/** A 64-bit argument as the program computes it. */
export type Arg =
  | { readonly k: 'imm'; readonly v: bigint }
  /** The result of an earlier operation (its slot), plus a constant. */
  | { readonly k: 'slot'; readonly i: number; readonly add: bigint }
  /** An address in the program's 64 KiB scratch buffer. */
  | { readonly k: 'buf'; readonly off: number }
  /** The address of string i of STRINGS. */
  | { readonly k: 'str'; readonly i: number }
  | { readonly k: 'sp'; readonly off: number }
  /** The address of the program's code (read-only, executable). */
  | { readonly k: 'text' };

export const BUF_SIZE = 64 * 1024;
export const NR_SLOTS = 64;
const M64 = 1n << 64n;

/** Strings in the program's data, for paths (and as bytes to write). */
export const STRINGS: readonly string[] = [
  '/tmp/a', '/tmp/b', '/tmp', '/dev/zero', '/dev/null', '/dev/console', '/proc/self/maps', '/proc/self/status',
  '/proc/self/pagemap', '/proc/meminfo', '/proc/sys/vm/drop_caches', '/bin/child', '/', '', '/nonexistent/x', '/proc/self',
  '/sys', '/proc/1/maps', 'tmp/a', '/proc/self/smaps_rollup', '/proc/vmstat', '/tmp/a/b', '3', `/tmp/${'y'.repeat(300)}`,
  `/tmp/${'z/'.repeat(2100)}`,
];
export const STR = Object.fromEntries(STRINGS.map((s, i) => [s.length > 40 ? `long${i}` : s, i])) as Record<string, number>;

/** Edge values of any 64-bit argument. */
export const EDGES: readonly bigint[] = [
  0n, 1n, 2n, 7n, 0xfffn, 0x1000n, 0x1001n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  1n << 46n, (1n << 47n) - 0x1000n, (1n << 47n) - 8n, (1n << 47n) - 4n, (1n << 47n) - 1n, 1n << 47n, 1n << 48n,
  1n << 53n, (1n << 53n) + 1n, (1n << 56n) - 0x1000n, 1n << 56n, 1n << 57n, 1n << 62n, (1n << 63n) - 1n, 1n << 63n,
  M64 - 1n, M64 - 2n, M64 - 0x1000n, M64 - (1n << 31n), 0xffff800000000000n, 0xffff888000000000n, 0xffff88803ffffff8n,
  0xffffc90000000000n, 0xffffffff80000000n, 0xff11000000000000n, 0x34d0b62ff000n, 0x7ffffffff000n,
];

export const imm = (v: bigint | number): Arg => ({ k: 'imm', v: BigInt.asUintN(64, BigInt(v)) });
export const buf = (off: number): Arg => ({ k: 'buf', off });
export const str = (i: number): Arg => ({ k: 'str', i });
export const slot = (i: number, add: bigint | number = 0n): Arg => ({ k: 'slot', i, add: BigInt.asUintN(64, BigInt(add)) });

/** Which earlier results hold what, so that arguments can refer to them. */
export interface Slots {
  fd: number[];
  addr: number[];
  pid: number[];
}

export function edge(r: Rng): Arg {
  return imm(r.chance(0.1) ? r.u64() : r.pick(EDGES));
}

/** An offset inside the buffer: aligned, unaligned, at a page boundary. */
function bufOff(r: Rng): number {
  switch (r.int(4)) {
    case 0:
      return 0;
    case 1:
      return r.int(16) * 4096;
    case 2:
      return r.int(16) * 4096 + 4096 - r.pick([1, 2, 4, 8, 16]);
    default:
      return r.int(BUF_SIZE);
  }
}

export function ptr(r: Rng, s: Slots): Arg {
  const x = r.unit();
  if (x < 0.45) return buf(bufOff(r));
  if (x < 0.6 && s.addr.length > 0) return slot(r.pick(s.addr), r.pick([0, 0, 8, 4095, 4096, 0x10000, -4096, r.int(0x20000)]));
  if (x < 0.65) return { k: 'sp', off: -8 * r.int(200) };
  if (x < 0.68) return { k: 'text' };
  if (x < 0.7) return str(r.int(STRINGS.length));
  return edge(r);
}

export function len(r: Rng): Arg {
  const x = r.unit();
  if (x < 0.3) return imm(r.int(256));
  if (x < 0.55) return imm(4096 * r.range(1, 16));
  if (x < 0.7) return imm(r.magnitude(22));
  if (x < 0.75) return imm(BUF_SIZE);
  return edge(r);
}

/** A file offset: small mostly, sometimes past 4 GiB or negative. */
export function off(r: Rng): Arg {
  const x = r.unit();
  if (x < 0.5) return imm(r.chance(0.5) ? 0 : 4096 * r.int(8));
  if (x < 0.8) return imm(r.magnitude(20));
  return edge(r);
}

export function fd(r: Rng, s: Slots): Arg {
  const x = r.unit();
  if (x < 0.45 && s.fd.length > 0) return slot(r.pick(s.fd));
  if (x < 0.8) return imm(r.int(8));
  if (x < 0.85) return imm(-100); // AT_FDCWD
  return r.chance(0.5) ? imm(r.pick([-1, 1023, 1024, 0x7fffffff, -0x80000000])) : edge(r);
}

export function pid(r: Rng, s: Slots): Arg {
  const x = r.unit();
  if (x < 0.4 && s.pid.length > 0) return slot(r.pick(s.pid));
  if (x < 0.8) return imm(r.pick([0, -1, 1, 2, 3, 4, 99999, -2]));
  return edge(r);
}

export function sig(r: Rng): Arg {
  const x = r.unit();
  if (x < 0.7) return imm(r.pick([0, 1, 2, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 28, 31, 32, 34, 64]));
  if (x < 0.9) return imm(r.int(70));
  return edge(r);
}

/** A flags word: a random subset of the known bits, sometimes with others set. */
export function flags(r: Rng, bits: readonly number[]): Arg {
  let v = 0n;
  for (const b of bits) if (r.chance(0.3)) v |= BigInt(b);
  if (r.chance(0.1)) v |= BigInt(1 << r.int(31));
  if (r.chance(0.05)) v = r.u64();
  return imm(v);
}

export function small(r: Rng, max: number): Arg {
  return r.chance(0.85) ? imm(r.int(max)) : edge(r);
}

export const PROT_BITS = [1, 2, 4, 0x01000000, 0x02000000];
export const MAP_BITS = [0x01, 0x02, 0x10, 0x20, 0x100, 0x4000, 0x8000, 0x20000, 0x100000];
export const OPEN_BITS = [0o1, 0o2, 0o100, 0o200, 0o1000, 0o2000, 0o4000, 0o200000, 0o400000, 0o2000000, 0o10000000];
export const SA_BITS = [0x1, 0x2, 0x4, 0x8000000, 0x10000000, 0x40000000, 0x80000000, 0x04000000];
export const CLONE_BITS = [0x100, 0x200, 0x400, 0x800, 0x4000, 0x8000, 0x10000, 0x100000, 0x200000, 0x400000, 0x1000000, 0x2000000];

type Gen = (r: Rng, s: Slots) => Arg;

/** A system call the generator makes: number, argument generators, weight, and what its result is. */
export interface CallSpec {
  readonly nr: number;
  readonly args: readonly Gen[];
  readonly weight: number;
  readonly yields?: keyof Slots;
}

const P: Gen = ptr;
const L: Gen = (r) => len(r);
const F: Gen = fd;
const O: Gen = (r) => off(r);
const path: Gen = (r, s) => (r.chance(0.85) ? str(r.int(STRINGS.length)) : ptr(r, s));

export const CALLS: Readonly<Record<string, CallSpec>> = {
  read: { nr: NR.read, args: [F, P, L], weight: 4 },
  write: { nr: NR.write, args: [F, (r, s) => (r.chance(0.3) ? str(r.int(STRINGS.length)) : ptr(r, s)), L], weight: 4 },
  readv: { nr: NR.readv, args: [F, P, (r) => small(r, 8)], weight: 1 },
  writev: { nr: NR.writev, args: [F, P, (r) => small(r, 8)], weight: 1 },
  pread64: { nr: NR.pread64, args: [F, P, L, O], weight: 2 },
  pwrite64: { nr: NR.pwrite64, args: [F, P, L, O], weight: 2 },
  openat: { nr: NR.openat, args: [(r, s) => (r.chance(0.8) ? imm(-100) : fd(r, s)), path, (r) => flags(r, OPEN_BITS), (r) => imm(r.pick([0o644, 0o600, 0, 0o7777]))], weight: 6, yields: 'fd' },
  close: { nr: NR.close, args: [F], weight: 2 },
  lseek: { nr: NR.lseek, args: [F, O, (r) => small(r, 5)], weight: 2 },
  ioctl: { nr: NR.ioctl, args: [F, (r) => imm(r.pick([0x5401, 0x5413, 0x541b, 0x5421, r.u32()])), P], weight: 1 },
  fstat: { nr: NR.fstat, args: [F, P], weight: 1 },
  newfstatat: { nr: NR.newfstatat, args: [F, path, P, (r) => flags(r, [0x100, 0x400, 0x800, 0x1000])], weight: 1 },
  dup: { nr: NR.dup, args: [F], weight: 1, yields: 'fd' },
  dup3: { nr: NR.dup3, args: [F, F, (r) => flags(r, [0o2000000])], weight: 1, yields: 'fd' },
  fcntl: { nr: NR.fcntl, args: [F, (r) => small(r, 20), (r) => small(r, 4096)], weight: 1 },
  ftruncate: { nr: NR.ftruncate, args: [F, O], weight: 2 },
  getcwd: { nr: NR.getcwd, args: [P, L], weight: 1 },
  getdents64: { nr: NR.getdents64, args: [F, P, L], weight: 1 },
  set_tid_address: { nr: NR.set_tid_address, args: [P], weight: 1 },
  nanosleep: { nr: NR.nanosleep, args: [P, P], weight: 1 },
  clock_gettime: { nr: NR.clock_gettime, args: [(r) => small(r, 12), P], weight: 1 },
  sched_yield: { nr: NR.sched_yield, args: [], weight: 1 },
  kill: { nr: NR.kill, args: [pid, sig], weight: 2 },
  tgkill: { nr: NR.tgkill, args: [pid, pid, sig], weight: 1 },
  rt_sigsuspend: { nr: NR.rt_sigsuspend, args: [P, (r) => (r.chance(0.8) ? imm(8) : edge(r))], weight: 1 },
  rt_sigprocmask: { nr: NR.rt_sigprocmask, args: [(r) => small(r, 4), P, P, (r) => (r.chance(0.8) ? imm(8) : edge(r))], weight: 2 },
  rt_sigpending: { nr: NR.rt_sigpending, args: [P, (r) => (r.chance(0.8) ? imm(8) : edge(r))], weight: 1 },
  uname: { nr: NR.uname, args: [P], weight: 1 },
  getpid: { nr: NR.getpid, args: [], weight: 1, yields: 'pid' },
  getppid: { nr: NR.getppid, args: [], weight: 1, yields: 'pid' },
  gettid: { nr: NR.gettid, args: [], weight: 1 },
  brk: { nr: NR.brk, args: [(r, s) => (r.chance(0.3) ? imm(0) : r.chance(0.5) && s.addr.length > 0 ? slot(r.pick(s.addr), r.int(1 << 20)) : ptr(r, s))], weight: 3, yields: 'addr' },
  munmap: { nr: NR.munmap, args: [P, L], weight: 4 },
  mremap: { nr: NR.mremap, args: [P, L, L, (r) => flags(r, [1, 2, 4]), P], weight: 3, yields: 'addr' },
  mmap: {
    nr: NR.mmap,
    args: [(r, s) => (r.chance(0.6) ? imm(0) : ptr(r, s)), L, (r) => (r.chance(0.7) ? imm(r.pick([3, 1, 0, 7, 5])) : flags(r, PROT_BITS)),
      (r) => (r.chance(0.7) ? imm(r.pick([0x22, 0x22, 0x21, 0x32, 0x8022, 0x122, 0x02, 0x01, 0x100022])) : flags(r, MAP_BITS)), F, O],
    weight: 8,
    yields: 'addr',
  },
  mprotect: { nr: NR.mprotect, args: [P, L, (r) => (r.chance(0.7) ? imm(r.int(8)) : flags(r, PROT_BITS))], weight: 3 },
  madvise: { nr: NR.madvise, args: [P, L, (r) => (r.chance(0.8) ? imm(r.pick([0, 1, 2, 3, 4, 8, 10, 11, 14, 15, 16, 17])) : edge(r))], weight: 2 },
  wait4: { nr: NR.wait4, args: [pid, (r, s) => (r.chance(0.7) ? buf(0xff00) : ptr(r, s)), (r) => (r.chance(0.7) ? imm(r.pick([0, 1])) : flags(r, [1, 2, 8, 0x20000000, 0x40000000, 0x80000000])), (r, s) => (r.chance(0.7) ? imm(0) : ptr(r, s))], weight: 3, yields: 'pid' },
  getrandom: { nr: NR.getrandom, args: [P, L, (r) => small(r, 8)], weight: 1 },
  clone: { nr: NR.clone, args: [(r) => (r.chance(0.6) ? imm(17) : r.chance(0.5) ? flags(r, CLONE_BITS) : edge(r)), (r) => imm(0), P, P, P], weight: 1, yields: 'pid' },
  execve: { nr: NR.execve, args: [path, P, P], weight: 1 },
  pipe2: { nr: 59, args: [P, (r) => flags(r, [0o4000, 0o2000000])], weight: 1 },
  unknown: { nr: -1, args: [P, P, P], weight: 1 },
};
