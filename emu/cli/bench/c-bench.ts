// Runs the C benchmark programs for `vmlab bench`: each program under each
// tier asked for (each run in a host process of its own), then, with
// --compare qemu, under qemu-riscv64 on the same ELF with the same
// arguments. Every run must print the same output and every tier retire the
// same number of instructions, or the benchmark stops with an error: a
// number is only reported for a run that computed the right thing.
import { UserError } from '../errors';
import { geomeans } from './c-table';
import type { CBenchReport, CBenchResult } from './c-table';
import { TIER_TITLES, cProgramPath, runIsolated } from './programs';
import type { CProgram, Tier, TierRun } from './programs';
import { QEMU, findOnPath, runQemu } from './qemu';

export interface CBenchOptions {
  tiers: Tier[];
  scale: number;
  warmup: boolean;
  compareQemu: boolean;
  /** Runs one program under one tier (runIsolated; a test may run it in-process instead). */
  run?: typeof runIsolated;
}

export function runCBench(programs: readonly CProgram[], o: CBenchOptions): CBenchReport {
  const qemu = o.compareQemu ? findOnPath(QEMU) : null;
  const run = o.run ?? runIsolated;
  const results: CBenchResult[] = [];
  for (const p of programs) {
    const argv = p.argv(o.scale);
    const tiers: TierRun[] = o.tiers.map((tier) => run({ name: p.name, tier, scale: o.scale, warmup: o.warmup }));
    const first = tiers[0]!;
    for (const t of tiers.slice(1)) {
      if (t.output !== first.output) throw mismatch(p, argv, `${TIER_TITLES[t.tier]} printed`, t.output, `${TIER_TITLES[first.tier]}`, first.output);
      if (t.instructions !== first.instructions) {
        throw new UserError(`bench ${p.name}: ${TIER_TITLES[t.tier]} retired ${t.instructions} instructions, ${TIER_TITLES[first.tier]} ${first.instructions}`);
      }
    }
    const q = qemu === null ? null : runQemu(qemu, cProgramPath(p), p.bin, argv);
    if (q !== null && q.output !== first.output) throw mismatch(p, argv, `${QEMU} printed`, q.output, 'vmlab', first.output);
    results.push({ program: p.name, description: p.what, argv, output: first.output, instructions: first.instructions, tiers, qemu: q });
  }
  return {
    tiers: o.tiers,
    qemu: !o.compareQemu ? 'off' : qemu === null ? 'not installed' : 'compared',
    results,
    geomean: geomeans(o.tiers, results),
  };
}

function mismatch(p: CProgram, argv: string[], what: string, got: string, other: string, want: string): UserError {
  return new UserError(`bench ${p.name} ${argv.join(' ')}: ${what} ${JSON.stringify(got)}, ${other} ${JSON.stringify(want)}`);
}
