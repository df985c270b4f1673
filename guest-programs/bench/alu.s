# ALU/branch loop: register-only integer work and branches, no memory access.
# Entry (set by `vmlab bench`): a1 = iterations (> 0).
# Exit: a0 = checksum, a7 = 93 (exit), ecall.
        .text
        .globl _start
_start:
        li      t0, 0x12345
        li      t1, 0
        li      t2, 0
        li      a3, 0
        mv      t3, a1
.Lloop:
        addi    t1, t1, 1
        xor     t2, t2, t1
        add     t4, t2, t0
        slli    t5, t4, 3
        srli    t6, t5, 2
        or      a2, t6, t1
        sub     a3, a3, a2
        and     a4, a3, t4
        sltu    a5, a4, a3
        add     t0, t0, a5
        blt     a4, a3, .Lskip
        xori    t0, t0, 5
.Lskip:
        addi    t3, t3, -1
        bnez    t3, .Lloop

        add     a0, a3, t0
        li      a7, 93
        ecall
