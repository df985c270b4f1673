# mapshared.s: a /tmp file mapped MAP_SHARED stays coherent with read(2)
# and write(2): a store through the mapping is seen by pread, a pwrite is
# seen through the mapping, and a MAP_PRIVATE mapping of the file shows the
# file but keeps its own stores. The store survives munmap and drop_caches
# (the dirty page is written back), and a truncate takes the mapped pages
# past the new end away: touching one is SIGBUS, and the file grown again
# reads zeros there, not the old bytes.
        .include "sys.inc"
        .equ    SYS_pwrite64, 68
        .equ    MAP_SHARED, 1
        .equ    SYS_ftruncate, 46
        .equ    SIGBUS, 7
        .globl  _start
_start:
        li      a0, AT_FDCWD
        la      a1, p_file
        li      a2, O_CREAT|O_RDWR
        li      a3, 0600
        li      a7, SYS_openat
        ecall
        mv      s0, a0
        # 8 KiB of 'a'
        la      t0, iobuf
        li      t1, 0x61
        li      t2, 4096
1:      sb      t1, 0(t0)
        addi    t0, t0, 1
        addi    t2, t2, -1
        bnez    t2, 1b
        li      s4, 2
2:      mv      a0, s0
        la      a1, iobuf
        li      a2, 4096
        li      a7, SYS_write
        ecall
        addi    s4, s4, -1
        bnez    s4, 2b
        # mmap(NULL, 8192, RW, MAP_SHARED, fd, 0)
        li      a0, 0
        li      a1, 8192
        li      a2, PROT_READ|PROT_WRITE
        li      a3, MAP_SHARED
        mv      a4, s0
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        mv      s1, a0
        srli    a0, a0, 63
        li      a1, 0
        la      a2, l_mmap
        call    check
        li      t3, 5000
        add     t3, s1, t3
        lbu     a0, 0(t3)
        li      a1, 0x61
        la      a2, l_sees
        call    check
        # store 'Z' at 5000 through the mapping; pread sees it
        li      t0, 0x5a
        li      t3, 5000
        add     t3, s1, t3
        sb      t0, 0(t3)
        mv      a0, s0
        la      a1, iobuf
        li      a2, 1
        li      a3, 5000
        li      a7, SYS_pread64
        ecall
        la      t0, iobuf
        lbu     a0, 0(t0)
        li      a1, 0x5a
        la      a2, l_store
        call    check
        # pwrite 'Q' at 100; the mapping sees it
        la      t0, iobuf
        li      t1, 0x51
        sb      t1, 0(t0)
        mv      a0, s0
        la      a1, iobuf
        li      a2, 1
        li      a3, 100
        li      a7, SYS_pwrite64
        ecall
        lbu     a0, 100(s1)
        li      a1, 0x51
        la      a2, l_write
        call    check
        # a private mapping sees the file, keeps its own store
        li      a0, 0
        li      a1, 8192
        li      a2, PROT_READ|PROT_WRITE
        li      a3, MAP_PRIVATE
        mv      a4, s0
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        mv      s2, a0
        li      t3, 5000
        add     t3, s2, t3
        lbu     a0, 0(t3)
        li      a1, 0x5a
        la      a2, l_private
        call    check
        li      t0, 0x70
        li      t3, 5000
        add     t3, s2, t3
        sb      t0, 0(t3)
        li      t3, 5000
        add     t3, s1, t3
        lbu     a0, 0(t3)
        li      a1, 0x5a
        la      a2, l_cow
        call    check
        mv      a0, s1
        li      a1, 8192
        li      a7, SYS_munmap
        ecall
        mv      a0, s2
        li      a1, 8192
        li      a7, SYS_munmap
        ecall
        # after munmap the data is still the file's
        mv      a0, s0
        la      a1, iobuf
        li      a2, 1
        li      a3, 5000
        li      a7, SYS_pread64
        ecall
        la      t0, iobuf
        lbu     a0, 0(t0)
        li      a1, 0x5a
        la      a2, l_kept
        call    check
        # echo 3 > /proc/sys/vm/drop_caches: the dirty page is written back first
        li      a0, AT_FDCWD
        la      a1, p_drop
        li      a2, O_WRONLY
        li      a7, SYS_openat
        ecall
        la      a1, s_three
        li      a2, 2
        li      a7, SYS_write
        ecall
        mv      a0, s0
        la      a1, iobuf
        li      a2, 1
        li      a3, 5000
        li      a7, SYS_pread64
        ecall
        la      t0, iobuf
        lbu     a0, 0(t0)
        li      a1, 0x5a
        la      a2, l_dropped
        call    check
        # map both pages again and touch the second, then truncate to 100 bytes
        li      a0, 0
        li      a1, 8192
        li      a2, PROT_READ|PROT_WRITE
        li      a3, MAP_SHARED
        mv      a4, s0
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        mv      s1, a0
        li      t3, 5000
        add     t3, s1, t3
        lbu     a0, 0(t3)
        li      a1, 0x5a
        la      a2, l_remap
        call    check
        mv      a0, s0
        li      a1, 100
        li      a7, SYS_ftruncate
        ecall
        # a child touches the page past the end: SIGBUS
        li      a0, SIGCHLD
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a4, 0
        li      a7, SYS_clone
        ecall
        bnez    a0, 3f
        li      t3, 5000
        add     t3, s1, t3
        lbu     a0, 0(t3)
        li      a7, SYS_exit
        ecall
3:      la      a1, status
        li      a2, 0
        li      a3, 0
        li      a7, SYS_wait4
        ecall
        la      t0, status
        lw      a0, 0(t0)
        li      a1, SIGBUS
        la      a2, l_sigbus
        call    check
        # the page up to the end is still mapped: byte 100 on is zero now
        lbu     a0, 99(s1)
        li      a1, 0x61
        la      a2, l_before
        call    check
        lbu     a0, 100(s1)
        li      a1, 0
        la      a2, l_after
        call    check
        # grown again, the old bytes past 100 are gone
        mv      a0, s0
        li      a1, 8192
        li      a7, SYS_ftruncate
        ecall
        mv      a0, s0
        la      a1, iobuf
        li      a2, 1
        li      a3, 5000
        li      a7, SYS_pread64
        ecall
        la      t0, iobuf
        lbu     a0, 0(t0)
        li      a1, 0
        la      a2, l_grown
        call    check
        li      t3, 5000
        add     t3, s1, t3
        lbu     a0, 0(t3)
        li      a1, 0
        la      a2, l_grown_map
        call    check
        call    finish

        .bss
        .align  2
status: .zero   4

        .section .rodata
p_file:    .asciz "/tmp/shared"
l_mmap:    .asciz "mmap MAP_SHARED of a /tmp file"
l_sees:    .asciz "the mapping shows the file"
l_store:   .asciz "pread sees a store through the mapping"
l_write:   .asciz "the mapping sees a pwrite"
l_private: .asciz "a MAP_PRIVATE mapping shows the file"
l_cow:     .asciz "its store stays private"
l_kept:    .asciz "the file keeps the store after munmap"
p_drop:    .asciz "/proc/sys/vm/drop_caches"
s_three:   .asciz "3\n"
l_dropped: .asciz "the file keeps the store after drop_caches"
l_remap:   .asciz "a new mapping shows it"
l_sigbus:  .asciz "a child touching a page past a truncate gets SIGBUS"
l_before:  .asciz "the last page keeps the bytes before the end"
l_after:   .asciz "and reads zeros after it"
l_grown:   .asciz "the file grown again reads zeros, not the old bytes"
l_grown_map: .asciz "and so does the mapping"
