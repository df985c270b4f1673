# btplus-part1_2.s: part 1.2 of the VMA-surgery lab (insmod btplus;
# docs/experiments/btplus.md): IOCTL_MVE_VMA moves a whole VMA to the first
# hole above it that fits, and writes the new start into the user's buffer.
# A bad start comes back -1/EINVAL, a bad result pointer -1/EFAULT with
# nothing moved; after the move the contents are at the same offsets of the
# new range and the old range faults (error code 4 on read, 6 on write).
# Prints PASS/FAIL per check; exits 1 if any failed. The C (part1_2.c):
#
#   struct { u64 start; u64 *newaddr; } a;  u64 newaddr;
#   char *buf = mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
#   for (i = 0; i < 4; i++) *(u64 *)(buf + i * PAGE) = 0x1000 + 16 * i;
#   a = { buf + PAGE, &newaddr };   check(ioctl(fd, IOCTL_MVE_VMA, &a) == -1 && errno == EINVAL);
#   a = { buf, (u64 *)16 };         check(ioctl(fd, IOCTL_MVE_VMA, &a) == -1 && errno == EFAULT);
#   a = { buf, &newaddr };          check(ioctl(fd, IOCTL_MVE_VMA, &a) == 0 && newaddr >= buf + 4 * PAGE);
#   then the contents, the new range and the old range's faults.

        .include "../include/btplus.inc"
        .equ    NPAGES, 4
        .equ    LEN, 16384
        .include "../include/btplus-move.inc"

        .section .rodata
c_inside:       .asciz  "start inside a VMA is refused (-1, EINVAL)"
c_badptr:       .asciz  "a bad newaddr pointer is refused (-1, EFAULT)"
c_notmoved:     .asciz  "... and the VMA was not moved"
c_moved:        .asciz  "IOCTL_MVE_VMA returns 0"
c_above:        .asciz  "the new start is in a hole above the old VMA"
f_moved:        .asciz  "moved [%p, +%d) to %p\n"

        .text
        .globl  main
# s1 fd, s2 buf, s3 new start, s5 scratch; args {start, newaddr} at 0(sp), newaddr at 16(sp)
main:
        addi    sp, sp, -80
        sd      ra, 72(sp)
        sd      fp, 64(sp)
        sd      s1, 56(sp)
        sd      s2, 48(sp)
        sd      s3, 40(sp)
        sd      s5, 24(sp)
        addi    fp, sp, 80
        call    bt_open
        mv      s1, a0
        li      a0, 0
        li      a1, LEN
        li      a2, PROT_RW
        li      a3, MAP_PRIVATE | MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        call    mmap
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

2:      li      t0, PAGE_SIZE           # start inside the VMA
        add     a0, s2, t0
        addi    a1, sp, 16
        li      a2, EINVAL
        call    move_fails
        la      a1, c_inside
        call    check
        mv      a0, s2                  # a bad result pointer
        li      a1, 16
        li      a2, EFAULT
        call    move_fails
        la      a1, c_badptr
        call    check
        mv      a0, s2
        call    probe_read
        seqz    a0, a0
        la      a1, c_notmoved
        call    check

        sd      s2, 0(sp)
        addi    t0, sp, 16
        sd      t0, 8(sp)
        sd      zero, 16(sp)
        mv      a0, s1
        li      a1, IOCTL_MVE_VMA
        mv      a2, sp
        call    ioctl
        seqz    a0, a0
        la      a1, c_moved
        call    check
        ld      s3, 16(sp)
        la      a0, f_moved
        mv      a1, s2
        li      a2, LEN
        mv      a3, s3
        call    printf
        li      t0, LEN
        add     t0, s2, t0
        sltu    a0, s3, t0
        xori    a0, a0, 1
        la      a1, c_above
        call    check

        mv      a0, s2
        mv      a1, s3
        call    check_moved
        call    bt_done

        ld      s5, 24(sp)
        ld      s3, 40(sp)
        ld      s2, 48(sp)
        ld      s1, 56(sp)
        ld      fp, 64(sp)
        ld      ra, 72(sp)
        addi    sp, sp, 80
        ret

# move_fails(start, newaddr, err): 1 if IOCTL_MVE_VMA returns -1 with errno err (s1 = fd)
move_fails:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        addi    fp, sp, 48
        sd      a0, 0(sp)
        sd      a1, 8(sp)
        sd      a2, 16(sp)
        mv      a0, s1
        li      a1, IOCTL_MVE_VMA
        mv      a2, sp
        call    ioctl
        li      t0, -1
        bne     a0, t0, 1f
        la      t0, errno
        lw      t0, 0(t0)
        ld      t1, 16(sp)
        sub     t0, t0, t1
        seqz    a0, t0
        j       2f
1:      li      a0, 0
2:      ld      ra, 40(sp)
        ld      fp, 32(sp)
        addi    sp, sp, 48
        ret
