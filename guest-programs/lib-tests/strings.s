# strings.s: memset/memcpy/memmove/memcmp, the str* functions and strtoul
# (a table of inputs, bases, values and end offsets), atoi.
        .include "tap.inc"

        .text
        .globl  main
main:
        addi    sp, sp, -128            # buf at 0(sp), 64 bytes; s1..s3 saved above
        sd      ra, 120(sp)
        sd      fp, 112(sp)
        sd      s1, 104(sp)
        sd      s2, 96(sp)
        sd      s3, 88(sp)
        addi    fp, sp, 128

        la      a0, s_empty
        call    strlen
        li      a1, 0
        la      a2, d_strlen0
        call    tap_eq
        la      a0, s_hello
        call    strlen
        li      a1, 5
        la      a2, d_strlen5
        call    tap_eq

        la      a0, s_abc               # strcmp: sign only
        la      a1, s_abc2
        call    strcmp
        seqz    a0, a0
        la      a1, d_cmp_eq
        call    tap_ok
        la      a0, s_abc
        la      a1, s_abd
        call    strcmp
        sltz    a0, a0
        la      a1, d_cmp_lt
        call    tap_ok
        la      a0, s_ab
        la      a1, s_abc
        call    strcmp
        sltz    a0, a0
        la      a1, d_cmp_prefix
        call    tap_ok
        la      a0, s_high
        la      a1, s_abc
        call    strcmp
        sgtz    a0, a0
        la      a1, d_cmp_unsigned
        call    tap_ok
        la      a0, s_abc
        la      a1, s_abd
        li      a2, 2
        call    strncmp
        seqz    a0, a0
        la      a1, d_ncmp_eq
        call    tap_ok
        la      a0, s_abd
        la      a1, s_abc
        li      a2, 3
        call    strncmp
        sgtz    a0, a0
        la      a1, d_ncmp_gt
        call    tap_ok
        la      a0, s_abd
        la      a1, s_abc
        li      a2, 0
        call    strncmp
        seqz    a0, a0
        la      a1, d_ncmp_0
        call    tap_ok
        la      a0, s_abc
        la      a1, s_high
        li      a2, 1
        call    memcmp
        sltz    a0, a0
        la      a1, d_memcmp
        call    tap_ok

        mv      a0, sp                  # memset at an odd address, across the 8-byte path
        li      a1, '.'
        li      a2, 40
        call    memset
        sb      zero, 40(sp)
        addi    a0, sp, 3
        li      a1, 0x17a               # only the low byte ('z') counts
        li      a2, 21
        call    memset
        mv      a0, sp
        la      a1, s_memset
        la      a2, d_memset
        call    tap_streq

        mv      a0, sp                  # memcpy, same misalignment on both sides
        li      a1, 0
        li      a2, 64
        call    memset
        addi    a0, sp, 1
        la      a1, s_alpha
        addi    a1, a1, 1
        li      a2, 30
        call    memcpy
        addi    a0, sp, 1
        la      a1, s_alpha_1
        la      a2, d_memcpy_same
        call    tap_streq
        mv      a0, sp                  # memcpy, different alignments
        li      a1, 0
        li      a2, 64
        call    memset
        addi    a0, sp, 3
        la      a1, s_alpha
        li      a2, 36
        call    memcpy
        addi    a0, sp, 3
        la      a1, s_alpha
        la      a2, d_memcpy_diff
        call    tap_streq

        mv      a0, sp                  # memmove both ways
        la      a1, s_digits
        call    strcpy
        addi    a0, sp, 2
        mv      a1, sp
        li      a2, 5
        call    memmove
        mv      a0, sp
        la      a1, s_move_up
        la      a2, d_move_up
        call    tap_streq
        mv      a0, sp
        la      a1, s_digits
        call    strcpy
        mv      a0, sp
        addi    a1, sp, 2
        li      a2, 5
        call    memmove
        mv      a0, sp
        la      a1, s_move_down
        la      a2, d_move_down
        call    tap_streq

        mv      a0, sp                  # strncpy pads with NULs and stops at n
        li      a1, 'Q'
        li      a2, 8
        call    memset
        mv      a0, sp
        la      a1, s_ab
        li      a2, 5
        call    strncpy
        mv      a0, sp
        la      a1, b_strncpy
        li      a2, 8
        call    memcmp
        seqz    a0, a0
        la      a1, d_strncpy
        call    tap_ok
        mv      a0, sp
        la      a1, s_hello
        call    strcpy
        mv      a0, sp
        la      a1, s_abc
        call    strcat
        mv      a0, sp
        la      a1, s_helloabc
        la      a2, d_strcat
        call    tap_streq

        la      s1, s_hello             # strchr/strrchr
        mv      a0, s1
        li      a1, 'l'
        call    strchr
        sub     a0, a0, s1
        li      a1, 2
        la      a2, d_strchr
        call    tap_eq
        mv      a0, s1
        li      a1, 0
        call    strchr
        sub     a0, a0, s1
        li      a1, 5
        la      a2, d_strchr_nul
        call    tap_eq
        mv      a0, s1
        li      a1, 'z'
        call    strchr
        li      a1, 0
        la      a2, d_strchr_none
        call    tap_eq
        mv      a0, s1
        li      a1, 'l'
        call    strrchr
        sub     a0, a0, s1
        li      a1, 3
        la      a2, d_strrchr
        call    tap_eq

        la      s1, strtoul_cases       # { s, base, value, end offset, what }
1:      ld      a0, 0(s1)
        beqz    a0, 2f
        addi    a1, sp, 64
        ld      a2, 8(s1)
        call    strtoul
        ld      a1, 16(s1)
        ld      a2, 32(s1)
        call    tap_eq
        ld      a0, 64(sp)
        ld      t0, 0(s1)
        sub     a0, a0, t0
        ld      a1, 24(s1)
        la      a2, d_end
        call    tap_eq
        addi    s1, s1, 40
        j       1b
2:      la      t0, errno
        sw      zero, 0(t0)
        la      a0, s_huge
        li      a1, 0
        li      a2, 10
        call    strtoul
        li      a1, -1
        la      a2, d_huge
        call    tap_eq
        la      t0, errno
        lw      a0, 0(t0)
        li      a1, 34
        la      a2, d_erange
        call    tap_eq

        la      a0, s_atoi
        call    atoi
        li      a1, -123
        la      a2, d_atoi
        call    tap_eq
        la      a0, s_atoi_wrap
        call    atoi
        li      a1, -2147483648
        la      a2, d_atoi_wrap
        call    tap_eq

        call    tap_done
        ld      ra, 120(sp)
        ld      fp, 112(sp)
        ld      s1, 104(sp)
        ld      s2, 96(sp)
        ld      s3, 88(sp)
        addi    sp, sp, 128
        ret

        .data
        .p2align 3
strtoul_cases:
        .dword  t_42, 10, 42, 2, d_t_42
        .dword  t_hex0, 0, 31, 4, d_t_hex0
        .dword  t_hex16, 16, 31, 4, d_t_hex16
        .dword  t_nohex16, 16, 0x1f, 2, d_t_nohex16
        .dword  t_oct, 0, 15, 3, d_t_oct
        .dword  t_zero, 0, 0, 1, d_t_zero
        .dword  t_neg, 10, -1, 4, d_t_neg
        .dword  t_b36, 36, 1295, 2, d_t_b36
        .dword  t_0x, 0, 0, 1, d_t_0x
        .dword  t_trail, 10, 123, 3, d_t_trail
        .dword  t_none, 10, 0, 0, d_t_none
        .dword  t_b8, 8, 511, 3, d_t_b8
        .dword  t_b2, 2, 10, 4, d_t_b2
        .dword  t_max, 0, -1, 18, d_t_max
        .dword  0

        .section .rodata
s_empty:      .asciz ""
s_hello:      .asciz "hello"
s_helloabc:   .asciz "helloabc"
s_abc:        .asciz "abc"
s_abc2:       .asciz "abc"
s_abd:        .asciz "abd"
s_ab:         .asciz "ab"
s_high:       .asciz "\377"
s_memset:     .asciz "...zzzzzzzzzzzzzzzzzzzzz................"
s_alpha:      .asciz "abcdefghijklmnopqrstuvwxyz0123456789"
s_alpha_1:    .asciz "bcdefghijklmnopqrstuvwxyz01234"
s_digits:     .asciz "0123456789"
s_move_up:    .asciz "0101234789"
s_move_down:  .asciz "2345656789"
b_strncpy:    .byte 'a', 'b', 0, 0, 0, 'Q', 'Q', 'Q'
s_huge:       .asciz "18446744073709551616"
s_atoi:       .asciz "  -123xyz"
s_atoi_wrap:  .asciz "2147483648"
t_42:         .asciz "42"
t_hex0:       .asciz "0x1F"
t_hex16:      .asciz "0x1f"
t_nohex16:    .asciz "1fg"
t_oct:        .asciz "017"
t_zero:       .asciz "0"
t_neg:        .asciz "  -1"
t_b36:        .asciz "zz"
t_0x:         .asciz "0x"
t_trail:      .asciz "123abc"
t_none:       .asciz "abc"
t_b8:         .asciz "7778"
t_b2:         .asciz "1010"
t_max:        .asciz "0xffffffffffffffff"
d_strlen0:    .asciz "strlen(\"\") = 0"
d_strlen5:    .asciz "strlen(\"hello\") = 5"
d_cmp_eq:     .asciz "strcmp equal strings = 0"
d_cmp_lt:     .asciz "strcmp abc < abd"
d_cmp_prefix: .asciz "strcmp ab < abc"
d_cmp_unsigned: .asciz "strcmp compares unsigned chars"
d_ncmp_eq:    .asciz "strncmp stops after n"
d_ncmp_gt:    .asciz "strncmp abd > abc"
d_ncmp_0:     .asciz "strncmp n = 0 is equal"
d_memcmp:     .asciz "memcmp compares unsigned bytes"
d_memset:     .asciz "memset at an odd address, low byte of c"
d_memcpy_same: .asciz "memcpy with equal misalignment"
d_memcpy_diff: .asciz "memcpy with different alignment"
d_move_up:    .asciz "memmove to a higher overlapping address"
d_move_down:  .asciz "memmove to a lower overlapping address"
d_strncpy:    .asciz "strncpy pads with NULs up to n"
d_strcat:     .asciz "strcpy + strcat"
d_strchr:     .asciz "strchr finds the first l"
d_strchr_nul: .asciz "strchr(s, 0) finds the terminator"
d_strchr_none: .asciz "strchr of a missing char is NULL"
d_strrchr:    .asciz "strrchr finds the last l"
d_end:        .asciz "  ... and *end"
d_t_42:       .asciz "strtoul(\"42\", 10)"
d_t_hex0:     .asciz "strtoul(\"0x1F\", 0)"
d_t_hex16:    .asciz "strtoul(\"0x1f\", 16)"
d_t_nohex16:  .asciz "strtoul(\"1fg\", 16)"
d_t_oct:      .asciz "strtoul(\"017\", 0) is octal"
d_t_zero:     .asciz "strtoul(\"0\", 0)"
d_t_neg:      .asciz "strtoul(\"  -1\", 10) negates"
d_t_b36:      .asciz "strtoul(\"zz\", 36)"
d_t_0x:       .asciz "strtoul(\"0x\", 0) parses just the 0"
d_t_trail:    .asciz "strtoul(\"123abc\", 10)"
d_t_none:     .asciz "strtoul(\"abc\", 10) parses nothing"
d_t_b8:       .asciz "strtoul(\"7778\", 8)"
d_t_b2:       .asciz "strtoul(\"1010\", 2)"
d_t_max:      .asciz "strtoul(\"0xffffffffffffffff\", 0)"
d_huge:       .asciz "strtoul overflow gives ULONG_MAX"
d_erange:     .asciz "  ... and errno = ERANGE"
d_atoi:       .asciz "atoi(\"  -123xyz\")"
d_atoi_wrap:  .asciz "atoi wraps to int"
