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

# atoi(a0 = decimal string) -> a0
atoi:
        li      a1, 0
        li      t1, 10
1:      lbu     t0, 0(a0)
        beqz    t0, 2f
        addi    t0, t0, -48
        mul     a1, a1, t1
        add     a1, a1, t0
        addi    a0, a0, 1
        j       1b
2:      mv      a0, a1
        ret
