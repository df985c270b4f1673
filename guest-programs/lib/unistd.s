# unistd.s: process and time functions built from one or more system calls:
# brk/sbrk, fork, wait/waitpid, execv, sleep/usleep.
        .include "linux.inc"

        .bss
        .p2align 3
        .globl  __curbrk
__curbrk: .zero 8                       # the break as this library knows it (0: not asked yet)

        .text
# int brk(void *addr): sets the break; 0, or -1 with errno = ENOMEM. (The
# kernel's brk returns the break it ended with; an unchanged one means no.)
        .globl  brk
        .type   brk, @function
brk:
        mv      t1, a0
        li      a7, SYS_brk
        ecall
        la      t0, __curbrk
        sd      a0, 0(t0)
        bne     a0, t1, 1f
        li      a0, 0
        ret
1:      la      t0, errno
        li      t1, ENOMEM
        sw      t1, 0(t0)
        li      a0, -1
        ret
        .size   brk, .-brk

# void *sbrk(intptr_t incr): moves the break by incr and returns the old
# one; sbrk(0) just reports it. (void *)-1 with errno = ENOMEM on failure.
        .globl  sbrk
        .type   sbrk, @function
sbrk:
        la      t0, __curbrk
        ld      t1, 0(t0)
        bnez    t1, 1f
        mv      t2, a0                  # learn the break: brk(0)
        li      a0, 0
        li      a7, SYS_brk
        ecall
        sd      a0, 0(t0)
        mv      t1, a0
        mv      a0, t2
1:      beqz    a0, 3f
        add     t2, t1, a0              # t2 = the wanted break
        mv      a0, t2
        li      a7, SYS_brk
        ecall
        sd      a0, 0(t0)
        bne     a0, t2, 2f
        mv      a0, t1
        ret
2:      la      t0, errno
        li      t1, ENOMEM
        sw      t1, 0(t0)
        li      a0, -1
        ret
3:      mv      a0, t1
        ret
        .size   sbrk, .-sbrk

# pid_t fork(void) = clone(SIGCHLD, 0, 0, 0, 0): the child's pid in the
# parent, 0 in the child, -1 with errno.
        .globl  fork
        .type   fork, @function
fork:
        li      a0, SIGCHLD
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a4, 0
        li      a7, SYS_clone
        j       __syscall_ret
        .size   fork, .-fork

# pid_t waitpid(pid_t pid, int *status, int options) = wait4(pid, status, options, NULL).
        .globl  waitpid
        .type   waitpid, @function
waitpid:
        li      a3, 0
        li      a7, SYS_wait4
        j       __syscall_ret
        .size   waitpid, .-waitpid

# pid_t wait(int *status) = wait4(-1, status, 0, NULL).
        .globl  wait
        .type   wait, @function
wait:
        mv      a1, a0
        li      a0, -1
        li      a2, 0
        li      a3, 0
        li      a7, SYS_wait4
        j       __syscall_ret
        .size   wait, .-wait

# pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
        .globl  wait4
        .type   wait4, @function
wait4:
        li      a7, SYS_wait4
        j       __syscall_ret
        .size   wait4, .-wait4

# int execv(const char *path, char *const argv[]) = execve(path, argv, environ).
        .globl  execv
        .type   execv, @function
execv:
        la      a2, environ
        ld      a2, 0(a2)
        li      a7, SYS_execve
        j       __syscall_ret
        .size   execv, .-execv

# unsigned sleep(unsigned seconds): nanosleep for that long; 0, or the
# seconds left (rounded up) when a signal handler interrupted it.
        .globl  sleep
        .type   sleep, @function
sleep:
        addi    sp, sp, -32             # req at sp+0, rem at sp+16
        slli    a0, a0, 32
        srli    a0, a0, 32
        sd      a0, 0(sp)
        sd      zero, 8(sp)
        sd      zero, 16(sp)
        sd      zero, 24(sp)
        mv      a0, sp
        addi    a1, sp, 16
        li      a7, SYS_nanosleep
        ecall
        beqz    a0, 1f
        ld      a0, 16(sp)
        ld      t0, 24(sp)
        snez    t0, t0
        add     a0, a0, t0
1:      addi    sp, sp, 32
        ret
        .size   sleep, .-sleep

# int usleep(useconds_t us): 0, or -1 with errno (EINTR when interrupted).
        .globl  usleep
        .type   usleep, @function
usleep:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        addi    sp, sp, -16
        slli    a0, a0, 32
        srli    a0, a0, 32
        li      t0, 1000000
        divu    t1, a0, t0
        remu    t2, a0, t0
        li      t0, 1000
        mul     t2, t2, t0
        sd      t1, 0(sp)
        sd      t2, 8(sp)
        mv      a0, sp
        li      a1, 0
        call    nanosleep
        addi    sp, sp, 16
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret
        .size   usleep, .-usleep
