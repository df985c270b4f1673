# hog.s: maps 64 MiB (MAP_NORESERVE, so the overcommit check lets it) and
# writes a byte to every page: with less RAM than that, the OOM killer ends
# it (SIGKILL), with its lines in the kernel log. Exits 0 if it ever finishes.
        .include "sys.inc"
        .equ    SIZE, 0x4000000
        .globl  _start
_start:
        li      a0, 0
        li      a1, SIZE
        li      a2, 3                   # PROT_READ | PROT_WRITE
        li      a3, 0x4022              # MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        li      a4, -1
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        li      t1, SIZE
        add     t1, t1, a0
        li      t2, 4096
1:      sb      t2, 0(a0)
        add     a0, a0, t2
        bltu    a0, t1, 1b
        li      a0, 0
        li      a7, SYS_exit_group
        ecall
