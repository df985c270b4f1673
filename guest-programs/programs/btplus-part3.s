# btplus-part3.s: part 3 of the VMA-surgery lab (insmod btplus;
# docs/experiments/btplus.md): IOCTL_COMPACT_VMA. A 2 MiB-aligned 4 MiB
# anonymous VMA has every odd page written (512 present pages, 512 holes).
# Compaction moves the present pages, in order, to the lowest pages of the
# range and fills the table with <old, new> pairs: through the table every
# value is found again, the pages after the compacted ones are not present
# (/proc/self/pagemap), and the now fully present first 2 MiB is promoted to
# a huge page (BTPLUS_WALK: PS=1 PMD; pagemap: one 2 MiB block). Bad requests
# (npages 0, a range past the VMA end, a bad table pointer, a range with no
# present page) come back -1 with EINVAL or EFAULT. Prints PASS/FAIL per
# check; exits 1 if any failed. The C (part3.c):
#
#   struct { u64 start, npages; u64 *table; } a;  u64 *table = malloc(1024 * 16);
#   char *p = map_aligned(4 << 20);
#   for (i = 1; i < 1024; i += 2) *(u64 *)(p + i * PAGE) = i + 1;
#   a = { p, 1024, table };  check(ioctl(fd, IOCTL_COMPACT_VMA, &a) == 0);
#   for (k = 0; k < 512; k++) check(table[2k] == p + (2k+1) * PAGE && table[2k+1] == p + k * PAGE
#                                    && *(u64 *)table[2k+1] == 2k + 2);

        .include "../include/btplus.inc"
        .equ    MB, 0x100000

        .section .rodata
c_zero:         .asciz  "npages 0 is refused (-1, EINVAL)"
c_past:         .asciz  "a range past the VMA end is refused (-1, EINVAL)"
c_badtable:     .asciz  "a bad table pointer is refused (-1, EFAULT)"
c_empty:        .asciz  "a range with no present page is refused (-1, EINVAL)"
c_ok:           .asciz  "IOCTL_COMPACT_VMA returns 0"
c_table:        .asciz  "the table holds <old, new> for the 512 present pages, in order, new = the lowest pages"
c_values:       .asciz  "through the table every value is found at its new address"
c_holes:        .asciz  "the pages after the compacted ones are not present (pagemap)"
c_huge:         .asciz  "the fully present first 2MB is promoted (PS=1 PMD)"
c_run:          .asciz  "pagemap: its 512 pages are consecutive frames of one 2MB-aligned block"

        .text
        .globl  main
# s1 fd, s2 p, s3 table, s4 scratch; args {start, npages, table} at 0(sp)
main:
        addi    sp, sp, -80
        sd      ra, 72(sp)
        sd      fp, 64(sp)
        sd      s1, 56(sp)
        sd      s2, 48(sp)
        sd      s3, 40(sp)
        sd      s4, 32(sp)
        addi    fp, sp, 80
        call    bt_open
        mv      s1, a0
        li      a0, 16 * 1024
        call    malloc
        mv      s3, a0
        li      a0, 4 * MB
        call    map_aligned
        mv      s2, a0
        li      t0, 1
        li      t1, 1024
1:      bge     t0, t1, 2f
        slli    t2, t0, 12
        add     t2, s2, t2
        addi    t3, t0, 1
        sd      t3, 0(t2)
        addi    t0, t0, 2
        j       1b

2:      mv      a0, s2                  # npages 0
        li      a1, 0
        mv      a2, s3
        li      a3, EINVAL
        call    compact_fails
        la      a1, c_zero
        call    check
        mv      a0, s2                  # past the VMA end
        li      a1, 1025
        mv      a2, s3
        li      a3, EINVAL
        call    compact_fails
        la      a1, c_past
        call    check
        mv      a0, s2                  # bad table
        li      a1, 1024
        li      a2, 16
        li      a3, EFAULT
        call    compact_fails
        la      a1, c_badtable
        call    check
        li      a0, 0                   # an untouched mapping
        li      a1, 4 * PAGE_SIZE
        li      a2, PROT_READ
        li      a3, MAP_PRIVATE | MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        call    mmap
        li      a1, 4
        mv      a2, s3
        li      a3, EINVAL
        call    compact_fails
        la      a1, c_empty
        call    check

        sd      s2, 0(sp)
        li      t0, 1024
        sd      t0, 8(sp)
        sd      s3, 16(sp)
        mv      a0, s1
        li      a1, IOCTL_COMPACT_VMA
        mv      a2, sp
        call    ioctl
        seqz    a0, a0
        la      a1, c_ok
        call    check

        li      t0, 0                   # the table
        li      a0, 1
1:      li      t1, 512
        bge     t0, t1, 2f
        slli    t2, t0, 4
        add     t2, s3, t2
        ld      t3, 0(t2)               # old
        ld      t4, 8(t2)               # new
        slli    t5, t0, 1
        addi    t5, t5, 1
        slli    t5, t5, 12
        add     t5, s2, t5              # p + (2k + 1) * PAGE
        beq     t3, t5, 3f
        li      a0, 0
3:      slli    t5, t0, 12
        add     t5, s2, t5              # p + k * PAGE
        beq     t4, t5, 3f
        li      a0, 0
3:      addi    t0, t0, 1
        j       1b
2:      la      a1, c_table
        call    check
        li      t0, 0                   # the values, through the table
        li      a0, 1
1:      li      t1, 512
        bge     t0, t1, 2f
        slli    t2, t0, 4
        add     t2, s3, t2
        ld      t3, 0(t2)
        ld      t4, 8(t2)
        sub     t3, t3, s2
        srli    t3, t3, 12
        addi    t3, t3, 1               # the value written at the old page
        ld      t4, 0(t4)
        beq     t3, t4, 3f
        li      a0, 0
3:      addi    t0, t0, 1
        j       1b
2:      la      a1, c_values
        call    check
        li      t0, 2 * MB              # pages 512 and 1023 not present
        add     a0, s2, t0
        call    pm_present
        mv      s4, a0
        li      t0, 4 * MB - PAGE_SIZE
        add     a0, s2, t0
        call    pm_present
        or      a0, a0, s4
        seqz    a0, a0
        la      a1, c_holes
        call    check
        mv      a0, s1
        mv      a1, s2
        call    walk_level
        addi    a0, a0, -2
        seqz    a0, a0
        la      a1, c_huge
        call    check
        mv      a0, s2
        call    hpage_run
        la      a1, c_run
        call    check
        call    bt_done

        ld      s4, 32(sp)
        ld      s3, 40(sp)
        ld      s2, 48(sp)
        ld      s1, 56(sp)
        ld      fp, 64(sp)
        ld      ra, 72(sp)
        addi    sp, sp, 80
        ret

# compact_fails(start, npages, table, err): 1 if IOCTL_COMPACT_VMA returns -1 with errno err (s1 = fd)
compact_fails:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        addi    fp, sp, 48
        sd      a0, 0(sp)
        sd      a1, 8(sp)
        sd      a2, 16(sp)
        sd      a3, 24(sp)
        mv      a0, s1
        li      a1, IOCTL_COMPACT_VMA
        mv      a2, sp
        call    ioctl
        li      t0, -1
        bne     a0, t0, 1f
        la      t0, errno
        lw      t0, 0(t0)
        ld      t1, 24(sp)
        sub     t0, t0, t1
        seqz    a0, t0
        j       2f
1:      li      a0, 0
2:      ld      ra, 40(sp)
        ld      fp, 32(sp)
        addi    sp, sp, 48
        ret

# pm_present(va): 1 if /proc/self/pagemap says va's page is present
pm_present:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        sd      s2, 0(sp)
        addi    fp, sp, 32
        mv      s1, a0
        la      a0, bt_s_pagemap
        li      a1, O_RDONLY
        li      a2, 0
        call    open
        mv      s2, a0
        srli    a1, s1, 12
        slli    a1, a1, 3
        li      a2, 0
        call    lseek
        mv      a0, s2
        la      a1, bt_pm
        li      a2, 8
        call    read
        mv      a0, s2
        call    close
        la      t0, bt_pm
        ld      t0, 0(t0)
        srli    a0, t0, 63
        ld      s2, 0(sp)
        ld      s1, 8(sp)
        ld      fp, 16(sp)
        ld      ra, 24(sp)
        addi    sp, sp, 32
        ret
