# btplus-part2.s: part 2 of the VMA-surgery lab (insmod btplus;
# docs/experiments/btplus.md): huge pages made and broken. A 2 MiB-aligned
# 4 MiB anonymous VMA is filled page by page; IOCTL_PROMOTE_VMA starts the
# driver's promotion thread, writing 1 to /sys/kernel/kobject_cs614/promote
# wakes it, and it writes 0 back when both 2 MiB ranges are huge pages. The
# checks: BTPLUS_WALK sees a PS=1 PMD, /proc/self/pagemap shows 512
# consecutive frames of one 2 MiB-aligned block, the contents are kept. Then
# the two cases of the lab's Figure 2: (a) munmap of the top 1 MiB keeps the
# lower huge page and demotes the cut one; (b) munmap of the middle 2 MiB of
# a second such VMA demotes both. Prints PASS/FAIL; exits 1 if any failed.
# The C (part2.c):
#
#   char *a = map_aligned(4 << 20);                     /* mmap 6 MiB, trim to a 2 MiB boundary */
#   for (i = 0; i < 1024; i++) *(u64 *)(a + i * PAGE) = i + 1;
#   ioctl(fd, IOCTL_PROMOTE_VMA);
#   write(open(PROMOTE, O_RDWR), "1\n", 2);  while (read_promote() != 0) usleep(1000);
#   check(walk(a) == PMD && pagemap_is_one_block(a) && contents_ok(a));
#   munmap(a + (3 << 20), 1 << 20);                     /* case a */
#   ... map b, promote, munmap(b + (1 << 20), 2 << 20)  /* case b */

        .include "../include/btplus.inc"
        .equ    MB, 0x100000

        .section .rodata
c_before:       .asciz  "before promotion the VMA is mapped by 4KB PTEs"
c_round:        .asciz  "the promotion thread wrote 0 back to promote"
c_pmd0:         .asciz  "[a, a+2M) is mapped by one 2MB page (PS=1 PMD)"
c_pmd1:         .asciz  "[a+2M, a+4M) is mapped by one 2MB page (PS=1 PMD)"
c_run0:         .asciz  "pagemap: a's 512 pages are consecutive frames of one 2MB-aligned block"
c_run1:         .asciz  "pagemap: a+2M's 512 pages are consecutive frames of one 2MB-aligned block"
c_kept:         .asciz  "every page's contents survived the promotion"
c_a_keep:       .asciz  "case a: the remaining 2MB-aligned 2MB part keeps its huge page"
c_a_run:        .asciz  "case a: ... still one 2MB block in pagemap"
c_a_demote:     .asciz  "case a: the huge page munmap cut is demoted to 4KB PTEs"
c_a_kept:       .asciz  "case a: the contents of the remaining 3MB are intact"
c_a_gone:       .asciz  "case a: the unmapped 1MB faults on read (0x4)"
c_b_huge:       .asciz  "case b: the second VMA was promoted to two 2MB pages"
c_b_low:        .asciz  "case b: the lower 1MB part is demoted to 4KB PTEs"
c_b_high:       .asciz  "case b: the upper 1MB part is demoted to 4KB PTEs"
c_b_kept:       .asciz  "case b: the contents of both parts are intact"
c_b_gone:       .asciz  "case b: the unmapped middle faults on write (0x6)"

        .text
        .globl  main
# s1 fd, s2 a, s3 b
main:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        sd      s1, 24(sp)
        sd      s2, 16(sp)
        sd      s3, 8(sp)
        addi    fp, sp, 48
        call    bt_open
        mv      s1, a0
        li      a0, 4 * MB
        call    map_aligned
        mv      s2, a0
        call    fill4m
        mv      a0, s1
        mv      a1, s2
        call    walk_level
        addi    a0, a0, -1
        seqz    a0, a0
        la      a1, c_before
        call    check
        mv      a0, s1
        call    promote_round
        la      a1, c_round
        call    check
        mv      a0, s1
        mv      a1, s2
        call    walk_level
        addi    a0, a0, -2
        seqz    a0, a0
        la      a1, c_pmd0
        call    check
        mv      a0, s1
        li      t0, 2 * MB + 3 * PAGE_SIZE
        add     a1, s2, t0
        call    walk_level
        addi    a0, a0, -2
        seqz    a0, a0
        la      a1, c_pmd1
        call    check
        mv      a0, s2
        call    hpage_run
        la      a1, c_run0
        call    check
        li      t0, 2 * MB
        add     a0, s2, t0
        call    hpage_run
        la      a1, c_run1
        call    check
        mv      a0, s2
        li      a1, 0
        li      a2, 1024
        call    verify
        la      a1, c_kept
        call    check

        li      t0, 3 * MB              # case a: munmap [a+3M, a+4M)
        add     a0, s2, t0
        li      a1, MB
        call    munmap
        mv      a0, s1
        mv      a1, s2
        call    walk_level
        addi    a0, a0, -2
        seqz    a0, a0
        la      a1, c_a_keep
        call    check
        mv      a0, s2
        call    hpage_run
        la      a1, c_a_run
        call    check
        mv      a0, s1
        li      t0, 2 * MB
        add     a1, s2, t0
        call    walk_level
        addi    a0, a0, -1
        seqz    a0, a0
        la      a1, c_a_demote
        call    check
        mv      a0, s2
        li      a1, 0
        li      a2, 768
        call    verify
        la      a1, c_a_kept
        call    check
        li      t0, 3 * MB + 5 * PAGE_SIZE
        add     a0, s2, t0
        call    probe_read
        addi    a0, a0, -4
        seqz    a0, a0
        la      a1, c_a_gone
        call    check

        li      a0, 4 * MB              # case b
        call    map_aligned
        mv      s3, a0
        call    fill4m
        mv      a0, s1
        call    promote_round
        mv      a0, s1
        mv      a1, s3
        call    walk_level
        addi    s2, a0, -2              # s2 is free now: 0 if huge
        mv      a0, s1
        li      t0, 2 * MB
        add     a1, s3, t0
        call    walk_level
        addi    a0, a0, -2
        or      a0, a0, s2
        seqz    a0, a0
        la      a1, c_b_huge
        call    check
        li      t0, MB
        add     a0, s3, t0
        li      a1, 2 * MB
        call    munmap
        mv      a0, s1
        mv      a1, s3
        call    walk_level
        addi    a0, a0, -1
        seqz    a0, a0
        la      a1, c_b_low
        call    check
        mv      a0, s1
        li      t0, 3 * MB
        add     a1, s3, t0
        call    walk_level
        addi    a0, a0, -1
        seqz    a0, a0
        la      a1, c_b_high
        call    check
        mv      a0, s3
        li      a1, 0
        li      a2, 256
        call    verify
        mv      s2, a0
        mv      a0, s3
        li      a1, 768
        li      a2, 1024
        call    verify
        and     a0, a0, s2
        la      a1, c_b_kept
        call    check
        li      t0, 2 * MB
        add     a0, s3, t0
        call    probe_write
        addi    a0, a0, -6
        seqz    a0, a0
        la      a1, c_b_gone
        call    check
        call    bt_done

        ld      s3, 8(sp)
        ld      s2, 16(sp)
        ld      s1, 24(sp)
        ld      fp, 32(sp)
        ld      ra, 40(sp)
        addi    sp, sp, 48
        ret

# fill4m(base): *(u64 *)(base + i * PAGE) = i + 1 for the 1024 pages
fill4m:
        li      t0, 0
        li      t1, 1024
1:      bge     t0, t1, 2f
        slli    t2, t0, 12
        add     t2, a0, t2
        addi    t3, t0, 1
        sd      t3, 0(t2)
        addi    t0, t0, 1
        j       1b
2:      ret

# verify(base, from, to): 1 if *(u64 *)(base + i * PAGE) == i + 1 for i in [from, to)
verify:
        mv      t0, a1
1:      bge     t0, a2, 2f
        slli    t2, t0, 12
        add     t2, a0, t2
        ld      t3, 0(t2)
        addi    t4, t0, 1
        bne     t3, t4, 3f
        addi    t0, t0, 1
        j       1b
2:      li      a0, 1
        ret
3:      li      a0, 0
        ret
