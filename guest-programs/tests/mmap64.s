# mmap64.s: maps 64 MiB of anonymous memory, writes every page, checks the
# sum, unmaps it. With an argument ("maps"), also prints the mapping's
# address and /proc/self/maps before mmap, after touching and after munmap,
# separated by "--- <stage>" lines.
        .include "sys.inc"
        .equ    LEN, 0x4000000
        .globl  _start
_start:
        ld      s2, 0(sp)               # argc: > 1 means print maps
        la      a0, s_before
        call    maps
        li      a0, 0
        li      a1, LEN
        li      a2, PROT_READ|PROT_WRITE
        li      a3, MAP_PRIVATE|MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        mv      s0, a0
        srli    a0, a0, 63              # 0 unless mmap returned -errno
        li      a1, 0
        la      a2, l_mmap
        call    check
        # Store each page's offset at its start.
        li      t0, 0
        li      t2, LEN
        li      t3, 4096
1:      add     t1, s0, t0
        sd      t0, 0(t1)
        add     t0, t0, t3
        blt     t0, t2, 1b
        # Sum: 4096 * (0 + 1 + ... + 16383) = 549722259456.
        li      t0, 0
        li      a0, 0
2:      add     t1, s0, t0
        ld      t4, 0(t1)
        add     a0, a0, t4
        add     t0, t0, t3
        blt     t0, t2, 2b
        li      a1, 549722259456
        la      a2, l_sum
        call    check
        la      a0, s_mapped
        call    maps
        mv      a0, s0
        li      a1, LEN
        li      a7, SYS_munmap
        ecall
        li      a1, 0
        la      a2, l_munmap
        call    check
        la      a0, s_after
        call    maps
        call    finish

# maps(a0 = stage name): with an argument, "--- stage <addr>" and /proc/self/maps.
maps:
        beqz    s2, 9f
        li      t0, 1
        beq     s2, t0, 9f
        addi    sp, sp, -16
        sd      ra, 0(sp)
        call    put_str
        mv      a0, s0
        call    put_hex
        call    put_nl
        la      a0, p_maps
        call    cat_file
        ld      ra, 0(sp)
        addi    sp, sp, 16
9:      ret

        .section .rodata
l_mmap:   .asciz "mmap 64 MiB"
l_sum:    .asciz "every page holds its offset"
l_munmap: .asciz "munmap 64 MiB"
s_before: .asciz "--- before "
s_mapped: .asciz "--- mapped "
s_after:  .asciz "--- unmapped "
p_maps:   .asciz "/proc/self/maps"
