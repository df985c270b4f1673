# mtest-hold.s: the report's test program for /proc/mtest, to run in the
# background while commands are written to /proc/mtest from the shell:
# allocates 64 bytes, fills them with 'A', says where they are and waits,
# printing the buffer whenever its first byte changes (a writeval from
# outside). Gives up after 600 seconds of guest time. The C:
#
#   int main(void) {
#     char *dummy = malloc(64);
#     memset(dummy, 'A', 63); dummy[63] = 0;
#     printf("Ready: pid %d, dummy at %p: %.8s\n", getpid(), dummy, dummy);
#     char last = dummy[0];
#     for (int i = 0; i < 600; i++) {          /* the report: while (1); */
#       sleep(1);
#       if (dummy[0] != last) { last = dummy[0]; printf("dummy changed: %.8s\n", dummy); }
#     }
#     return 0;
#   }
        .equ    SECONDS, 600

        .section .rodata
f_ready:        .asciz  "Ready: pid %d, dummy at %p: %.8s\n"
f_changed:      .asciz  "dummy changed: %.8s\n"

        .text
        .globl  main
        .type   main, @function
main:
        addi    sp, sp, -48
        sd      ra, 40(sp)
        sd      fp, 32(sp)
        sd      s1, 24(sp)              # dummy
        sd      s2, 16(sp)              # last
        sd      s3, 8(sp)               # i
        addi    fp, sp, 48
        li      a0, 64
        call    malloc
        mv      s1, a0
        li      a1, 'A'
        li      a2, 63
        call    memset
        sb      zero, 63(s1)
        call    getpid
        mv      a1, a0
        la      a0, f_ready
        mv      a2, s1
        mv      a3, s1
        call    printf
        lbu     s2, 0(s1)
        li      s3, 0
1:      li      t0, SECONDS
        bge     s3, t0, 3f
        li      a0, 1
        call    sleep
        addi    s3, s3, 1
        lbu     t0, 0(s1)
        beq     t0, s2, 1b
        mv      s2, t0
        la      a0, f_changed
        mv      a1, s1
        call    printf
        j       1b
3:      li      a0, 0
        ld      s3, 8(sp)
        ld      s2, 16(sp)
        ld      s1, 24(sp)
        ld      fp, 32(sp)
        ld      ra, 40(sp)
        addi    sp, sp, 48
        ret
        .size   main, . - main
