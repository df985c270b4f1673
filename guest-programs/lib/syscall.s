# syscall.s: errno and the thin system-call wrappers.
#
# Each wrapper loads its number into a7 and tail-jumps to __syscall_ret,
# which turns the kernel's -errno (a0 in [-4095, -1]) into libc's
# convention: errno = -a0, return -1. The arguments are already in a0..a5
# in the kernel's order, so the wrappers do not touch them. ecall preserves
# every register except a0, so these are all leaf functions.
        .include "linux.inc"

        .bss
        .p2align 2
        .globl  errno
        .type   errno, @object
errno:  .zero   4                       # int errno (one thread per process)
        .size   errno, 4

        .text
# long __syscall_ret(a0 = kernel result, a7 = number): ecall, then map -errno.
        .globl  __syscall_ret
        .type   __syscall_ret, @function
__syscall_ret:
        ecall
        li      t0, -MAX_ERRNO - 1
        bltu    t0, a0, 1f              # unsigned a0 > -4096: an error
        ret
1:      neg     t1, a0
        la      t0, errno
        sw      t1, 0(t0)
        li      a0, -1
        ret
        .size   __syscall_ret, .-__syscall_ret

# long syscall(long nr, a1..a6): the generic wrapper, as libc's syscall(2).
        .globl  syscall
        .type   syscall, @function
syscall:
        mv      a7, a0
        mv      a0, a1
        mv      a1, a2
        mv      a2, a3
        mv      a3, a4
        mv      a4, a5
        mv      a5, a6
        j       __syscall_ret
        .size   syscall, .-syscall

# int open(const char *path, int flags, mode_t mode) = openat(AT_FDCWD, ...).
        .globl  open
        .type   open, @function
open:
        mv      a3, a2
        mv      a2, a1
        mv      a1, a0
        li      a0, AT_FDCWD
        li      a7, SYS_openat
        j       __syscall_ret
        .size   open, .-open

# The rest take the kernel's arguments unchanged.
        .globl  openat, close, lseek, read, write, writev, ioctl
        .globl  mmap, munmap, mprotect, mremap, madvise
        .globl  getpid, getppid, gettid, kill, nanosleep, sched_yield
        .globl  uname, getrandom, clock_gettime, execve
        .type   openat, @function
openat:         li a7, SYS_openat;         j __syscall_ret
        .type   close, @function
close:          li a7, SYS_close;          j __syscall_ret
        .type   lseek, @function
lseek:          li a7, SYS_lseek;          j __syscall_ret
        .type   read, @function
read:           li a7, SYS_read;           j __syscall_ret
        .type   write, @function
write:          li a7, SYS_write;          j __syscall_ret
        .type   writev, @function
writev:         li a7, SYS_writev;         j __syscall_ret
        .type   ioctl, @function
ioctl:          li a7, SYS_ioctl;          j __syscall_ret
        .type   mmap, @function
mmap:           li a7, SYS_mmap;           j __syscall_ret
        .type   munmap, @function
munmap:         li a7, SYS_munmap;         j __syscall_ret
        .type   mprotect, @function
mprotect:       li a7, SYS_mprotect;       j __syscall_ret
        .type   mremap, @function
mremap:         li a7, SYS_mremap;         j __syscall_ret
        .type   madvise, @function
madvise:        li a7, SYS_madvise;        j __syscall_ret
        .type   getpid, @function
getpid:         li a7, SYS_getpid;         j __syscall_ret
        .type   getppid, @function
getppid:        li a7, SYS_getppid;        j __syscall_ret
        .type   gettid, @function
gettid:         li a7, SYS_gettid;         j __syscall_ret
        .type   kill, @function
kill:           li a7, SYS_kill;           j __syscall_ret
        .type   nanosleep, @function
nanosleep:      li a7, SYS_nanosleep;      j __syscall_ret
        .type   sched_yield, @function
sched_yield:    li a7, SYS_sched_yield;    j __syscall_ret
        .type   uname, @function
uname:          li a7, SYS_uname;          j __syscall_ret
        .type   getrandom, @function
getrandom:      li a7, SYS_getrandom;      j __syscall_ret
        .type   clock_gettime, @function
clock_gettime:  li a7, SYS_clock_gettime;  j __syscall_ret
        .type   execve, @function
execve:         li a7, SYS_execve;         j __syscall_ret

# void exit(int status), _exit, _Exit: exit_group (stdio keeps no buffer
# between calls, so there is nothing to flush).
        .globl  exit, _exit, _Exit
        .type   exit, @function
        .type   _exit, @function
        .type   _Exit, @function
exit:
_exit:
_Exit:
        li      a7, SYS_exit_group
        ecall
        j       _exit                   # not reached
        .size   exit, .-exit
