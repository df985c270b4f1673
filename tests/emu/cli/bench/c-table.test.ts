// The C programs' table of `vmlab bench`, formatted from a recorded
// measurement (c-report.json: `vmlab bench --only c-... --compare qemu
// --json` on the development machine, its `c` part): the golden text is
// the example docs/bench.md shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cTable, geomeans, jitTable, timeRatio } from '../../../../emu/cli/bench/c-table';
import type { CBenchReport } from '../../../../emu/cli/bench/c-table';
import { geometricMean } from '../../../../emu/cli/bench/qemu';
import { docBlock } from '../../../support/doc-blocks';

const REPORT = JSON.parse(readFileSync(join(__dirname, 'c-report.json'), 'utf8')) as CBenchReport;

describe('the C programs table', () => {
  it('formats a measurement: a column group per tier, qemu-riscv64 and the ratios, the geometric mean (docs/bench.md shows it)', () => {
    expect(cTable(REPORT)).toBe(docBlock('docs/bench.md', 'bench-c-table'));
  });

  it('the geometric mean is of the per-program ratios of CPU time', () => {
    const ratios = REPORT.results.map((r) => r.tiers[0]!.cpuSeconds / r.qemu!.cpuSeconds!);
    expect(geomeans(['off'], REPORT.results).off).toBeCloseTo(geometricMean(ratios), 12);
    expect(geometricMean([2, 8])).toBeCloseTo(4, 12);
    expect(geomeans(['off'], REPORT.results.map((r) => ({ ...r, qemu: null })))).toEqual({});
  });

  it('a ratio is of CPU time, of wall time where qemu\'s CPU time is unknown, and never divides by a zero CPU time', () => {
    const run = { ...REPORT.results[0]!.tiers[0]!, seconds: 6, cpuSeconds: 3 };
    expect(timeRatio(run, { output: '', seconds: 2, cpuSeconds: 1.5 })).toBe(2);
    expect(timeRatio(run, { output: '', seconds: 2, cpuSeconds: null })).toBe(3);
    // Under one USER_HZ tick, qemu counts as one tick (0.01 s).
    expect(timeRatio(run, { output: '', seconds: 0.005, cpuSeconds: 0 })).toBeCloseTo(300, 9);
  });

  it('without qemu: no qemu group, no ratios; a note when qemu was asked for and is missing', () => {
    const without = cTable({ ...REPORT, qemu: 'not installed', results: REPORT.results.map((r) => ({ ...r, qemu: null })), geomean: {} });
    expect(without).not.toContain('qemu/');
    expect(without).toContain('--compare qemu: skipped, qemu-riscv64 is not installed (on Debian/Ubuntu: sudo apt-get install -y qemu-user)\n');
    expect(cTable({ ...REPORT, qemu: 'off', geomean: {} })).not.toContain('qemu');
  });

  it('a peak RSS over 1.2 x touched + 100 MiB is "missed"', () => {
    const r = REPORT.results[0]!;
    const over = { ...r, tiers: [{ ...r.tiers[0]!, peakRssBytes: 101 * 1024 * 1024, touchedBytes: 0 }] };
    expect(cTable({ ...REPORT, results: [over] })).toMatch(/101\.0 MiB +0 KiB +missed/);
  });
});

describe('the C programs table, with tier 1', () => {
  // c-report-jit.json: `vmlab bench --jit both --compare qemu --json` on the development machine (its `c` part).
  const JIT = JSON.parse(readFileSync(join(__dirname, 'c-report-jit.json'), 'utf8')) as CBenchReport;

  it('prints tier 1\'s compiled code under the table: regions, compile time per region, wasm bytes, calls, chains, misses', () => {
    const lines = jitTable(JIT.results);
    expect(lines.join('\n') + '\n').toBe(readFileSync(join(__dirname, 'jit-table.txt'), 'utf8'));
    const c = JIT.results.find((r) => r.program === 'c-calls')!.tiers[1]!.jit!;
    const row = lines.find((l) => l.startsWith('c-calls'))!.trim().split(/ +/);
    expect(row.slice(1, 4)).toEqual([String(c.regions), c.compileMs.toFixed(1), (c.compileMs / c.regions).toFixed(2)]);
    expect(cTable(JIT)).toContain(lines.join('\n'));
  });

  it('has no tier 1 section when no run has tier 1\'s counts', () => {
    expect(jitTable(REPORT.results)).toEqual([]);
    expect(cTable(REPORT)).not.toContain('tier 1: compiled code');
  });
});
