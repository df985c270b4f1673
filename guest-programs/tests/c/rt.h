/* rt.h: the tiny runtime of vmlab's C test programs (no libc): Linux
 * riscv64 system calls by ecall, and a few output helpers. Build:
 *   riscv64-linux-gnu-gcc -march=rv64im -mabi=lp64 -static -nostdlib -O2 rt.c prog.c -o prog
 */
#ifndef VMLAB_RT_H
#define VMLAB_RT_H

typedef unsigned long size_t;
typedef long ssize_t;

#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94
#define SYS_nanosleep 101
#define SYS_sched_yield 124
#define SYS_kill 129
#define SYS_rt_sigsuspend 133
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_rt_sigpending 136
#define SYS_getrlimit 163
#define SYS_setrlimit 164
#define SYS_getpid 172
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_mremap 216
#define SYS_clone 220
#define SYS_execve 221
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_wait4 260
#define SYS_prlimit64 261

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#define SIGCHLD 17
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGSTOP 19
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SA_SIGINFO 4
#define SA_RESTART 0x10000000
#define WNOHANG 1
#define SIGBIT(s) (1UL << ((s) - 1))
/* The kernel's struct sigaction on riscv64 (no sa_restorer: the vdso returns). */
struct k_sigaction {
  void *handler;
  unsigned long flags;
  unsigned long mask;
};
/* struct rlimit (and rlimit64): soft and hard limit; RLIM_INFINITY is ~0UL. */
struct rlimit {
  unsigned long cur, max;
};
#define RLIM_INFINITY (~0UL)
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIM_NLIMITS 16
/* Linux's struct siginfo, the fields these tests read. */
struct k_siginfo {
  int si_signo, si_errno, si_code, pad;
  void *si_addr;
};

static inline long syscall6(long n, long a, long b, long c, long d, long e, long f) {
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a3 __asm__("a3") = d;
  register long a4 __asm__("a4") = e;
  register long a5 __asm__("a5") = f;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
  return a0;
}

#define syscall0(n) syscall6((n), 0, 0, 0, 0, 0, 0)
#define syscall1(n, a) syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define syscall2(n, a, b) syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define syscall3(n, a, b, c) syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define syscall4(n, a, b, c, d) syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static inline ssize_t write(int fd, const void *buf, size_t n) { return syscall3(SYS_write, fd, buf, n); }
static inline ssize_t read(int fd, void *buf, size_t n) { return syscall3(SYS_read, fd, buf, n); }
static inline void *sys_brk(void *addr) { return (void *)syscall1(SYS_brk, addr); }
static inline void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off) {
  return (void *)syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
}
static inline int munmap(void *addr, size_t len) { return (int)syscall2(SYS_munmap, addr, len); }
static inline int mprotect(void *addr, size_t len, int prot) { return (int)syscall3(SYS_mprotect, addr, len, prot); }
static inline int fork(void) { return (int)syscall6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0); }
static inline int waitpid(int pid, int *status) { return (int)syscall4(SYS_wait4, pid, status, 0, 0); }
static inline int wait4(int pid, int *status, int options) { return (int)syscall4(SYS_wait4, pid, status, options, 0); }
static inline int getpid(void) { return (int)syscall0(SYS_getpid); }
static inline int kill(int pid, int sig) { return (int)syscall2(SYS_kill, pid, sig); }
static inline int sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old) {
  return (int)syscall4(SYS_rt_sigaction, sig, act, old, 8);
}
static inline int sigprocmask(int how, const unsigned long *set, unsigned long *old) {
  return (int)syscall4(SYS_rt_sigprocmask, how, set, old, 8);
}
static inline int sigpending(unsigned long *set) { return (int)syscall2(SYS_rt_sigpending, set, 8); }
static inline int sigsuspend(const unsigned long *mask) { return (int)syscall2(SYS_rt_sigsuspend, mask, 8); }
static inline int getrlimit(int resource, struct rlimit *r) { return (int)syscall2(SYS_getrlimit, resource, r); }
static inline int setrlimit(int resource, const struct rlimit *r) { return (int)syscall2(SYS_setrlimit, resource, r); }
static inline int prlimit(int pid, int resource, const struct rlimit *n, struct rlimit *o) {
  return (int)syscall4(SYS_prlimit64, pid, resource, n, o);
}
static inline __attribute__((noreturn)) void exit(int code) {
  syscall1(SYS_exit_group, code);
  __builtin_unreachable();
}

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
void puts_(const char *s);
void put_dec(long v);
void put_hex(unsigned long v);
/* "ok LABEL\n" or "FAIL LABEL: got G, expected E\n"; returns cond. */
int check(int cond, const char *label, long got, long expected);
/* Yields until /proc/PID/status shows the process asleep ("State:\tS"). */
void wait_until_asleep(int pid);
extern int failures;

#endif
