// System-call numbers of the riscv64 Linux ABI (the asm-generic table,
// include/uapi/asm-generic/unistd.h). ecall with a7 = number, a0..a5 =
// arguments; a0 = result or -errno.

export const NR = {
  getcwd: 17,
  dup: 23,
  dup3: 24,
  fcntl: 25,
  ioctl: 29,
  ftruncate: 46,
  openat: 56,
  close: 57,
  getdents64: 61,
  lseek: 62,
  read: 63,
  write: 64,
  readv: 65,
  writev: 66,
  pread64: 67,
  pwrite64: 68,
  newfstatat: 79,
  fstat: 80,
  exit: 93,
  exit_group: 94,
  set_tid_address: 96,
  nanosleep: 101,
  clock_gettime: 113,
  clock_nanosleep: 115,
  sched_yield: 124,
  kill: 129,
  tgkill: 131,
  rt_sigsuspend: 133,
  rt_sigaction: 134,
  rt_sigprocmask: 135,
  rt_sigpending: 136,
  rt_sigreturn: 139,
  uname: 160,
  getpid: 172,
  getppid: 173,
  getuid: 174,
  geteuid: 175,
  getgid: 176,
  getegid: 177,
  gettid: 178,
  brk: 214,
  munmap: 215,
  mremap: 216,
  clone: 220,
  execve: 221,
  mmap: 222,
  mprotect: 226,
  madvise: 233,
  wait4: 260,
  getrandom: 278,
} as const;

const BY_NUMBER = new Map<number, string>(Object.entries(NR).map(([name, nr]) => [nr, name]));

/** The syscall's name for a number ('syscall_123' if vmlab does not know it). */
export function syscallName(nr: number): string {
  return BY_NUMBER.get(nr) ?? `syscall_${nr}`;
}
