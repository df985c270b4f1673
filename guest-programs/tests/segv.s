# segv.s: prints a line, then stores to address 0: killed by SIGSEGV.
        .include "sys.inc"
        .globl  _start
_start:
        la      a0, msg
        call    put_str
        li      t0, 0
        sd      t0, 0(t0)
        li      a0, 0
        li      a7, SYS_exit_group
        ecall

        .section .rodata
msg:    .asciz  "about to segfault\n"
