# cow.s: fork and copy-on-write, made to be watched in the debugger
# (guest-programs/experiments/cow.gdb, docs/experiments/cow.md).
#
#     long page[512];                /* a page of .bss */
#     int main(void) {
#         page[0] = 1;               /* demand-zero: now a private, writable page */
#         if (fork() == 0)
#             exit(page[0]);         /* the child reads the shared frame: 1 */
#         page[0] = 2;               /* the parent writes: copy-on-write */
#         int status;
#         waitpid(-1, &status, 0);
#         return page[0] + WEXITSTATUS(status);   /* 2 + 1 */
#     }
        .text
        .globl  main
main:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        la      t0, page
        li      t1, 1
        sd      t1, 0(t0)
        call    fork
        beqz    a0, child
parent:
        la      t0, page
        li      t1, 2
        sd      t1, 0(t0)
wait:
        li      a0, -1
        mv      a1, sp
        li      a2, 0
        call    waitpid
        lw      t1, 0(sp)
        srai    t1, t1, 8
        la      t0, page
        ld      a0, 0(t0)
        add     a0, a0, t1
        ld      ra, 8(sp)
        addi    sp, sp, 16
        ret
child:
        la      t0, page
        ld      a0, 0(t0)
        call    exit

        .bss
        .p2align 12
page:   .zero   4096
