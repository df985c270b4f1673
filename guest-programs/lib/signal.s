# signal.s: sigaction, signal, sigprocmask, the sigset_t helpers, raise,
# abort, and setjmp/longjmp with their signal-mask-saving siblings.
#
# struct sigaction here is the riscv64 kernel's own layout (no sa_restorer:
# the kernel returns from handlers through the vDSO's rt_sigreturn):
#   +0 sa_handler (or sa_sigaction)   +8 sa_flags   +16 sa_mask (u64)
# sigset_t is one u64, bit (sig - 1) for signal sig.
#
# jmp_buf / sigjmp_buf (16 u64 slots, 128 bytes):
#   [0] ra  [1] sp  [2..13] s0..s11  [14] mask saved?  [15] the saved mask
# setjmp/longjmp leave the signal mask alone (glibc's _setjmp): a longjmp
# out of a handler leaves that handler's signal blocked unless it was
# installed with SA_NODEFER. sigsetjmp(env, 1) saves the mask and
# siglongjmp restores it, which unblocks it either way.
        .include "linux.inc"

        .equ    JB_RA, 0
        .equ    JB_SP, 8
        .equ    JB_S0, 16
        .equ    JB_SAVEMASK, 112
        .equ    JB_MASK, 120
        .equ    NSIG, 64

        .text
# int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
        .globl  sigaction
        .type   sigaction, @function
sigaction:
        li      a3, SIGSET_SIZE
        li      a7, SYS_rt_sigaction
        j       __syscall_ret
        .size   sigaction, .-sigaction

# int sigprocmask(int how, const sigset_t *set, sigset_t *old)
        .globl  sigprocmask
        .type   sigprocmask, @function
sigprocmask:
        li      a3, SIGSET_SIZE
        li      a7, SYS_rt_sigprocmask
        j       __syscall_ret
        .size   sigprocmask, .-sigprocmask

# sighandler_t signal(int sig, sighandler_t handler): installs handler with
# SA_RESTART and an empty mask (glibc's BSD semantics); returns the old
# handler, or SIG_ERR (-1) with errno.
        .globl  signal
        .type   signal, @function
signal:
        addi    sp, sp, -64             # act at sp+0, old at sp+24
        sd      ra, 56(sp)
        sd      fp, 48(sp)
        addi    fp, sp, 64
        sd      a1, 0(sp)
        li      t0, SA_RESTART
        sd      t0, 8(sp)
        sd      zero, 16(sp)
        mv      a1, sp
        addi    a2, sp, 24
        call    sigaction
        bltz    a0, 1f
        ld      a0, 24(sp)
1:      ld      ra, 56(sp)
        ld      fp, 48(sp)
        addi    sp, sp, 64
        ret
        .size   signal, .-signal

# int raise(int sig) = kill(getpid(), sig).
        .globl  raise
        .type   raise, @function
raise:
        mv      t1, a0
        li      a7, SYS_getpid
        ecall
        mv      a1, t1
        li      a7, SYS_kill
        j       __syscall_ret
        .size   raise, .-raise

# void abort(void): SIGABRT, unblocked and at its default action if a
# handler returns; exit status 127 if even that does not end the process.
        .globl  abort
        .type   abort, @function
abort:
        addi    sp, sp, -32
        sd      ra, 24(sp)
        sd      fp, 16(sp)
        addi    fp, sp, 32
        li      t0, 1 << (SIGABRT - 1)
        sd      t0, 0(sp)
        li      a0, 1                   # SIG_UNBLOCK
        mv      a1, sp
        li      a2, 0
        call    sigprocmask
        li      a0, SIGABRT
        call    raise
        li      a0, SIGABRT
        li      a1, 0                   # SIG_DFL
        call    signal
        li      a0, SIGABRT
        call    raise
        li      a0, 127
        call    _exit
        .size   abort, .-abort

# The sigset_t helpers: 0, or -1 with errno = EINVAL for a bad signal number.
        .globl  sigemptyset, sigfillset, sigaddset, sigdelset, sigismember
        .type   sigemptyset, @function
sigemptyset:
        sd      zero, 0(a0)
        li      a0, 0
        ret
        .type   sigfillset, @function
sigfillset:
        li      t0, -1
        sd      t0, 0(a0)
        li      a0, 0
        ret
# sigbit (internal): t0 = 1 << (a1 - 1), or a return of -1/EINVAL from the caller
# (it returns to the caller's caller through ra when a1 is not in 1..64).
        .type   sigbit, @function
sigbit:
        addi    t1, a1, -1
        li      t0, NSIG
        bgeu    t1, t0, 1f
        li      t0, 1
        sll     t0, t0, t1
        jr      t2
1:      la      t0, errno
        li      t1, EINVAL
        sw      t1, 0(t0)
        li      a0, -1
        ret
        .type   sigaddset, @function
sigaddset:
        jal     t2, sigbit
        ld      t1, 0(a0)
        or      t1, t1, t0
        sd      t1, 0(a0)
        li      a0, 0
        ret
        .type   sigdelset, @function
sigdelset:
        jal     t2, sigbit
        ld      t1, 0(a0)
        not     t0, t0
        and     t1, t1, t0
        sd      t1, 0(a0)
        li      a0, 0
        ret
        .type   sigismember, @function
sigismember:
        jal     t2, sigbit
        ld      t1, 0(a0)
        and     t1, t1, t0
        snez    a0, t1
        ret

# int setjmp(jmp_buf env): saves ra, sp, s0..s11; returns 0 now and
# longjmp's value later. Does not save the signal mask.
        .globl  setjmp, _setjmp
        .type   setjmp, @function
        .type   _setjmp, @function
setjmp:
_setjmp:
        li      a1, 0
        # fall through

# int sigsetjmp(sigjmp_buf env, int savemask): setjmp, plus the signal mask when savemask != 0.
        .globl  sigsetjmp
        .type   sigsetjmp, @function
sigsetjmp:
        sd      ra, JB_RA(a0)
        sd      sp, JB_SP(a0)
        sd      s0, JB_S0 + 0(a0)
        sd      s1, JB_S0 + 8(a0)
        sd      s2, JB_S0 + 16(a0)
        sd      s3, JB_S0 + 24(a0)
        sd      s4, JB_S0 + 32(a0)
        sd      s5, JB_S0 + 40(a0)
        sd      s6, JB_S0 + 48(a0)
        sd      s7, JB_S0 + 56(a0)
        sd      s8, JB_S0 + 64(a0)
        sd      s9, JB_S0 + 72(a0)
        sd      s10, JB_S0 + 80(a0)
        sd      s11, JB_S0 + 88(a0)
        sd      a1, JB_SAVEMASK(a0)
        beqz    a1, 1f
        addi    a2, a0, JB_MASK         # rt_sigprocmask(SIG_BLOCK, NULL, &env->mask, 8)
        li      a0, SIG_BLOCK
        li      a1, 0
        li      a3, SIGSET_SIZE
        li      a7, SYS_rt_sigprocmask
        ecall
1:      li      a0, 0
        ret
        .size   sigsetjmp, .-sigsetjmp

# void siglongjmp(sigjmp_buf env, int val): restores the mask if sigsetjmp saved it, then longjmp.
        .globl  siglongjmp
        .type   siglongjmp, @function
siglongjmp:
        ld      t0, JB_SAVEMASK(a0)
        beqz    t0, longjmp
        mv      t0, a0
        mv      t1, a1
        li      a0, SIG_SETMASK
        addi    a1, t0, JB_MASK
        li      a2, 0
        li      a3, SIGSET_SIZE
        li      a7, SYS_rt_sigprocmask
        ecall
        mv      a0, t0
        mv      a1, t1
        # fall through
        .size   siglongjmp, .-siglongjmp

# void longjmp(jmp_buf env, int val): returns from env's setjmp again, with
# val (1 if val is 0). Usable from a signal handler: the handler's frame is
# simply abandoned on the stack.
        .globl  longjmp, _longjmp
        .type   longjmp, @function
        .type   _longjmp, @function
longjmp:
_longjmp:
        ld      ra, JB_RA(a0)
        ld      sp, JB_SP(a0)
        ld      s0, JB_S0 + 0(a0)
        ld      s1, JB_S0 + 8(a0)
        ld      s2, JB_S0 + 16(a0)
        ld      s3, JB_S0 + 24(a0)
        ld      s4, JB_S0 + 32(a0)
        ld      s5, JB_S0 + 40(a0)
        ld      s6, JB_S0 + 48(a0)
        ld      s7, JB_S0 + 56(a0)
        ld      s8, JB_S0 + 64(a0)
        ld      s9, JB_S0 + 72(a0)
        ld      s10, JB_S0 + 80(a0)
        ld      s11, JB_S0 + 88(a0)
        sext.w  a0, a1
        bnez    a0, 1f
        li      a0, 1
1:      ret
        .size   longjmp, .-longjmp
