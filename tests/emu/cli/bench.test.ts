// `vmlab bench`: the command's output, and its programs' results checked
// against the same programs assembled by GNU as and run by qemu-riscv64.
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
    const doc = benchJson(['--scale', '0.01']);
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

  it('rejects a bad scale with a one-line message', () => {
    expect(vmlab(['bench', '--scale', '0'])).toEqual({ status: 2, stdout: '', stderr: "vmlab: --scale: '0' is not a positive number (e.g. 0.1 or 2)\n" });
  });
});

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
});
