# procself.s: prints /proc/self/maps, a "---" line, then /proc/self/status.
        .include "sys.inc"
        .globl  _start
_start:
        la      a0, p_maps
        call    cat_file
        la      a0, s_sep
        call    put_str
        la      a0, p_status
        call    cat_file
        li      a0, 0
        li      a7, SYS_exit_group
        ecall

        .section .rodata
p_maps:   .asciz "/proc/self/maps"
p_status: .asciz "/proc/self/status"
s_sep:    .asciz "---\n"
