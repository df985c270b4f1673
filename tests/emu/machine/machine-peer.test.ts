// Differential test against qemu-riscv64: random straight-line RV64IM
// programs (fast-check) run under vmlab and under qemu (assembled there by
// GNU as and ld). Each program loads random values into the registers, runs
// random ALU/M instructions (and, in the second property, loads and stores
// into a .data buffer), then writes x1..x31 (and the buffer) to stdout with
// write(64) and leaves with exit_group(94); the outputs must be byte-identical.
// sp (x2) is left out: it holds each side's own stack address.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { PEER_TOOLS, describePeer } from '../../support/peers';
import { machine } from '../../support/machine';

const RR = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw',
  'sraw', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const RI = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SH6 = ['slli', 'srli', 'srai'];
const SH5 = ['slliw', 'srliw', 'sraiw'];
const REGS = [0, 1, ...Array.from({ length: 29 }, (_, i) => i + 3)]; // every register but sp
const DEST = REGS; // x0 as a destination checks that it stays zero

const reg = fc.constantFrom(...REGS).map((r) => `x${r}`);
const dest = fc.constantFrom(...DEST).map((r) => `x${r}`);
const insn = fc.oneof(
  fc.tuple(fc.constantFrom(...RR), dest, reg, reg).map(([op, d, a, b]) => `${op} ${d}, ${a}, ${b}`),
  fc.tuple(fc.constantFrom(...RI), dest, reg, fc.integer({ min: -2048, max: 2047 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(fc.constantFrom(...SH6), dest, reg, fc.integer({ min: 0, max: 63 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(fc.constantFrom(...SH5), dest, reg, fc.integer({ min: 0, max: 31 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(dest, fc.integer({ min: 0, max: 0xfffff })).map(([d, i]) => `lui ${d}, ${i}`),
);
const value = fc.oneof(
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.constantFrom(0n, 1n, -1n, -(1n << 63n), (1n << 63n) - 1n, 0x7fffffffn, -0x80000000n, 0xffffffffn),
  fc.bigInt({ min: -100n, max: 100n }),
);

function program(init: bigint[], body: string[], withBuffer = false): string {
  const lines = ['.text', '.globl _start', '_start:'];
  REGS.slice(1).forEach((r, i) => lines.push(`li x${r}, ${init[i]}`));
  if (withBuffer) lines.push('la s11, buf');
  lines.push(...body);
  if (withBuffer) lines.push('li s11, 0'); // its address differs between the two linkers
  lines.push('addi sp, sp, -256');
  REGS.slice(1).forEach((r) => lines.push(`sd x${r}, ${8 * r}(sp)`));
  lines.push('sd zero, 0(sp)', 'sd zero, 16(sp)');
  lines.push('li a0, 1', 'mv a1, sp', 'li a2, 256', 'li a7, 64', 'ecall');
  if (withBuffer) lines.push('li a0, 1', 'la a1, buf', `li a2, ${BUF}`, 'li a7, 64', 'ecall');
  lines.push('li a0, 0', 'li a7, 94', 'ecall');
  if (withBuffer) lines.push('.data', 'buf:', ...Array.from({ length: BUF / 8 }, (_, i) => `.dword ${0x0123456789abcdefn * BigInt(i + 1) & 0x7fffffffffffffffn}`));
  return lines.map((l) => `        ${l}`).join('\n') + '\n';
}

// Loads and stores of every size at any offset (aligned or not) into a buffer
// addressed by s11, which the random instructions otherwise leave alone.
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

describePeer('cpu vs qemu-riscv64', ['as', 'ld', 'qemu'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-cpu-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function qemu(src: string): Buffer {
    writeFileSync(join(dir, 'p.s'), src);
    execFileSync(PEER_TOOLS.as, ['-march=rv64im', '-o', join(dir, 'p.o'), join(dir, 'p.s')]);
    execFileSync(PEER_TOOLS.ld, ['-static', '-o', join(dir, 'p'), join(dir, 'p.o')]);
    return execFileSync(PEER_TOOLS.qemu, [join(dir, 'p')]);
  }

  it('runs random straight-line ALU and M programs to the same registers', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 30, maxLength: 30 }), fc.array(insn, { minLength: 1, maxLength: 80 }), (init, body) => {
        const src = program(init, body);
        const want = [...qemu(src)];
        const m = machine(src).runLinux();
        expect(m.exitCode, src).toBe(0);
        expect(m.stdout, src).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('runs random loads and stores of every size and alignment to the same registers and memory', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 30, maxLength: 30 }), fc.array(memInsn, { minLength: 1, maxLength: 80 }), (init, body) => {
        const src = program(init, body, true);
        const want = [...qemu(src)];
        const m = machine(src).runLinux();
        expect(m.exitCode, src).toBe(0);
        expect(m.stdout, src).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });
});
