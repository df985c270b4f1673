# fork.s: fork (clone with SIGCHLD); the child writes a line, changes a
# variable and exits with 42; the parent waits for it and checks the status
# and that its own copy of the variable is unchanged (copy-on-write).
        .include "sys.inc"
        .globl  _start
_start:
        la      t0, var
        li      t1, 1
        sd      t1, 0(t0)
        li      a0, SIGCHLD
        li      a1, 0
        li      a2, 0
        li      a3, 0
        li      a4, 0
        li      a7, SYS_clone
        ecall
        beqz    a0, child
        mv      s0, a0
        # Wait before printing anything, so the output does not depend on who runs first.
        la      a1, status
        li      a2, 0
        li      a3, 0
        li      a7, SYS_wait4
        ecall
        mv      s1, a0
        srli    a0, s0, 63
        li      a1, 0
        la      a2, l_fork
        call    check
        sub     a0, s1, s0
        li      a1, 0
        la      a2, l_wait
        call    check
        la      t0, status
        lw      a0, 0(t0)
        li      a1, 0x2a00              # WIFEXITED, WEXITSTATUS 42
        la      a2, l_status
        call    check
        la      t0, var
        ld      a0, 0(t0)
        li      a1, 1
        la      a2, l_cow
        call    check
        call    finish

child:
        la      a0, s_child
        call    put_str
        la      t0, var
        li      t1, 2
        sd      t1, 0(t0)
        ld      t1, 0(t0)
        addi    a0, t1, 40
        li      a7, SYS_exit_group
        ecall

        .data
        .align  3
var:    .dword  0
status: .dword  0

        .section .rodata
l_fork:   .asciz "fork"
l_wait:   .asciz "wait4 returns the child's pid"
l_status: .asciz "the child exited with 42"
l_cow:    .asciz "the parent's copy is unchanged"
s_child:  .asciz "child: hello\n"
