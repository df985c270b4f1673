# strerror.s: errno numbers as text: strerror and perror (glibc's wording
# for errors 0..40; others are "Unknown error N").
        .include "linux.inc"

        .equ    NERR, 41

        .bss
unknown_buf: .zero 32                   # strerror's answer for unknown numbers (overwritten by the next)

        .text
# char *strerror(int err): the message for err.
        .globl  strerror
        .type   strerror, @function
strerror:
        sext.w  a0, a0
        li      t0, NERR
        bgeu    a0, t0, 1f
        la      t0, messages
        slli    a0, a0, 3
        add     t0, t0, a0
        ld      a0, 0(t0)
        ret
1:      addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        mv      a3, a0
        la      a0, unknown_buf
        li      a1, 32
        la      a2, fmt_unknown
        call    snprintf
        la      a0, unknown_buf
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret
        .size   strerror, .-strerror

# void perror(const char *s): "s: message\n" (just "message\n" when s is
# NULL or empty) for the current errno, on fd 2 in one write.
        .globl  perror
        .type   perror, @function
perror:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        addi    fp, sp, 32
        mv      s1, a0
        la      t0, errno
        lw      a0, 0(t0)
        call    strerror
        mv      a3, a0
        beqz    s1, 1f
        lbu     t0, 0(s1)
        beqz    t0, 1f
        li      a0, 2
        la      a1, fmt_prefixed
        mv      a2, s1
        call    dprintf
        j       2f
1:      li      a0, 2
        la      a1, fmt_plain
        mv      a2, a3
        call    dprintf
2:      ld      ra, 24(sp)
        ld      fp, 16(sp)
        ld      s1, 8(sp)
        addi    sp, sp, 32
        ret
        .size   perror, .-perror

        .section .rodata
fmt_unknown:  .asciz "Unknown error %d"
fmt_prefixed: .asciz "%s: %s\n"
fmt_plain:    .asciz "%s\n"
        .p2align 3
messages:
        .dword  e0
        .dword  e1
        .dword  e2
        .dword  e3
        .dword  e4
        .dword  e5
        .dword  e6
        .dword  e7
        .dword  e8
        .dword  e9
        .dword  e10
        .dword  e11
        .dword  e12
        .dword  e13
        .dword  e14
        .dword  e15
        .dword  e16
        .dword  e17
        .dword  e18
        .dword  e19
        .dword  e20
        .dword  e21
        .dword  e22
        .dword  e23
        .dword  e24
        .dword  e25
        .dword  e26
        .dword  e27
        .dword  e28
        .dword  e29
        .dword  e30
        .dword  e31
        .dword  e32
        .dword  e33
        .dword  e34
        .dword  e35
        .dword  e36
        .dword  e37
        .dword  e38
        .dword  e39
        .dword  e40
e0: .asciz "Success"
e1: .asciz "Operation not permitted"
e2: .asciz "No such file or directory"
e3: .asciz "No such process"
e4: .asciz "Interrupted system call"
e5: .asciz "Input/output error"
e6: .asciz "No such device or address"
e7: .asciz "Argument list too long"
e8: .asciz "Exec format error"
e9: .asciz "Bad file descriptor"
e10: .asciz "No child processes"
e11: .asciz "Resource temporarily unavailable"
e12: .asciz "Cannot allocate memory"
e13: .asciz "Permission denied"
e14: .asciz "Bad address"
e15: .asciz "Block device required"
e16: .asciz "Device or resource busy"
e17: .asciz "File exists"
e18: .asciz "Invalid cross-device link"
e19: .asciz "No such device"
e20: .asciz "Not a directory"
e21: .asciz "Is a directory"
e22: .asciz "Invalid argument"
e23: .asciz "Too many open files in system"
e24: .asciz "Too many open files"
e25: .asciz "Inappropriate ioctl for device"
e26: .asciz "Text file busy"
e27: .asciz "File too large"
e28: .asciz "No space left on device"
e29: .asciz "Illegal seek"
e30: .asciz "Read-only file system"
e31: .asciz "Too many links"
e32: .asciz "Broken pipe"
e33: .asciz "Numerical argument out of domain"
e34: .asciz "Numerical result out of range"
e35: .asciz "Resource deadlock avoided"
e36: .asciz "File name too long"
e37: .asciz "No locks available"
e38: .asciz "Function not implemented"
e39: .asciz "Directory not empty"
e40: .asciz "Too many levels of symbolic links"
