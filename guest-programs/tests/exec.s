# exec.s: opens /dev/null twice (the first O_CLOEXEC), then execve's
# /bin/fdcheck, which checks what survived.
        .include "sys.inc"
        .equ    O_CLOEXEC, 02000000
        .globl  _start
_start:
        li      a0, AT_FDCWD
        la      a1, p_null
        li      a2, O_RDONLY|O_CLOEXEC
        li      a7, SYS_openat
        ecall
        li      a1, 3
        la      a2, l_fd3
        call    check
        li      a0, AT_FDCWD
        la      a1, p_null
        li      a2, O_RDONLY
        li      a7, SYS_openat
        ecall
        li      a1, 4
        la      a2, l_fd4
        call    check
        la      a0, p_fdcheck
        la      a1, argv
        la      a2, envp
        li      a7, SYS_execve
        ecall
        li      a1, 0
        la      a2, l_exec              # reached only if execve failed
        call    check
        call    finish

        .data
        .align  3
argv:   .dword  p_argv0, 0
envp:   .dword  0

        .section .rodata
p_null:    .asciz "/dev/null"
p_fdcheck: .asciz "/bin/fdcheck"
p_argv0:   .asciz "fdcheck"
l_fd3:     .asciz "open O_CLOEXEC gets fd 3"
l_fd4:     .asciz "open gets fd 4"
l_exec:    .asciz "execve"
