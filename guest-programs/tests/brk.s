# brk.s: grows the heap by 1 MiB with brk(2), writes every page, reads the
# values back, shrinks it again; prints one "ok"/"FAIL" line per check.
        .include "sys.inc"
        .equ    GROW, 0x100000
        .equ    PAGES, 256
        .globl  _start
_start:
        li      a0, 0
        li      a7, SYS_brk
        ecall
        mv      s0, a0                  # the initial break
        li      t0, GROW
        add     a0, s0, t0
        li      a7, SYS_brk
        ecall
        sub     a0, a0, s0
        li      a1, GROW
        la      a2, l_grow
        call    check
        # Store the page number at the start of each new page.
        li      t0, 0
        mv      t1, s0
        li      t2, PAGES
1:      sd      t0, 0(t1)
        addi    t0, t0, 1
        li      t3, 4096
        add     t1, t1, t3
        blt     t0, t2, 1b
        # Sum them back: 0 + 1 + ... + 255 = 32640.
        li      t0, 0
        mv      t1, s0
        li      a0, 0
2:      ld      t4, 0(t1)
        add     a0, a0, t4
        addi    t0, t0, 1
        li      t3, 4096
        add     t1, t1, t3
        blt     t0, t2, 2b
        li      a1, 32640
        la      a2, l_values
        call    check
        # Shrink back to the start.
        mv      a0, s0
        li      a7, SYS_brk
        ecall
        sub     a0, a0, s0
        li      a1, 0
        la      a2, l_shrink
        call    check
        # A break below the heap's start is refused: brk returns the current one.
        li      a0, 0x1000
        li      a7, SYS_brk
        ecall
        sub     a0, a0, s0
        li      a1, 0
        la      a2, l_below
        call    check
        call    finish

        .section .rodata
l_grow:   .asciz "brk grows by 1 MiB"
l_values: .asciz "heap pages keep their values"
l_shrink: .asciz "brk shrinks back"
l_below:  .asciz "brk below the heap start is refused"
