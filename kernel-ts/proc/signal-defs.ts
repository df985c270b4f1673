// Signal numbers, actions and per-task signal state (Linux
// include/uapi/asm-generic/signal.h and include/linux/signal_types.h).
// sigset_t is one 64-bit word on riscv64: bit (signo - 1) for signal signo.

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTKFLT = 16;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGVTALRM = 26;
export const SIGPROF = 27;
export const SIGWINCH = 28;
export const SIGIO = 29;
export const SIGPWR = 30;
export const SIGSYS = 31;
/** _NSIG: signals 1..64 (32..64 are real-time signals). */
export const NSIG = 64;

/** sa_handler special values. */
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** sa_flags bits (asm-generic/signal-defs.h). */
export const SA_NOCLDSTOP = 0x00000001;
export const SA_NOCLDWAIT = 0x00000002;
export const SA_SIGINFO = 0x00000004;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;
export const SA_RESTORER = 0x04000000;

/** rt_sigprocmask how values. */
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

/** si_code values (asm-generic/siginfo.h). */
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const ILL_ILLOPC = 1;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const BUS_ADRALN = 1;
export const BUS_ADRERR = 2;
export const TRAP_BRKPT = 1;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;

/** The bit of signo in a sigset_t. */
export function sigmask(signo: number): bigint {
  return 1n << BigInt(signo - 1);
}

/** SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. */
export const UNBLOCKABLE = sigmask(SIGKILL) | sigmask(SIGSTOP);

/** What a signal does when its action is SIG_DFL (Linux's SIG_KERNEL_*_MASK in kernel/signal.c). */
export const DefaultAction = { Term: 'term', Core: 'core', Ignore: 'ignore', Stop: 'stop', Cont: 'cont' } as const;
export type DefaultAction = (typeof DefaultAction)[keyof typeof DefaultAction];

export function defaultAction(signo: number): DefaultAction {
  switch (signo) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
    case SIGXCPU: case SIGXFSZ: case SIGSYS:
      return DefaultAction.Core;
    case SIGCHLD: case SIGURG: case SIGWINCH:
      return DefaultAction.Ignore;
    case SIGCONT:
      return DefaultAction.Cont;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      return DefaultAction.Stop;
    default:
      return DefaultAction.Term;
  }
}

/** Linux's struct k_sigaction for riscv64: { sa_handler; sa_flags; sa_mask } (no sa_restorer). */
export interface KSigaction {
  handler: number;
  flags: number;
  mask: bigint;
}

/** The task's actions, indexed by signo (Linux sighand_struct). */
export class SigHand {
  readonly action: KSigaction[] = [];

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.action.push({ handler: SIG_DFL, flags: 0, mask: 0n });
  }

  /** fork copies the actions (copy_sighand). */
  dup(): SigHand {
    const h = new SigHand();
    for (let i = 0; i <= NSIG; i++) h.action[i] = { ...this.action[i]! };
    return h;
  }

  /** execve resets caught signals to SIG_DFL and keeps ignored ones (flush_signal_handlers). */
  flushHandlers(): void {
    for (let i = 1; i <= NSIG; i++) {
      const a = this.action[i]!;
      if (a.handler !== SIG_IGN) this.action[i] = { handler: SIG_DFL, flags: 0, mask: 0n };
      else a.flags = 0;
    }
  }
}

/** The siginfo the kernel queues with a signal (the fields vmlab fills). */
export interface KSiginfo {
  signo: number;
  errno: number;
  code: number;
  /** si_addr for SIGSEGV/SIGBUS/SIGILL/SIGTRAP/SIGFPE (all 64 bits: kernel addresses are above 2^53). */
  addr: bigint;
  /** si_pid/si_uid for kill; si_status for SIGCHLD. */
  pid: number;
  uid: number;
  status: number;
  /** vmlab's extension, copied into the frame's vmlab context: x86 vector, error code and CR2. */
  trapno: number;
  errorCode: number;
  cr2: bigint;
}

export function siginfo(signo: number, code: number, fields: Partial<KSiginfo> = {}): KSiginfo {
  return { signo, errno: 0, code, addr: 0n, pid: 0, uid: 0, status: 0, trapno: -1, errorCode: 0, cr2: 0n, ...fields };
}

/** Pending signals (Linux struct sigpending): one queued siginfo per standard signal. */
export class SigPending {
  signal = 0n;
  readonly info = new Map<number, KSiginfo>();

  add(info: KSiginfo): void {
    const bit = sigmask(info.signo);
    // A standard signal already pending is not queued twice (legacy_queue).
    if ((this.signal & bit) !== 0n) return;
    this.signal |= bit;
    this.info.set(info.signo, info);
  }

  /** Removes and returns the lowest-numbered pending signal not in `blocked`, or null. */
  dequeue(blocked: bigint): KSiginfo | null {
    const ready = this.signal & ~blocked;
    if (ready === 0n) return null;
    for (let s = 1; s <= NSIG; s++) {
      if ((ready & sigmask(s)) !== 0n) {
        this.signal &= ~sigmask(s);
        const info = this.info.get(s) ?? siginfo(s, SI_KERNEL);
        this.info.delete(s);
        return info;
      }
    }
    return null;
  }

  clear(): void {
    this.signal = 0n;
    this.info.clear();
  }
}
