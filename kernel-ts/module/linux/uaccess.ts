// <linux/uaccess.h> over the kernel's uaccess (kernel-ts/mm/uaccess.ts: the
// MMU at CPL0 with AC set, page faults handled, -EFAULT when a page cannot be
// had) on `current`'s mm. Copies go page by page so that a fault in the
// middle reports the bytes not copied, as Linux's copy_*_user do.
import { PAGE_SIZE } from '../../mm/page';
import { accessOk } from '../../mm/uaccess';
import { TASK_SIZE_L4, TASK_SIZE_L5 } from '../../mm/kaddr';
import type { MmStruct } from '../../mm/mm-struct';
import { EFAULT } from '../../errno';
import type { LinuxEnv } from './env';
import { runningKthread } from './current';

/** A user pointer as a number, or -1 if it is not one (negative, or 2^53 and above: never below TASK_SIZE). */
function uaddr(p: unknown): number {
  if (typeof p === 'bigint') return p >= 0n && p <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(p) : -1;
  if (typeof p === 'number' && Number.isSafeInteger(p) && p >= 0) return p;
  return -1;
}

/** A size argument (number | bigint) as a number; -1 if it is negative or not an integer. */
function size(n: unknown): number {
  if (typeof n === 'bigint') return n >= 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : -1;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  return -1;
}

export function uaccessApi(env: LinuxEnv): typeof import('./include/uaccess') {
  const k = env.kernel;
  /** current->mm, or null for a kernel thread / no process. */
  const mm = (): MmStruct | null => (runningKthread(k) !== undefined ? null : (k.current?.mm ?? null));
  const ua = () => k.mm.uaccess;

  /** Bytes of [a, a + n) copied by `chunk` page by page before the first failure. */
  const pageWise = (a: number, n: number, chunk: (va: number, off: number, len: number) => boolean): number => {
    let done = 0;
    while (done < n) {
      const va = a + done;
      const len = Math.min(n - done, PAGE_SIZE - (va % PAGE_SIZE));
      if (!chunk(va, done, len)) break;
      done += len;
    }
    return done;
  };

  const copyTo = (to: unknown, from: Uint8Array, n: number): number => {
    const m = mm();
    const a = uaddr(to);
    if (m === null || a < 0 || !accessOk(m, a, n)) return n;
    return n - pageWise(a, n, (va, off, len) => ua().copyToUser(m, va, from.subarray(off, off + len)) === 0);
  };

  function get_user(ptr: bigint, sz: 8): { err: number; val: bigint };
  function get_user(ptr: bigint, sz: 1 | 2 | 4): { err: number; val: number };
  function get_user(ptr: bigint, sz: 1 | 2 | 4 | 8): { err: number; val: number | bigint } {
    if (sz !== 1 && sz !== 2 && sz !== 4 && sz !== 8) throw new TypeError(`get_user: size ${String(sz)} is not 1, 2, 4 or 8`);
    const m = mm();
    const a = uaddr(ptr);
    const zero = sz === 8 ? 0n : 0;
    if (m === null || a < 0 || !accessOk(m, a, sz)) return { err: -EFAULT, val: zero };
    const b = ua().copyFromUser(m, a, sz);
    if (typeof b === 'number') return { err: -EFAULT, val: zero };
    const dv = new DataView(b.buffer, b.byteOffset, sz);
    const val = sz === 8 ? dv.getBigUint64(0, true) : sz === 4 ? dv.getUint32(0, true) : sz === 2 ? dv.getUint16(0, true) : dv.getUint8(0);
    return { err: 0, val };
  }

  return {
    access_ok: (addr, n) => {
      const m = mm();
      const a = uaddr(addr);
      const len = size(n);
      // Without an mm, the limit is the largest TASK_SIZE: a kernel address still fails.
      return a >= 0 && len >= 0 && (m !== null ? accessOk(m, a, len) : a + len <= (k.mm.levels === 5 ? TASK_SIZE_L5 : TASK_SIZE_L4));
    },
    copy_to_user: (to, from, n) => {
      const len = size(n);
      if (len < 0 || len > from.length) throw new RangeError(`copy_to_user: n (${String(n)}) is larger than the kernel buffer (${from.length} bytes)`);
      return copyTo(to, from, len);
    },
    copy_from_user: (to, from, n) => {
      const len = size(n);
      if (len < 0 || len > to.length) throw new RangeError(`copy_from_user: n (${String(n)}) is larger than the kernel buffer (${to.length} bytes)`);
      const m = mm();
      const a = uaddr(from);
      let done = 0;
      if (m !== null && a >= 0 && accessOk(m, a, len)) {
        done = pageWise(a, len, (va, off, l) => {
          const b = ua().copyFromUser(m, va, l);
          if (typeof b === 'number') return false;
          to.set(b, off);
          return true;
        });
      }
      to.fill(0, done, len);
      return len - done;
    },
    get_user,
    put_user: (x, ptr, sz) => {
      if (sz !== 1 && sz !== 2 && sz !== 4 && sz !== 8) throw new TypeError(`put_user: size ${String(sz)} is not 1, 2, 4 or 8`);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, typeof x === 'bigint' ? x : BigInt(Math.trunc(x))), true);
      return copyTo(ptr, b.subarray(0, sz), sz) === 0 ? 0 : -EFAULT;
    },
    clear_user: (to, n) => {
      const len = size(n);
      if (len < 0) return 0;
      return copyTo(to, new Uint8Array(len), len);
    },
    strncpy_from_user: (dst, src, count) => {
      const max = size(count);
      if (max < 0 || max > dst.length) throw new RangeError(`strncpy_from_user: count (${String(count)}) is larger than dst (${dst.length} bytes)`);
      const m = mm();
      const a = uaddr(src);
      if (m === null || a < 0) return -EFAULT;
      if (max === 0) return 0;
      const b = ua().strncpyFromUserBytes(m, a, max);
      if (typeof b === 'number') return -EFAULT;
      dst.set(b);
      if (b.length < max) dst[b.length] = 0;
      return b.length;
    },
    strnlen_user: (src, n) => {
      const max = size(n);
      const m = mm();
      const a = uaddr(src);
      if (m === null || a < 0 || max <= 0) return 0;
      return ua().strnlenUser(m, a, max);
    },
  };
}
