/*
 * vmlab/signal.h: the signal frame a vmlab handler receives, byte for byte.
 *
 * vmlab's kernel builds Linux's riscv64 rt_sigframe (arch/riscv/kernel/
 * signal.c) below the interrupted stack pointer, 16-byte aligned:
 *
 *   handler(int signo, siginfo_t *info, ucontext_t *uc)
 *     a0 = signo, a1 = &frame->info, a2 = &frame->uc, sp = frame,
 *     ra = the rt_sigreturn trampoline in the [vdso] page
 *        (li a7, 139; ecall), so a plain `ret` returns from the signal.
 *
 * vmlab has no F/D extension, so the floating-point area of the machine
 * context (sc_fpregs) carries vmlab's trap context instead: the x86 vector
 * of the exception, the page-fault error code and CR2, as x86 Linux puts
 * trapno/err/cr2 in its own sigcontext. A handler may edit uc_mcontext
 * (e.g. sc_regs.pc to resume elsewhere) and return; rt_sigreturn restores
 * x1..x31, pc and the signal mask from the frame.
 *
 * Offsets from the frame base (= the handler's sp):
 *    0  siginfo_t, 128 bytes
 *       0 si_signo, 4 si_errno, 8 si_code (int32 each)
 *       16 si_addr (u64) for SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE
 *       16 si_pid, 20 si_uid (int32) for kill/tgkill; 24 si_status for SIGCHLD
 *  128  ucontext_t, 960 bytes
 *       128 uc_flags, 136 uc_link, 144 uc_stack {ss_sp, ss_flags@152, ss_size@160},
 *       168 uc_sigmask (8 bytes), reserved to 304,
 *  304    uc_mcontext.sc_regs: pc, then x1 (ra) ... x31 (t6), 8 bytes each:
 *         x_r at 304 + 8 * r
 *  560    uc_mcontext.sc_fpregs (528 bytes): struct vmlab_trap_ctx
 *         560 magic 0x564d4c42 ('VMLB'), 564 size (32),
 *         568 trapno, 576 err, 584 cr2
 * 1088  end of frame
 *
 * From ucontext_t *uc (a2): sc_regs at uc + 176 (pc), x_r at uc + 176 + 8*r,
 * trapno at uc + 440, err at uc + 448, cr2 at uc + 456.
 */
#ifndef VMLAB_SIGNAL_H
#define VMLAB_SIGNAL_H

#define VMLAB_SIGINFO_SIZE      128
#define VMLAB_UC_OFFSET         128
#define VMLAB_SIGFRAME_SIZE     1088

/* Offsets inside ucontext_t (from a2). */
#define VMLAB_UC_SIGMASK        40
#define VMLAB_UC_MCONTEXT       176
#define VMLAB_UC_PC             176
#define VMLAB_UC_REG(r)         (176 + 8 * (r))
#define VMLAB_UC_TRAP_CTX       432
#define VMLAB_UC_TRAPNO         440
#define VMLAB_UC_ERR            448
#define VMLAB_UC_CR2            456

/* Offsets inside siginfo_t (from a1). */
#define VMLAB_SI_SIGNO          0
#define VMLAB_SI_ERRNO          4
#define VMLAB_SI_CODE           8
#define VMLAB_SI_ADDR           16
#define VMLAB_SI_PID            16
#define VMLAB_SI_UID            20
#define VMLAB_SI_STATUS         24

#define VMLAB_TRAP_CTX_MAGIC    0x564d4c42
/* trapno values: x86 exception vectors; -1 when the signal came from no trap. */
#define VMLAB_TRAP_BP           3   /* ebreak */
#define VMLAB_TRAP_UD           6   /* illegal instruction */
#define VMLAB_TRAP_GP           13  /* non-canonical address or jump target */
#define VMLAB_TRAP_PF           14  /* page fault: err and cr2 are set */
#define VMLAB_TRAP_AC           17  /* jump to a target not 4-byte aligned (SIGBUS, BUS_ADRALN) */

/* Page-fault error-code bits (Intel SDM vol. 3, 4.7). */
#define VMLAB_PF_P              0x01 /* 0: not present; 1: protection violation */
#define VMLAB_PF_W              0x02 /* write access */
#define VMLAB_PF_U              0x04 /* user mode (always set for a guest fault) */
#define VMLAB_PF_RSVD           0x08 /* reserved bit set in a paging entry */
#define VMLAB_PF_I              0x10 /* instruction fetch */
#define VMLAB_PF_PK             0x20 /* protection key */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct vmlab_trap_ctx {
	uint32_t magic;     /* VMLAB_TRAP_CTX_MAGIC */
	uint32_t size;      /* 32 */
	int64_t trapno;     /* x86 vector, or -1 */
	uint64_t err;       /* page-fault error code (PF_* bits) */
	uint64_t cr2;       /* faulting linear address */
};

struct vmlab_sigcontext {
	uint64_t pc;        /* sc_regs.pc */
	uint64_t x[31];     /* x1 (ra) .. x31 (t6): x[r - 1] is x_r */
	union {
		struct vmlab_trap_ctx trap;
		uint8_t fpregs[528];
	};
};

struct vmlab_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;   /* SS_DISABLE (2): vmlab has no sigaltstack */
	int32_t __pad;
	uint64_t ss_size;
	uint64_t uc_sigmask;
	uint8_t __unused[120];
	uint8_t __align[8];
	struct vmlab_sigcontext uc_mcontext;
};

_Static_assert(sizeof(struct vmlab_ucontext) == 960, "ucontext size");
_Static_assert(__builtin_offsetof(struct vmlab_ucontext, uc_mcontext) == 176, "uc_mcontext offset");
#endif

#endif /* VMLAB_SIGNAL_H */
