// Runs a target's cases: derives each case's stream from (seed, index),
// regenerates inputs a known finding must avoid, runs the case, catches what
// escapes, sorts failures into known and new, and shrinks new ones where the
// target says how. Everything is counted; nothing depends on time except the
// cases-per-second figure printed for planning.
import { Rng, caseSeed } from './rng';
import type { AnyTarget, CaseContext, Failure, FailureKind } from './target';

/** Failures kept per case. */
const MAX_FAILURES_PER_CASE = 4;
/** Attempts to generate an input no known finding must avoid. */
const MAX_REGENERATE = 16;

export interface CaseOutcome {
  index: number;
  /** The input that ran (after any regeneration). */
  input: unknown;
  failures: Failure[];
  /** Per failure: the known finding that explains it, or null. */
  known: (string | null)[];
  /** Names of known findings whose avoid() made the case be generated again. */
  avoided: string[];
}

export interface NewFailure {
  index: number;
  failure: Failure;
  input: unknown;
  /** The smallest input found that still fails the same way, when the target can shrink. */
  minimal: unknown | null;
}

export interface TargetReport {
  target: string;
  seed: number;
  /** Cases run (indices from..from+count-1). */
  cases: number;
  from: number;
  failed: NewFailure[];
  /** Known finding -> cases it explained, and the first such case. */
  known: Map<string, { cases: number; first: number }>;
  /** Known finding -> inputs regenerated to avoid it. */
  avoided: Map<string, number>;
  ms: number;
}

export interface RunOptions {
  seed: number;
  count: number;
  from?: number;
  /** Treat known findings as failures (and avoid nothing). */
  ignoreKnown?: boolean;
  /** Shrink new failures (default true). */
  minimize?: boolean;
  /** Stop after this many new failures (default: never). */
  maxFailures?: number;
  /** Called after each case (progress). */
  onCase?: (o: CaseOutcome) => void;
  /** Called with each new failure as soon as it is shrunk (a long run prints them as they come). */
  onFailure?: (f: NewFailure) => void;
}

function describeError(e: unknown): { message: string; detail: string } {
  if (e instanceof Error) return { message: `${e.name}: ${e.message}`, detail: (e.stack ?? '').split('\n').slice(1, 8).join('\n') };
  let s: string;
  try {
    s = String(e);
  } catch {
    s = Object.prototype.toString.call(e);
  }
  return { message: `non-Error thrown: ${s}`, detail: '' };
}

/** Runs one input; returns its failures (an escaping exception is one). */
export async function runInput(t: AnyTarget, input: unknown): Promise<Failure[]> {
  const failures: Failure[] = [];
  const ctx: CaseContext = {
    failures,
    fail(kind: FailureKind, message: string, detail?: string): void {
      if (failures.length < MAX_FAILURES_PER_CASE) failures.push(detail === undefined ? { kind, message } : { kind, message, detail });
    },
  };
  try {
    await t.run(input, ctx);
  } catch (e) {
    const d = describeError(e);
    ctx.fail('exception', d.message, d.detail);
  }
  return failures;
}

/** The input of case `index`, regenerated while a known finding must avoid it. */
export function generateCase(t: AnyTarget, seed: number, index: number, ignoreKnown = false): { input: unknown; avoided: string[] } {
  const avoided: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const input = t.generate(new Rng(attempt === 0 ? caseSeed(seed, index) : caseSeed(caseSeed(seed, index), attempt)));
    if (ignoreKnown) return { input, avoided };
    const k = t.known.find((f) => f.avoid?.(input) === true);
    if (k === undefined || attempt >= MAX_REGENERATE) return { input, avoided };
    avoided.push(k.name);
  }
}

/** The known finding explaining f, or null. */
export function explain(t: AnyTarget, f: Failure, input: unknown): string | null {
  return t.known.find((k) => k.explains?.(f, input) === true)?.name ?? null;
}

/**
 * The known finding explaining each failure, or null. What follows a failure
 * a known finding explains is put down to it too: a kernel a known bug has
 * corrupted fails its later checks for the same reason.
 */
export function classify(t: AnyTarget, failures: readonly Failure[], input: unknown, ignoreKnown: boolean): (string | null)[] {
  let cause: string | null = null;
  return failures.map((f) => {
    if (ignoreKnown) return null;
    cause = explain(t, f, input) ?? cause;
    return cause;
  });
}

/** Same failure, for shrinking: same kind, same known classification, and the message's first words alike. */
function sameFailure(a: Failure, b: Failure): boolean {
  const head = (m: string): string => m.replace(/0x[0-9a-f]+|\d+/g, 'N').slice(0, 40);
  return a.kind === b.kind && head(a.message) === head(b.message);
}

/** Greedy shrinking: drop one part at a time (last first) while the failure stays the same; at most `budget` runs. */
export async function shrink(t: AnyTarget, input: unknown, failure: Failure, budget = 200): Promise<unknown | null> {
  if (t.parts === undefined || t.without === undefined) return null;
  let best = input;
  let runs = 0;
  let changed = true;
  while (changed && runs < budget) {
    changed = false;
    for (let i = t.parts(best) - 1; i >= 0 && runs < budget; i--) {
      const cand = t.without(best, i);
      if (cand === null) continue;
      runs++;
      const fs = await runInput(t, cand);
      if (fs.some((f) => sameFailure(f, failure))) {
        best = cand;
        changed = true;
      }
    }
  }
  return best;
}

/** Runs cases from..from+count-1 of target t. */
export async function runTarget(t: AnyTarget, opts: RunOptions): Promise<TargetReport> {
  const from = opts.from ?? 0;
  const report: TargetReport = { target: t.name, seed: opts.seed, cases: 0, from, failed: [], known: new Map(), avoided: new Map(), ms: 0 };
  const t0 = performance.now();
  for (let index = from; index < from + opts.count; index++) {
    const { input, avoided } = generateCase(t, opts.seed, index, opts.ignoreKnown);
    for (const a of avoided) report.avoided.set(a, (report.avoided.get(a) ?? 0) + 1);
    const failures = await runInput(t, input);
    report.cases++;
    const known = classify(t, failures, input, opts.ignoreKnown === true);
    for (const k of new Set(known)) {
      if (k === null) continue;
      const e = report.known.get(k);
      if (e === undefined) report.known.set(k, { cases: 1, first: index });
      else e.cases++;
    }
    const fresh = failures.filter((_, i) => known[i] === null);
    if (fresh.length > 0) {
      const failure = fresh[0]!;
      const minimal = opts.minimize === false ? null : await shrink(t, input, failure);
      const nf: NewFailure = { index, failure, input, minimal };
      report.failed.push(nf);
      opts.onFailure?.(nf);
    }
    opts.onCase?.({ index, input, failures, known, avoided });
    if (opts.maxFailures !== undefined && report.failed.length >= opts.maxFailures) break;
  }
  report.ms = performance.now() - t0;
  return report;
}
