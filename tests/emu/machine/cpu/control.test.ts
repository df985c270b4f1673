// Branches and jumps: conditions, link values, jalr clearing bit 0, targets
// on other pages, and the #GP(0) a misaligned or non-canonical target raises
// on the jump itself (cpu.ts file comment).
import { describe, expect, it } from 'vitest';
import { CODE, DATA, SUP, ins, machine } from '../../../support/machine';
import { PF_I, PF_P, PF_U, Vector } from '../../../../emu/machine/trap';

const MIN = -(1n << 63n);

/** [branch a1, a2, +12; a0 = 1; ecall; a0 = 2; ecall]: a0 = 2 iff taken. */
function branch(op: string, a: bigint, b: bigint): bigint {
  const m = machine([ins(op, 'a1', 'a2', 12), ins('addi', 'a0', 'zero', 1), ins('ecall'), ins('addi', 'a0', 'zero', 2), ins('ecall')])
    .regs({ a1: a, a2: b }).run();
  const taken = m.cpu.reg(10) === 2n;
  m.expectEcall(taken ? 4 : 2);
  return taken ? 1n : 0n;
}

describe('branches', () => {
  const cases: [string, bigint, bigint, boolean][] = [
    ['beq', 5n, 5n, true], ['beq', 5n, 6n, false], ['beq', 1n, 1n + (1n << 32n), false],
    ['bne', 5n, 5n, false], ['bne', 0n, 1n << 32n, true],
    ['blt', -1n, 0n, true], ['blt', 0n, -1n, false], ['blt', MIN, -MIN - 1n, true], ['blt', 3n, 3n, false],
    ['bge', 3n, 3n, true], ['bge', -1n, 0n, false], ['bge', 0n, MIN, true],
    ['bltu', 0n, -1n, true], ['bltu', -1n, 0n, false], ['bltu', 0xffffffffn, 0x100000000n, true], ['bltu', 2n, 2n, false],
    ['bgeu', -1n, 0n, true], ['bgeu', 0n, -1n, false], ['bgeu', 7n, 7n, true],
  ];
  for (const [op, a, b, taken] of cases) {
    it(`${op} ${a}, ${b} is ${taken ? '' : 'not '}taken`, () => {
      expect(branch(op, a, b)).toBe(taken ? 1n : 0n);
    });
  }

  it('loops backward', () => {
    machine([ins('addi', 'a0', 'zero', 10), ins('addi', 'a1', 'a1', 7), ins('addi', 'a0', 'a0', -1), ins('bne', 'a0', 'zero', -8), ins('ecall')])
      .run().expectEcall(4).expectRegs({ a0: 0n, a1: 70n });
  });

  it('raises the misaligned-jump trap (Vector.AC) on a taken branch to a misaligned target, not on a fall-through', () => {
    const r = machine([ins('addi', 'a0', 'zero', 1), ins('beq', 'zero', 'zero', 6), ins('ecall')]).run()
      .expectTrap({ vector: Vector.AC, error: 0, pc: BigInt(CODE + 4) }).expectRegs({ a0: 1n });
    expect(r.m.cpu.trap.addrLo).toBe(CODE + 10);
    machine([ins('bne', 'zero', 'zero', 6), ins('ecall')]).run().expectEcall(1);
  });
});

describe('jal and jalr', () => {
  it('jal links pc + 4 and jumps pc-relative', () => {
    machine([ins('jal', 'ra', 8), ins('ecall'), ins('ecall')]).run().expectEcall(2).expectRegs({ ra: BigInt(CODE + 4) });
    machine([ins('ecall'), ins('jal', 'zero', -4)]).regs({ pc: BigInt(CODE + 4) }).run().expectEcall(0).expectRegs({ zero: 0n });
  });

  it('jalr jumps to (rs1 + imm) with bit 0 cleared and links pc + 4', () => {
    machine([ins('jalr', 'ra', -1, 'a1'), ins('ecall'), ins('ecall'), ins('ecall')])
      .regs({ a1: BigInt(CODE + 13) }).run().expectEcall(3).expectRegs({ ra: BigInt(CODE + 4) });
  });

  it('jalr reads rs1 before writing rd when they are the same register', () => {
    machine([ins('jalr', 'a1', 8, 'a1'), ins('ecall'), ins('ecall')])
      .regs({ a1: BigInt(CODE) }).run().expectEcall(2).expectRegs({ a1: BigInt(CODE + 4) });
  });

  it('raises Vector.AC on a jalr to a target that is not 4-aligned, leaving rd and pc, with the target in the trap address', () => {
    const r = machine([ins('jalr', 'ra', 0, 'a1'), ins('ecall')]).regs({ a1: BigInt(CODE + 10), ra: 77n }).run()
      .expectTrap({ vector: Vector.AC, error: 0, pc: BigInt(CODE) }).expectRegs({ ra: 77n });
    expect(r.m.cpu.trap.addrLo).toBe(CODE + 10);
  });

  it('raises Vector.AC on a jal to a 2-byte-aligned target in the same page and in another', () => {
    machine([ins('jal', 'ra', 6), ins('ecall'), ins('ecall')]).regs({ ra: 3n }).run()
      .expectTrap({ vector: Vector.AC, error: 0, pc: BigInt(CODE) }).expectRegs({ ra: 3n });
    machine([ins('jal', 'zero', 4098)]).run().expectTrap({ vector: Vector.AC, error: 0, pc: BigInt(CODE) });
  });

  it('raises #GP(0) on a jump to a non-canonical address, on the jump', () => {
    machine([ins('jalr', 'ra', 0, 'a1')]).regs({ a1: 0x0000_8000_0000_0000n, ra: 5n }).run()
      .expectTrap({ vector: Vector.GP, error: 0, pc: BigInt(CODE) }).expectRegs({ ra: 5n });
    machine([ins('jalr', 'ra', 0, 'a1')]).regs({ a1: 0x7fff_ffff_f000n + 0x1000n }).run()
      .expectTrap({ vector: Vector.GP, error: 0, pc: BigInt(CODE) });
  });

  it('retires a jump to an unmapped canonical target; the fetch there page-faults with pc = target', () => {
    const target = 0xffff_8000_0000_0000n;
    machine([ins('jalr', 'ra', 0, 'a1')]).regs({ a1: target }).run()
      .expectTrap({ vector: Vector.PF, error: PF_U | PF_I, cr2: target, pc: target })
      .expectRegs({ ra: BigInt(CODE + 4) });
  });

  it('faults fetching from a no-execute page and from a supervisor page at CPL 3', () => {
    machine([ins('jalr', 'zero', 0, 'a1')]).regs({ a1: BigInt(DATA) }).run()
      .expectTrap({ vector: Vector.PF, error: PF_P | PF_U | PF_I, cr2: BigInt(DATA), pc: BigInt(DATA) });
    machine([ins('jalr', 'zero', 0, 'a1')]).regs({ a1: BigInt(SUP) }).run()
      .expectTrap({ vector: Vector.PF, error: PF_P | PF_U | PF_I, cr2: BigInt(SUP), pc: BigInt(SUP) });
  });

  it('runs straight across a page boundary and jumps between pages', () => {
    const words = Array.from({ length: 1030 }, () => ins('addi', 'a0', 'a0', 1));
    machine([...words, ins('ecall')]).run().expectEcall(1030).expectRegs({ a0: 1030n });
    // jal from the last word of page 0 back to the first word; a branch from page 1 to page 0.
    const prog = Array.from({ length: 1026 }, () => ins('addi', 'zero', 'zero', 0));
    prog[0] = ins('addi', 'a0', 'a0', 1);
    prog[1] = ins('jal', 'zero', 1024 * 4); // to word 1025
    prog[2] = ins('ecall');
    prog[1025] = ins('beq', 'zero', 'zero', -1023 * 4); // back to word 2
    machine(prog).run().expectEcall(2).expectRegs({ a0: 1n });
  });
});
