// The npm-test batch of every fuzz target in tests/fuzz/targets/: a fixed
// seed and a small count each (the count, not time, bounds it). A failure
// prints what `npm run fuzz` would: the case index that reproduces it. The
// long runs are `npm run fuzz -- all --seed S --count N`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTarget } from './harness/runner';
import type { AnyTarget } from './harness/target';

const dir = join(process.cwd(), 'tests', 'fuzz', 'targets');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
const targets: AnyTarget[] = [];
for (const f of files) targets.push(((await import(join(dir, f))) as { target: AnyTarget }).target);

describe('fuzz batch', () => {
  it('finds every target file', () => {
    expect(targets.map((t) => `${t.name}.ts`)).toEqual(files);
  });

  for (const t of targets) {
    it(`${t.name}: ${t.batch.count} cases of seed ${t.batch.seed}, nothing new fails`, async () => {
      const r = await runTarget(t, { seed: t.batch.seed, count: t.batch.count, minimize: false });
      const lines = r.failed.map((f) => `case ${f.index}: ${f.failure.kind}: ${f.failure.message} (npm run fuzz -- ${t.name} --seed ${t.batch.seed} --case ${f.index})`);
      expect(lines).toEqual([]);
      expect(r.cases).toBe(t.batch.count);
    }, 300_000);
  }
});
