# files.s: the file system calls on vmlab's file systems: a /tmp file
# (create, write, lseek, read, fstat, ftruncate, dup sharing the offset),
# errors (ESPIPE, EROFS, EACCES, ENOTTY, EISDIR), drop_caches, and
# /proc/self/pagemap entries of a touched and an untouched page.
        .include "sys.inc"
        .equ    SYS_ftruncate, 46
        .equ    SEEK_SET, 0
        .equ    SEEK_CUR, 1
        .equ    SEEK_END, 2
        .equ    O_DIRECTORY, 0200000
        .equ    TCGETS, 0x5401
        .equ    ESPIPE, 29
        .equ    EROFS, 30
        .equ    EACCES, 13
        .equ    ENOTTY, 25
        .equ    EISDIR, 21
        .globl  _start
_start:
        li      a0, AT_FDCWD
        la      a1, p_tmp
        li      a2, O_CREAT|O_RDWR
        li      a3, 0644
        li      a7, SYS_openat
        ecall
        mv      s0, a0
        li      a1, 3
        la      a2, l_open
        call    check
        mv      a0, s0
        la      a1, s_data
        li      a2, 6
        li      a7, SYS_write
        ecall
        li      a1, 6
        la      a2, l_write
        call    check
        mv      a0, s0
        li      a1, 0
        li      a2, SEEK_CUR
        li      a7, SYS_lseek
        ecall
        li      a1, 6
        la      a2, l_tell
        call    check
        mv      a0, s0
        li      a1, 2
        li      a2, SEEK_SET
        li      a7, SYS_lseek
        ecall
        mv      a0, s0
        la      a1, iobuf
        li      a2, 100
        li      a7, SYS_read
        ecall
        li      a1, 4
        la      a2, l_read
        call    check
        la      t0, iobuf
        lbu     a0, 0(t0)
        li      a1, 99                  # 'c'
        la      a2, l_readc
        call    check
        # fstat: st_mode at 16, st_size at 48
        mv      a0, s0
        la      a1, statbuf
        li      a7, SYS_fstat
        ecall
        la      t0, statbuf
        lwu     a0, 16(t0)
        li      a1, 0100644
        la      a2, l_mode
        call    check
        la      t0, statbuf
        ld      a0, 48(t0)
        li      a1, 6
        la      a2, l_size
        call    check
        mv      a0, s0
        li      a1, 3
        li      a7, SYS_ftruncate
        ecall
        mv      a0, s0
        la      a1, statbuf
        li      a7, SYS_fstat
        ecall
        la      t0, statbuf
        ld      a0, 48(t0)
        li      a1, 3
        la      a2, l_trunc
        call    check
        # dup shares the file offset
        mv      a0, s0
        li      a7, SYS_dup
        ecall
        mv      s1, a0
        li      a1, 4
        la      a2, l_dup
        call    check
        mv      a0, s1
        li      a1, 0
        li      a2, SEEK_END
        li      a7, SYS_lseek
        ecall
        mv      a0, s0
        li      a1, 0
        li      a2, SEEK_CUR
        li      a7, SYS_lseek
        ecall
        li      a1, 3
        la      a2, l_shared
        call    check
        mv      a0, s1
        li      a7, SYS_close
        ecall
        mv      a0, s0
        li      a7, SYS_close
        ecall
        li      a1, 0
        la      a2, l_close
        call    check
        # errors
        li      a0, 1
        li      a1, 0
        li      a2, SEEK_CUR
        li      a7, SYS_lseek
        ecall
        li      a1, -ESPIPE
        la      a2, l_espipe
        call    check
        li      a0, AT_FDCWD
        la      a1, p_self
        li      a2, O_WRONLY
        li      a7, SYS_openat
        ecall
        li      a1, -EROFS
        la      a2, l_erofs
        call    check
        li      a0, AT_FDCWD
        la      a1, p_drop
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        li      a1, -EACCES
        la      a2, l_eacces
        call    check
        li      a0, 1
        li      a1, TCGETS
        la      a2, iobuf
        li      a7, SYS_ioctl
        ecall
        li      a1, -ENOTTY
        la      a2, l_enotty
        call    check
        li      a0, AT_FDCWD
        la      a1, p_bin
        li      a2, O_RDONLY|O_DIRECTORY
        li      a7, SYS_openat
        ecall
        la      a1, iobuf
        li      a2, 10
        li      a7, SYS_read
        ecall
        li      a1, -EISDIR
        la      a2, l_eisdir
        call    check
        # echo 3 > /proc/sys/vm/drop_caches
        li      a0, AT_FDCWD
        la      a1, p_drop
        li      a2, O_WRONLY
        li      a7, SYS_openat
        ecall
        la      a1, s_three
        li      a2, 2
        li      a7, SYS_write
        ecall
        li      a1, 2
        la      a2, l_drop
        call    check
        # pagemap: two anonymous pages, the first touched
        li      a0, 0
        li      a1, 8192
        li      a2, PROT_READ|PROT_WRITE
        li      a3, MAP_PRIVATE|MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        li      a7, SYS_mmap
        ecall
        mv      s2, a0
        li      t0, 1
        sd      t0, 0(s2)
        li      a0, AT_FDCWD
        la      a1, p_pagemap
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        mv      s3, a0
        mv      a0, s3
        la      a1, iobuf
        li      a2, 16
        srli    a3, s2, 12
        slli    a3, a3, 3
        li      a7, SYS_pread64
        ecall
        li      a1, 16
        la      a2, l_pm_read
        call    check
        la      t0, iobuf
        ld      a0, 0(t0)
        srli    a0, a0, 63
        li      a1, 1
        la      a2, l_pm_present
        call    check
        la      t0, iobuf
        ld      a0, 8(t0)
        li      a1, 1
        slli    a1, a1, 55              # PM_SOFT_DIRTY only: a new VMA is VM_SOFTDIRTY
        la      a2, l_pm_absent
        call    check
        call    finish

        .bss
        .align  3
statbuf: .zero  128

        .section .rodata
p_tmp:        .asciz "/tmp/t.txt"
p_self:       .asciz "/bin/files"
p_drop:       .asciz "/proc/sys/vm/drop_caches"
p_bin:        .asciz "/bin"
p_pagemap:    .asciz "/proc/self/pagemap"
s_data:       .ascii "abcdef"
s_three:      .ascii "3\n"
l_open:       .asciz "open /tmp/t.txt gets fd 3"
l_write:      .asciz "write 6 bytes"
l_tell:       .asciz "the offset is 6"
l_read:       .asciz "read from offset 2 gets 4 bytes"
l_readc:      .asciz "the first is 'c'"
l_mode:       .asciz "st_mode is a regular file 0644"
l_size:       .asciz "st_size is 6"
l_trunc:      .asciz "ftruncate to 3"
l_dup:        .asciz "dup gets fd 4"
l_shared:     .asciz "dup shares the offset"
l_close:      .asciz "close"
l_espipe:     .asciz "lseek on the console is ESPIPE"
l_erofs:      .asciz "writing /bin/files is EROFS"
l_eacces:     .asciz "reading drop_caches is EACCES"
l_enotty:     .asciz "TCGETS on the console is ENOTTY"
l_eisdir:     .asciz "read of a directory is EISDIR"
l_drop:       .asciz "drop_caches takes 3"
l_pm_read:    .asciz "pread 2 pagemap entries"
l_pm_present: .asciz "the touched page is present"
l_pm_absent:  .asciz "the untouched page is not (soft-dirty only)"
