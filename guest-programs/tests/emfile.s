# emfile.s: opens /dev/null until the kernel refuses: descriptors 3..1023
# succeed (RLIMIT_NOFILE 1024), the next open is EMFILE; closing one frees
# exactly that number for the next open.
        .include "sys.inc"
        .equ    EMFILE, 24
        .globl  _start
_start:
        li      s0, 0                   # successful opens
1:      li      a0, AT_FDCWD
        la      a1, p_null
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        bltz    a0, 2f
        addi    s0, s0, 1
        j       1b
2:      li      a1, -EMFILE
        la      a2, l_emfile
        call    check
        mv      a0, s0
        li      a1, 1021
        la      a2, l_count
        call    check
        li      a0, 500
        li      a7, SYS_close
        ecall
        li      a0, AT_FDCWD
        la      a1, p_null
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        li      a1, 500
        la      a2, l_reuse
        call    check
        call    finish

        .section .rodata
p_null:   .asciz "/dev/null"
l_emfile: .asciz "the open after the limit is EMFILE"
l_count:  .asciz "1021 opens succeed (fds 3..1023)"
l_reuse:  .asciz "the lowest free descriptor is reused"
