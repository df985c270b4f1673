# deadlock.s: a process that can never go on. The parent forks and waits
# for its child; the child waits for a signal (rt_sigsuspend with nothing
# blocked) that nobody will send. Under Linux both would sleep forever;
# vmlab run sees that nothing can wake them, says so and exits 124.
        .include "sys.inc"
        .equ    SYS_rt_sigsuspend, 133
        .globl  _start
_start:
        la      a0, msg
        call    put_str
        li      a0, SIGCHLD
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a4, 0
        li      a7, SYS_clone
        ecall
        beqz    a0, child
        li      a0, -1                  # wait4(-1, NULL, 0, NULL): any child
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a7, SYS_wait4
        ecall
        li      a0, 0
        li      a7, SYS_exit_group
        ecall

child:
        la      a0, nomask
        li      a1, 8
        li      a7, SYS_rt_sigsuspend
        ecall
        li      a0, 0
        li      a7, SYS_exit_group
        ecall

        .section .rodata
msg:    .asciz  "parent: waiting for my child; child: waiting for a signal\n"
        .p2align 3
nomask: .dword  0
