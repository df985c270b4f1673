# string.s: memory and string functions (string.h, stdlib.h's strtoul family).
# All are leaf functions using only a- and t-registers. memset and memcpy
# move 8 bytes at a time when their pointers share 8-byte alignment.
        .include "linux.inc"

        .text
# void *memset(void *s, int c, size_t n): returns s.
        .globl  memset
        .type   memset, @function
memset:
        mv      t0, a0                  # cursor
        add     t1, a0, a2              # end
        andi    a1, a1, 0xff
1:      andi    t2, t0, 7               # bytes until t0 is 8-aligned
        beqz    t2, 2f
        beq     t0, t1, 9f
        sb      a1, 0(t0)
        addi    t0, t0, 1
        j       1b
2:      slli    t3, a1, 8               # the byte in all eight lanes
        or      t3, t3, a1
        slli    t2, t3, 16
        or      t3, t3, t2
        slli    t2, t3, 32
        or      t3, t3, t2
        andi    t2, t1, -8              # last 8-aligned address
3:      bgeu    t0, t2, 4f
        sd      t3, 0(t0)
        addi    t0, t0, 8
        j       3b
4:      bgeu    t0, t1, 9f              # tail bytes (also short buffers)
        sb      a1, 0(t0)
        addi    t0, t0, 1
        j       4b
9:      ret
        .size   memset, .-memset

# void *memcpy(void *dst, const void *src, size_t n): regions must not overlap; returns dst.
        .globl  memcpy
        .type   memcpy, @function
memcpy:
        mv      t0, a0
        add     t1, a0, a2              # dst end
        xor     t2, a0, a1
        andi    t2, t2, 7
        bnez    t2, 4f                  # different alignment: bytes only
1:      andi    t2, t0, 7
        beqz    t2, 2f
        beq     t0, t1, 9f
        lbu     t3, 0(a1)
        sb      t3, 0(t0)
        addi    t0, t0, 1
        addi    a1, a1, 1
        j       1b
2:      andi    t2, t1, -8
3:      bgeu    t0, t2, 4f
        ld      t3, 0(a1)
        sd      t3, 0(t0)
        addi    t0, t0, 8
        addi    a1, a1, 8
        j       3b
4:      bgeu    t0, t1, 9f
        lbu     t3, 0(a1)
        sb      t3, 0(t0)
        addi    t0, t0, 1
        addi    a1, a1, 1
        j       4b
9:      ret
        .size   memcpy, .-memcpy

# void *memmove(void *dst, const void *src, size_t n): overlap allowed; returns dst.
        .globl  memmove
        .type   memmove, @function
memmove:
        bleu    a0, a1, memcpy          # copying downwards (or in place) forwards is safe
        add     t0, a1, a2
        bleu    t0, a0, memcpy          # disjoint
        add     t0, a0, a2              # overlapping with dst above src: copy backwards
        add     a1, a1, a2
1:      beq     t0, a0, 2f
        addi    t0, t0, -1
        addi    a1, a1, -1
        lbu     t1, 0(a1)
        sb      t1, 0(t0)
        j       1b
2:      ret
        .size   memmove, .-memmove

# int memcmp(const void *a, const void *b, size_t n): <0, 0, >0 as unsigned bytes compare.
        .globl  memcmp
        .type   memcmp, @function
memcmp:
        add     t0, a0, a2
1:      beq     a0, t0, 2f
        lbu     t1, 0(a0)
        lbu     t2, 0(a1)
        addi    a0, a0, 1
        addi    a1, a1, 1
        beq     t1, t2, 1b
        sub     a0, t1, t2
        ret
2:      li      a0, 0
        ret
        .size   memcmp, .-memcmp

# size_t strlen(const char *s)
        .globl  strlen
        .type   strlen, @function
strlen:
        mv      t0, a0
1:      lbu     t1, 0(t0)
        addi    t0, t0, 1
        bnez    t1, 1b
        sub     a0, t0, a0
        addi    a0, a0, -1
        ret
        .size   strlen, .-strlen

# size_t strnlen(const char *s, size_t max)
        .globl  strnlen
        .type   strnlen, @function
strnlen:
        mv      t0, a0
        add     t2, a0, a1
1:      beq     t0, t2, 2f
        lbu     t1, 0(t0)
        beqz    t1, 2f
        addi    t0, t0, 1
        j       1b
2:      sub     a0, t0, a0
        ret
        .size   strnlen, .-strnlen

# int strcmp(const char *a, const char *b): compares as unsigned char.
        .globl  strcmp
        .type   strcmp, @function
strcmp:
1:      lbu     t1, 0(a0)
        lbu     t2, 0(a1)
        bne     t1, t2, 2f
        beqz    t1, 2f
        addi    a0, a0, 1
        addi    a1, a1, 1
        j       1b
2:      sub     a0, t1, t2
        ret
        .size   strcmp, .-strcmp

# int strncmp(const char *a, const char *b, size_t n)
        .globl  strncmp
        .type   strncmp, @function
strncmp:
        li      t1, 0
        li      t2, 0
1:      beqz    a2, 2f
        lbu     t1, 0(a0)
        lbu     t2, 0(a1)
        bne     t1, t2, 2f
        beqz    t1, 2f
        addi    a0, a0, 1
        addi    a1, a1, 1
        addi    a2, a2, -1
        j       1b
2:      sub     a0, t1, t2
        ret
        .size   strncmp, .-strncmp

# char *strcpy(char *dst, const char *src): returns dst.
        .globl  strcpy
        .type   strcpy, @function
strcpy:
        mv      t0, a0
1:      lbu     t1, 0(a1)
        sb      t1, 0(t0)
        addi    a1, a1, 1
        addi    t0, t0, 1
        bnez    t1, 1b
        ret
        .size   strcpy, .-strcpy

# char *strncpy(char *dst, const char *src, size_t n): copies at most n bytes,
# NUL-pads the rest of dst[0..n); not NUL-terminated when strlen(src) >= n (C's contract).
        .globl  strncpy
        .type   strncpy, @function
strncpy:
        mv      t0, a0
        add     t2, a0, a2
1:      beq     t0, t2, 3f
        lbu     t1, 0(a1)
        sb      t1, 0(t0)
        addi    t0, t0, 1
        beqz    t1, 2f
        addi    a1, a1, 1
        j       1b
2:      beq     t0, t2, 3f
        sb      zero, 0(t0)
        addi    t0, t0, 1
        j       2b
3:      ret
        .size   strncpy, .-strncpy

# char *strcat(char *dst, const char *src): returns dst.
        .globl  strcat
        .type   strcat, @function
strcat:
        mv      t0, a0
1:      lbu     t1, 0(t0)
        beqz    t1, 2f
        addi    t0, t0, 1
        j       1b
2:      lbu     t1, 0(a1)
        sb      t1, 0(t0)
        addi    a1, a1, 1
        addi    t0, t0, 1
        bnez    t1, 2b
        ret
        .size   strcat, .-strcat

# char *strchr(const char *s, int c): the first c in s (c may be NUL), or NULL.
        .globl  strchr
        .type   strchr, @function
strchr:
        andi    a1, a1, 0xff
1:      lbu     t1, 0(a0)
        beq     t1, a1, 2f
        addi    a0, a0, 1
        bnez    t1, 1b
        li      a0, 0
2:      ret
        .size   strchr, .-strchr

# char *strrchr(const char *s, int c): the last c in s, or NULL.
        .globl  strrchr
        .type   strrchr, @function
strrchr:
        andi    a1, a1, 0xff
        li      t0, 0
1:      lbu     t1, 0(a0)
        bne     t1, a1, 2f
        mv      t0, a0
2:      addi    a0, a0, 1
        bnez    t1, 1b
        mv      a0, t0
        ret
        .size   strrchr, .-strrchr

# unsigned long strtoul(const char *s, char **end, int base)
# Skips white space, takes an optional sign, then digits in base (2..36; 0
# means 0x.. hex, 0.. octal, else decimal; base 16 also accepts 0x). A '-'
# negates the result, as C says. *end (if end != NULL) gets the first
# unparsed character, or s when there were no digits. Overflow gives
# ULONG_MAX with errno = ERANGE; a bad base gives 0 with errno = EINVAL.
        .globl  strtoul
        .type   strtoul, @function
strtoul:
        mv      t6, a0                  # for *end when nothing parses
        li      t0, 1
        beq     a2, t0, 8f              # base 1 is invalid
        li      t0, 36
        bgtu    a2, t0, 8f
1:      lbu     t0, 0(a0)               # white space: ' ' and \t..\r
        li      t1, ' '
        beq     t0, t1, 2f
        addi    t1, t0, -9
        sltiu   t1, t1, 5
        beqz    t1, 3f
2:      addi    a0, a0, 1
        j       1b
3:      li      t5, 0                   # t5 = negate
        li      t1, '+'
        beq     t0, t1, 4f
        li      t1, '-'
        bne     t0, t1, 5f
        li      t5, 1
4:      addi    a0, a0, 1
5:      lbu     t0, 0(a0)               # prefix: "0x"/"0X" followed by a hex digit
        li      t1, '0'
        bne     t0, t1, 7f
        lbu     t0, 1(a0)
        ori     t0, t0, 0x20
        li      t1, 'x'
        bne     t0, t1, 6f
        beqz    a2, 51f
        li      t1, 16
        bne     a2, t1, 7f
51:     lbu     t0, 2(a0)
        ori     t1, t0, 0x20
        addi    t1, t1, -'a'
        sltiu   t1, t1, 6
        addi    t0, t0, -'0'
        sltiu   t0, t0, 10
        or      t0, t0, t1
        beqz    t0, 6f                  # "0x" without hex digits: just the 0
        addi    a0, a0, 2
        li      a2, 16
        j       7f
6:      bnez    a2, 7f                  # base 0 and a leading 0: octal
        li      a2, 8
7:      bnez    a2, 71f
        li      a2, 10
71:     li      t2, 0                   # t2 = value
        li      t3, 0                   # t3 = overflowed
        mv      t4, a0                  # start of the digits
72:     lbu     t0, 0(a0)               # digit value, or >= base to stop
        addi    t1, t0, -'0'
        sltiu   a3, t1, 10
        bnez    a3, 73f
        ori     t1, t0, 0x20
        addi    t1, t1, -'a'
        sltiu   a3, t1, 26
        beqz    a3, 75f
        addi    t1, t1, 10
73:     bgeu    t1, a2, 75f
        mulhu   a3, t2, a2
        snez    a3, a3
        or      t3, t3, a3
        mul     t2, t2, a2
        add     t2, t2, t1
        sltu    a3, t2, t1              # carry out of the add
        or      t3, t3, a3
        addi    a0, a0, 1
        j       72b
75:     beq     a0, t4, 76f             # no digits
        mv      t6, a0
76:     beqz    a1, 77f
        sd      t6, 0(a1)
77:     bnez    t3, 78f
        beqz    t5, 79f
        neg     t2, t2
79:     mv      a0, t2
        ret
78:     la      t0, errno
        li      t1, ERANGE
        sw      t1, 0(t0)
        li      a0, -1
        ret
8:      la      t0, errno
        li      t1, EINVAL
        sw      t1, 0(t0)
        beqz    a1, 81f
        sd      a0, 0(a1)
81:     li      a0, 0
        ret
        .size   strtoul, .-strtoul

# long strtol(const char *s, char **end, int base): strtoul's parse, read as
# signed (no clamping to LONG_MIN/LONG_MAX beyond strtoul's ERANGE).
        .globl  strtol
        .type   strtol, @function
strtol:
        j       strtoul
        .size   strtol, .-strtol

# int atoi(const char *s) = (int)strtol(s, NULL, 10); long atol likewise.
        .globl  atoi, atol
        .type   atoi, @function
atoi:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        li      a1, 0
        li      a2, 10
        call    strtoul
        sext.w  a0, a0
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret
        .size   atoi, .-atoi
        .type   atol, @function
atol:
        li      a1, 0
        li      a2, 10
        j       strtoul
        .size   atol, .-atol
