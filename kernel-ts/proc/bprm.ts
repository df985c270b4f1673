// The strings a new program starts with (Linux fs/exec.c: count(),
// bprm_stack_limits(), copy_strings(), copy_string_kernel()).
//
// Everything is bounded before it is read: the strings and the pointers to
// them share ARG_MAX (a quarter of the 8 MiB stack rlimit, 2 MiB), each
// string is at most MAX_ARG_STRLEN, and a string is measured in user memory
// (strnlen_user) and copied only once it is known to fit. So execve holds at
// most ARG_MAX bytes of arguments, and the work it does is bounded by ARG_MAX
// whatever the argv array says: a guest cannot make the host read gigabytes
// (or run out of heap) by pointing a million argv entries at one long string.
//
// One difference from Linux, for that bound: Linux's count() walks each array
// to its NULL (up to MAX_ARG_STRINGS) and only then compares the pointers'
// size with the limit; here counting stops at the first pointer that cannot
// fit, with -E2BIG. The result differs only for an array that is both too
// long and unreadable further on (Linux: -EFAULT, here: -E2BIG).
import { E2BIG, EFAULT } from '../errno';
import type { KernelMm, MmStruct } from './deps';
import { ARG_MAX, MAX_ARG_STRLEN } from './exec';
import type { ArgString } from './elf-tables';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { PAGE_SIZE } from '../mm/page';

/** MAX_ARG_STRINGS: the most pointers one array may hold. */
export const MAX_ARG_STRINGS = 0x7fffffff;

const PTR_SIZE = 8;

/** What one execve copied: argv and envp in order, and the bytes left of ARG_MAX (bprm->p - bprm->argmin). */
export interface ArgStrings {
  argv: ArgString[];
  envp: ArgString[];
  room: number;
}

/**
 * count(): the pointers of the NULL-terminated user array at uaddr (NULL:
 * none), read a page at a time; -EFAULT when a pointer is unreadable, -E2BIG
 * at pointer number maxPtrs + 1 (nothing past it is read).
 */
function countStrings(kmm: KernelMm, mm: MmStruct, uaddr: number, maxPtrs: number): number[] | number {
  const ptrs: number[] = [];
  if (uaddr === 0) return ptrs; // Linux accepts NULL argv/envp as empty (with a warning for argv)
  let va = uaddr;
  for (;;) {
    // Whole pointers up to the end of va's page; one that straddles two pages is read alone.
    const n = Math.max(PTR_SIZE, (PAGE_SIZE - (va % PAGE_SIZE)) & ~(PTR_SIZE - 1));
    const b = kmm.copyFromUser(mm, va, n);
    if (typeof b === 'number') return -EFAULT;
    const dv = new DataView(b.buffer, b.byteOffset, n);
    for (let off = 0; off < n; off += PTR_SIZE) {
      const p = dv.getUint32(off + 4, true) * TWO32 + dv.getUint32(off, true);
      if (p === 0) return ptrs;
      if (ptrs.length >= maxPtrs) return -E2BIG;
      ptrs.push(p);
    }
    va += n;
  }
}

/**
 * copy_strings() for one array, last string first as Linux copies them:
 * each is measured in place (-EFAULT if unreadable, -E2BIG over
 * MAX_ARG_STRLEN or over the room left) and only then copied. 0 or -errno.
 */
function copyStrings(kmm: KernelMm, mm: MmStruct, ptrs: readonly number[], out: ArgString[], a: ArgStrings): number {
  for (let i = ptrs.length - 1; i >= 0; i--) {
    const len = kmm.strnlenUser(mm, ptrs[i]!, MAX_ARG_STRLEN);
    if (len === 0) return -EFAULT;
    if (len > MAX_ARG_STRLEN) return -E2BIG; // valid_arg_len()
    a.room -= len;
    if (a.room < 0) return -E2BIG;
    const s = kmm.copyFromUser(mm, ptrs[i]!, len - 1);
    if (typeof s === 'number') return s;
    out[i] = s;
  }
  return 0;
}

/** copy_string_kernel(): a string the kernel holds (the filename, a spawn's arguments) takes its room; 0 or -E2BIG. */
function takeKernelString(s: ArgString, a: ArgStrings): number {
  const len = (typeof s === 'string' ? new TextEncoder().encode(s).length : s.length) + 1;
  if (len > MAX_ARG_STRLEN) return -E2BIG;
  a.room -= len;
  return a.room < 0 ? -E2BIG : 0;
}

/** bprm_stack_limits(): the room strings have once argc + envc pointers (argc at least 1) are set aside, or -E2BIG. */
function stackLimits(argc: number, envc: number): ArgStrings | number {
  const ptrSize = (Math.max(argc, 1) + envc) * PTR_SIZE;
  if (ARG_MAX <= ptrSize) return -E2BIG;
  return { argv: [], envp: [], room: ARG_MAX - ptrSize };
}

/**
 * The argument part of do_execveat_common() for execve(2): count argv and
 * envp, set the limits, take the filename, copy envp then argv, and give a
 * program with no arguments the "" Linux adds (calling nullArgv first, for
 * its warning). The strings, or -EFAULT/-E2BIG.
 */
export function copyArgStrings(kmm: KernelMm, mm: MmStruct, filename: string, uargv: number, uenvp: number, nullArgv: () => void): ArgStrings | number {
  // Counting stops where the pointers alone would reach ARG_MAX (max(argc, 1) + envc pointers).
  const maxPtrs = ARG_MAX / PTR_SIZE - 1;
  const argvPtrs = countStrings(kmm, mm, uargv, Math.min(maxPtrs, MAX_ARG_STRINGS));
  if (typeof argvPtrs === 'number') return argvPtrs;
  if (argvPtrs.length === 0) nullArgv();
  const envpPtrs = countStrings(kmm, mm, uenvp, Math.min(maxPtrs - Math.max(argvPtrs.length, 1), MAX_ARG_STRINGS));
  if (typeof envpPtrs === 'number') return envpPtrs;
  const a = stackLimits(argvPtrs.length, envpPtrs.length);
  if (typeof a === 'number') return a;
  let r = takeKernelString(filename, a);
  if (r === 0) r = copyStrings(kmm, mm, envpPtrs, a.envp, a);
  if (r === 0) r = copyStrings(kmm, mm, argvPtrs, a.argv, a);
  if (r === 0 && a.argv.length === 0) r = addEmptyArg(a);
  return r < 0 ? r : a;
}

/** The same for strings the kernel already holds (a program the host spawns): the strings, or -E2BIG. */
export function kernelArgStrings(filename: string, argv: readonly ArgString[], envp: readonly ArgString[], nullArgv: () => void): ArgStrings | number {
  if (argv.length === 0) nullArgv();
  const a = stackLimits(argv.length, envp.length);
  if (typeof a === 'number') return a;
  for (const s of [filename, ...envp, ...argv]) {
    const r = takeKernelString(s, a);
    if (r < 0) return r;
  }
  a.argv = [...argv];
  a.envp = [...envp];
  const r = argv.length === 0 ? addEmptyArg(a) : 0;
  return r < 0 ? r : a;
}

// Linux 5.18+: a program never starts with argc == 0 (CVE-2021-4034): "" becomes argv[0].
function addEmptyArg(a: ArgStrings): number {
  const r = takeKernelString('', a);
  if (r === 0) a.argv.push('');
  return r;
}
