import { describe, expect, it } from 'vitest';
import { INSNS, decodeInsn } from '../../../../emu/machine/isa/table';

describe('the ISA table', () => {
  it('has no two entries that a single word can match (spike: mask & mask & (match ^ match) != 0)', () => {
    for (const a of INSNS)
      for (const b of INSNS) {
        if (a === b) continue;
        const overlap = ((a.mask & b.mask & (a.match ^ b.match)) >>> 0) === 0;
        expect(overlap, `${a.mnemonic} overlaps ${b.mnemonic}`).toBe(false);
      }
  });

  it('has match bits only inside each mask', () => {
    for (const d of INSNS) expect(((d.match & ~d.mask) >>> 0), d.mnemonic).toBe(0);
  });

  it('decodes every entry from its own match word', () => {
    for (const d of INSNS) expect(decodeInsn(d.match)?.mnemonic).toBe(d.mnemonic);
  });

  it('lists exactly the RV64IM subset plus the three counters', () => {
    const listed = `lui auipc jal jalr beq bne blt bge bltu bgeu lb lh lw ld lbu lhu lwu sb sh sw sd
      addi slti sltiu xori ori andi slli srli srai add sub sll slt sltu xor srl sra or and addiw slliw
      srliw sraiw addw subw sllw srlw sraw fence ecall ebreak mul mulh mulhsu mulhu div divu rem remu
      mulw divw divuw remw remuw rdcycle rdtime rdinstret`.split(/\s+/);
    expect(INSNS.map((d) => d.mnemonic).sort()).toEqual(listed.sort());
  });

  it('treats compressed and unlisted encodings as illegal', () => {
    expect(decodeInsn(0x00000000)).toBeUndefined(); // the defined illegal instruction
    expect(decodeInsn(0xffffffff)).toBeUndefined();
    expect(decodeInsn(0x4501)).toBeUndefined(); // c.li a0,0
    expect(decodeInsn(0x30200073)).toBeUndefined(); // mret
    expect(decodeInsn(0x34002573)).toBeUndefined(); // csrr a0,mscratch
    expect(decodeInsn(0xc0302573)).toBeUndefined(); // csrr a0,hpmcounter3
    expect(decodeInsn(0x00002007 | (3 << 12))).toBeUndefined(); // fld
  });
});
