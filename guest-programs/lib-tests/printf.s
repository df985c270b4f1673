# printf.s: the printf family's conversions, widths and flags, printed
# straight to stdout (tests/guest/libc.test.ts holds the exact text) and
# checked through snprintf/sprintf return values and buffers.
        .include "tap.inc"

        .text
        .globl  main
main:
        addi    sp, sp, -160            # 0(sp): stack varargs; 64(sp): buf
        sd      ra, 152(sp)
        sd      fp, 144(sp)
        addi    fp, sp, 160

        la      a0, f_mix               # the brief's line
        li      a1, 42
        li      a2, 42
        li      a3, 42
        li      a4, 255
        li      a5, 0xdeadbeefcafe
        li      a6, 0x1000
        la      a7, s_str
        li      t0, 'A'
        sd      t0, 0(sp)               # the 9th argument goes on the stack
        call    printf

        la      a0, f_null
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a4, 0
        li      a5, 0
        call    printf

        la      a0, f_ints
        li      a1, -1
        li      a2, -2147483648
        li      a3, -1
        li      a4, -1
        li      a5, 0xabcdef
        call    printf

        la      a0, f_longs
        li      a1, -9223372036854775808
        li      a2, -1
        li      a3, 123
        li      a4, 1234567890123
        call    printf

        la      a0, f_stars
        li      a1, 6
        li      a2, 7
        li      a3, 6
        li      a4, 7
        li      a5, 5
        li      a6, 5
        li      a7, 5
        li      t0, 255
        sd      t0, 0(sp)
        sd      t0, 8(sp)
        call    printf

        la      a0, f_strs
        la      a1, s_str
        la      a2, s_str
        la      a3, s_str
        li      a4, 'z'
        call    printf

        la      a0, f_A                 # printf and write(2) interleave in program order
        call    printf
        li      a0, 1
        la      a1, s_B
        li      a2, 1
        call    write
        la      a0, f_C
        call    printf

        la      a0, s_puts
        call    puts
        li      a0, 'x'
        call    putchar
        li      a0, '\n'
        call    putchar
        li      a0, 1
        la      a1, f_dprintf
        la      a2, s_str
        li      a3, 2
        call    dprintf

        la      a0, f_wide              # 602 bytes: more than one 512-byte buffer
        la      a1, s_x
        call    printf
        mv      a0, a0
        li      a1, 602
        la      a2, d_wide
        call    tap_eq

        addi    a0, sp, 64              # snprintf truncates, returns the full length
        li      a1, 8
        la      a2, f_d
        li      a3, 123456789
        call    snprintf
        li      a1, 9
        la      a2, d_sn_ret
        call    tap_eq
        addi    a0, sp, 64
        la      a1, s_1234567
        la      a2, d_sn_buf
        call    tap_streq

        addi    a0, sp, 64              # size 0 writes nothing
        li      t0, '#'
        sb      t0, 0(a0)
        li      a1, 0
        la      a2, f_d
        li      a3, 5
        call    snprintf
        li      a1, 1
        la      a2, d_sn0_ret
        call    tap_eq
        lbu     a0, 64(sp)
        li      a1, '#'
        la      a2, d_sn0_buf
        call    tap_eq

        addi    a0, sp, 64
        la      a1, f_sprintf
        la      a2, s_ab
        li      a3, 'c'
        li      a4, 255
        li      a5, -5
        call    sprintf
        li      a1, 10
        la      a2, d_sp_ret
        call    tap_eq
        addi    a0, sp, 64
        la      a1, s_sprintf
        la      a2, d_sp_buf
        call    tap_streq

        addi    a0, sp, 64              # %hhd/%hd truncate like C's casts
        li      a1, 64
        la      a2, f_short
        li      a3, 0x1ff
        li      a4, 0x18000
        li      a5, 0x1ff
        call    snprintf
        addi    a0, sp, 64
        la      a1, s_short
        la      a2, d_short
        call    tap_streq

        call    tap_done
        ld      ra, 152(sp)
        ld      fp, 144(sp)
        addi    sp, sp, 160
        ret

        .section .rodata
f_mix:     .asciz "[%5d|%-5d|%05d|%x|%lx|%p|%s|%c|%%]\n"
f_null:    .asciz "[%p|%s|%10p|%-8s|%.3s]\n"
f_ints:    .asciz "[%d|%i|%u|%x|%X]\n"
f_longs:   .asciz "[%lld|%llx|%zu|%ld]\n"
f_stars:   .asciz "[%*d|%-*d|%.*d|%+d|% d|%#x]\n"
f_strs:    .asciz "[%8s|%-8s|%.2s|%3c]\n"
f_A:       .asciz "A"
s_B:       .ascii "B"
f_C:       .asciz "C\n"
s_puts:    .asciz "puts adds a newline"
f_dprintf: .asciz "dprintf %s %d\n"
f_wide:    .asciz "%600s|\n"
f_d:       .asciz "%d"
f_sprintf: .asciz "%s-%c-%x-%d"
s_sprintf: .asciz "ab-c-ff--5"
f_short:   .asciz "%hhd %hd %hhu"
s_short:   .asciz "-1 -32768 255"
s_str:     .asciz "str"
s_ab:      .asciz "ab"
s_x:       .asciz "x"
s_1234567: .asciz "1234567"
d_wide:    .asciz "printf returns 602 for a 602-byte line"
d_sn_ret:  .asciz "snprintf returns the untruncated length"
d_sn_buf:  .asciz "snprintf keeps size-1 bytes and a NUL"
d_sn0_ret: .asciz "snprintf(size 0) counts"
d_sn0_buf: .asciz "snprintf(size 0) writes nothing"
d_sp_ret:  .asciz "sprintf returns the length"
d_sp_buf:  .asciz "sprintf %s %c %x %d"
d_short:   .asciz "snprintf %hhd %hd %hhu"
