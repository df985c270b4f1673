// `vmlab bench --jit both`: every program under tier 0 and tier 1 side by
// side, the assembly ones (machine and kernel programs) as well as the C ones
// (bench.test.ts): one column group per tier, what the tiers share printed
// once, and the tiers checked to retire the same instructions.
import { describe, expect, it } from 'vitest';
import type { BenchResult, KernelBenchResult } from '../../../../emu/cli/bench';
import { kernelTable, machineTable } from '../../../../emu/cli/bench/asm-table';
import { vmlab } from '../../../support/cli';

const tlb = (lookups: number, hits: number, walks: number): BenchResult['itlb'] => ({ lookups, hits, hitRate: lookups === 0 ? 1 : hits / lookups, walks });

function machineRun(program: string, tier: 'off' | 'on', seconds: number): BenchResult {
  return {
    program, description: '', instructions: 1_000_000, seconds, mips: 1 / seconds, result: '0x2a', tier,
    itlb: tlb(10, 9, 1), dtlb: tlb(0, 0, 0),
  };
}

function kernelRun(program: string, tier: 'off' | 'on', seconds: number): KernelBenchResult {
  return {
    program, description: '', iterations: 10, unit: 'syscalls', events: 10, seconds, eventsPerSecond: 10 / seconds,
    instructions: 40, mips: 40 / seconds / 1e6, leakedFrames: 0, tier,
  };
}

describe('the assembly programs\' tables', () => {
  it('one tier: one row per program, as before', () => {
    expect(machineTable([machineRun('alu', 'off', 2)], 'Skylake-like', ['off'])).toBe([
      'vmlab bench (TLB: Skylake-like; 4-level paging, 4K pages, CPL 3)',
      'program  instructions  seconds  MIPS  ITLB hit  I walks  DTLB hit  D walks  result',
      'alu           1000000    2.000   0.5    90.00%        1         -        0  0x2a',
      '',
    ].join('\n'));
  });

  it('two tiers: a column group per tier, the shared columns once', () => {
    const runs = [machineRun('alu', 'off', 2), machineRun('alu', 'on', 0.25), machineRun('stream', 'off', 4), machineRun('stream', 'on', 1)];
    expect(machineTable(runs, 'Skylake-like', ['off', 'on'])).toBe([
      'vmlab bench (TLB: Skylake-like; 4-level paging, 4K pages, CPL 3)',
      'machine programs      | tier 0 (interpreter) | tier 1 (JIT)  | TLB (tier 0)',
      'program  instructions | seconds  MIPS        | seconds  MIPS | ITLB hit  I walks  DTLB hit  D walks  result',
      'alu           1000000 |   2.000   0.5        |   0.250   4.0 |   90.00%        1         -        0  0x2a',
      'stream        1000000 |   4.000   0.3        |   1.000   1.0 |   90.00%        1         -        0  0x2a',
      '',
    ].join('\n'));
    const k = kernelTable([kernelRun('kgetpid', 'off', 2), kernelRun('kgetpid', 'on', 1)], ['off', 'on']).split('\n');
    expect(k[1]).toMatch(/^kernel programs +\| tier 0 \(interpreter\) +\| tier 1 \(JIT\)$/);
    expect(k[3]).toMatch(/^kgetpid +10 syscalls +40 \| +2\.000 +5 syscalls\/s +0\.0 +0 +\| +1\.000 +10 syscalls\/s +0\.0 +0$/);
  });
});

describe('vmlab bench --jit both', () => {
  it('runs the machine and kernel programs under tier 0 and tier 1: the same instructions and results, printed side by side', () => {
    const args = ['bench', '--no-warmup', '--jit', 'both', '--scale', '0.002', '--only', 'alu', 'stream', 'kgetpid'];
    const j = vmlab([...args, '--json']);
    expect(j.stderr).toBe('');
    const doc = JSON.parse(j.stdout) as { results: BenchResult[]; kernel: KernelBenchResult[] };
    expect(doc.results.map((r) => [r.program, r.tier])).toEqual([['alu', 'off'], ['alu', 'on'], ['stream', 'off'], ['stream', 'on']]);
    expect(doc.kernel.map((r) => [r.program, r.tier])).toEqual([['kgetpid', 'off'], ['kgetpid', 'on']]);
    for (const [a, b] of [[doc.results[0]!, doc.results[1]!], [doc.results[2]!, doc.results[3]!]]) {
      expect([b.instructions, b.result, b.itlb, b.dtlb]).toEqual([a.instructions, a.result, a.itlb, a.dtlb]);
    }
    expect(doc.kernel[1]!.instructions).toBe(doc.kernel[0]!.instructions);

    const r = vmlab(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^machine programs +\| tier 0 \(interpreter\) +\| tier 1 \(JIT\) +\| TLB \(tier 0\)$/);
    expect(lines[3]).toMatch(/^alu +\d+ \| +[\d.]+ +[\d.]+ +\| +[\d.]+ +[\d.]+ \|/);
    expect(lines[4]).toMatch(/^stream +\d+ \| +[\d.]+ +[\d.]+ +\| +[\d.]+ +[\d.]+ \|/);
    expect(lines[6]).toMatch(/^kernel programs +\| tier 0 \(interpreter\) +\| tier 1 \(JIT\)$/);
    expect(lines[8]).toMatch(/^kgetpid +\d+ syscalls +\d+ \| .+ \| .+syscalls\/s/);
  });
});
