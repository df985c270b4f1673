# fork + exit + wait, end to end through the kernel: each iteration clones
# the process (copy-on-write dup of its address space), the child exits at
# once and the parent reaps it with wait4. Run by `vmlab bench` on the kernel
# as: kfork ITERATIONS. Exit status 0, or 1 if a fork or wait failed.
        .equ    SYS_exit, 93
        .equ    SYS_clone, 220
        .equ    SYS_wait4, 260
        .equ    SIGCHLD, 17

        .text
        .globl  _start
_start:
        ld      a0, 16(sp)              # argv[1]: iterations
        call    atoi
        mv      s0, a0
.Lloop:
        li      a0, SIGCHLD
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a4, 0
        li      a7, SYS_clone
        ecall
        bltz    a0, .Lfail
        beqz    a0, .Lchild
        mv      s1, a0
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a7, SYS_wait4
        ecall
        bne     a0, s1, .Lfail
        addi    s0, s0, -1
        bnez    s0, .Lloop
        li      a0, 0
        li      a7, SYS_exit
        ecall
.Lchild:
        li      a0, 0
        li      a7, SYS_exit
        ecall
.Lfail:
        li      a0, 1
        li      a7, SYS_exit
        ecall

        .include "atoi.inc"
