# tmpfs.s: /tmp's limits as a program sees them. Prints statfs("/tmp") as df
# would (blocks, free, inodes), writes 4 KiB pieces to /tmp/fill until write
# fails (ENOSPC once size= is reached), prints statfs again, then makes a
# sparse file with ftruncate(2^40) and prints its st_size and st_blocks.
        .include "sys.inc"
        .equ    SYS_statfs, 43
        .equ    SYS_ftruncate, 46

        .text
        .globl  _start
_start:
        call    df
        la      a1, p_fill
        call    create
        mv      s0, a0
        li      s1, 0                   # bytes written
1:      mv      a0, s0
        la      a1, iobuf
        li      a2, 4096
        li      a7, SYS_write
        ecall
        blez    a0, 2f
        add     s1, s1, a0
        j       1b
2:      mv      s2, a0
        la      a0, s_wrote
        call    put_str
        mv      a0, s1
        call    put_dec
        la      a0, s_then
        call    put_str
        mv      a0, s2
        call    put_dec
        call    put_nl
        call    df
        la      a1, p_sparse
        call    create
        mv      s0, a0
        li      a1, 1
        slli    a1, a1, 40
        li      a7, SYS_ftruncate
        ecall
        mv      s2, a0
        mv      a0, s0
        la      a1, statbuf
        li      a7, SYS_fstat
        ecall
        la      a0, s_trunc
        call    put_str
        mv      a0, s2
        call    put_dec
        la      a0, s_size
        call    put_str
        la      t0, statbuf
        ld      a0, 48(t0)
        call    put_dec
        la      a0, s_blocks
        call    put_str
        la      t0, statbuf
        ld      a0, 64(t0)
        call    put_dec
        call    put_nl
        li      a0, 0
        li      a7, SYS_exit_group
        ecall

# create(a1 = path): openat(AT_FDCWD, path, O_RDWR|O_CREAT, 0644) in a0
create:
        li      a0, AT_FDCWD
        li      a2, O_RDWR | O_CREAT
        li      a3, 0644
        li      a7, SYS_openat
        ecall
        ret

# df: "/tmp: N blocks of 4096, F free; I inodes, J free"
df:
        addi    sp, sp, -16
        sd      ra, 0(sp)
        la      a0, p_tmp
        la      a1, statfsbuf
        li      a7, SYS_statfs
        ecall
        la      a0, s_df
        call    put_str
        la      t0, statfsbuf
        ld      a0, 16(t0)
        call    put_dec
        la      a0, s_of
        call    put_str
        la      t0, statfsbuf
        ld      a0, 8(t0)
        call    put_dec
        la      a0, s_free
        call    put_str
        la      t0, statfsbuf
        ld      a0, 24(t0)
        call    put_dec
        la      a0, s_inodes
        call    put_str
        la      t0, statfsbuf
        ld      a0, 40(t0)
        call    put_dec
        la      a0, s_ifree
        call    put_str
        la      t0, statfsbuf
        ld      a0, 48(t0)
        call    put_dec
        la      a0, s_tail
        call    put_str
        ld      ra, 0(sp)
        addi    sp, sp, 16
        ret

        .data
p_tmp:    .asciz "/tmp"
p_fill:   .asciz "/tmp/fill"
p_sparse: .asciz "/tmp/sparse"
s_df:     .asciz "/tmp: "
s_of:     .asciz " blocks of "
s_free:   .asciz ", "
s_inodes: .asciz " free; "
s_ifree:  .asciz " inodes, "
s_tail:   .asciz " free\n"
s_wrote:  .asciz "wrote "
s_then:   .asciz " bytes, then "
s_trunc:  .asciz "ftruncate(2^40) = "
s_size:   .asciz ": st_size "
s_blocks: .asciz ", st_blocks "
        .bss
        .align  3
statbuf:   .zero 128
statfsbuf: .zero 120
