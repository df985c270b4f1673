# hello.s: write(2) to stdout, exit_group(0).
        .include "sys.inc"
        .globl  _start
_start:
        la      a0, msg
        call    put_str
        li      a0, 0
        li      a7, SYS_exit_group
        ecall

        .section .rodata
msg:    .asciz  "hello, world\n"
