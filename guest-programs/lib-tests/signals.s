# signals.s: a SIGSEGV handler (SA_SIGINFO) that reads si_addr and si_code
# and longjmps out of the faulting access; the mask a handler leaves behind
# with and without SA_NODEFER, and with sigsetjmp/siglongjmp; a handler
# that returns normally (signal + raise); the sigset_t helpers.
        .include "tap.inc"

        .equ    SIGUSR1, 10
        .equ    SIGSEGV, 11
        .equ    SA_SIGINFO, 4
        .equ    SA_NODEFER, 0x40000000
        .equ    SEGV_MAPERR, 1
        .equ    SEGV_ACCERR, 2
        .equ    SIG_BLOCK, 0
        .equ    SIG_UNBLOCK, 1
        .equ    PROT_READ, 1
        .equ    PROT_RW, 3
        .equ    MAP_PRIVATE_ANON, 0x22

        .bss
        .p2align 4
env:       .zero 128                    # jmp_buf
act:       .zero 24                     # struct sigaction
        .p2align 3
got_signo: .zero 8
got_code:  .zero 8
got_addr:  .zero 8
got_usr1:  .zero 8
page:      .zero 8
set:       .zero 8

        .text
# segv_handler(sig, info, uc): records the siginfo, escapes to env.
segv_handler:
        la      t0, got_signo
        sd      a0, 0(t0)
        lw      t1, 8(a1)               # si_code
        la      t0, got_code
        sd      t1, 0(t0)
        ld      t1, 16(a1)              # si_addr
        la      t0, got_addr
        sd      t1, 0(t0)
        la      a0, env
        li      a1, 1
        tail    siglongjmp              # = longjmp unless env came from sigsetjmp(env, 1)

# usr1_handler(sig): records sig and returns (through the kernel's sigreturn).
usr1_handler:
        la      t0, got_usr1
        sd      a0, 0(t0)
        ret

# install_segv(a0 = sa_flags besides SA_SIGINFO): sigaction(SIGSEGV, ...)
install_segv:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        la      t0, act
        la      t1, segv_handler
        sd      t1, 0(t0)
        ori     a0, a0, SA_SIGINFO
        sd      a0, 8(t0)
        sd      zero, 16(t0)
        li      a0, SIGSEGV
        la      a1, act
        li      a2, 0
        call    sigaction
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret

# segv_blocked() -> 1 if SIGSEGV is in the signal mask now.
segv_blocked:
        addi    sp, sp, -16
        sd      ra, 8(sp)
        sd      fp, 0(sp)
        addi    fp, sp, 16
        li      a0, SIG_BLOCK
        li      a1, 0
        la      a2, set
        call    sigprocmask
        la      a0, set
        li      a1, SIGSEGV
        call    sigismember
        ld      ra, 8(sp)
        ld      fp, 0(sp)
        addi    sp, sp, 16
        ret

        .globl  main
main:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        sd      s1, 8(sp)
        addi    fp, sp, 32

        li      a0, SA_NODEFER
        call    install_segv
        li      a1, 0
        la      a2, d_sigaction
        call    tap_eq

        la      a0, env                 # 1: a load from address 16
        call    setjmp
        bnez    a0, 1f
        li      t0, 16
        ld      t1, 0(t0)
        li      a0, 0
        la      a1, d_not_reached
        call    tap_ok
1:      la      a0, f_fault
        la      t0, got_addr
        ld      a1, 0(t0)
        call    printf
        la      t0, got_signo
        ld      a0, 0(t0)
        li      a1, SIGSEGV
        la      a2, d_signo
        call    tap_eq
        la      t0, got_code
        ld      a0, 0(t0)
        li      a1, SEGV_MAPERR
        la      a2, d_maperr
        call    tap_eq

        li      a0, 0                   # 2: a store to a page just unmapped (SA_NODEFER: again)
        li      a1, 4096
        li      a2, PROT_RW
        li      a3, MAP_PRIVATE_ANON
        li      a4, -1
        li      a5, 0
        call    mmap
        la      t0, page
        sd      a0, 0(t0)
        li      a1, 4096
        call    munmap
        la      a0, env
        call    setjmp
        bnez    a0, 2f
        la      t0, page
        ld      t0, 0(t0)
        sd      t0, 8(t0)
2:      la      t0, got_addr
        ld      a0, 0(t0)
        la      t0, page
        ld      t0, 0(t0)
        sub     a0, a0, t0
        li      a1, 8
        la      a2, d_unmapped
        call    tap_eq

        li      a0, 0                   # 3: a store to a read-only page
        li      a1, 4096
        li      a2, PROT_RW
        li      a3, MAP_PRIVATE_ANON
        li      a4, -1
        li      a5, 0
        call    mmap
        la      t0, page
        sd      a0, 0(t0)
        li      a1, 4096
        li      a2, PROT_READ
        call    mprotect
        la      a0, env
        call    setjmp
        bnez    a0, 3f
        la      t0, page
        ld      t0, 0(t0)
        sw      t0, 100(t0)
3:      la      t0, got_addr
        ld      a0, 0(t0)
        la      t0, page
        ld      t0, 0(t0)
        sub     a0, a0, t0
        la      t0, got_code
        ld      t0, 0(t0)
        slli    t0, t0, 32
        or      a0, a0, t0
        li      a1, SEGV_ACCERR << 32 | 100
        la      a2, d_accerr
        call    tap_eq
        call    segv_blocked
        li      a1, 0
        la      a2, d_nodefer_mask
        call    tap_eq

        li      a0, 0                   # 4: without SA_NODEFER, longjmp leaves SIGSEGV blocked
        call    install_segv
        la      a0, env
        call    setjmp
        bnez    a0, 4f
        li      t0, 16
        sd      zero, 0(t0)
4:      call    segv_blocked
        li      a1, 1
        la      a2, d_defer_mask
        call    tap_eq
        li      t0, 1 << (SIGSEGV - 1)
        la      a1, set
        sd      t0, 0(a1)
        li      a0, SIG_UNBLOCK
        li      a2, 0
        call    sigprocmask

        la      a0, env                 # 5: ... and sigsetjmp(env, 1) + siglongjmp restore the mask
        li      a1, 1
        call    sigsetjmp
        bnez    a0, 5f
        li      t0, 16
        sd      zero, 0(t0)
5:      mv      s1, a0
        call    segv_blocked
        li      a1, 0
        la      a2, d_siglongjmp_mask
        call    tap_eq
        mv      a0, s1
        li      a1, 1
        la      a2, d_longjmp_value
        call    tap_eq

        li      a0, SIGUSR1             # 6: a handler that returns
        la      a1, usr1_handler
        call    signal
        li      a1, 0
        la      a2, d_signal_old
        call    tap_eq
        li      a0, SIGUSR1
        call    raise
        la      t0, got_usr1
        ld      a0, 0(t0)
        li      a1, SIGUSR1
        la      a2, d_raise
        call    tap_eq

        la      a0, set                 # 7: sigset_t helpers
        call    sigemptyset
        la      a0, set
        li      a1, SIGUSR1
        call    sigaddset
        la      a0, set
        li      a1, 64
        call    sigaddset
        la      t0, set
        ld      a0, 0(t0)
        li      a1, (1 << 9) | (1 << 63)
        la      a2, d_sigaddset
        call    tap_eq
        la      a0, set
        li      a1, 0
        call    sigaddset
        la      t0, errno
        lw      a1, 0(t0)
        slli    a0, a0, 8
        or      a0, a0, a1
        li      a1, -256 | 22
        la      a2, d_sigaddset0
        call    tap_eq

        la      a0, env                 # 8: longjmp(env, 0) returns 1
        call    setjmp
        bnez    a0, 8f
        la      a0, env
        li      a1, 0
        call    longjmp
8:      li      a1, 1
        la      a2, d_longjmp0
        call    tap_eq

        call    tap_done
        ld      ra, 24(sp)
        ld      fp, 16(sp)
        ld      s1, 8(sp)
        addi    sp, sp, 32
        ret

        .section .rodata
f_fault:        .asciz "recovered from SIGSEGV at %p\n"
d_sigaction:    .asciz "sigaction(SIGSEGV, SA_SIGINFO | SA_NODEFER) = 0"
d_not_reached:  .asciz "the faulting load did not fault"
d_signo:        .asciz "si_signo = SIGSEGV"
d_maperr:       .asciz "si_code = SEGV_MAPERR"
d_unmapped:     .asciz "si_addr of a store to an unmapped page"
d_accerr:       .asciz "a store to a read-only page: SEGV_ACCERR at its address"
d_nodefer_mask: .asciz "SA_NODEFER: SIGSEGV not blocked after longjmp"
d_defer_mask:   .asciz "no SA_NODEFER: SIGSEGV still blocked after longjmp"
d_siglongjmp_mask: .asciz "sigsetjmp(env, 1) + siglongjmp restore the mask"
d_longjmp_value: .asciz "  ... and sigsetjmp returns 1"
d_signal_old:   .asciz "signal(SIGUSR1) returns the old SIG_DFL"
d_raise:        .asciz "raise(SIGUSR1) ran the handler, which returned"
d_sigaddset:    .asciz "sigaddset sets bit sig - 1"
d_sigaddset0:   .asciz "sigaddset(0) = -1, errno = EINVAL"
d_longjmp0:     .asciz "longjmp(env, 0) makes setjmp return 1"
