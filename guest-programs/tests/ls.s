# ls.s: lists the directory argv[1] (default "/") with getdents64, one name
# per line, as linux_dirent64 records give them.
        .include "sys.inc"
        .equ    SYS_getdents64, 61
        .equ    O_DIRECTORY, 0200000
        .globl  _start
_start:
        ld      t0, 0(sp)
        la      a1, p_root
        li      t1, 2
        blt     t0, t1, 1f
        ld      a1, 16(sp)              # argv[1]
1:      li      a0, AT_FDCWD
        li      a2, O_RDONLY|O_DIRECTORY
        li      a7, SYS_openat
        ecall
        bltz    a0, 9f
        mv      s0, a0
2:      mv      a0, s0
        la      a1, iobuf
        li      a2, 4096
        li      a7, SYS_getdents64
        ecall
        blez    a0, 9f
        la      s1, iobuf
        add     s2, s1, a0              # end of the records
3:      addi    a0, s1, 19              # d_name
        call    put_str
        call    put_nl
        lhu     t0, 16(s1)              # d_reclen
        add     s1, s1, t0
        blt     s1, s2, 3b
        j       2b
9:      li      a7, SYS_exit_group
        ecall

        .section .rodata
p_root: .asciz "/"
