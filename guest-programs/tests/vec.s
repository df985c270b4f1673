# vec.s: writev of three segments to stdout (one of them empty), readv of
# /dev/zero into two buffers, and the error answers of both.
        .include "sys.inc"
        .equ    EINVAL, 22
        .globl  _start
_start:
        li      a0, 1
        la      a1, iov_out
        li      a2, 4
        li      a7, SYS_writev
        ecall
        li      a1, 11
        la      a2, l_writev
        call    check
        # readv(/dev/zero) into two buffers pre-filled with 0xff
        li      a0, AT_FDCWD
        la      a1, p_zero
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        mv      s0, a0
        la      t0, iobuf
        li      t1, -1
        sd      t1, 0(t0)
        sd      t1, 8(t0)
        sd      t1, 16(t0)
        mv      a0, s0
        la      a1, iov_in
        li      a2, 2
        li      a7, SYS_readv
        ecall
        li      a1, 12
        la      a2, l_readv
        call    check
        la      t0, iobuf
        lwu     a0, 0(t0)               # the first segment is 4 bytes
        ld      t1, 8(t0)
        or      a0, a0, t1
        li      a1, 0
        la      a2, l_zeroed
        call    check
        la      t0, iobuf
        ld      a0, 16(t0)              # past the 12 bytes asked for: untouched
        li      a1, -1
        la      a2, l_untouched
        call    check
        # a negative count and more than IOV_MAX segments are EINVAL
        li      a0, 1
        la      a1, iov_out
        li      a2, -1
        li      a7, SYS_writev
        ecall
        li      a1, -EINVAL
        la      a2, l_negative
        call    check
        li      a0, 1
        la      a1, iov_out
        li      a2, 1025
        li      a7, SYS_writev
        ecall
        li      a1, -EINVAL
        la      a2, l_toomany
        call    check
        li      a0, 1
        la      a1, iov_out
        li      a2, 0
        li      a7, SYS_writev
        ecall
        li      a1, 0
        la      a2, l_none
        call    check
        call    finish

        .data
        .align  3
iov_out:
        .dword  s1, 4
        .dword  s2, 0
        .dword  s2, 3
        .dword  s3, 4
iov_in:
        .dword  iobuf, 4
        .dword  iobuf + 8, 8

        .section .rodata
s1:          .ascii "one "
s2:          .ascii "two"
s3:          .ascii " 3!\n"
p_zero:      .asciz "/dev/zero"
l_writev:    .asciz "writev writes 11 bytes"
l_readv:     .asciz "readv reads 12 bytes"
l_zeroed:    .asciz "both buffers are zeroed"
l_untouched: .asciz "nothing past them is"
l_negative:  .asciz "a negative iovcnt is EINVAL"
l_toomany:   .asciz "1025 segments is EINVAL"
l_none:      .asciz "0 segments write nothing"
