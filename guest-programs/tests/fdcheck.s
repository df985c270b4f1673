# fdcheck.s: run by exec.s after execve: fd 3 (opened O_CLOEXEC) must be
# closed, fd 4 (opened without it) still open.
        .include "sys.inc"
        .globl  _start
_start:
        li      a0, 3
        la      a1, iobuf
        li      a7, SYS_fstat
        ecall
        li      a1, -EBADF
        la      a2, l_cloexec
        call    check
        li      a0, 4
        la      a1, iobuf
        li      a7, SYS_fstat
        ecall
        li      a1, 0
        la      a2, l_kept
        call    check
        call    finish

        .section .rodata
l_cloexec: .asciz "execve closed the O_CLOEXEC descriptor"
l_kept:    .asciz "execve kept the other descriptor"
