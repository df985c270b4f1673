# gnu-ehdr.s: reads the first bytes of its own ELF header through
# __ehdr_start (GNU ld defines it when the headers lie in a loaded segment)
# and says whether the magic is there; exit status 0 if so, 1 if not.
# Built by GNU as and `ld -Ttext=0x10000`, which put the headers in a PT_LOAD
# at 0xf000, below vm.mmap_min_addr's default (65536): the lbu of the magic
# is the program's first touch of that page, a page fault at 0xf000.
# tests/system/peer-ld-layouts.test.ts runs it under qemu-riscv64 and under
# `vmlab debug --mmap-min-addr 4096` with `catch pagefault`.
        .option norelax                 # the same instructions whatever ld relaxes
        .section .rodata
good:   .ascii  "the ELF header is mapped: magic ELF\n"
        .equ    good_len, . - good
nomagic: .ascii "no ELF magic at __ehdr_start\n"
        .equ    nomagic_len, . - nomagic

        .text
        .globl  _start
_start:
        la      s0, __ehdr_start
        lbu     t0, 1(s0)               # 'E'
        lbu     t1, 2(s0)               # 'L'
        lbu     t2, 3(s0)               # 'F'
        li      t3, 'E'
        bne     t0, t3, bad
        li      t3, 'L'
        bne     t1, t3, bad
        li      t3, 'F'
        bne     t2, t3, bad
        la      a1, good
        li      a2, good_len
        li      s1, 0
        j       say
bad:
        la      a1, nomagic
        li      a2, nomagic_len
        li      s1, 1
say:
        li      a0, 1
        li      a7, 64                  # write
        ecall
        mv      a0, s1
        li      a7, 94                  # exit_group
        ecall
