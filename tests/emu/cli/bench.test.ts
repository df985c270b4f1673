// `vmlab bench`: the command's output, and its programs' results checked
// against the same programs assembled by GNU as and run by qemu-riscv64; the
// C programs' table (golden, its measured numbers masked), with and without
// qemu-riscv64 to compare with.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { PEER_TOOLS, describePeer } from '../../support/peers';

interface Result {
  program: string;
  description: string;
  instructions: number;
  seconds: number;
  mips: number;
  result: string;
  itlb: { lookups: number; hits: number; hitRate: number; walks: number };
  dtlb: { lookups: number; hits: number; hitRate: number; walks: number };
}

function benchJson(args: string[]): { tlb: string; results: Result[] } {
  const r = vmlab(['bench', '--json', '--no-warmup', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { tlb: string; results: Result[] };
}

describe('vmlab bench', () => {
  it('runs the four programs and reports instructions, MIPS and TLB statistics as JSON', () => {
    const doc = benchJson(['--scale', '0.01', '--only', 'alu', 'muldiv', 'stream', 'ptrchase']);
    expect(doc.tlb).toBe('default');
    expect(doc.results.map((r) => r.program)).toEqual(['alu', 'muldiv', 'stream', 'ptrchase']);
    const [alu, muldiv, stream, chase] = doc.results as [Result, Result, Result, Result];
    // 6 set-up instructions (li t0 is lui+addiw), 14 per iteration (the blt is never
    // taken with these values, so the xori always runs), 2 before the exit ecall,
    // which does not retire.
    expect(alu.instructions).toBe(6 + 14 * 20_000 + 2);
    // 26 set-up instructions (three 64-bit li), 21 per iteration, li a7.
    expect(muldiv.instructions).toBe(26 + 21 * 4_000 + 1);
    // 2 set-up, per sweep la (2) + li + 15 per record x 1024 + 2, li a7.
    expect(stream.instructions).toBe(2 + 15 * (2 + 1 + 15 * 1024 + 2) + 1);
    // 4 loads and 4 stores per record; 4 pages, each walked once to read and once to set D.
    expect(stream.dtlb.lookups).toBe(15 * 1024 * 8);
    expect(stream.dtlb.walks).toBe(8);
    expect(chase.instructions).toBe(3 * 40_000 + 1);
    for (const r of doc.results) expect(r.mips).toBeGreaterThan(0);
    expect(chase.description).toBe('pointer chase: one node per 4K page, 64 MiB, random cyclic order (DTLB-miss heavy)');
    expect(alu.dtlb.lookups).toBe(0);
    expect(alu.itlb.walks).toBe(1);
    // 40 000 hops over 16 384 pages in random order: nearly every load walks.
    expect(chase.dtlb.lookups).toBe(40_000);
    expect(chase.dtlb.walks).toBeGreaterThan(39_000);
  });

  it('prints a table, and walks on every access with --tlb none', () => {
    const r = vmlab(['bench', '--no-warmup', '--scale', '0.001', '--only', 'ptrchase', '--tlb', 'none']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('vmlab bench (TLB: none; 4-level paging, 4K pages, CPL 3)');
    expect(lines[1]).toMatch(/^program\s+instructions\s+seconds\s+MIPS\s+ITLB hit\s+I walks\s+DTLB hit\s+D walks\s+result$/);
    expect(lines[2]).toMatch(/^ptrchase\s+12001\s+[\d.]+\s+[\d.]+\s+-\s+\d+\s+-\s+4000\s+0x[0-9a-f]+$/);
  });

  it('runs the C programs each in a host process of its own, and reports their output and memory as JSON', () => {
    const r = vmlab(['bench', '--json', '--no-warmup', '--scale', '0.001', '--only', 'c-calls', 'c-stream']);
    expect(r.stderr).toBe('');
    const c = (JSON.parse(r.stdout) as { c: CReport }).c;
    expect(c.tiers).toEqual(['off']);
    expect(c.qemu).toBe('off');
    expect(c.results.map((x) => [x.program, x.argv, x.output])).toEqual([
      ['c-calls', ['1'], 'calls 1 rounds: checksum 695592a0f2747ccb\n'],
      ['c-stream', ['1', '1'], 'stream 1 MiB 1 passes: checksum 630ff58195bd7040\n'],
    ]);
    const stream = c.results[1]!.tiers[0]!;
    expect(stream.instructions).toBe(c.results[1]!.instructions);
    expect(stream.touchedBytes).toBeGreaterThanOrEqual(1024 * 1024);
    // A host process's peak RSS: node itself, so tens of MiB at least.
    expect(stream.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('prints the C programs\' table, one column group per tier, and a note when there is no qemu-riscv64 to compare with', () => {
    // No PATH: no qemu-riscv64 (vmlab runs its workers by its own path).
    const r = vmlab(['bench', '--no-warmup', '--scale', '0.001', '--only', 'c-alu', 'c-chase', '--compare', 'qemu'], { env: { PATH: '/nonexistent' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectGolden(maskMeasured(r.stdout), 'bench-c.txt');
  });

  it('--jit both runs the C programs under tier 0 and tier 1: the same output and the same instructions retired', () => {
    const r = vmlab(['bench', '--json', '--no-warmup', '--jit', 'both', '--scale', '0.001', '--only', 'c-calls', 'c-mix']);
    expect(r.stderr).toBe('');
    const c = (JSON.parse(r.stdout) as { c: CReport }).c;
    expect(c.tiers).toEqual(['off', 'on']);
    for (const x of c.results) {
      expect(x.tiers.map((t) => [t.instructions, t.output])).toEqual([[x.instructions, x.output], [x.instructions, x.output]]);
      expect(x.output).toMatch(/^(calls|mix) .+\n$/);
    }
  });

  it('rejects a bad scale with a one-line message', () => {
    expect(vmlab(['bench', '--scale', '0'])).toEqual({ status: 2, stdout: '', stderr: "vmlab: --scale: '0' is not a positive number (e.g. 0.1 or 2)\n" });
  });
});

interface CReport {
  tiers: string[];
  qemu: string;
  results: { program: string; argv: string[]; output: string; instructions: number; tiers: { instructions: number; output: string; touchedBytes: number; peakRssBytes: number }[] }[];
}

/**
 * The table with what is measured (times, rates, sizes, whether the RSS
 * target was met, ratios) or depends on the runtime library (instruction
 * counts) masked as #, and spacing collapsed (column widths follow the numbers).
 */
function maskMeasured(table: string): string {
  return table
    .split('\n')
    .map((l) => (!/^(c-|geometric mean)/.test(l) ? l : l.replace(/\b\d+\.\d+\b|\b\d+(?= KiB)|\b(met|missed)\b/g, '#').replace(/\b\d{4,}(?= +\|)/, '#')))
    .map((l) => l.replace(/ {2,}/g, '  ').trimEnd())
    .join('\n');
}

/** Golden files, regenerated with VMLAB_UPDATE_GOLDEN=1 (then read the diff). */
function expectGolden(actual: string, name: string): void {
  if (process.env.VMLAB_UPDATE_GOLDEN === '1') writeFileSync(join(__dirname, 'golden', name), actual);
  expect(actual).toBe(readFileSync(join(__dirname, 'golden', name), 'utf8'));
}

describePeer('bench programs vs qemu-riscv64', ['as', 'ld', 'qemu'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** a0 at exit of guest-programs/bench/<name>.s under qemu, entered with a1 = iterations. */
  function qemuResult(name: string, iterations: number): string {
    const src = readFileSync(join('guest-programs', 'bench', `${name}.s`), 'utf8')
      .replace(/^_start:$/m, `_start:\n        li      a1, ${iterations}`)
      .replace(/li\s+a7, 93\n\s+ecall/, [
        'addi sp, sp, -16', 'sd a0, 0(sp)', 'li a0, 1', 'mv a1, sp', 'li a2, 8', 'li a7, 64', 'ecall',
        'li a0, 0', 'li a7, 94', 'ecall',
      ].join('\n        '));
    writeFileSync(join(dir, `${name}.s`), src);
    execFileSync(PEER_TOOLS.as, ['-march=rv64im', '-o', join(dir, `${name}.o`), join(dir, `${name}.s`)]);
    execFileSync(PEER_TOOLS.ld, ['-static', '-o', join(dir, name), join(dir, `${name}.o`)]);
    const out = execFileSync(PEER_TOOLS.qemu, [join(dir, name)]);
    return `0x${out.readBigUInt64LE(0).toString(16)}`;
  }

  it('alu, muldiv and stream compute the same checksums as under qemu', () => {
    const doc = benchJson(['--scale', '0.01', '--only', 'alu', 'muldiv', 'stream']);
    expect(doc.results.map((r) => [r.program, r.result])).toEqual([
      ['alu', qemuResult('alu', 20_000)],
      ['muldiv', qemuResult('muldiv', 4_000)],
      ['stream', qemuResult('stream', 15)],
    ]);
  });

  it('--compare qemu times the C programs under qemu too: a ratio per program and their geometric mean', () => {
    const r = vmlab(['bench', '--no-warmup', '--scale', '0.001', '--only', 'c-alu', 'c-chase', '--compare', 'qemu']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectGolden(maskMeasured(r.stdout), 'bench-c-qemu.txt');
  });
});
