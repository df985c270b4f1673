// What a fuzz target is: a generator of inputs from a seeded stream, a runner
// that reports what went wrong with one input, and what the harness needs to
// show, save and shrink an input. Each target is one file in
// tests/fuzz/targets/ exporting `target`; `npm run fuzz` and the npm-test
// batch (tests/fuzz/batch.test.ts) find them there.
import type { Rng } from './rng';

/**
 * What went wrong: a host exception escaped (exception), the kernel caught
 * one of its own (oops), a bound on guest instructions or kernel steps was
 * passed (budget), a kernel invariant broke (invariant), or a property of
 * the target did not hold (check: a two-line diagnostic, a bad error code...).
 */
export type FailureKind = 'exception' | 'oops' | 'budget' | 'invariant' | 'check';

export interface Failure {
  readonly kind: FailureKind;
  /** One line. */
  readonly message: string;
  /** More lines (a stack, the violations), shown under the message. */
  readonly detail?: string;
}

/** A finding someone is fixing: cases it explains are counted, not failed. */
export interface KnownFinding<I> {
  /** A name to refer to it by: 'mremap-past-task-size'. */
  readonly name: string;
  /** One line: what is wrong (and where it is tracked). */
  readonly about: string;
  /**
   * True for an input that would hurt the host until the finding is fixed
   * (a crash, unbounded memory or time): such inputs are not run, the case
   * is generated again from a derived stream.
   */
  readonly avoid?: (input: I) => boolean;
  /** True when this finding explains failure f of input. */
  readonly explains?: (f: Failure, input: I) => boolean;
}

/** Handed to a running case. */
export interface CaseContext {
  /** Records a failure (the case goes on; the first few are kept). */
  fail(kind: FailureKind, message: string, detail?: string): void;
  /** The failures so far. */
  readonly failures: readonly Failure[];
}

export interface FuzzTarget<I> {
  readonly name: string;
  /** One line for --help. */
  readonly about: string;
  /** The npm-test batch: a fixed seed and a small count (the count, not time, bounds it). */
  readonly batch: { readonly seed: number; readonly count: number };
  readonly known: readonly KnownFinding<I>[];
  generate(rng: Rng): I;
  run(input: I, ctx: CaseContext): void | Promise<void>;
  /** The input as text a person can read and replay (a program, commands, a mutation list). */
  show(input: I): string;
  /** The input as files to save (name suffix -> bytes or text), for --save; default: show() as .txt. */
  files?(input: I): Record<string, string | Uint8Array>;
  /** Shrinking (optional): how many removable parts the input has, and the input without part i (null: not removable). */
  parts?(input: I): number;
  without?(input: I, part: number): I | null;
}

/** Erases a target's input type for the registry (each target keeps its own inside). */
export type AnyTarget = FuzzTarget<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
