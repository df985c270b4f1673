// `npm run fuzz -- TARGET... [--seed S] [--count N] [--from I | --case I]`:
// runs fuzz targets (tests/fuzz/targets/*.ts; scripts/fuzz.mjs bundles them
// with this file) and prints, per target, the cases run, the known findings
// met, and each new failure with the seed and case index that reproduce it
// and the smallest input found that still fails. Exits 1 when anything new
// failed, 2 on a usage error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTarget } from './harness/runner';
import type { NewFailure, TargetReport } from './harness/runner';
import type { AnyTarget } from './harness/target';

interface Args {
  targets: AnyTarget[];
  seed: number;
  count: number;
  from: number;
  /** Print the whole input of each failure (and of --case). */
  show: boolean;
  save: string | null;
  ignoreKnown: boolean;
  minimize: boolean;
  maxFailures: number | undefined;
  /** Print a progress line every this many cases (0: never). */
  progress: number;
}

class UsageError extends Error {}

const USAGE = `usage: npm run fuzz -- TARGET... [options]     (TARGET: a name, or all)
  --seed S          the run's seed (default 1); case I of seed S is always the same input
  --count N         cases per target (default 100)
  --from I          first case index (default 0)
  --case I          only case I, showing its input (same as --from I --count 1 --show)
  --show            print each failing input in full (default: the shrunk one)
  --save DIR        write each failing input (and its shrunk form) to DIR
  --no-known        treat known findings as failures, and avoid nothing
  --no-minimize     do not shrink failing inputs
  --max-failures K  stop a target after K new failures
  --progress N      a progress line every N cases
  --list            list the targets and their known findings`;

function intOption(name: string, v: string | undefined, min: number): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new UsageError(`${name} needs an integer >= ${min}, got ${v === undefined ? 'nothing' : `'${v}'`}`);
  return Number(v);
}

function parseArgs(all: readonly AnyTarget[], argv: readonly string[]): Args | 'list' {
  const a: Args = { targets: [], seed: 1, count: 100, from: 0, show: false, save: null, ignoreKnown: false, minimize: true, maxFailures: undefined, progress: 0 };
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (w === '--seed') a.seed = intOption('--seed', next(), 0);
    else if (w === '--count') a.count = intOption('--count', next(), 0);
    else if (w === '--from') a.from = intOption('--from', next(), 0);
    else if (w === '--case') {
      a.from = intOption('--case', next(), 0);
      a.count = 1;
      a.show = true;
    } else if (w === '--show') a.show = true;
    else if (w === '--save') {
      a.save = next() ?? '';
      if (a.save === '') throw new UsageError('--save needs a directory');
    } else if (w === '--no-known') a.ignoreKnown = true;
    else if (w === '--no-minimize') a.minimize = false;
    else if (w === '--max-failures') a.maxFailures = intOption('--max-failures', next(), 1);
    else if (w === '--progress') a.progress = intOption('--progress', next(), 0);
    else if (w === '--list') return 'list';
    else if (w === '--help' || w === '-h') throw new UsageError('');
    else if (w.startsWith('-')) throw new UsageError(`unknown option ${w}`);
    else names.push(w);
  }
  if (names.length === 0) throw new UsageError('give a target (or all)');
  for (const n of names) {
    if (n === 'all') a.targets.push(...all);
    else {
      const t = all.find((x) => x.name === n);
      if (t === undefined) throw new UsageError(`no target '${n}' (targets: ${all.map((x) => x.name).join(', ')})`);
      a.targets.push(t);
    }
  }
  return a;
}

const indent = (s: string, by = '    '): string => s.replace(/\n$/, '').split('\n').map((l) => by + l).join('\n');

function printFailure(t: AnyTarget, r: { seed: number }, f: NewFailure, a: Args): void {
  const out: string[] = [`FAIL ${t.name} seed ${r.seed} case ${f.index}: ${f.failure.kind}: ${f.failure.message}`];
  if (f.failure.detail) out.push(indent(f.failure.detail));
  out.push(`  reproduce: npm run fuzz -- ${t.name} --seed ${r.seed} --case ${f.index}`);
  const minimal = f.minimal ?? (a.show ? null : f.input);
  if (a.show) out.push('  input:', indent(t.show(f.input)));
  if (minimal !== null && (f.minimal === null || f.minimal !== f.input || !a.show)) {
    const parts = t.parts !== undefined ? ` (${t.parts(minimal)} of ${t.parts(f.input)} parts)` : '';
    out.push(`  ${f.minimal !== null ? `smallest failing input${parts}` : 'input'}:`, indent(t.show(minimal)));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (a.save !== null) {
    mkdirSync(a.save, { recursive: true });
    const save = (input: unknown, tag: string): void => {
      const files = t.files?.(input) ?? { '.txt': t.show(input) };
      for (const [suffix, data] of Object.entries(files)) writeFileSync(join(a.save!, `${t.name}-${r.seed}-${f.index}${tag}${suffix}`), data);
    };
    save(f.input, '');
    if (f.minimal !== null) save(f.minimal, '-min');
  }
}

function summary(t: AnyTarget, r: TargetReport): string {
  const rate = r.ms > 0 ? (r.cases / (r.ms / 1000)).toFixed(1) : '-';
  const known = [...r.known].map(([n, k]) => `${n} ${k.cases} (first case ${k.first})`).join(', ');
  const avoided = [...r.avoided].map(([n, k]) => `${n} ${k}`).join(', ');
  return (
    `${t.name.padEnd(9)} cases ${r.from}..${r.from + r.cases - 1}: ${r.cases} run, ${r.failed.length} failed, ${(r.ms / 1000).toFixed(1)} s, ${rate} cases/s` +
    (known ? `\n${' '.repeat(10)}known: ${known}` : '') +
    (avoided ? `\n${' '.repeat(10)}regenerated to avoid: ${avoided}` : '')
  );
}

/** The entry point scripts/fuzz.mjs calls with the targets it found. Returns the exit status. */
export async function main(all: readonly AnyTarget[], argv: readonly string[]): Promise<number> {
  let a: Args | 'list';
  try {
    a = parseArgs(all, argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message ? `fuzz: ${e.message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (a === 'list') {
    for (const t of all) {
      process.stdout.write(`${t.name}: ${t.about}\n`);
      for (const k of t.known) process.stdout.write(`  known ${k.name}${k.avoid ? ' (avoided)' : ''}: ${k.about}\n`);
    }
    return 0;
  }
  let failed = 0;
  let cases = 0;
  process.stdout.write(`vmlab fuzz: seed ${a.seed}, ${a.count} case(s) per target from case ${a.from}\n`);
  for (const t of a.targets) {
    const args = a;
    const r = await runTarget(t, {
      seed: a.seed,
      count: a.count,
      from: a.from,
      ignoreKnown: a.ignoreKnown,
      minimize: a.minimize,
      maxFailures: a.maxFailures,
      onFailure: (f) => printFailure(t, { seed: args.seed }, f, args),
      onCase: (o) => {
        if (args.show && args.count === 1) process.stdout.write(`${t.name} seed ${args.seed} case ${o.index}:\n${indent(t.show(o.input))}\n`);
        if (args.progress > 0 && (o.index - args.from + 1) % args.progress === 0) process.stdout.write(`  ${t.name}: ${o.index - args.from + 1} cases\n`);
      },
    });
    process.stdout.write(`${summary(t, r)}\n`);
    failed += r.failed.length;
    cases += r.cases;
  }
  process.stdout.write(`total: ${a.targets.length} target(s), ${cases} cases, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
