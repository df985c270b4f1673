// Stops and counters: #UD for illegal words, #BP for ebreak, the ecall stop,
// the budget, step(), and rdcycle/rdtime/rdinstret.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE, MNEMONICS, ins, machine } from '../../../support/machine';
import { INSNS_PER_TIME_TICK, Stop } from '../../../../emu/machine/cpu/cpu';
import { OP } from '../../../../emu/machine/isa/table';
import { Vector } from '../../../../emu/machine/trap';

describe('illegal instructions and ebreak', () => {
  const illegal: [string, number][] = [
    ['the all-zero word', 0], ['all ones', -1], ['a compressed c.li', 0x4501], ['mret', 0x30200073],
    ['csrr mscratch', 0x34002573], ['fld', 0x00003007], ['srai with bit 31 set', 0x80005013 | 0x40000000 | (10 << 7)],
    ['slliw with shamt bit 5', 0x0200101b], ['an R-type with an unknown funct7', 0x04000033],
  ];
  for (const [name, word] of illegal) {
    it(`raises #UD on ${name} with pc at it and nothing retired`, () => {
      const m = machine([ins('addi', 'a0', 'zero', 1), word, ins('ecall')]).run()
        .expectTrap({ vector: Vector.UD, pc: BigInt(CODE + 4) }).expectRegs({ a0: 1n });
      expect(m.cpu.instret).toBe(1);
    });
  }

  it('raises #BP on ebreak with pc AT the ebreak; the kernel steps over it', () => {
    const m = machine([ins('ebreak'), ins('addi', 'a0', 'zero', 7), ins('ecall')]).run()
      .expectTrap({ vector: Vector.BP, pc: BigInt(CODE) });
    expect(m.cpu.instret).toBe(0);
    m.regs({ pc: BigInt(CODE + 4) }).run().expectEcall(2).expectRegs({ a0: 7n });
  });
});

describe('ecall', () => {
  it('stops with pc at the ecall, not retired; the kernel advances pc by 4 to resume', () => {
    const m = machine([ins('addi', 'a7', 'zero', 93), ins('ecall'), ins('addi', 'a0', 'zero', 5), ins('ecall')]).run();
    m.expectEcall(1).expectRegs({ a7: 93n });
    expect(m.cpu.instret).toBe(1);
    m.regs({ pc: BigInt(CODE + 8) }).run().expectEcall(3).expectRegs({ a0: 5n });
    expect(m.cpu.instret).toBe(2);
  });

  it('advancePc(4) steps over it, carrying into the high half of pc', () => {
    const m = machine([ins('ecall'), ins('addi', 'a0', 'zero', 9), ins('ecall')]).run().expectEcall(0);
    m.cpu.advancePc(4);
    m.run().expectEcall(2).expectRegs({ a0: 9n });
    m.cpu.pc = 0x1_ffff_fffcn;
    m.cpu.advancePc(4);
    expect(m.cpu.pc).toBe(0x2_0000_0000n);
    m.cpu.pc = 0xffff_ffff_ffff_fffcn;
    m.cpu.advancePc(8);
    expect(m.cpu.pc).toBe(4n);
  });
});

describe('budget and step', () => {
  const loop = [ins('addi', 'a0', 'a0', 1), ins('jal', 'zero', -4)];

  it('run(budget) retires exactly budget instructions and stops with pc at the next one', () => {
    const m = machine(loop).run(5).expectStop(Stop.Budget).expectRegs({ a0: 3n, pc: BigInt(CODE + 4) });
    expect(m.cpu.instret).toBe(5);
    m.run(1).expectRegs({ pc: BigInt(CODE) });
    m.run(0).expectStop(Stop.Budget).expectRegs({ pc: BigInt(CODE) });
    expect(m.cpu.instret).toBe(6);
  });

  it('step() executes one instruction through the same switch', () => {
    const m = machine([ins('addi', 'a0', 'a0', 1), ins('addi', 'a0', 'a0', 2), ins('ecall')]);
    m.step().expectStop(Stop.Budget).expectRegs({ a0: 1n, pc: BigInt(CODE + 4) });
    m.step().expectRegs({ a0: 3n, pc: BigInt(CODE + 8) });
    m.step().expectEcall(2);
    expect(m.cpu.instret).toBe(2);
  });

  it('raises Vector.AC when started at a pc that is not 4-aligned, leaving pc', () => {
    const m = machine([ins('ecall')]).regs({ pc: BigInt(CODE + 2) });
    m.run().expectTrap({ vector: Vector.AC, error: 0, pc: BigInt(CODE + 2) });
    m.run(0).expectStop(Stop.Budget);
  });

  it('stops at a budget spent on a jump to another page with pc = the target', () => {
    const m = machine([ins('jalr', 'zero', 0, 'a1')]).regs({ a1: 0xffff_8000_0000_0000n });
    m.step().expectStop(Stop.Budget).expectRegs({ pc: 0xffff_8000_0000_0000n });
  });
});

describe('counters', () => {
  it('rdinstret and rdcycle count the instructions retired before them', () => {
    machine([ins('addi', 'zero', 'zero', 0), ins('addi', 'zero', 'zero', 0), ins('rdinstret', 'a0'), ins('rdcycle', 'a1'), ins('ecall')])
      .run().expectEcall(4).expectRegs({ a0: 2n, a1: 3n });
  });

  it('carry on from earlier runs and reach past 32 bits', () => {
    const m = machine([ins('rdinstret', 'a0'), ins('rdtime', 'a1'), ins('ecall')]);
    m.cpu.instret = 0x1_2345_6789;
    m.run().expectRegs({ a0: 0x1_2345_6789n, a1: (0x1_2345_6789n + 1n) / BigInt(INSNS_PER_TIME_TICK) });
  });

  it(`rdtime ticks once per ${INSNS_PER_TIME_TICK} retired instructions`, () => {
    const nops = Array.from({ length: 250 }, () => ins('addi', 'zero', 'zero', 0));
    machine([ins('rdtime', 'a0'), ...nops, ins('rdtime', 'a1'), ins('ecall')]).run()
      .expectRegs({ a0: 0n, a1: 2n });
  });
});

describe('the execute switch', () => {
  it('labels each case with the table id of the mnemonic it names, once per mnemonic', () => {
    const src = readFileSync('emu/machine/cpu/cpu.ts', 'utf8');
    const labels = [...src.matchAll(/case (\d+): (?:\{ )?\/\/ (\w+)/g)].map((m) => [Number(m[1]), m[2]!] as const);
    for (const [id, mnemonic] of labels) expect(OP[mnemonic], `case ${id} is labelled ${mnemonic}`).toBe(id);
    expect(labels.map(([, m]) => m).sort()).toEqual([...MNEMONICS].sort());
  });
});
