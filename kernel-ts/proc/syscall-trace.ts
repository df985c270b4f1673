// The text of the syscalls:sys_enter_* / sys_exit_* trace events, as Linux's
// print_syscall_enter/print_syscall_exit (kernel/trace/trace_syscalls.c)
// write it: `sys_write(fd: 1, buf: 11000, count: d)` and `sys_write -> 0xd`,
// argument names from each SYSCALL_DEFINE, values in bare hex.
import type { SyscallArgs } from '../syscalls/args';
import { NR, syscallName } from '../syscalls/numbers';

const ARG_NAMES: Record<number, readonly string[]> = {
  [NR.ioctl]: ['fd', 'cmd', 'arg'],
  [NR.openat]: ['dfd', 'filename', 'flags', 'mode'],
  [NR.close]: ['fd'],
  [NR.lseek]: ['fd', 'offset', 'whence'],
  [NR.read]: ['fd', 'buf', 'count'],
  [NR.write]: ['fd', 'buf', 'count'],
  [NR.readv]: ['fd', 'vec', 'vlen'],
  [NR.writev]: ['fd', 'vec', 'vlen'],
  [NR.newfstatat]: ['dfd', 'filename', 'statbuf', 'flag'],
  [NR.fstat]: ['fd', 'statbuf'],
  [NR.statfs]: ['pathname', 'buf'],
  [NR.fstatfs]: ['fd', 'buf'],
  [NR.ftruncate]: ['fd', 'length'],
  [NR.exit]: ['error_code'],
  [NR.exit_group]: ['error_code'],
  [NR.set_tid_address]: ['tidptr'],
  [NR.nanosleep]: ['rqtp', 'rmtp'],
  [NR.clock_gettime]: ['which_clock', 'tp'],
  [NR.clock_nanosleep]: ['which_clock', 'flags', 'rqtp', 'rmtp'],
  [NR.sched_yield]: [],
  [NR.kill]: ['pid', 'sig'],
  [NR.tgkill]: ['tgid', 'pid', 'sig'],
  [NR.rt_sigaction]: ['sig', 'act', 'oact', 'sigsetsize'],
  [NR.rt_sigprocmask]: ['how', 'nset', 'oset', 'sigsetsize'],
  [NR.rt_sigreturn]: [],
  [NR.uname]: ['name'],
  [NR.getrlimit]: ['resource', 'rlim'],
  [NR.setrlimit]: ['resource', 'rlim'],
  [NR.getpid]: [],
  [NR.getppid]: [],
  [NR.getuid]: [],
  [NR.geteuid]: [],
  [NR.getgid]: [],
  [NR.getegid]: [],
  [NR.gettid]: [],
  [NR.brk]: ['brk'],
  [NR.munmap]: ['addr', 'len'],
  [NR.mremap]: ['addr', 'old_len', 'new_len', 'flags', 'new_addr'],
  [NR.clone]: ['clone_flags', 'newsp', 'parent_tidptr', 'tls', 'child_tidptr'],
  [NR.execve]: ['filename', 'argv', 'envp'],
  [NR.mmap]: ['addr', 'len', 'prot', 'flags', 'fd', 'off'],
  [NR.mprotect]: ['start', 'len', 'prot'],
  [NR.madvise]: ['start', 'len_in', 'behavior'],
  [NR.wait4]: ['upid', 'stat_addr', 'options', 'ru'],
  [NR.prlimit64]: ['pid', 'resource', 'new_rlim', 'old_rlim'],
  [NR.getrandom]: ['ubuf', 'len', 'flags'],
};
/** Syscalls vmlab has no names for show all six registers. */
const UNKNOWN_ARGS = ['arg0', 'arg1', 'arg2', 'arg3', 'arg4', 'arg5'];

/** An argument as %lx prints an unsigned long. */
function hex(a: SyscallArgs, i: number): string {
  const lo = a.half[2 * i]! >>> 0;
  const hi = a.half[2 * i + 1]! >>> 0;
  return hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/** `sys_NAME(arg: value, ...)`. */
export function syscallEnterText(nr: number, a: SyscallArgs): string {
  const names = ARG_NAMES[nr] ?? UNKNOWN_ARGS;
  return `sys_${syscallName(nr)}(${names.map((n, i) => `${n}: ${hex(a, i)}`).join(', ')})`;
}

/** `sys_NAME -> 0xRESULT` (a negative errno shows as its 64-bit two's complement). */
export function syscallExitText(nr: number, ret: number): string {
  return `sys_${syscallName(nr)} -> 0x${BigInt.asUintN(64, BigInt(ret)).toString(16)}`;
}
