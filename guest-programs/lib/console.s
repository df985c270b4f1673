# console.s: printf, vprintf, puts, putchar and getchar straight on fds 1
# and 0, unbuffered: what assembly programs linked with this library get.
# Nothing stays buffered between calls, so output interleaves with direct
# write(2)s in program order. A C program built with `vmlab cc` gets the
# buffered FILE versions of guest-programs/libc/stdio.c instead (the C
# library replaces this file and exit.s; docs/guest-libc.md).
        .include "linux.inc"

        .text
# int vprintf(const char *fmt, va_list ap) = vdprintf(1, fmt, ap).
        .globl  vprintf
        .type   vprintf, @function
vprintf:
        mv      a2, a1
        mv      a1, a0
        li      a0, 1
        j       vdprintf
        .size   vprintf, .-vprintf

# printf spills its register arguments into the 64-byte save area at the
# top of an 80-byte frame (a_i at sp + 16 + 8*i), so va_list is a pointer
# into one run of 8-byte slots (stdio.s says more).

# int printf(const char *fmt, ...)
        .globl  printf
        .type   printf, @function
printf:
        addi    sp, sp, -80
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        sd      a1, 24(sp)
        sd      a2, 32(sp)
        sd      a3, 40(sp)
        sd      a4, 48(sp)
        sd      a5, 56(sp)
        sd      a6, 64(sp)
        sd      a7, 72(sp)
        mv      a1, a0
        addi    a2, sp, 24
        li      a0, 1
        call    vdprintf
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 80
        ret
        .size   printf, .-printf

# int puts(const char *s): s and a newline in one writev; 0 or EOF (-1).
        .globl  puts
        .type   puts, @function
puts:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        addi    fp, sp, 48
        sd      a0, 0(sp)               # iov[0] = { s, strlen(s) }
        call    strlen
        sd      a0, 8(sp)
        la      t0, str_newline         # iov[1] = { "\n", 1 }
        sd      t0, 16(sp)
        li      t0, 1
        sd      t0, 24(sp)
        li      a0, 1
        mv      a1, sp
        li      a2, 2
        call    writev
        srai    a0, a0, 63              # -1 stays -1, a count becomes 0
        ld      ra, 40(sp)
        ld      fp, 32(sp)
        addi    sp, sp, 48
        ret
        .size   puts, .-puts

# int putchar(int c): writes (unsigned char)c to fd 1; returns it or EOF (-1).
        .globl  putchar
        .type   putchar, @function
putchar:
        addi    sp, sp, -16
        andi    a0, a0, 0xff
        sb      a0, 0(sp)
        mv      t0, a0
        li      a0, 1
        mv      a1, sp
        li      a2, 1
        li      a7, SYS_write
        ecall
        addi    sp, sp, 16
        blez    a0, 1f
        mv      a0, t0
        ret
1:      li      a0, -1
        ret
        .size   putchar, .-putchar

# int getchar(void): the next byte of fd 0, or EOF (-1) at end of file or error.
        .globl  getchar
        .type   getchar, @function
getchar:
        addi    sp, sp, -16
        li      a0, 0
        mv      a1, sp
        li      a2, 1
        li      a7, SYS_read
        ecall
        lbu     t0, 0(sp)
        addi    sp, sp, 16
        blez    a0, 1f
        mv      a0, t0
        ret
1:      li      a0, -1
        ret
        .size   getchar, .-getchar

        .section .rodata
str_newline: .asciz "\n"
