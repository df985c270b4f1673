# Stream: loads and stores of every size sweeping a 16 KiB buffer in .bss
# (4 pages, all DTLB hits after the first sweep): the cost of the data path.
# Entry (set by `vmlab bench`): a1 = sweeps (> 0).
# Exit: a0 = checksum, a7 = 93 (exit), ecall.
        .text
        .globl _start
_start:
        li      a0, 0
        mv      t3, a1
.Lsweep:
        la      t1, buf
        li      t2, 1024                    # 16-byte records
.Lrecord:
        ld      a2, 0(t1)
        add     a0, a0, a2
        addi    a0, a0, 1
        sd      a0, 0(t1)
        lw      a3, 8(t1)
        lhu     a4, 12(t1)
        lb      a5, 14(t1)
        add     a3, a3, a4
        sub     a3, a3, a5
        sw      a3, 8(t1)
        sh      a0, 12(t1)
        sb      a3, 15(t1)
        addi    t1, t1, 16
        addi    t2, t2, -1
        bnez    t2, .Lrecord
        addi    t3, t3, -1
        bnez    t3, .Lsweep

        li      a7, 93
        ecall

        .bss
        .balign 16
buf:    .space  16384
