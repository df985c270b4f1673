# Demand-zero faults, end to end through the kernel: each round maps 64 MiB
# of fresh anonymous memory, writes one word per 4K page (16,384 page faults,
# each a #PF that the kernel's handleMmFault fills with a zeroed frame) and
# unmaps it again. Run by `vmlab bench` on the kernel as: kfaults ROUNDS.
# Exit status 0, or 1 if mmap failed.
        .equ    SYS_munmap, 215
        .equ    SYS_mmap, 222
        .equ    SYS_exit, 93
        .equ    SIZE, 64 * 1024 * 1024
        .equ    PROT_RW, 3
        .equ    MAP_PRIVATE_ANON, 0x22

        .text
        .globl  _start
_start:
        ld      a0, 16(sp)              # argv[1]: rounds
        call    atoi
        mv      s0, a0
.Lround:
        li      a0, 0
        li      a1, SIZE
        li      a2, PROT_RW
        li      a3, MAP_PRIVATE_ANON
        li      a4, -1
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        bltz    a0, .Lfail
        mv      s1, a0
        li      t0, SIZE
        add     s2, s1, t0
        mv      t1, s1
        li      t2, 4096
.Ltouch:
        sd      s0, 0(t1)               # one demand-zero fault per page
        add     t1, t1, t2
        bltu    t1, s2, .Ltouch
        mv      a0, s1
        li      a1, SIZE
        li      a7, SYS_munmap
        ecall
        addi    s0, s0, -1
        bnez    s0, .Lround
        li      a0, 0
        li      a7, SYS_exit
        ecall
.Lfail:
        li      a0, 1
        li      a7, SYS_exit
        ecall

        .include "atoi.inc"
