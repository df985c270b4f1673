# codereuse.s: code in an anonymous RWX page, called until hot, unmapped; a
# new RWX mapping (the kernel hands out the freed frame again, usually at the
# same address) gets other code, called until hot; then a data mapping is
# written in a loop. Every result is checked: a stale compiled region, or an
# instruction fetched from the old code, gives the wrong sum.
        .include "sys.inc"
        .equ    PROT_EXEC, 4
        .equ    CALLS, 2000
        .globl  _start
_start:
        # f1(i) = 2i + 1, summed over i < CALLS: 2 * 1999000 + 2000.
        la      a0, f1
        la      a1, f1_end
        call    map_code
        mv      s0, a0
        call    run_calls
        li      a1, 4000000
        la      a2, l_f1
        call    check
        mv      a0, s0
        call    unmap
        # f2(i) = 3i, summed: 3 * 1999000.
        la      a0, f2
        la      a1, f2_end
        call    map_code
        mv      s0, a0
        call    run_calls
        li      a1, 5997000
        la      a2, l_f2
        call    check
        mv      a0, s0
        call    unmap
        # A data page: 8 slots, slot i & 7 gets i, CALLS times; the slots then hold 1992..1999.
        li      a0, 0
        li      a1, 4096
        li      a2, PROT_READ|PROT_WRITE
        li      a3, MAP_PRIVATE|MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        mv      s0, a0
        li      t0, 0
        li      t1, CALLS
1:      andi    t2, t0, 7
        slli    t2, t2, 3
        add     t2, t2, s0
        sd      t0, 0(t2)
        addi    t0, t0, 1
        blt     t0, t1, 1b
        li      a0, 0
        li      t0, 0
2:      add     t2, s0, t0
        ld      t3, 0(t2)
        add     a0, a0, t3
        addi    t0, t0, 8
        li      t2, 64
        blt     t0, t2, 2b
        li      a1, 15964               # 1992 + ... + 1999
        la      a2, l_data
        call    check
        mv      a0, s0
        call    unmap
        call    finish

# map_code(a0 = first word, a1 = end): a fresh RWX page holding the words; a0 = its address.
map_code:
        mv      t4, a0
        mv      t5, a1
        li      a0, 0
        li      a1, 4096
        li      a2, PROT_READ|PROT_WRITE|PROT_EXEC
        li      a3, MAP_PRIVATE|MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        mv      t6, a0
1:      lw      t0, 0(t4)
        sw      t0, 0(t6)
        addi    t4, t4, 4
        addi    t6, t6, 4
        bltu    t4, t5, 1b
        ret

# run_calls(a0 = function): a0 = sum of function(i) for i < CALLS.
run_calls:
        addi    sp, sp, -32
        sd      ra, 0(sp)
        sd      s1, 8(sp)
        sd      s2, 16(sp)
        sd      s3, 24(sp)
        mv      s1, a0
        li      s2, 0
        li      s3, 0
1:      mv      a0, s2
        jalr    s1
        add     s3, s3, a0
        addi    s2, s2, 1
        li      t0, CALLS
        blt     s2, t0, 1b
        mv      a0, s3
        ld      ra, 0(sp)
        ld      s1, 8(sp)
        ld      s2, 16(sp)
        ld      s3, 24(sp)
        addi    sp, sp, 32
        ret

# unmap(a0 = page): munmap, checked.
unmap:
        addi    sp, sp, -16
        sd      ra, 0(sp)
        li      a1, 4096
        li      a7, SYS_munmap
        ecall
        li      a1, 0
        la      a2, l_unmap
        call    check
        ld      ra, 0(sp)
        addi    sp, sp, 16
        ret

# The code copied into the pages (position-independent).
f1:     slli    a0, a0, 1
        addi    a0, a0, 1
        ret
f1_end:
f2:     slli    t0, a0, 1
        add     a0, a0, t0
        ret
f2_end:

        .section .rodata
l_f1:    .asciz "f1 in a fresh page"
l_f2:    .asciz "f2 in the page mapped after it"
l_data:  .asciz "the page mapped after them holds data"
l_unmap: .asciz "munmap"
