// The run-control engine's vocabulary (engine.ts): why a run stopped, what a
// run is for (the mode), what a resume asks for (the goal), and the records a
// scan of the history collects. Front ends (the REPL, a gdb stub, a DAP
// adapter) read these types; nothing here runs anything.
import { rd, rs1, immI } from '../machine/isa/fields';
import { insnByMnemonic } from '../machine/isa/table';
import type { Task } from '../../kernel-ts/proc/task';
import type { Breakpoint } from './breakpoints';

/**
 * Why the program stopped: what a resume, a reverse command or an interrupt
 * returns. Every stop but 'exited' leaves the task between two instructions
 * (or, for 'signal', inside the kernel just before the delivery).
 */
export type StopEvent =
  /** A step finished: stepi's count ran out, or step/next/finish/until arrived. */
  | { kind: 'step' }
  /** Breakpoint bp.num at pc (not yet executed). */
  | { kind: 'breakpoint'; bp: Breakpoint }
  /** Watchpoint bp.num: the instruction that accessed VA `addr` has run; the value before and now (null: not mapped). */
  | { kind: 'watch'; bp: Breakpoint; old: bigint | null; now: bigint | null; addr: number }
  /** catch pagefault: the instruction at ip faulted at CR2 = addr with that error code; the kernel has not handled it yet. */
  | { kind: 'pagefault'; bp: Breakpoint; addr: bigint; error: number; ip: number }
  /** catch syscall: the ecall at pc, system call nr, not yet served. */
  | { kind: 'syscall'; bp: Breakpoint; nr: number }
  /** catch signal: the kernel is about to deliver signo (resuming delivers it). */
  | { kind: 'signal'; bp: Breakpoint; signo: number }
  /** catch fork / cr3 / invlpg / tlb-miss, with a one-line description. */
  | { kind: 'event'; bp: Breakpoint; text: string }
  /** The followed process is gone (status: wait status; null when it did not exit). */
  | { kind: 'exited'; status: number | null; exitCode: number | null; reason: string }
  /** interrupt() was called while the program ran. */
  | { kind: 'interrupted' }
  /** Reverse execution reached the start of the recorded history (gdb's "No more reverse-execution history"). */
  | { kind: 'history-end' };

/**
 * What the kernel's instructions are being run for. 'live': the program
 * goes forward (new ground, or the recorded future after a reverse step,
 * re-executed); the user's stop conditions apply. 'replay': travel to an
 * exact position of the time line (silent: no stop conditions, no output
 * shown twice); toSignal ends at the kernel's delivery of a signal there.
 * 'scan': forward from a snapshot up to `until`, collecting either the
 * debugged task's instruction starts (visits, silent) or the stops the
 * breakpoints would make (visits null).
 */
export type Mode =
  | { kind: 'live' }
  | { kind: 'replay'; to: number; toSignal: boolean }
  | { kind: 'scan'; until: number; visits: Visits | null };

/** What a resume runs for: to the next stop condition, N instructions, or until a predicate (checked after each instruction) holds. */
export type Goal =
  | { kind: 'continue' }
  | { kind: 'steps'; left: number }
  | { kind: 'until'; done: () => boolean };

/** The REPL's spelling of a goal: `steps` for stepi, `after` for step/next/finish/until, neither for continue. */
export interface ResumeOptions {
  steps?: number;
  after?: () => boolean;
}

/** Pauses the engine handles itself: never shown to the user. */
export type Pause = { kind: 'checkpoint' } | { kind: 'yield' } | { kind: 'arrived' };

export interface FaultRecord {
  n: number;
  /** Time-line position when the kernel handled it (reverse execution drops later ones). */
  pos: number;
  pid: number;
  ip: number;
  /** CR2: all 64 bits (a kernel address is above 2^53). */
  addr: bigint;
  error: number;
  outcome: string;
}

/** The engine's state a snapshot keeps (record/recorder.ts Snapshot.mark). */
export interface SessionMark {
  skipAt: number;
  task: Task;
  /** A signal caught by `catch signal` and left pending, to be let through on the next resume. */
  deferredSignal: number;
}

/** The debugged task's instruction starts seen by a scan, in order (parallel arrays). */
export interface Visits {
  /** Time-line position (instret + kernel entries). */
  pos: number[];
  pc: number[];
  /** Instructions the task had retired. */
  insns: number[];
  /** FLOW_CALL, FLOW_RET or 0: what the instruction does to the call chain (null: not collected, it costs a walk per instruction). */
  flow: number[] | null;
}

export const FLOW_CALL = 1;
export const FLOW_RET = 2;

const JAL = insnByMnemonic('jal')!;
const JALR = insnByMnemonic('jalr')!;
const isJal = (word: number): boolean => ((word & JAL.mask) >>> 0) === JAL.match;
const isJalr = (word: number): boolean => ((word & JALR.mask) >>> 0) === JALR.match;

/** jal/jalr writing ra is a call; jalr x0, 0(ra) a return (encodings from the ISA table). */
export function flowOf(word: number): number {
  if ((isJal(word) || isJalr(word)) && rd(word) === 1) return FLOW_CALL;
  if (isJalr(word) && rd(word) === 0 && rs1(word) === 1 && immI(word) === 0) return FLOW_RET;
  return 0;
}
