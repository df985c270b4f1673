# Multiply/divide chain: a 64-bit LCG feeding every M-extension operation.
# Entry (set by `vmlab bench`): a1 = iterations (> 0).
# Exit: a0 = checksum, a7 = 93 (exit), ecall.
        .text
        .globl _start
_start:
        li      t0, 6364136223846793005     # Knuth's MMIX LCG multiplier
        li      t1, 1442695040888963407     # and increment
        li      t2, 1000003                 # a prime divisor
        li      s0, 88172645463325252       # state
        li      a0, 0
        mv      t3, a1
.Lloop:
        mul     s0, s0, t0
        add     s0, s0, t1
        mulhu   a2, s0, t0
        mulh    a3, s0, t1
        divu    a4, s0, t2
        remu    a5, s0, t2
        srai    a6, s0, 40
        ori     a6, a6, 1                   # never zero
        div     s1, a2, a6
        rem     s2, a3, a6
        mulw    s3, a4, a5
        divw    s4, s3, a6
        remuw   s5, a2, t2
        xor     a0, a0, a2
        add     a0, a0, a4
        xor     a0, a0, s1
        add     a0, a0, s2
        xor     a0, a0, s4
        add     a0, a0, s5
        addi    t3, t3, -1
        bnez    t3, .Lloop

        li      a7, 93
        ecall
