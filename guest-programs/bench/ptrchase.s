# Pointer chase: follow a chain of 64-bit pointers, one node per 4-KiB page
# spread over 64 MiB in a random cyclic order, so nearly every load misses
# the DTLB and walks the page tables.
# Entry (set by `vmlab bench`): a0 = address of the first node, a1 = steps (> 0).
# Exit: a0 = the node reached, a7 = 93 (exit), ecall.
        .text
        .globl _start
_start:
.Lloop:
        ld      a0, 0(a0)
        addi    a1, a1, -1
        bnez    a1, .Lloop

        li      a7, 93
        ecall
