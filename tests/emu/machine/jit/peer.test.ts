// The peer tier's random programs (tests/emu/machine/machine-peer.test.ts:
// random straight-line ALU/M code, then loads and stores of every size and
// alignment) under tier 1, against qemu-riscv64. A hot threshold of 1
// compiles each program's code at its first entry, so the random body runs
// as one compiled region (its loads and stores through the memory port).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { Tier1 } from '../../../../emu/machine/jit/tier1';
import { PEER_TOOLS, describePeer } from '../../../support/peers';
import { machine } from '../../../support/machine';
import type { MachineRun } from '../../../support/machine';

const RR = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw',
  'sraw', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const RI = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SH6 = ['slli', 'srli', 'srai'];
const SH5 = ['slliw', 'srliw', 'sraiw'];
const REGS = [0, 1, ...Array.from({ length: 29 }, (_, i) => i + 3)]; // every register but sp
const reg = fc.constantFrom(...REGS).map((r) => `x${r}`);
const insn = fc.oneof(
  fc.tuple(fc.constantFrom(...RR), reg, reg, reg).map(([op, d, a, b]) => `${op} ${d}, ${a}, ${b}`),
  fc.tuple(fc.constantFrom(...RI), reg, reg, fc.integer({ min: -2048, max: 2047 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(fc.constantFrom(...SH6), reg, reg, fc.integer({ min: 0, max: 63 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(fc.constantFrom(...SH5), reg, reg, fc.integer({ min: 0, max: 31 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(reg, fc.integer({ min: 0, max: 0xfffff })).map(([d, i]) => `lui ${d}, ${i}`),
);
const value = fc.oneof(
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.constantFrom(0n, 1n, -1n, -(1n << 63n), (1n << 63n) - 1n, 0x7fffffffn, -0x80000000n, 0xffffffffn),
  fc.bigInt({ min: -100n, max: 100n }),
);
const BUF = 264;
const NO_S11 = REGS.filter((r) => r !== 27);
const reg2 = fc.constantFrom(...NO_S11).map((r) => `x${r}`);
const memInsn = fc.oneof(
  fc.tuple(fc.constantFrom('lb', 'lbu', 'lh', 'lhu', 'lw', 'lwu', 'ld'), reg2, fc.integer({ min: 0, max: 256 }))
    .map(([op, d, off]) => `${op} ${d}, ${off}(s11)`),
  fc.tuple(fc.constantFrom('sb', 'sh', 'sw', 'sd'), reg2, fc.integer({ min: 0, max: 256 }))
    .map(([op, r, off]) => `${op} ${r}, ${off}(s11)`),
  fc.tuple(fc.constantFrom('add', 'sub', 'xor', 'mul', 'srl', 'sraw'), reg2, reg2, reg2).map(([op, d, a, b]) => `${op} ${d}, ${a}, ${b}`),
);

/** As machine-peer.test.ts's program(): set registers, run the body, write x1..x31 (and the buffer), exit 0. */
function program(init: bigint[], body: string[], withBuffer = false): string {
  const lines = ['.text', '.globl _start', '_start:'];
  REGS.slice(1).forEach((r, i) => lines.push(`li x${r}, ${init[i]}`));
  if (withBuffer) lines.push('la s11, buf');
  lines.push(...body);
  if (withBuffer) lines.push('li s11, 0');
  lines.push('addi sp, sp, -256');
  REGS.slice(1).forEach((r) => lines.push(`sd x${r}, ${8 * r}(sp)`));
  lines.push('sd zero, 0(sp)', 'sd zero, 16(sp)');
  lines.push('li a0, 1', 'mv a1, sp', 'li a2, 256', 'li a7, 64', 'ecall');
  if (withBuffer) lines.push('li a0, 1', 'la a1, buf', `li a2, ${BUF}`, 'li a7, 64', 'ecall');
  lines.push('li a0, 0', 'li a7, 94', 'ecall');
  if (withBuffer) lines.push('.data', 'buf:', ...Array.from({ length: BUF / 8 }, (_, i) => `.dword ${0x0123456789abcdefn * BigInt(i + 1) & 0x7fffffffffffffffn}`));
  return lines.map((l) => `        ${l}`).join('\n') + '\n';
}

/** The test machine with its runs going through tier 1. */
function tier1Machine(src: string): { m: MachineRun; jit: Tier1 } {
  const m = machine(src);
  const jit = new Tier1(m.m, { hotThreshold: 1 });
  m.m.run = (budget: number) => jit.run(budget);
  return { m, jit };
}

describePeer('tier 1 vs qemu-riscv64', ['as', 'ld', 'qemu'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-jit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function qemu(src: string): Buffer {
    writeFileSync(join(dir, 'p.s'), src);
    execFileSync(PEER_TOOLS.as, ['-march=rv64im', '-o', join(dir, 'p.o'), join(dir, 'p.s')]);
    execFileSync(PEER_TOOLS.ld, ['-static', '-o', join(dir, 'p'), join(dir, 'p.o')]);
    return execFileSync(PEER_TOOLS.qemu, [join(dir, 'p')]);
  }

  for (const [what, gen, withBuffer, runs] of [
    ['random straight-line ALU and M programs', insn, false, 40],
    ['random loads and stores of every size and alignment', memInsn, true, 30],
  ] as const) {
    it(`runs ${what} compiled, to the same registers and memory`, () => {
      fc.assert(
        fc.property(fc.array(value, { minLength: 30, maxLength: 30 }), fc.array(gen, { minLength: 1, maxLength: 80 }), (init, body) => {
          const src = program(init, body, withBuffer);
          const want = [...qemu(src)];
          const { m, jit } = tier1Machine(src);
          m.runLinux();
          expect(m.exitCode, src).toBe(0);
          expect(m.stdout, src).toEqual(want);
          expect(jit.stats.regionRetired).toBeGreaterThan(body.length);
        }),
        { numRuns: runs },
      );
    });
  }
});
