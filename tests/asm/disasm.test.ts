// disassembleWord: exact objdump (binutils 2.40) text for each instruction
// kind and every pseudo-instruction form. The expected strings were read off
// `riscv64-linux-gnu-objdump -d`; the peer tier re-checks them wholesale.
import { describe, expect, it } from 'vitest';
import { DisasmState, disassembleWord, hex64 } from '../../asm/disasm';
import { enc } from './elf-fixtures';

const PC = 0x10000;
const text = (w: number, pc = PC, sym?: (a: number) => string | undefined): string => disassembleWord(w, pc, sym).text;

describe('disassembleWord', () => {
  it.each([
    // addi and its aliases
    [0x00000013, 'nop'],
    [0x00500593, 'li\ta1,5'],
    [0x00000513, 'li\ta0,0'],
    [0x00500013, 'li\tzero,5'],
    [0x00050593, 'mv\ta1,a0'],
    [0x00550593, 'add\ta1,a0,5'],
    [0xfff50593, 'add\ta1,a0,-1'],
    // immediate ALU forms objdump 2.40 prints with the register mnemonic
    [0x00552593, 'slti\ta1,a0,5'],
    [0x00153593, 'seqz\ta1,a0'],
    [0x00053593, 'sltiu\ta1,a0,0'],
    [0xfff54593, 'not\ta1,a0'],
    [0x00554593, 'xor\ta1,a0,5'],
    [0x00556593, 'or\ta1,a0,5'],
    [0x00557593, 'and\ta1,a0,5'],
    [0x0ff57593, 'zext.b\ta1,a0'], // andi a1,a0,255
    [0x0fe57593, 'and\ta1,a0,254'],
    [0x00351593, 'sll\ta1,a0,0x3'],
    [0x02051593, 'sll\ta1,a0,0x20'],
    [0x00355593, 'srl\ta1,a0,0x3'],
    [0x40355593, 'sra\ta1,a0,0x3'],
    [0x0005059b, 'sext.w\ta1,a0'],
    [0x0055059b, 'addw\ta1,a0,5'],
    [0x0035159b, 'sllw\ta1,a0,0x3'],
    [0x0035559b, 'srlw\ta1,a0,0x3'],
    [0x4035559b, 'sraw\ta1,a0,0x3'],
    // register ALU forms
    [0x00c505b3, 'add\ta1,a0,a2'],
    [0x40c005b3, 'neg\ta1,a2'],
    [0x40c005bb, 'negw\ta1,a2'],
    [0x400505b3, 'sub\ta1,a0,zero'],
    [0x00c025b3, 'sgtz\ta1,a2'],
    [0x000525b3, 'sltz\ta1,a0'],
    [0x000025b3, 'sltz\ta1,zero'],
    [0x00c035b3, 'snez\ta1,a2'],
    [0x000535b3, 'sltu\ta1,a0,zero'],
    [0x02c545b3, 'div\ta1,a0,a2'],
    [0x02c575bb, 'remuw\ta1,a0,a2'],
    // upper immediates
    [0x800005b7, 'lui\ta1,0x80000'],
    [0x00001537, 'lui\ta0,0x1'],
    [0x00000017, 'auipc\tzero,0x0'],
    // loads and stores
    [0xff850583, 'lb\ta1,-8(a0)'],
    [0x0101b583, 'ld\ta1,16(gp)'],
    [0xff856583, 'lwu\ta1,-8(a0)'],
    [enc('sd', { rs2: 'ra', rs1: 'sp', imm: 8 }), 'sd\tra,8(sp)'],
    [enc('sw', { rs2: 'a0', rs1: 's0', imm: -20 }), 'sw\ta0,-20(s0)'],
    // system, counters, fences
    [0x00000073, 'ecall'],
    [0x00100073, 'ebreak'],
    [0xc00025f3, 'rdcycle\ta1'],
    [0xc01025f3, 'rdtime\ta1'],
    [0xc02025f3, 'rdinstret\ta1'],
    [0x0ff0000f, 'fence'],
    [0x0330000f, 'fence\trw,rw'],
    [0x00f0000f, 'fence\tunknown,iorw'],
    [0x8330000f, 'fence.tso'],
    // jalr and its aliases
    [0x00008067, 'ret'],
    [0x00050067, 'jr\ta0'],
    [0x00450067, 'jr\t4(a0)'],
    [0x00408067, 'jr\t4(ra)'],
    [0x000500e7, 'jalr\ta0'],
    [0x004080e7, 'jalr\t4(ra)'],
    [0x000505e7, 'jalr\ta1,a0'],
    [0xffc505e7, 'jalr\ta1,-4(a0)'],
  ])('%s -> %j', (word, expected) => {
    expect(text(word)).toBe(expected);
  });

  it('prints branch and jump targets as 0xADDR without symbols, ADDR <sym+0xOFF> with them', () => {
    expect(text(0x00b50463, 0x0c)).toBe('beq\ta0,a1,0x14');
    expect(text(0x00050863, 0x14)).toBe('beqz\ta0,0x24');
    expect(text(0xfe000ee3, 0x18)).toBe('beqz\tzero,0x14');
    expect(text(0x00051863, 0x24)).toBe('bnez\ta0,0x34');
    expect(text(0xfeb04ce3, 0x30)).toBe('bgtz\ta1,0x28');
    expect(text(0xfe004ee3, 0x38)).toBe('bltz\tzero,0x34');
    expect(text(0xfeb05ce3, 0x40)).toBe('blez\ta1,0x38');
    expect(text(0x00055863, 0x44)).toBe('bgez\ta0,0x54');
    expect(text(0xfe005ee3, 0x48)).toBe('blez\tzero,0x44');
    expect(text(0xfeb06ce3, 0x50)).toBe('bltu\tzero,a1,0x48');
    expect(text(0x0000006f, 0x2c)).toBe('j\t0x2c');
    expect(text(0x000000ef, 0x8c)).toBe('jal\t0x8c');
    expect(text(0x000005ef, 0x90)).toBe('jal\ta1,0x90');
    expect(text(0x8000006f, 0x94)).toBe('j\t0xfffffffffff00094');
    expect(text(0x7ffff06f, 0x98)).toBe('j\t0x100096');

    const sym = (a: number): string => (a > 0x10070 ? `loop+0x${(a - 0x10070).toString(16)}` : 'loop');
    const d = disassembleWord(enc('bne', { rs1: 'a0', rs2: 'a1', imm: 8 }), 0x10070, sym);
    expect(d).toEqual({ mnemonic: 'bne', operands: 'a0,a1,10078 <loop+0x8>', text: 'bne\ta0,a1,10078 <loop+0x8>', target: 0x10078 });
    expect(disassembleWord(enc('jal', { rd: 'ra', imm: -0x70 }), 0x100e0, sym).text).toBe('jal\t10070 <loop>');
    expect(disassembleWord(enc('jal', { rd: 'zero', imm: 8 }), 0x100, () => undefined).text).toBe('j\t0x108');
  });

  it('adds objdump comments for addresses formed from x0, tp, gp and a preceding lui/auipc', () => {
    expect(text(0x01000583)).toBe('lb\ta1,16(zero) # 0x10');
    expect(text(0x01020583)).toBe('lb\ta1,16(tp) # 0x10');
    expect(text(0x00000067)).toBe('jr\tzero # 0x0');
    expect(text(0x00800067)).toBe('jr\t8(zero) # 0x8');
    expect(text(0x008000e7)).toBe('jalr\t8(zero) # 0x8');
    expect(text(enc('lw', { rd: 'a0', rs1: 'zero', imm: -8 }))).toBe('lw\ta0,-8(zero) # 0xfffffffffffffff8');

    const st = new DisasmState(0x11800);
    const at = (w: number, pc: number): string => disassembleWord(w, pc, undefined, st).text;
    expect(at(enc('lw', { rd: 'a0', rs1: 'gp', imm: -16 }), 0x10000)).toBe('lw\ta0,-16(gp) # 0x117f0');
    expect(at(enc('auipc', { rd: 'a1', imm: 1 }), 0x10004)).toBe('auipc\ta1,0x1');
    expect(at(enc('add', { rd: 'a2', rs1: 'a2', rs2: 'a2' }), 0x10008)).toBe('add\ta2,a2,a2');
    expect(at(enc('addi', { rd: 'a1', rs1: 'a1', imm: 0x20 }), 0x1000c)).toBe('add\ta1,a1,32 # 0x11024');
    // consumed: the next use of a1 gets no comment
    expect(at(enc('sd', { rs2: 'a0', rs1: 'a1', imm: 0 }), 0x10010)).toBe('sd\ta0,0(a1)');
    expect(at(enc('lui', { rd: 't0', imm: 0x80000 }), 0x10014)).toBe('lui\tt0,0x80000');
    // addiw sign-extends the 32-bit sum
    expect(at(enc('addiw', { rd: 't0', rs1: 't0', imm: 4 }), 0x10018)).toBe('addw\tt0,t0,4 # 0xffffffff80000004');
    expect(at(enc('auipc', { rd: 'ra', imm: 0 }), 0x1001c)).toBe('auipc\tra,0x0');
    expect(at(enc('jalr', { rd: 'ra', rs1: 'ra', imm: 0x24 }), 0x10020)).toBe('jalr\t36(ra) # 0x10040');
  });

  it('prints words outside the table as objdump prints an unknown 32-bit word', () => {
    expect(disassembleWord(0x0205159b, PC)).toEqual({ mnemonic: '.4byte', operands: '0x205159b', text: '.4byte\t0x205159b' });
    expect(text(0x00053007)).toBe('.4byte\t0x53007'); // F extension load
    expect(text(0x100525af)).toBe('.4byte\t0x100525af'); // A extension
    expect(text(0x00001073)).toBe('.4byte\t0x1073'); // csrrw: other CSRs are illegal in vmlab
    expect(text(0x12345678)).toBe('.4byte\t0x12345678'); // a compressed parcel
    expect(text(0xffffffff)).toBe('.4byte\t0xffffffff');
    expect(text(0x0ff0008f)).toBe('.4byte\t0xff0008f'); // fence with rd != 0: executes, but objdump knows no text for it
  });

  it('formats 64-bit addresses as objdump prints a bfd_vma', () => {
    expect(hex64(0)).toBe('0');
    expect(hex64(0x10078)).toBe('10078');
    expect(hex64(-8)).toBe('fffffffffffffff8');
    expect(hex64(-0x100000 + 0x94)).toBe('fffffffffff00094');
  });
});
