# stdio.s: the printf family, puts, putchar, getchar.
#
# Every function formats through one core, vformat, into a "sink":
#   struct sink { char *buf; u64 cap; u64 len; u64 total; i64 fd; }
# A sink with fd >= 0 (printf, dprintf) writes its buffer to fd when it
# fills and once at the end, so a printf whose output fits the 512-byte
# stack buffer is exactly one write(2) and nothing stays buffered between
# calls: output interleaves with direct write(2)s in program order. A sink
# with fd = -1 (snprintf) keeps the first cap bytes and counts the rest.
#
# Conversions: %d %i %u %x %X %o %p %s %c %%; flags - 0 + space #; width and
# precision as digits or *; length hh h l ll z j t (L is ignored). %p prints
# 0x... or (nil), %s of NULL prints (null), as glibc does.
        .include "linux.inc"

        .equ    SINK_BUF, 0
        .equ    SINK_CAP, 8
        .equ    SINK_LEN, 16
        .equ    SINK_TOTAL, 24
        .equ    SINK_FD, 32
        .equ    SINK_SIZE, 48           # 40 rounded up to keep buffers 16-aligned
        .equ    PRINTF_BUF, 512

        .equ    F_LEFT, 1
        .equ    F_ZERO, 2
        .equ    F_PLUS, 4
        .equ    F_SPACE, 8
        .equ    F_ALT, 16

        .equ    LEN_INT, 0
        .equ    LEN_CHAR, 1
        .equ    LEN_SHORT, 2
        .equ    LEN_LONG, 3

        .text
# sink_flush (internal; s1 = sink): writes buf[0..len) to the sink's fd,
# retrying short writes, and empties it. Clobbers t0-t6 only.
        .type   sink_flush, @function
sink_flush:
        mv      t3, a0
        mv      t4, a1
        mv      t5, a2
        mv      t6, a7
        ld      t0, SINK_BUF(s1)
        ld      t1, SINK_LEN(s1)
1:      blez    t1, 2f
        ld      a0, SINK_FD(s1)
        mv      a1, t0
        mv      a2, t1
        li      a7, SYS_write
        ecall
        blez    a0, 2f                  # an error drops the rest (errno is not set)
        add     t0, t0, a0
        sub     t1, t1, a0
        j       1b
2:      sd      zero, SINK_LEN(s1)
        mv      a0, t3
        mv      a1, t4
        mv      a2, t5
        mv      a7, t6
        ret
        .size   sink_flush, .-sink_flush

# sink_putc (internal; a0 = char, s1 = sink): appends one byte, flushing a
# full fd sink first. Clobbers a0 and t0-t6 only, so callers keep locals in a1-a7.
        .type   sink_putc, @function
sink_putc:
        ld      t0, SINK_TOTAL(s1)
        addi    t0, t0, 1
        sd      t0, SINK_TOTAL(s1)
        ld      t0, SINK_LEN(s1)
        ld      t1, SINK_CAP(s1)
        bltu    t0, t1, 2f
        ld      t2, SINK_FD(s1)
        bltz    t2, 9f                  # a full string sink: count only
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        call    sink_flush              # keeps a0, the char
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        li      t0, 0
2:      ld      t1, SINK_BUF(s1)
        add     t1, t1, t0
        sb      a0, 0(t1)
        addi    t0, t0, 1
        sd      t0, SINK_LEN(s1)
9:      ret
        .size   sink_putc, .-sink_putc

# emit_run (internal; a1 = char, a2 = count, s1 = sink): count copies of
# char (none when count <= 0). Clobbers a0, a2, t0-t6.
        .type   emit_run, @function
emit_run:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
1:      blez    a2, 2f
        mv      a0, a1
        call    sink_putc
        addi    a2, a2, -1
        j       1b
2:      ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret
        .size   emit_run, .-emit_run

# long vformat(struct sink *sink, const char *fmt, va_list ap): formats into
# sink and returns the number of characters produced (sink->total). ap
# points at 8-byte argument slots (the lp64 va_list).
#   s1 sink  s2 fmt  s3 ap  s4 flags  s5 width  s6 precision (-1: none)
#   s7 length  s8 value or string  s9 prefix chars (low byte first)
#   s10 prefix length  s11 digit or string length; tmp digits at sp+0..31
#   a3 base  a4 'a' or 'A' for digits >= 10  a5 zeros  a6 spaces
        .equ    VF_FRAME, 160
        .type   vformat, @function
vformat:
        addi    sp, sp, -VF_FRAME
        sd      ra, 152(sp)
        sd      fp, 144(sp)
        addi    fp, sp, VF_FRAME
        sd      s1, 40(sp)
        sd      s2, 48(sp)
        sd      s3, 56(sp)
        sd      s4, 64(sp)
        sd      s5, 72(sp)
        sd      s6, 80(sp)
        sd      s7, 88(sp)
        sd      s8, 96(sp)
        sd      s9, 104(sp)
        sd      s10, 112(sp)
        sd      s11, 120(sp)
        mv      s1, a0
        mv      s2, a1
        mv      s3, a2

.Lnext:
        lbu     a0, 0(s2)
        beqz    a0, .Ldone
        addi    s2, s2, 1
        li      t0, '%'
        beq     a0, t0, .Lspec
        call    sink_putc
        j       .Lnext

.Lspec:
        li      s4, 0
        li      s5, 0
        li      s6, -1
        li      s7, LEN_INT
.Lflags:
        lbu     t0, 0(s2)
        li      t2, F_LEFT
        li      t1, '-'
        beq     t0, t1, 1f
        li      t2, F_ZERO
        li      t1, '0'
        beq     t0, t1, 1f
        li      t2, F_PLUS
        li      t1, '+'
        beq     t0, t1, 1f
        li      t2, F_SPACE
        li      t1, ' '
        beq     t0, t1, 1f
        li      t2, F_ALT
        li      t1, '#'
        beq     t0, t1, 1f
        j       .Lwidth
1:      or      s4, s4, t2
        addi    s2, s2, 1
        j       .Lflags

.Lwidth:
        li      t1, '*'
        bne     t0, t1, 2f
        lw      s5, 0(s3)               # int argument
        addi    s3, s3, 8
        addi    s2, s2, 1
        bgez    s5, .Lprec
        ori     s4, s4, F_LEFT          # a negative * width means '-'
        neg     s5, s5
        j       .Lprec
2:      addi    t1, t0, -'0'
        li      t2, 10
        bgeu    t1, t2, .Lprec
        mul     s5, s5, t2
        add     s5, s5, t1
        addi    s2, s2, 1
        lbu     t0, 0(s2)
        j       2b

.Lprec:
        lbu     t0, 0(s2)
        li      t1, '.'
        bne     t0, t1, .Llength
        addi    s2, s2, 1
        li      s6, 0
        lbu     t0, 0(s2)
        li      t1, '*'
        bne     t0, t1, 2f
        lw      s6, 0(s3)
        addi    s3, s3, 8
        addi    s2, s2, 1
        bgez    s6, .Llength
        li      s6, -1                  # a negative * precision is no precision
        j       .Llength
2:      addi    t1, t0, -'0'
        li      t2, 10
        bgeu    t1, t2, .Llength
        mul     s6, s6, t2
        add     s6, s6, t1
        addi    s2, s2, 1
        lbu     t0, 0(s2)
        j       2b

.Llength:
        lbu     t0, 0(s2)
        li      t1, 'h'
        bne     t0, t1, 2f
        addi    s2, s2, 1
        li      s7, LEN_SHORT
        lbu     t0, 0(s2)
        bne     t0, t1, .Lconv
        addi    s2, s2, 1
        li      s7, LEN_CHAR
        j       .Lconv
2:      li      t1, 'l'
        bne     t0, t1, 3f
        addi    s2, s2, 1
        li      s7, LEN_LONG
        lbu     t0, 0(s2)
        bne     t0, t1, .Lconv
        addi    s2, s2, 1
        j       .Lconv
3:      li      t1, 'z'
        beq     t0, t1, 4f
        li      t1, 'j'
        beq     t0, t1, 4f
        li      t1, 't'
        beq     t0, t1, 4f
        li      t1, 'L'
        bne     t0, t1, .Lconv
        addi    s2, s2, 1
        j       .Lconv
4:      addi    s2, s2, 1
        li      s7, LEN_LONG

.Lconv:
        lbu     t0, 0(s2)
        beqz    t0, .Ldone              # a format ending in '%...': stop
        addi    s2, s2, 1
        li      s9, 0
        li      s10, 0
        li      a4, 'a'
        li      t1, 'd'
        beq     t0, t1, .Lsigned
        li      t1, 'i'
        beq     t0, t1, .Lsigned
        li      a3, 10
        li      t1, 'u'
        beq     t0, t1, .Lunsigned
        li      a3, 8
        li      t1, 'o'
        beq     t0, t1, .Lunsigned
        li      a3, 16
        li      t1, 'x'
        beq     t0, t1, .Lunsigned
        li      a4, 'A'
        li      t1, 'X'
        beq     t0, t1, .Lunsigned
        li      t1, 'p'
        beq     t0, t1, .Lpointer
        li      t1, 's'
        beq     t0, t1, .Lstring
        li      t1, 'c'
        beq     t0, t1, .Lchar
        li      t1, '%'
        beq     t0, t1, .Lpercent
        mv      s8, t0                  # unknown: print it as written
        li      a0, '%'
        call    sink_putc
        mv      a0, s8
        call    sink_putc
        j       .Lnext
.Lpercent:
        li      a0, '%'
        call    sink_putc
        j       .Lnext

.Lsigned:
        ld      s8, 0(s3)
        addi    s3, s3, 8
        li      a3, 10
        li      t1, LEN_LONG
        beq     s7, t1, 2f
        li      t1, LEN_INT
        bne     s7, t1, 1f
        sext.w  s8, s8
        j       2f
1:      li      t1, LEN_SHORT
        bne     s7, t1, 11f
        slli    s8, s8, 48
        srai    s8, s8, 48
        j       2f
11:     slli    s8, s8, 56              # LEN_CHAR
        srai    s8, s8, 56
2:      bgez    s8, 3f
        neg     s8, s8
        li      s9, '-'
        li      s10, 1
        j       .Linteger
3:      andi    t1, s4, F_PLUS
        beqz    t1, 4f
        li      s9, '+'
        li      s10, 1
        j       .Linteger
4:      andi    t1, s4, F_SPACE
        beqz    t1, .Linteger
        li      s9, ' '
        li      s10, 1
        j       .Linteger

.Lunsigned:
        ld      s8, 0(s3)
        addi    s3, s3, 8
        li      t1, LEN_LONG
        beq     s7, t1, 2f
        li      t1, LEN_INT
        bne     s7, t1, 1f
        slli    s8, s8, 32
        srli    s8, s8, 32
        j       2f
1:      li      t1, LEN_SHORT
        slli    s8, s8, 48
        srli    s8, s8, 48
        beq     s7, t1, 2f
        andi    s8, s8, 0xff
2:      andi    t1, s4, F_ALT
        beqz    t1, .Linteger
        beqz    s8, .Linteger           # '#' adds nothing to a zero
        li      t1, 8
        bne     a3, t1, 3f
        li      s9, '0'
        li      s10, 1
        j       .Linteger
3:      li      t1, 10
        beq     a3, t1, .Linteger
        addi    s9, a4, 'x' - 'a'       # 'x' or 'X'
        slli    s9, s9, 8
        ori     s9, s9, '0'
        li      s10, 2
        j       .Linteger

.Lpointer:
        ld      s8, 0(s3)
        addi    s3, s3, 8
        bnez    s8, 1f
        la      s8, str_nil
        li      s11, 5
        j       .Lemit_string
1:      li      a3, 16
        li      a4, 'a'
        li      s9, 'x' << 8 | '0'
        li      s10, 2
        # fall through

# .Linteger: s8 = magnitude in base a3, s9/s10 = sign or 0x prefix.
.Linteger:
        li      s11, 0
        bnez    s8, 1f
        beqz    s6, 3f                  # precision 0 and value 0: no digits
1:      remu    t1, s8, a3
        divu    s8, s8, a3
        li      t2, 10
        bltu    t1, t2, 2f
        add     t1, t1, a4
        addi    t1, t1, -10 - '0'
2:      addi    t1, t1, '0'
        add     t2, sp, s11
        sb      t1, 0(t2)
        addi    s11, s11, 1
        bnez    s8, 1b
3:      li      a5, 0                   # zeros
        bltz    s6, 4f
        sub     a5, s6, s11
        j       5f
4:      andi    t1, s4, F_ZERO | F_LEFT
        li      t2, F_ZERO
        bne     t1, t2, 5f
        sub     a5, s5, s10
        sub     a5, a5, s11
5:      bgez    a5, 6f
        li      a5, 0
6:      sub     a6, s5, s10             # spaces
        sub     a6, a6, a5
        sub     a6, a6, s11
        andi    t1, s4, F_LEFT
        bnez    t1, 7f
        li      a1, ' '
        mv      a2, a6
        call    emit_run
7:      beqz    s10, 8f                 # prefix, low byte first
        andi    a0, s9, 0xff
        call    sink_putc
        srli    s9, s9, 8
        addi    s10, s10, -1
        j       7b
8:      li      a1, '0'
        mv      a2, a5
        call    emit_run
9:      beqz    s11, 10f                # digits, most significant first
        addi    s11, s11, -1
        add     t1, sp, s11
        lbu     a0, 0(t1)
        call    sink_putc
        j       9b
10:     andi    t1, s4, F_LEFT
        beqz    t1, .Lnext
        li      a1, ' '
        mv      a2, a6
        call    emit_run
        j       .Lnext

.Lchar:
        ld      t1, 0(s3)
        addi    s3, s3, 8
        sb      t1, 0(sp)
        mv      s8, sp
        li      s11, 1
        j       .Lemit_string

.Lstring:
        ld      s8, 0(s3)
        addi    s3, s3, 8
        bnez    s8, 1f
        la      s8, str_null
        bltz    s6, 1f
        li      t1, 6
        bgeu    s6, t1, 1f
        la      s8, str_empty           # glibc: "(null)" only when it fits the precision
1:      mv      a0, s8
        mv      a1, s6                  # -1 is SIZE_MAX: no limit
        call    strnlen
        mv      s11, a0

# .Lemit_string: s8 = bytes, s11 = count, padded to s5.
.Lemit_string:
        sub     a6, s5, s11
        andi    t1, s4, F_LEFT
        bnez    t1, 1f
        li      a1, ' '
        mv      a2, a6
        call    emit_run
1:      beqz    s11, 2f
        lbu     a0, 0(s8)
        call    sink_putc
        addi    s8, s8, 1
        addi    s11, s11, -1
        j       1b
2:      andi    t1, s4, F_LEFT
        beqz    t1, .Lnext
        li      a1, ' '
        mv      a2, a6
        call    emit_run
        j       .Lnext

.Ldone:
        ld      a0, SINK_TOTAL(s1)
        ld      s1, 40(sp)
        ld      s2, 48(sp)
        ld      s3, 56(sp)
        ld      s4, 64(sp)
        ld      s5, 72(sp)
        ld      s6, 80(sp)
        ld      s7, 88(sp)
        ld      s8, 96(sp)
        ld      s9, 104(sp)
        ld      s10, 112(sp)
        ld      s11, 120(sp)
        ld      ra, 152(sp)
        ld      fp, 144(sp)
        addi    sp, sp, VF_FRAME
        ret
        .size   vformat, .-vformat

# int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap): writes
# at most size-1 characters and a NUL (nothing when size == 0); returns the
# length the whole output would have had.
        .globl  vsnprintf
        .type   vsnprintf, @function
vsnprintf:
        addi    sp, sp, -80
        sd      ra, 72(sp)
        sd      fp, 64(sp)
        addi    fp, sp, 80
        sd      a1, 48(sp)              # size
        sd      a0, SINK_BUF(sp)
        addi    t0, a1, -1
        bnez    a1, 1f
        li      t0, 0
1:      sd      t0, SINK_CAP(sp)
        sd      zero, SINK_LEN(sp)
        sd      zero, SINK_TOTAL(sp)
        li      t0, -1
        sd      t0, SINK_FD(sp)
        mv      a0, sp
        mv      a1, a2
        mv      a2, a3
        call    vformat
        ld      t0, 48(sp)
        beqz    t0, 2f
        ld      t1, SINK_BUF(sp)
        ld      t2, SINK_LEN(sp)
        add     t1, t1, t2
        sb      zero, 0(t1)
2:      sext.w  a0, a0
        ld      ra, 72(sp)
        ld      fp, 64(sp)
        addi    sp, sp, 80
        ret
        .size   vsnprintf, .-vsnprintf

# int vsprintf(char *buf, const char *fmt, va_list ap): vsnprintf without a limit.
        .globl  vsprintf
        .type   vsprintf, @function
vsprintf:
        mv      a3, a2
        mv      a2, a1
        li      a1, -1
        srli    a1, a1, 1
        j       vsnprintf
        .size   vsprintf, .-vsprintf

# int vdprintf(int fd, const char *fmt, va_list ap): formats into a 512-byte
# stack buffer, writing it to fd when full and at the end; returns the count.
        .globl  vdprintf
        .type   vdprintf, @function
        .equ    VD_FRAME, SINK_SIZE + PRINTF_BUF + 32
vdprintf:
        addi    sp, sp, -VD_FRAME
        sd      ra, VD_FRAME - 8(sp)
        sd      fp, VD_FRAME - 16(sp)
        sd      s1, VD_FRAME - 24(sp)
        addi    fp, sp, VD_FRAME
        mv      s1, sp
        addi    t0, sp, SINK_SIZE
        sd      t0, SINK_BUF(sp)
        li      t0, PRINTF_BUF
        sd      t0, SINK_CAP(sp)
        sd      zero, SINK_LEN(sp)
        sd      zero, SINK_TOTAL(sp)
        sd      a0, SINK_FD(sp)
        mv      a0, sp
        call    vformat
        call    sink_flush              # keeps a0, the count
        sext.w  a0, a0
        ld      ra, VD_FRAME - 8(sp)
        ld      fp, VD_FRAME - 16(sp)
        ld      s1, VD_FRAME - 24(sp)
        addi    sp, sp, VD_FRAME
        ret
        .size   vdprintf, .-vdprintf

# int vprintf(const char *fmt, va_list ap) = vdprintf(1, fmt, ap).
        .globl  vprintf
        .type   vprintf, @function
vprintf:
        mv      a2, a1
        mv      a1, a0
        li      a0, 1
        j       vdprintf
        .size   vprintf, .-vprintf

# The variadic entry points spill their register arguments into the 64-byte
# save area at the top of an 80-byte frame (a_i at sp + 16 + 8*i), so the
# named ones end where the caller's stack arguments begin and va_list is
# just a pointer into one run of 8-byte slots (what gcc does for lp64).
# fp = sp + 16 keeps ra at fp-8 and the caller's fp at fp-16 for backtraces.

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

# int dprintf(int fd, const char *fmt, ...)
        .globl  dprintf
        .type   dprintf, @function
dprintf:
        addi    sp, sp, -80
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        sd      a2, 32(sp)
        sd      a3, 40(sp)
        sd      a4, 48(sp)
        sd      a5, 56(sp)
        sd      a6, 64(sp)
        sd      a7, 72(sp)
        addi    a2, sp, 32
        call    vdprintf
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 80
        ret
        .size   dprintf, .-dprintf

# int sprintf(char *buf, const char *fmt, ...)
        .globl  sprintf
        .type   sprintf, @function
sprintf:
        addi    sp, sp, -80
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        sd      a2, 32(sp)
        sd      a3, 40(sp)
        sd      a4, 48(sp)
        sd      a5, 56(sp)
        sd      a6, 64(sp)
        sd      a7, 72(sp)
        addi    a2, sp, 32
        call    vsprintf
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 80
        ret
        .size   sprintf, .-sprintf

# int snprintf(char *buf, size_t size, const char *fmt, ...)
        .globl  snprintf
        .type   snprintf, @function
snprintf:
        addi    sp, sp, -80
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        sd      a3, 40(sp)
        sd      a4, 48(sp)
        sd      a5, 56(sp)
        sd      a6, 64(sp)
        sd      a7, 72(sp)
        addi    a3, sp, 40
        call    vsnprintf
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 80
        ret
        .size   snprintf, .-snprintf

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
str_nil:     .asciz "(nil)"
str_null:    .asciz "(null)"
str_empty:   .asciz ""
str_newline: .asciz "\n"
