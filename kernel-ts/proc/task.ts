// The task (Linux's task_struct, include/linux/sched.h), reduced to what a
// single-threaded process needs: identity, scheduler state, the saved user
// registers (the trap frame), the address space, the open files, signal
// state and the family links used by wait4 and reparenting.
//
// Registers are saved in the Cpu's layout: regs[2r] = low half, regs[2r+1] =
// high half of x_r (x0's slots stay 0), so a context switch is two
// Int32Array copies (STYLE 3).
import type { FilesStruct, MmStruct } from './deps';
import { SIGCHLD, SigHand, SigPending } from './signal-defs';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { Rlimits } from '../resource';
import { FsStruct } from '../fs/fs-struct';

/** Scheduler states (include/linux/sched.h values). */
export const TASK_RUNNING = 0x0;
export const TASK_INTERRUPTIBLE = 0x1;
/** exit_state values. */
export const EXIT_DEAD = 0x10;
export const EXIT_ZOMBIE = 0x20;
export type TaskState = typeof TASK_RUNNING | typeof TASK_INTERRUPTIBLE | typeof EXIT_DEAD | typeof EXIT_ZOMBIE;

/** TASK_COMM_LEN: comm holds at most 15 characters. */
export const TASK_COMM_LEN = 16;

/** Saved register file size: x0..x31 as lo/hi halves. */
export const NR_REG_HALVES = 64;

/** Why a sleeping task sleeps; the scheduler checks each at every pass. */
export type SleepReason =
  | { kind: 'none' }
  /** nanosleep: runnable again when the instruction clock reaches `untilNs`. */
  | { kind: 'timer'; untilNs: number }
  /** wait4: runnable again when a child changes state (or a signal arrives). */
  | { kind: 'child' }
  /** rt_sigsuspend: runnable again when a signal it does not block arrives. */
  | { kind: 'signal' }
  /** A driver's wait queue (blocking read); woken by wakeUp(). */
  | { kind: 'queue'; name: string };

/**
 * How an interrupted sleeping system call continues when a signal handler
 * runs first (Linux's -ERESTARTSYS vs -ERESTART_RESTARTBLOCK): Sys restarts
 * after the handler if it has SA_RESTART and otherwise returns -EINTR; Block
 * (nanosleep) always returns -EINTR.
 */
export const Restart = { None: 0, Sys: 1, Block: 2 } as const;
export type Restart = (typeof Restart)[keyof typeof Restart];

export class Task {
  readonly pid: number;
  /** Thread-group id: equal to pid (no threads in vmlab). */
  readonly tgid: number;
  comm: string;
  state: TaskState = TASK_RUNNING;
  sleep: SleepReason = { kind: 'none' };
  mm: MmStruct | null = null;
  files: FilesStruct;
  /**
   * Linux's exit_code once dead, in wait-status form: (code & 0xff) << 8 for
   * exit, the signal number for a kill (no core dumps, so no 0x80 bit).
   */
  exitCode = 0;
  /** Saved user registers, Cpu layout (file comment). */
  readonly regs = new Int32Array(NR_REG_HALVES);
  pcLo = 0;
  pcHi = 0;
  parent: Task | null;
  /** Process group (inherited at fork; a spawned process leads its own). */
  pgid: number;
  /** The signal the parent gets at exit (clone's CSIGNAL bits; SIGCHLD for fork). */
  exitSignal: number;
  /** Set while the task sleeps inside a restartable system call. */
  restart: Restart = Restart.None;
  /**
   * What a write(2) of more than PIPE_BUF bytes to a pipe has written before
   * it slept for room (pipe_write's `ret`, kept across the restart), and the
   * pipe's inode; null when no such write is under way.
   */
  partialWrite: { inode: object; done: number } | null = null;
  /** nanosleep's deadline, kept across a restart so the sleep does not start over (KTIME_MAX: never). */
  sleepDeadlineNs = -1;
  /** restart_block.nanosleep.rmtp: where an interrupted sleep writes the time left (0: nowhere). */
  sleepRmtp = 0;
  readonly children = new Set<Task>();
  /** Signal actions (shared across clone(CLONE_SIGHAND) in Linux; per process here). */
  sighand: SigHand;
  /** Blocked-signal mask, bit (signo - 1). */
  blocked = 0n;
  readonly pending = new SigPending();
  /**
   * The mask rt_sigsuspend replaced (Linux saved_sigmask with
   * TIF_RESTORE_SIGMASK): the signal frame saves it, so sigreturn restores it.
   */
  savedSigmask: bigint | null = null;
  /** set_tid_address's pointer (cleared and futex-woken at exit in Linux; vmlab only stores it). */
  clearChildTid = 0;
  /** Instructions this task has run (utime, for rusage and /proc). */
  utimeNs = 0;
  /**
   * System time (rusage ru_stime). Always 0: the clock counts guest
   * instructions, and the kernel's work retires none.
   */
  stimeNs = 0;
  /** Minor/major faults (rusage ru_minflt/ru_majflt). */
  minFlt = 0;
  majFlt = 0;
  /** handleMmFault's outcome for the fault being handled (traps.ts). */
  lastFaultOutcome = 0;
  /** The clock at fork/exec. */
  startNs = 0;
  /**
   * Resource limits (Linux signal_struct.rlim): a copy of the parent's, or
   * INIT_RLIMITS for a task without one (the host's spawn gives it init's).
   */
  rlim: Rlimits;
  /** Working directory and umask (Linux task->fs): the parent's copied, as fork's copy_fs. */
  fs: FsStruct;

  constructor(pid: number, comm: string, parent: Task | null, files: FilesStruct, sighand: SigHand) {
    this.pid = pid;
    this.tgid = pid;
    this.comm = comm.slice(0, TASK_COMM_LEN - 1);
    this.parent = parent;
    this.pgid = parent ? parent.pgid : pid;
    this.exitSignal = SIGCHLD;
    this.files = files;
    this.sighand = sighand;
    this.rlim = parent !== null ? parent.rlim.copy() : new Rlimits();
    this.fs = parent !== null ? parent.fs.copy() : new FsStruct();
  }

  /** getppid(): the parent's tgid, 0 for a task without one. */
  get ppid(): number {
    return this.parent?.tgid ?? 0;
  }

  get isZombie(): boolean {
    return this.state === EXIT_ZOMBIE;
  }

  get isAlive(): boolean {
    return this.state === TASK_RUNNING || this.state === TASK_INTERRUPTIBLE;
  }

  /** Register r (0..31) as a signed 64-bit number (exact within +-2^53). */
  reg(r: number): number {
    return this.regs[2 * r + 1]! * TWO32 + (this.regs[2 * r]! >>> 0);
  }

  /** Sets register r from a number within +-2^53 (x0 stays 0). */
  setReg(r: number, v: number): void {
    if (r === 0) return;
    this.regs[2 * r] = v | 0;
    this.regs[2 * r + 1] = Math.floor(v / TWO32) | 0;
  }

  /** pc as a number (user addresses are below 2^56). */
  get pc(): number {
    return (this.pcHi >>> 0) * TWO32 + (this.pcLo >>> 0);
  }

  set pc(v: number) {
    this.pcLo = v | 0;
    this.pcHi = Math.floor(v / TWO32) | 0;
  }
}
