# cat.s: copies stdin to stdout until end of input, exit 0.
        .include "sys.inc"
        .globl  _start
_start:
1:      li      a0, 0
        la      a1, iobuf
        li      a2, 4096
        li      a7, SYS_read
        ecall
        blez    a0, 2f
        mv      a2, a0
        li      a0, 1
        la      a1, iobuf
        li      a7, SYS_write
        ecall
        j       1b
2:      li      a7, SYS_exit_group
        ecall
