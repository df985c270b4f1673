// The random RV64IM programs the peer tier runs under vmlab (the interpreter,
// tests/emu/machine/machine-peer.test.ts; tier 1, tests/emu/machine/jit/
// peer.test.ts) and under qemu-riscv64: fast-check generators of straight-
// line ALU/M instructions and of loads and stores into a buffer, the program
// around them (set the registers, run the body, write x1..x31 and the buffer
// to stdout, exit 0), and qemu's output for a program (GNU as and ld).
// sp (x2) is left out: it holds each side's own stack address.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PEER_TOOLS } from './peers';

const RR = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw',
  'sraw', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const RI = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SH6 = ['slli', 'srli', 'srai'];
const SH5 = ['slliw', 'srliw', 'sraiw'];
/** Every register but sp; x0 as a destination checks that it stays zero. */
const REGS = [0, 1, ...Array.from({ length: 29 }, (_, i) => i + 3)];
const reg = fc.constantFrom(...REGS).map((r) => `x${r}`);

/** One random ALU or M instruction on any registers but sp. */
export const aluInsn = fc.oneof(
  fc.tuple(fc.constantFrom(...RR), reg, reg, reg).map(([op, d, a, b]) => `${op} ${d}, ${a}, ${b}`),
  fc.tuple(fc.constantFrom(...RI), reg, reg, fc.integer({ min: -2048, max: 2047 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(fc.constantFrom(...SH6), reg, reg, fc.integer({ min: 0, max: 63 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(fc.constantFrom(...SH5), reg, reg, fc.integer({ min: 0, max: 31 })).map(([op, d, a, i]) => `${op} ${d}, ${a}, ${i}`),
  fc.tuple(reg, fc.integer({ min: 0, max: 0xfffff })).map(([d, i]) => `lui ${d}, ${i}`),
);

/** A register's initial value: any 64-bit value, the edges, small ones. */
export const regValue = fc.oneof(
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.constantFrom(0n, 1n, -1n, -(1n << 63n), (1n << 63n) - 1n, 0x7fffffffn, -0x80000000n, 0xffffffffn),
  fc.bigInt({ min: -100n, max: 100n }),
);

/** The initial values of x1 and x3..x31. */
export const regValues = fc.array(regValue, { minLength: 30, maxLength: 30 });

// Loads and stores of every size at any offset (aligned or not) into a buffer
// addressed by s11, which the random instructions otherwise leave alone.
const BUF = 264;
const NO_S11 = REGS.filter((r) => r !== 27);
const reg2 = fc.constantFrom(...NO_S11).map((r) => `x${r}`);

/** One random load or store into the buffer at s11, or an ALU instruction that leaves s11 alone. */
export const memInsn = fc.oneof(
  fc.tuple(fc.constantFrom('lb', 'lbu', 'lh', 'lhu', 'lw', 'lwu', 'ld'), reg2, fc.integer({ min: 0, max: 256 }))
    .map(([op, d, off]) => `${op} ${d}, ${off}(s11)`),
  fc.tuple(fc.constantFrom('sb', 'sh', 'sw', 'sd'), reg2, fc.integer({ min: 0, max: 256 }))
    .map(([op, r, off]) => `${op} ${r}, ${off}(s11)`),
  fc.tuple(fc.constantFrom('add', 'sub', 'xor', 'mul', 'srl', 'sraw'), reg2, reg2, reg2).map(([op, d, a, b]) => `${op} ${d}, ${a}, ${b}`),
);

/** The program: set x1, x3..x31 to `init`, run `body`, write x1..x31 (and the buffer) to stdout, exit 0. */
export function peerProgram(init: bigint[], body: string[], withBuffer = false): string {
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

/**
 * A runner of programs under qemu-riscv64 (assembled by GNU as, linked by ld)
 * in a temporary directory of its own: `run(src)` is the program's stdout;
 * `close()` removes the directory (call it from afterAll).
 */
export function qemuPeer(prefix: string): { run(src: string): Buffer; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    run(src: string): Buffer {
      writeFileSync(join(dir, 'p.s'), src);
      execFileSync(PEER_TOOLS.as, ['-march=rv64im', '-o', join(dir, 'p.o'), join(dir, 'p.s')]);
      execFileSync(PEER_TOOLS.ld, ['-static', '-o', join(dir, 'p'), join(dir, 'p.o')]);
      return execFileSync(PEER_TOOLS.qemu, [join(dir, 'p')]);
    },
    close(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
