/* internal.h: what the C half of the runtime library shares (not installed). */
#ifndef _VMLAB_LIBC_INTERNAL_H
#define _VMLAB_LIBC_INTERNAL_H

/* Linux's riscv64 system-call numbers (asm-generic/unistd.h) that only the C half calls. */
#define SYS_getcwd 17
#define SYS_dup 23
#define SYS_dup3 24
#define SYS_fcntl 25
#define SYS_mkdirat 34
#define SYS_unlinkat 35
#define SYS_truncate 45
#define SYS_ftruncate 46
#define SYS_faccessat 48
#define SYS_chdir 49
#define SYS_fchdir 50
#define SYS_fchmod 52
#define SYS_fchmodat 53
#define SYS_pipe2 59
#define SYS_readv 65
#define SYS_pread64 67
#define SYS_pwrite64 68
#define SYS_newfstatat 79
#define SYS_fstat 80
#define SYS_clock_nanosleep 115
#define SYS_rt_sigsuspend 133
#define SYS_rt_sigpending 136
#define SYS_umask 166
#define SYS_getuid 174
#define SYS_geteuid 175
#define SYS_getgid 176
#define SYS_getegid 177
#define SYS_msync 227
#define SYS_mlock 228
#define SYS_munlock 229
#define SYS_mlockall 230
#define SYS_munlockall 231
#define SYS_faccessat2 439
#define SYS_fchmodat2 452

/* The kernel's sigset_t on riscv64: 8 bytes. */
#define KERNEL_SIGSET_SIZE 8

/* stdio.c: write out every stream's buffer (exit() calls it after the atexit handlers). */
void __stdio_flushall(void);

/* argv[0], found from environ (unistd.c). */
const char *__argv0(void);

#endif
