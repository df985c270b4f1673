# exit.s: void exit(int status) for assembly programs: exit_group at once
# (console.s keeps no buffer, and there is no atexit). A C program built with
# `vmlab cc` gets guest-programs/libc/exit.c instead, which runs the atexit
# handlers and flushes every FILE first.
        .include "linux.inc"

        .text
        .globl  exit
        .type   exit, @function
exit:
        li      a7, SYS_exit_group
        ecall
        j       exit                    # not reached
        .size   exit, .-exit
