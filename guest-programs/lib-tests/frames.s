# frames.s: the library keeps the frame-pointer chain a debugger walks
# (fp = s0 points above each frame: ra at fp-8, the caller's fp at fp-16,
# ending at _start's fp = 0). printf("%s", (char *)16) faults inside
# strnlen, a leaf called by vformat; the SIGSEGV handler takes the
# interrupted fp from the ucontext and walks: vformat -> vdprintf ->
# printf -> main -> _start.
        .include "tap.inc"

        .equ    SIGSEGV, 11
        .equ    SA_SIGINFO, 4
        .equ    SA_NODEFER, 0x40000000
        .equ    UC_FP, 176 + 8 * 8      # uc_mcontext.sc_regs x8 (vmlab/signal.h VMLAB_UC_REG(8))
        .equ    MAX_FRAMES, 8

        .bss
        .p2align 4
env:    .zero   128
act:    .zero   24
        .p2align 3
ras:    .zero   MAX_FRAMES * 8          # the return address of each frame walked
depth:  .zero   8

        .text
# on_segv(sig, info, uc): records the ra of every frame on the fp chain.
on_segv:
        ld      t0, UC_FP(a2)
        la      t1, ras
        li      t2, 0
1:      beqz    t0, 2f
        li      t3, MAX_FRAMES
        beq     t2, t3, 2f
        ld      t3, -8(t0)
        sd      t3, 0(t1)
        ld      t0, -16(t0)
        addi    t1, t1, 8
        addi    t2, t2, 1
        j       1b
2:      la      t0, depth
        sd      t2, 0(t0)
        la      a0, env
        li      a1, 1
        tail    longjmp

# in_range(a0 = frame index, a1 = function start, a2 = at most this far in) -> 1 if ras[a0] lies there
in_range:
        la      t0, ras
        slli    a0, a0, 3
        add     t0, t0, a0
        ld      t0, 0(t0)
        sub     t0, t0, a1
        sltu    a0, t0, a2
        ret

        .globl  main
main:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        la      t0, act
        la      t1, on_segv
        sd      t1, 0(t0)
        li      t1, SA_SIGINFO | SA_NODEFER
        sd      t1, 8(t0)
        li      a0, SIGSEGV
        la      a1, act
        li      a2, 0
        call    sigaction
        la      a0, env
        call    setjmp
        bnez    a0, 1f
        la      a0, f_s
        li      a1, 16                  # a bad pointer for %s
        call    printf
1:      la      t0, depth
        ld      a0, 0(t0)
        li      a1, 4
        la      a2, d_depth
        call    tap_eq
        li      a0, 0
        la      a1, vdprintf
        li      a2, 128
        call    in_range
        la      a1, d_vdprintf
        call    tap_ok
        li      a0, 1
        la      a1, printf
        li      a2, 128
        call    in_range
        la      a1, d_printf
        call    tap_ok
        li      a0, 2
        la      a1, main
        li      a2, 128
        call    in_range
        la      a1, d_main
        call    tap_ok
        li      a0, 3
        la      a1, _start
        li      a2, 128
        call    in_range
        la      a1, d_start
        call    tap_ok
        call    tap_done
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret

        .section .rodata
f_s:        .asciz "%s"
d_depth:    .asciz "4 frames from vformat up to _start's fp = 0"
d_vdprintf: .asciz "vformat returns into vdprintf"
d_printf:   .asciz "vdprintf returns into printf"
d_main:     .asciz "printf returns into main"
d_start:    .asciz "main returns into _start"
