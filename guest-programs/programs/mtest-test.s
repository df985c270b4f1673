# mtest-test.s: drives /proc/mtest (insmod mtest) on its own address space,
# as the report's test program is driven from a shell, but without the hunt
# for a process named "test": every command names this process's own
# addresses and pid. Checks that writeval's byte is there when read back,
# that findpage agrees with /proc/self/pagemap, and that writeval respects
# copy-on-write (a forked child's write does not reach the parent).
# The C it is written from:
#
#   static int fd;
#   static char cmd[96];
#   static long mtest(const char *fmt, unsigned long a) {      /* one command */
#     int n = snprintf(cmd, sizeof cmd, fmt, a);
#     long r = write(fd, cmd, n);
#     if (r < 0) printf("mtest: %s -> %s\n", cmd, strerror(errno));
#     else printf("mtest: %s -> ok\n", cmd);
#     return r;
#   }
#   int main(void) {
#     char *buf = malloc(64);
#     memset(buf, 'A', 63); buf[63] = 0;
#     int pid = getpid();
#     printf("mtest-test: pid %d, buffer at %p: %.8s\n", pid, buf, buf);
#     if ((fd = open("/proc/mtest", O_WRONLY)) < 0) { perror("open /proc/mtest"); return 1; }
#     mtest("listvma %d", pid);
#     mtest("findpage %p", (unsigned long)buf);
#     unsigned long e = 0;                                     /* pagemap entry of buf's page */
#     int pm = open("/proc/self/pagemap", O_RDONLY);
#     lseek(pm, (unsigned long)buf / 4096 * 8, SEEK_SET); read(pm, &e, 8); close(pm);
#     printf("pagemap: %p -> 0x%lx\n", buf, (e & ((1UL << 55) - 1)) << 12 | ((unsigned long)buf & 0xfff));
#     mtest("writeval %p 0x42", (unsigned long)buf);
#     printf("read back: %.8s\n", buf);                       /* BAAAAAAA */
#     mtest("writeval %p 0x42", (unsigned long)main);         /* text: no write permission */
#     mtest("findpage 0x%lx", 0x10);                          /* translation not found */
#     int child = fork();
#     if (child == 0) {
#       mtest("writeval %p 0x43", (unsigned long)buf);
#       mtest("findpage %p", (unsigned long)buf);
#       printf("child: %.8s\n", buf);                         /* CAAAAAAA */
#       _exit(0);
#     }
#     waitpid(child, NULL, 0);
#     mtest("findpage %p", (unsigned long)buf);
#     printf("parent: %.8s\n", buf);                          /* BAAAAAAA: the child's write was its own */
#     return 0;
#   }

        .equ    O_RDONLY, 0
        .equ    O_WRONLY, 1
        .equ    SEEK_SET, 0
        .equ    CMD_LEN, 96

        .section .rodata
s_proc:         .asciz  "/proc/mtest"
s_open:         .asciz  "open /proc/mtest"
s_pagemap:      .asciz  "/proc/self/pagemap"
f_hello:        .asciz  "mtest-test: pid %d, buffer at %p: %.8s\n"
f_err:          .asciz  "mtest: %s -> %s\n"
f_ok:           .asciz  "mtest: %s -> ok\n"
f_pagemap:      .asciz  "pagemap: %p -> 0x%lx\n"
f_readback:     .asciz  "read back: %.8s\n"
f_child:        .asciz  "child: %.8s\n"
f_parent:       .asciz  "parent: %.8s\n"
c_listvma:      .asciz  "listvma %d"
c_findpage:     .asciz  "findpage %p"
c_findlow:      .asciz  "findpage 0x%lx"
c_write42:      .asciz  "writeval %p 0x42"
c_write43:      .asciz  "writeval %p 0x43"

        .bss
        .p2align 3
fd:     .zero   8
cmd:    .zero   CMD_LEN
entry:  .zero   8

        .text
# mtest(a0 = format, a1 = argument): the command, written to /proc/mtest; write's result.
        .type   mtest, @function
mtest:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        addi    fp, sp, 32
        mv      a3, a1
        mv      a2, a0
        li      a1, CMD_LEN
        la      a0, cmd
        call    snprintf
        mv      a2, a0
        la      a1, cmd
        la      t0, fd
        ld      a0, 0(t0)
        call    write
        mv      s1, a0
        bgez    s1, 1f
        la      t0, errno
        lw      a0, 0(t0)
        call    strerror
        mv      a2, a0
        la      a1, cmd
        la      a0, f_err
        call    printf
        j       2f
1:      la      a1, cmd
        la      a0, f_ok
        call    printf
2:      mv      a0, s1
        ld      s1, 8(sp)
        ld      fp, 16(sp)
        ld      ra, 24(sp)
        addi    sp, sp, 32
        ret
        .size   mtest, . - mtest

        .globl  main
        .type   main, @function
main:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        sd      s1, 24(sp)              # buf
        sd      s2, 16(sp)              # pid, then the child's pid
        sd      s3, 8(sp)               # pagemap fd
        addi    fp, sp, 48

        li      a0, 64
        call    malloc
        mv      s1, a0
        li      a1, 'A'
        li      a2, 63
        call    memset
        sb      zero, 63(s1)
        call    getpid
        mv      s2, a0
        la      a0, f_hello
        mv      a1, s2
        mv      a2, s1
        mv      a3, s1
        call    printf

        la      a0, s_proc
        li      a1, O_WRONLY
        call    open
        la      t0, fd
        sd      a0, 0(t0)
        bgez    a0, 1f
        la      a0, s_open
        call    perror
        li      a0, 1
        j       9f

1:      la      a0, c_listvma
        mv      a1, s2
        call    mtest
        la      a0, c_findpage
        mv      a1, s1
        call    mtest

        la      a0, s_pagemap           # the same translation, from /proc/self/pagemap
        li      a1, O_RDONLY
        call    open
        mv      s3, a0
        srli    a1, s1, 12
        slli    a1, a1, 3
        li      a2, SEEK_SET
        call    lseek
        mv      a0, s3
        la      a1, entry
        li      a2, 8
        call    read
        mv      a0, s3
        call    close
        la      t0, entry
        ld      a2, 0(t0)
        slli    a2, a2, 9               # PFN: bits 0..54
        srli    a2, a2, 9
        slli    a2, a2, 12
        slli    t0, s1, 52              # | the offset in the page (the low 12 bits)
        srli    t0, t0, 52
        or      a2, a2, t0
        la      a0, f_pagemap
        mv      a1, s1
        call    printf

        la      a0, c_write42
        mv      a1, s1
        call    mtest
        la      a0, f_readback
        mv      a1, s1
        call    printf
        la      a0, c_write42           # main is in the text: no write permission
        la      a1, main
        call    mtest
        la      a0, c_findlow           # nothing is mapped at 0x10
        li      a1, 0x10
        call    mtest

        call    fork
        mv      s2, a0
        bnez    s2, 2f
        la      a0, c_write43           # the child: its write breaks copy-on-write
        mv      a1, s1
        call    mtest
        la      a0, c_findpage
        mv      a1, s1
        call    mtest
        la      a0, f_child
        mv      a1, s1
        call    printf
        li      a0, 0
        call    _exit

2:      mv      a0, s2
        li      a1, 0
        li      a2, 0
        call    waitpid
        la      a0, c_findpage
        mv      a1, s1
        call    mtest
        la      a0, f_parent
        mv      a1, s1
        call    printf
        li      a0, 0

9:      ld      s3, 8(sp)
        ld      s2, 16(sp)
        ld      s1, 24(sp)
        ld      fp, 32(sp)
        ld      ra, 40(sp)
        addi    sp, sp, 48
        ret
        .size   main, . - main
