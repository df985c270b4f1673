# A syscall-heavy loop: getpid in a loop with a little arithmetic around it
# (6 instructions and one ecall per iteration), so the kernel's syscall path
# (stop, register save, dispatch, a0 and pc update, resume) dominates. Run by
# `vmlab bench` on the kernel as: kgetpid ITERATIONS. Exit status: the low
# byte of the sum of the pids (ITERATIONS * 1 & 0xff).
        .equ    SYS_exit, 93
        .equ    SYS_getpid, 172

        .text
        .globl  _start
_start:
        ld      a0, 16(sp)              # argv[1]: iterations
        call    atoi
        mv      s0, a0
        li      s1, 0
.Lloop:
        li      a7, SYS_getpid
        ecall
        add     s1, s1, a0
        addi    s0, s0, -1
        bnez    s0, .Lloop
        andi    a0, s1, 0xff
        li      a7, SYS_exit
        ecall

        .include "atoi.inc"
