# btplus-part1_1.s: part 1.1 of the VMA-surgery lab (insmod btplus;
# docs/experiments/btplus.md): IOCTL_MVE_VMA_TO moves a whole VMA to a
# destination the program chooses. Bad requests come back -1/EINVAL; after
# the move every page's contents are at the same offset of the new range,
# the new range is accessible, and the old range faults (error code 4 for a
# user read of a not-present page, 6 for a user write). Prints PASS/FAIL per
# check; exits 1 if any failed. The C (part1_1.c of the template):
#
#   struct { u64 start, dest; } a;
#   char *buf = mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
#   for (i = 0; i < 4; i++) *(u64 *)(buf + i * PAGE) = 0x1000 + i;
#   char *other = mmap(0, PAGE, PROT_READ, ...);           /* below buf, not merged with it */
#   char *dest = mmap(0, 4 * PAGE, ...); munmap(dest, 4 * PAGE);   /* a free range */
#   a = { buf + PAGE, dest };   check(ioctl(fd, IOCTL_MVE_VMA_TO, &a) == -1 && errno == EINVAL);
#   a = { buf, dest + 1 };      ... unaligned destination
#   a = { buf, other - PAGE };  ... destination overlapping another VMA
#   a = { buf, 1UL << 47 };     ... destination beyond the user address space
#   a = { buf, dest };          check(ioctl(fd, IOCTL_MVE_VMA_TO, &a) == 0);
#   then the contents, the new range and the old range's faults.

        .include "../include/btplus.inc"
        .equ    NPAGES, 4
        .equ    LEN, 16384
        .include "../include/btplus-move.inc"

        .section .rodata
c_inside:       .asciz  "start inside a VMA is refused (-1, EINVAL)"
c_unaligned:    .asciz  "unaligned destination is refused (-1, EINVAL)"
c_overlap:      .asciz  "destination overlapping another VMA is refused (-1, EINVAL)"
c_beyond:       .asciz  "destination beyond the user address space is refused (-1, EINVAL)"
c_nomap:        .asciz  "start that is not mapped is refused (-1, EINVAL)"
c_moved:        .asciz  "IOCTL_MVE_VMA_TO returns 0"
c_stillbad:     .asciz  "the old start is no longer a VMA (-1, EINVAL)"
f_moved:        .asciz  "moved [%p, +%d) to %p\n"

        .text
        .globl  main
# s1 fd, s2 buf, s3 dest, s4 other, s5 scratch; args {start, dest} at 0(sp)
main:
        addi    sp, sp, -80
        sd      ra, 72(sp)
        sd      fp, 64(sp)
        sd      s1, 56(sp)
        sd      s2, 48(sp)
        sd      s3, 40(sp)
        sd      s4, 32(sp)
        sd      s5, 24(sp)
        addi    fp, sp, 80
        call    bt_open
        mv      s1, a0
        call    map4
        mv      s2, a0
        li      t0, 0
1:      li      t1, NPAGES
        bge     t0, t1, 2f
        slli    t1, t0, 12
        add     t1, s2, t1
        addi    t2, t0, 0x100
        slli    t2, t2, 4               # 0x1000 + 16 i
        sd      t2, 0(t1)
        sd      t2, 2040(t1)
        addi    t0, t0, 1
        j       1b
2:      li      a0, 0                   # read-only: not merged with buf
        li      a1, PAGE_SIZE
        li      a2, PROT_READ
        li      a3, MAP_PRIVATE | MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        call    mmap
        mv      s4, a0
        call    map4
        mv      s3, a0
        mv      a0, s3
        li      a1, LEN
        call    munmap

        li      t0, PAGE_SIZE           # start inside the VMA
        add     a0, s2, t0
        mv      a1, s3
        call    move_fails
        la      a1, c_inside
        call    check
        mv      a0, s2                  # unaligned destination
        addi    a1, s3, 1
        call    move_fails
        la      a1, c_unaligned
        call    check
        mv      a0, s2                  # overlapping `other`
        li      t0, PAGE_SIZE
        sub     a1, s4, t0
        call    move_fails
        la      a1, c_overlap
        call    check
        mv      a0, s2                  # beyond the user address space
        li      a1, 1
        slli    a1, a1, 47
        call    move_fails
        la      a1, c_beyond
        call    check
        mv      a0, s3                  # a start nothing maps
        mv      a1, s3
        call    move_fails
        la      a1, c_nomap
        call    check

        sd      s2, 0(sp)
        sd      s3, 8(sp)
        mv      a0, s1
        li      a1, IOCTL_MVE_VMA_TO
        mv      a2, sp
        call    ioctl
        seqz    a0, a0
        la      a1, c_moved
        call    check
        la      a0, f_moved
        mv      a1, s2
        li      a2, LEN
        mv      a3, s3
        call    printf

        mv      a0, s2
        mv      a1, s3
        call    check_moved
        mv      a0, s2
        li      a1, 1
        slli    a1, a1, 30
        call    move_fails
        la      a1, c_stillbad
        call    check
        call    bt_done

        ld      s5, 24(sp)
        ld      s4, 32(sp)
        ld      s3, 40(sp)
        ld      s2, 48(sp)
        ld      s1, 56(sp)
        ld      fp, 64(sp)
        ld      ra, 72(sp)
        addi    sp, sp, 80
        ret

# map4(): mmap(0, LEN, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
map4:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        li      a0, 0
        li      a1, LEN
        li      a2, PROT_RW
        li      a3, MAP_PRIVATE | MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        call    mmap
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret

# move_fails(start, dest): 1 if IOCTL_MVE_VMA_TO returns -1 with errno EINVAL (s1 = fd)
move_fails:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        addi    fp, sp, 32
        sd      a0, 0(sp)
        sd      a1, 8(sp)
        mv      a0, s1
        li      a1, IOCTL_MVE_VMA_TO
        mv      a2, sp
        call    ioctl
        li      t0, -1
        bne     a0, t0, 1f
        la      t0, errno
        lw      t0, 0(t0)
        addi    t0, t0, -EINVAL
        seqz    a0, t0
        j       2f
1:      li      a0, 0
2:      ld      ra, 24(sp)
        ld      fp, 16(sp)
        addi    sp, sp, 32
        ret
