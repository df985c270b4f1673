# heap.s: malloc/free/calloc/realloc. 30 blocks of 4096 bytes at a constant
# 4112-byte stride (what the memview2 lab relies on), reuse of a freed block,
# coalescing, a 200 KB block in its own mapping, calloc zeroing and overflow,
# realloc keeping contents while it grows, moves, shrinks and crosses into mmap.
        .include "tap.inc"

        .equ    NBLOCKS, 30

        .bss
        .p2align 3
blocks: .zero   NBLOCKS * 8

        .text
        .globl  main
main:
        addi    sp, sp, -64
        sd      ra, 56(sp)
        sd      fp, 48(sp)
        sd      s1, 40(sp)
        sd      s2, 32(sp)
        sd      s3, 24(sp)
        sd      s4, 16(sp)
        addi    fp, sp, 64

        li      s1, 0                   # 30 x malloc(4096); s2 = misaligned count
        li      s2, 0
1:      li      a0, 4096
        call    malloc
        la      t0, blocks
        slli    t1, s1, 3
        add     t0, t0, t1
        sd      a0, 0(t0)
        andi    t1, a0, 15
        snez    t1, t1
        add     s2, s2, t1
        addi    s1, s1, 1
        li      t0, NBLOCKS
        blt     s1, t0, 1b
        mv      a0, s2
        li      a1, 0
        la      a2, d_aligned
        call    tap_eq
        la      t0, blocks              # count the 29 gaps that equal 4112
        li      s1, 1
        li      s2, 0
2:      slli    t1, s1, 3
        add     t1, t0, t1
        ld      t2, 0(t1)
        ld      t3, -8(t1)
        sub     t2, t2, t3
        li      t4, 4112
        sub     t2, t2, t4
        seqz    t2, t2
        add     s2, s2, t2
        addi    s1, s1, 1
        li      t1, NBLOCKS
        blt     s1, t1, 2b
        mv      a0, s2
        li      a1, NBLOCKS - 1
        la      a2, d_stride
        call    tap_eq
        la      t0, blocks
        ld      a0, 0(t0)
        call    malloc_usable_size
        li      a1, 4096
        la      a2, d_usable
        call    tap_eq

        la      s1, blocks              # a freed block is reused for the same size
        ld      a0, 80(s1)
        call    free
        li      a0, 4096
        call    malloc
        ld      a1, 80(s1)
        la      a2, d_reuse
        call    tap_eq

        ld      a0, 160(s1)             # neighbours coalesce: 2 x 4112 holds 8192 + 16
        call    free
        ld      a0, 168(s1)
        call    free
        li      a0, 8192
        call    malloc
        ld      a1, 160(s1)
        la      a2, d_coalesce
        call    tap_eq

        li      a0, 200000              # >= 128 KiB: its own mapping, header at the page start
        call    malloc
        mv      s2, a0
        slli    a0, a0, 52              # the offset within the page
        srli    a0, a0, 52
        li      a1, 16
        la      a2, d_big_page
        call    tap_eq
        mv      a0, s2
        li      a1, 0x5a
        li      a2, 200000
        call    memset
        mv      a0, s2
        call    malloc_usable_size
        li      a1, 200704 - 16         # round_up(200000 + 16, 4096) - 16
        la      a2, d_big_usable
        call    tap_eq
        mv      a0, s2
        call    free

        ld      a0, 40(s1)              # calloc zeroes a dirty reused block
        li      a1, 0xab
        li      a2, 4096
        call    memset
        ld      a0, 40(s1)
        call    free
        li      a0, 16
        li      a1, 256
        call    calloc
        mv      s2, a0
        ld      a1, 40(s1)
        la      a2, d_calloc_reuse
        call    tap_eq
        li      t0, 0
        li      t1, 0
3:      add     t2, s2, t0
        lbu     t2, 0(t2)
        or      t1, t1, t2
        addi    t0, t0, 1
        li      t2, 4096
        blt     t0, t2, 3b
        mv      a0, t1
        li      a1, 0
        la      a2, d_calloc_zero
        call    tap_eq
        la      t0, errno
        sw      zero, 0(t0)
        li      a0, 1
        slli    a0, a0, 33
        mv      a1, a0
        call    calloc
        li      a1, 0
        la      a2, d_calloc_ovf
        call    tap_eq
        la      t0, errno
        lw      a0, 0(t0)
        li      a1, 12
        la      a2, d_enomem
        call    tap_eq

        li      a0, 100                 # realloc keeps contents through every kind of move
        call    malloc
        la      a1, s_alpha
        li      a2, 37
        call    memcpy
        li      a1, 50000
        call    realloc
        mv      s2, a0
        la      a1, s_alpha
        li      a2, 37
        call    memcmp
        li      a1, 0
        la      a2, d_realloc_grow
        call    tap_eq
        mv      a0, s2
        li      a1, 300000
        call    realloc
        mv      s2, a0
        slli    a0, a0, 52              # the offset within the page
        srli    a0, a0, 52
        li      a1, 16
        la      a2, d_realloc_mmap
        call    tap_eq
        mv      a0, s2
        la      a1, s_alpha
        li      a2, 37
        call    memcmp
        li      a1, 0
        la      a2, d_realloc_mmap_keep
        call    tap_eq
        mv      a0, s2
        li      a1, 10
        call    realloc
        mv      a1, s2
        la      a2, d_realloc_mmap_shrink
        call    tap_eq
        mv      a0, s2
        call    free

        ld      a0, 0(s1)               # shrinking stays in place
        li      a1, 100
        call    realloc
        ld      a1, 0(s1)
        la      a2, d_realloc_shrink
        call    tap_eq
        li      a0, 100000              # too big for any hole: carved off the top,
        call    malloc                  # so it grows in place, past the break too
        mv      s2, a0
        li      a1, 120000
        call    realloc
        mv      a1, s2
        la      a2, d_realloc_top
        call    tap_eq

        li      a0, 0                   # malloc(0) gives distinct blocks; realloc edge cases
        call    malloc
        mv      s2, a0
        li      a0, 0
        call    malloc
        snez    t0, s2
        snez    t1, a0
        and     t0, t0, t1
        sub     t1, a0, s2
        snez    t1, t1
        and     a0, t0, t1
        la      a1, d_malloc0
        call    tap_ok
        li      a0, 0
        li      a1, 24
        call    realloc
        mv      s2, a0
        snez    a0, a0
        la      a1, d_realloc_null
        call    tap_ok
        mv      a0, s2
        li      a1, 0
        call    realloc
        li      a1, 0
        la      a2, d_realloc_zero
        call    tap_eq

        li      s2, 0                   # odd sizes stay 16-aligned
        li      s3, 1
4:      mv      a0, s3
        call    malloc
        andi    a0, a0, 15
        or      s2, s2, a0
        addi    s3, s3, 7
        li      t0, 200
        blt     s3, t0, 4b
        mv      a0, s2
        li      a1, 0
        la      a2, d_odd
        call    tap_eq

        call    tap_done
        ld      ra, 56(sp)
        ld      fp, 48(sp)
        ld      s1, 40(sp)
        ld      s2, 32(sp)
        ld      s3, 24(sp)
        ld      s4, 16(sp)
        addi    sp, sp, 64
        ret

        .section .rodata
s_alpha:        .asciz "abcdefghijklmnopqrstuvwxyz0123456789"
d_aligned:      .asciz "30 x malloc(4096) are 16-byte aligned"
d_stride:       .asciz "  ... at a constant stride of 4112"
d_usable:       .asciz "malloc_usable_size(malloc(4096)) = 4096"
d_reuse:        .asciz "a freed block is reused"
d_coalesce:     .asciz "two freed neighbours coalesce"
d_big_page:     .asciz "malloc(200000) is mmapped: address = page + 16"
d_big_usable:   .asciz "  ... whole pages usable"
d_calloc_reuse: .asciz "calloc reuses the freed block"
d_calloc_zero:  .asciz "  ... and zeroes it"
d_calloc_ovf:   .asciz "calloc(2^33, 2^33) overflows to NULL"
d_enomem:       .asciz "  ... errno = ENOMEM"
d_realloc_grow: .asciz "realloc 100 -> 50000 keeps contents"
d_realloc_mmap: .asciz "realloc -> 300000 moves to a mapping"
d_realloc_mmap_keep: .asciz "  ... keeping contents"
d_realloc_mmap_shrink: .asciz "realloc of a mapped block to 10 stays"
d_realloc_shrink: .asciz "realloc 4096 -> 100 stays in place"
d_realloc_top:  .asciz "realloc of the top block grows in place"
d_malloc0:      .asciz "malloc(0) returns distinct non-NULL blocks"
d_realloc_null: .asciz "realloc(NULL, 24) allocates"
d_realloc_zero: .asciz "realloc(p, 0) frees and returns NULL"
d_odd:          .asciz "odd sizes 1..197 are 16-byte aligned"
