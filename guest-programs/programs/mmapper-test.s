# mmapper-test.s: the user side of the mmapper lab (insmod mmapper;
# docs/experiments/mmapper.md). For each of the driver's three ways of
# mapping a kernel buffer it maps /dev/mmapper, checks every byte the kernel
# wrote, prints the frames behind the pages (from /proc/self/pagemap) and,
# for the fault-handler mode, how many faults the driver served. Then it has
# the driver put_user() a byte into user memory: a mapped page not yet faulted
# in (the driver's own mapping, then anonymous memory), an unmapped address
# and a kernel address. Exits 0 when every check passed.
# `mmapper-test hold` instead maps the device (mode 3), touches one page and
# sleeps an hour, keeping the module in use (for `rmmod` to refuse).
# Assembled with the guest libc: `mmapper-test` in `vmlab shell`. The C:
#
#   #define MMAPPER_SET_MODE _IO('m', 1)
#   #define MMAPPER_FAULTS   _IO('m', 2)
#   #define MMAPPER_PUT_USER _IOW('m', 3, unsigned long)
#   #define LEN   16384
#   #define PAGES 4
#
#   int main(void) {
#     int fd = open("/dev/mmapper", O_RDWR), pm = open("/proc/self/pagemap", O_RDONLY), fails = 0;
#     if (fd < 0) { perror("/dev/mmapper"); return 1; }
#     for (int mode = 1; mode <= 3; mode++) {
#       printf("mode %d: %s\n", mode, mode_names[mode - 1]);
#       ioctl(fd, MMAPPER_SET_MODE, mode);
#       char *p = mmap(0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
#       printf("  mptr is %p for size %d\n", p, LEN);
#       if (mode == 3) {
#         fails += faults_check(fd, "before touching", 0);
#         (void)*(volatile char *)p;
#         fails += faults_check(fd, "after reading page 0", 1);
#       }
#       int ok = check_pattern(p, mode);                  /* '0' + i % 10, or 'a' + i % 26 */
#       printf("  mmap: '%.32s'\n", p);
#       printf("  pattern: %s\n", ok ? "ok" : "MISMATCH");
#       fails += !ok;
#       if (!show_pfns(pm, p) && mode == 1) fails++;     /* remap_pfn_range: one contiguous run */
#       if (mode == 3) fails += faults_check(fd, "after reading every page", PAGES);
#       munmap(p, LEN);
#     }
#     ... the put_user tests, below ...
#   }

        .equ    O_RDONLY, 0
        .equ    O_RDWR, 2
        .equ    SEEK_SET, 0
        .equ    PROT_RW, 3
        .equ    MAP_SHARED, 0x01
        .equ    MAP_PRIVATE, 0x02
        .equ    MAP_ANONYMOUS, 0x20
        .equ    EFAULT, 14
        # asm-generic/ioctl.h: dir << 30 | size << 16 | type << 8 | nr, type 'm' = 0x6d
        .equ    MMAPPER_SET_MODE, 0x6d01        # _IO('m', 1)
        .equ    MMAPPER_FAULTS, 0x6d02          # _IO('m', 2)
        .equ    MMAPPER_PUT_USER, 0x40086d03    # _IOW('m', 3, unsigned long)
        .equ    LEN, 16384
        .equ    PAGES, 4
        .equ    PAGE_SIZE, 4096

        .section .rodata
s_dev:          .asciz  "/dev/mmapper"
s_pagemap:      .asciz  "/proc/self/pagemap"
s_mmap:         .asciz  "mmap"
f_mode:         .asciz  "mode %d: %s\n"
s_mode1:        .asciz  "kmalloc buffer, remap_pfn_range at mmap time"
s_mode2:        .asciz  "vmalloc buffer, vmalloc_to_pfn page by page at mmap time"
s_mode3:        .asciz  "vmalloc buffer, mapped page by page by the driver's fault handler"
f_mptr:         .asciz  "  mptr is %p for size %d\n"
f_mmap:         .asciz  "  mmap: '%.32s'\n"
f_pattern:      .asciz  "  pattern: %s\n"
s_ok:           .asciz  "ok"
s_bad:          .asciz  "MISMATCH"
f_faults:       .asciz  "  faults %s: %d\n"
s_before:       .asciz  "before touching"
s_page0:        .asciz  "after reading page 0"
s_every:        .asciz  "after reading every page"
s_putuser:      .asciz  "after put_user"
s_pfns:         .asciz  "  pfns:"
f_pfn:          .asciz  " 0x%lx"
s_absent:       .asciz  " -"
f_contig:       .asciz  " (%s)\n"
s_contig:       .asciz  "contiguous"
s_noncontig:    .asciz  "not contiguous"
s_title:        .asciz  "put_user from the driver:"
f_pu_mapped:    .asciz  "  into the mode-3 mapping, not faulted in (%p): ret %d\n"
f_pu_anon:      .asciz  "  into an anonymous page never touched (%p): ret %d, value '%c'\n"
f_pu_bad:       .asciz  "  into %s (%p): ret %d, errno %d (%s)\n"
s_unmapped:     .asciz  "an unmapped address"
s_kernel:       .asciz  "a kernel address"
s_passed:       .asciz  "all checks passed"
f_hold:         .asciz  "holding /dev/mmapper mapped at %p\n"
f_failed:       .asciz  "FAILED: %d check(s)\n"

        .data
        .p2align 3
mode_names:     .dword  s_mode1, s_mode2, s_mode3

        .text
        .globl  main
main:
        addi    sp, sp, -96
        sd      ra, 88(sp)
        sd      fp, 80(sp)
        sd      s1, 72(sp)
        sd      s2, 64(sp)
        sd      s3, 56(sp)
        sd      s4, 48(sp)
        sd      s5, 40(sp)
        sd      s6, 32(sp)
        sd      s7, 24(sp)
        addi    fp, sp, 96
        mv      s6, a0                  # argc
        # s1 = fd, s2 = pagemap fd, s3 = mode, s4 = mapping, s5 = failed checks
        la      a0, s_dev
        li      a1, O_RDWR
        li      a2, 0
        call    open
        bgez    a0, 1f
        la      a0, s_dev
        call    perror
        li      a0, 1
        j       .Lout
1:      mv      s1, a0
        li      t0, 1
        ble     s6, t0, 8f              # argc > 1: `hold`
        mv      a0, s1
        li      a1, MMAPPER_SET_MODE
        li      a2, 3
        call    devctl
        mv      a0, s1
        call    map_device
        mv      s4, a0
        lbu     t0, 0(s4)
        la      a0, f_hold
        mv      a1, s4
        call    say
        li      a0, 3600
        call    sleep
        li      a0, 0
        j       .Lout
8:      la      a0, s_pagemap
        li      a1, O_RDONLY
        li      a2, 0
        call    open
        mv      s2, a0
        li      s5, 0
        li      s3, 1

.Lmode:
        li      t0, 3
        bgt     s3, t0, .Lput_user
        la      t0, mode_names
        addi    t1, s3, -1
        slli    t1, t1, 3
        add     t0, t0, t1
        ld      a2, 0(t0)
        la      a0, f_mode
        mv      a1, s3
        call    say
        mv      a0, s1
        li      a1, MMAPPER_SET_MODE
        mv      a2, s3
        call    devctl
        snez    t0, a0
        add     s5, s5, t0
        mv      a0, s1
        call    map_device
        mv      s4, a0
        li      t0, -1
        bne     a0, t0, 2f
        la      a0, s_mmap
        call    perror
        addi    s5, s5, 1
        j       .Lnext_mode
2:      la      a0, f_mptr
        mv      a1, s4
        li      a2, LEN
        call    say
        li      t0, 3
        bne     s3, t0, 3f
        mv      a0, s1                  # mode 3: nothing is mapped until touched
        la      a1, s_before
        li      a2, 0
        call    faults_check
        add     s5, s5, a0
        lbu     t0, 0(s4)               # the first fault
        mv      a0, s1
        la      a1, s_page0
        li      a2, 1
        call    faults_check
        add     s5, s5, a0
3:      mv      a0, s4
        mv      a1, s3
        call    check_pattern
        mv      s6, a0
        la      a0, f_mmap
        mv      a1, s4
        call    say
        la      a0, f_pattern
        la      a1, s_ok
        bnez    s6, 4f
        la      a1, s_bad
        addi    s5, s5, 1
4:      call    say
        mv      a0, s2
        mv      a1, s4
        call    show_pfns
        li      t0, 1                   # remap_pfn_range of a kmalloc buffer: one contiguous run
        bne     s3, t0, 5f
        bnez    a0, 5f
        addi    s5, s5, 1
5:      li      t0, 3
        bne     s3, t0, 6f
        mv      a0, s1
        la      a1, s_every
        li      a2, PAGES
        call    faults_check
        add     s5, s5, a0
6:      mv      a0, s4
        li      a1, LEN
        call    munmap
.Lnext_mode:
        addi    s3, s3, 1
        j       .Lmode

.Lput_user:
        # int r = ioctl(fd, MMAPPER_PUT_USER, p) for a mode-3 mapping nobody touched:
        # the kernel takes the page fault inside put_user, the driver's fault handler maps the page.
        la      a0, s_title
        call    puts
        mv      a0, s1
        li      a1, MMAPPER_SET_MODE
        li      a2, 3
        call    devctl
        mv      a0, s1
        call    map_device
        mv      s4, a0
        mv      a0, s1
        li      a1, MMAPPER_PUT_USER
        mv      a2, s4
        call    devctl
        mv      s6, a0
        snez    t0, a0
        add     s5, s5, t0
        la      a0, f_pu_mapped
        mv      a1, s4
        mv      a2, s6
        call    say
        mv      a0, s1
        la      a1, s_putuser
        li      a2, 1
        call    faults_check
        add     s5, s5, a0
        la      a0, f_mmap              # 'Xbcdefgh...': the 'a' overwritten
        mv      a1, s4
        call    say
        lbu     t0, 0(s4)
        li      t1, 'X'
        sub     t0, t0, t1
        snez    t0, t0
        add     s5, s5, t0
        li      t0, 'a'                 # put the buffer back for the next run
        sb      t0, 0(s4)
        mv      a0, s4
        li      a1, LEN
        call    munmap

        # Anonymous memory, mapped and never touched: the fault inside put_user allocates the page.
        li      a0, 0
        li      a1, PAGE_SIZE
        li      a2, PROT_RW
        li      a3, MAP_PRIVATE|MAP_ANONYMOUS
        li      a4, -1
        li      a5, 0
        call    mmap
        mv      s4, a0
        mv      a0, s1
        li      a1, MMAPPER_PUT_USER
        mv      a2, s4
        call    devctl
        mv      s6, a0
        snez    t0, a0
        add     s5, s5, t0
        lbu     s7, 0(s4)
        li      t1, 'X'
        sub     t0, s7, t1
        snez    t0, t0
        add     s5, s5, t0
        la      a0, f_pu_anon
        mv      a1, s4
        mv      a2, s6
        mv      a3, s7
        call    say
        mv      a0, s4
        li      a1, PAGE_SIZE
        call    munmap

        # The same address, now unmapped: -EFAULT, and the kernel carries on.
        mv      a0, s1
        la      a1, s_unmapped
        mv      a2, s4
        call    put_user_fails
        add     s5, s5, a0
        # A kernel address (the direct map): refused by access_ok.
        mv      a0, s1
        la      a1, s_kernel
        li      a2, 0xffff888000000000
        call    put_user_fails
        add     s5, s5, a0

        beqz    s5, 7f
        la      a0, f_failed
        mv      a1, s5
        call    say
        li      a0, 1
        j       .Lout
7:      la      a0, s_passed
        call    puts
        li      a0, 0
.Lout:
        ld      ra, 88(sp)
        ld      fp, 80(sp)
        ld      s1, 72(sp)
        ld      s2, 64(sp)
        ld      s3, 56(sp)
        ld      s4, 48(sp)
        ld      s5, 40(sp)
        ld      s6, 32(sp)
        ld      s7, 24(sp)
        addi    sp, sp, 96
        ret

# void *map_device(int fd): mmap(0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
map_device:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        mv      a4, a0
        li      a0, 0
        li      a1, LEN
        li      a2, PROT_RW
        li      a3, MAP_SHARED
        li      a5, 0
        call    mmap
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret

# int faults_check(int fd, char *when, int expected): prints the driver's
# fault count; 0 if it is `expected`, else 1.
faults_check:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        sd      s2, 0(sp)
        addi    fp, sp, 32
        mv      s1, a1
        mv      s2, a2
        li      a1, MMAPPER_FAULTS
        li      a2, 0
        call    devctl
        mv      a2, a0
        sub     s2, s2, a0
        la      a0, f_faults
        mv      a1, s1
        call    say
        snez    a0, s2
        ld      ra, 24(sp)
        ld      fp, 16(sp)
        ld      s1, 8(sp)
        ld      s2, 0(sp)
        addi    sp, sp, 32
        ret

# int put_user_fails(int fd, char *what, void *addr): asks the driver to
# put_user into addr and prints the result; 0 if it was -1 with errno EFAULT, else 1.
put_user_fails:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        sd      s1, 24(sp)
        sd      s2, 16(sp)
        sd      s3, 8(sp)
        sd      s4, 0(sp)
        addi    fp, sp, 48
        mv      s1, a1
        mv      s2, a2
        li      a1, MMAPPER_PUT_USER
        call    devctl
        mv      s3, a0
        la      t0, errno
        lw      s4, 0(t0)
        mv      a0, s4
        call    strerror
        mv      a5, a0
        la      a0, f_pu_bad
        mv      a1, s1
        mv      a2, s2
        mv      a3, s3
        mv      a4, s4
        call    say
        addi    t0, s3, 1               # want ret == -1 and errno == EFAULT
        addi    t1, s4, -EFAULT
        or      a0, t0, t1
        snez    a0, a0
        ld      ra, 40(sp)
        ld      fp, 32(sp)
        ld      s1, 24(sp)
        ld      s2, 16(sp)
        ld      s3, 8(sp)
        ld      s4, 0(sp)
        addi    sp, sp, 48
        ret

# int check_pattern(char *p, int mode): 1 if p[0..LEN) is what the kernel
# wrote ('0' + i % 10 in the kmalloc buffer, 'a' + i % 26 in the vmalloc one).
check_pattern:
        li      t0, 0
        li      t1, LEN
        li      t2, 10
        li      t3, '0'
        li      t5, 1
        beq     a1, t5, 1f
        li      t2, 26
        li      t3, 'a'
1:      bge     t0, t1, 3f
        remu    t4, t0, t2
        add     t4, t4, t3
        add     t5, a0, t0
        lbu     t5, 0(t5)
        bne     t4, t5, 2f
        addi    t0, t0, 1
        j       1b
2:      li      a0, 0
        ret
3:      li      a0, 1
        ret

# long pfn_of(int pagemap, void *addr): the frame behind addr from
# /proc/self/pagemap (bits 0-54 of the entry), or -1 if not present.
pfn_of:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        addi    fp, sp, 32
        mv      s1, a0
        srli    a1, a1, 12
        slli    a1, a1, 3
        li      a2, SEEK_SET
        call    lseek
        mv      a0, s1
        mv      a1, sp
        li      a2, 8
        call    read
        li      t0, 8
        bne     a0, t0, 1f
        ld      t0, 0(sp)
        bgez    t0, 1f                  # bit 63: present
        slli    a0, t0, 9
        srli    a0, a0, 9
        j       2f
1:      li      a0, -1
2:      ld      ra, 24(sp)
        ld      fp, 16(sp)
        ld      s1, 8(sp)
        addi    sp, sp, 32
        ret

# int show_pfns(int pagemap, char *p): prints the frames of the PAGES pages
# at p; 1 if all are present and consecutive.
show_pfns:
        addi    sp, sp, -64
        sd      ra, 56(sp)
        sd      fp, 48(sp)
        sd      s1, 40(sp)
        sd      s2, 32(sp)
        sd      s3, 24(sp)
        sd      s4, 16(sp)
        sd      s5, 8(sp)
        addi    fp, sp, 64
        mv      s1, a0
        mv      s2, a1
        li      s3, 0                   # page
        li      s4, -2                  # previous pfn
        li      s5, 1                   # contiguous so far
        la      a0, s_pfns
        call    say
1:      li      t0, PAGES
        bge     s3, t0, 4f
        mv      a0, s1
        slli    a1, s3, 12
        add     a1, a1, s2
        call    pfn_of
        bgez    a0, 2f
        li      s5, 0
        li      s4, -2
        la      a0, s_absent
        call    say
        j       3f
2:      addi    t0, s4, 1
        beqz    s3, 5f
        beq     a0, t0, 5f
        li      s5, 0
5:      mv      s4, a0
        mv      a1, a0
        la      a0, f_pfn
        call    say
3:      addi    s3, s3, 1
        j       1b
4:      la      a0, f_contig
        la      a1, s_contig
        bnez    s5, 6f
        la      a1, s_noncontig
6:      call    say
        mv      a0, s5
        ld      ra, 56(sp)
        ld      fp, 48(sp)
        ld      s1, 40(sp)
        ld      s2, 32(sp)
        ld      s3, 24(sp)
        ld      s4, 16(sp)
        ld      s5, 8(sp)
        addi    sp, sp, 64
        ret

# say(format, ...): printf; devctl(fd, cmd, arg): ioctl. One call site each
# for the library: `vmlab run` and the shell link the library only when the
# program alone fails with nothing but undefined symbols, and the assembler
# stops counting at 20 errors.
say:
        tail    printf
devctl:
        tail    ioctl
