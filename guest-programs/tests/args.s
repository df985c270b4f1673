# args.s: prints argc and each argv string on its own line, exit 0.
        .include "sys.inc"
        .globl  _start
_start:
        ld      s0, 0(sp)               # argc
        addi    s1, sp, 8               # argv
        mv      a0, s0
        call    put_dec
        call    put_nl
1:      ld      a0, 0(s1)
        beqz    a0, 2f
        call    put_str
        call    put_nl
        addi    s1, s1, 8
        j       1b
2:      li      a0, 0
        li      a7, SYS_exit_group
        ecall
