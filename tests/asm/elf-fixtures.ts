// Hand-built LinkedImages for the ELF writer/reader and disassembler tests:
// instruction words are encoded from the ISA table's match values and the
// field inserters, independently of the assembler.
import { insnByMnemonic } from '../../emu/machine/isa/table';
import { setImmB, setImmI, setImmJ, setImmS, setImmU, setRd, setRs1, setRs2, setShamt } from '../../emu/machine/isa/fields';
import { registerNumber } from '../../emu/machine/isa/registers';
import type { LinkedImage, LineRow } from '../../asm/image';

export interface Fields {
  rd?: string;
  rs1?: string;
  rs2?: string;
  imm?: number;
}

/** Encodes one instruction from its table entry: enc('addi', { rd: 'a0', rs1: 'zero', imm: 1 }). */
export function enc(mnemonic: string, f: Fields = {}): number {
  const d = insnByMnemonic(mnemonic);
  if (!d) throw new Error(`no such instruction ${mnemonic}`);
  const reg = (n: string | undefined): number => (n === undefined ? 0 : registerNumber(n));
  let w = d.match | setRd(reg(f.rd)) | setRs1(reg(f.rs1)) | setRs2(reg(f.rs2));
  const imm = f.imm ?? 0;
  switch (d.format) {
    case 'I': w |= d.operands.some((o) => o === 'shamt6' || o === 'shamt5') ? setShamt(imm) : setImmI(imm); break;
    case 'S': w |= setImmS(imm); break;
    case 'B': w |= setImmB(imm); break;
    case 'U': w |= setImmU(imm << 12); break;
    case 'J': w |= setImmJ(imm); break;
    case 'R': break;
  }
  return w >>> 0;
}

export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const v = new DataView(out.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return out;
}

export const TEXT_BASE = 0x10000;
export const HELLO_STDOUT = 'hello, vmlab\n!';
export const HELLO_EXIT = 7;

/**
 * A program that writes "hello, vmlab\n" from .rodata, copies "!" from .data
 * into .bss, writes it from there, and exits with status 7 (Linux riscv64:
 * write = 64, exit_group = 94).
 */
export function helloImage(file = 'hello.s'): LinkedImage {
  const rodata = TEXT_BASE + 0x100;
  const data = TEXT_BASE + 0x1000;
  const bss = data + 0x10;
  const msg = new TextEncoder().encode('hello, vmlab\n');
  const hi = (addr: number, pc: number): number => (addr - pc + 0x800) >> 12;
  const lo = (addr: number, pc: number): number => ((addr - pc) << 20) >> 20;
  // [source line, word builder(pc)]
  const program: [number, (pc: number) => number][] = [
    [3, () => enc('addi', { rd: 'a0', rs1: 'zero', imm: 1 })],
    [4, (pc) => enc('auipc', { rd: 'a1', imm: hi(rodata, pc) })],
    [4, (pc) => enc('addi', { rd: 'a1', rs1: 'a1', imm: lo(rodata, pc - 4) })],
    [5, () => enc('addi', { rd: 'a2', rs1: 'zero', imm: msg.length })],
    [6, () => enc('addi', { rd: 'a7', rs1: 'zero', imm: 64 })],
    [7, () => enc('ecall')],
    [8, (pc) => enc('auipc', { rd: 't0', imm: hi(data, pc) })],
    [8, (pc) => enc('lbu', { rd: 't1', rs1: 't0', imm: lo(data, pc - 4) })],
    [9, (pc) => enc('auipc', { rd: 'a1', imm: hi(bss, pc) })],
    [9, (pc) => enc('addi', { rd: 'a1', rs1: 'a1', imm: lo(bss, pc - 4) })],
    [10, () => enc('sb', { rs2: 't1', rs1: 'a1', imm: 0 })],
    [11, () => enc('addi', { rd: 'a0', rs1: 'zero', imm: 1 })],
    [12, () => enc('addi', { rd: 'a2', rs1: 'zero', imm: 1 })],
    [13, () => enc('addi', { rd: 'a7', rs1: 'zero', imm: 64 })],
    [14, () => enc('ecall')],
    [15, () => enc('addi', { rd: 'a0', rs1: 'zero', imm: HELLO_EXIT })],
    [16, () => enc('addi', { rd: 'a7', rs1: 'zero', imm: 94 })],
    [17, () => enc('ecall')],
  ];
  const words = program.map(([, f], i) => f(TEXT_BASE + 4 * i));
  const lines: LineRow[] = program.map(([line], i) => ({ address: TEXT_BASE + 4 * i, file, line, col: 3 }));
  const text = wordsToBytes(words);
  return {
    entry: TEXT_BASE,
    sections: [
      { name: '.text', kind: 'progbits', perms: 'rx', addr: TEXT_BASE, size: text.length, align: 4, bytes: text },
      { name: '.rodata', kind: 'progbits', perms: 'rx', addr: rodata, size: msg.length, align: 1, bytes: msg },
      { name: '.data', kind: 'progbits', perms: 'rw', addr: data, size: 1, align: 1, bytes: new Uint8Array([0x21]) },
      { name: '.bss', kind: 'nobits', perms: 'rw', addr: bss, size: 0x40, align: 8, bytes: new Uint8Array(0) },
    ],
    symbols: [
      { name: 'msg', value: rodata, size: msg.length, section: '.rodata', binding: 'local', type: 'object' },
      { name: 'bang', value: data, size: 1, section: '.data', binding: 'local', type: 'object' },
      { name: 'buf', value: bss, size: 0x40, section: '.bss', binding: 'local', type: 'object' },
      { name: 'MSG_LEN', value: msg.length, size: 0, section: null, binding: 'local', type: 'notype' },
      { name: '_start', value: TEXT_BASE, size: text.length, section: '.text', binding: 'global', type: 'func' },
      { name: 'done', value: TEXT_BASE + 4 * 15, size: 0, section: '.text', binding: 'global', type: 'notype' },
    ],
    lines,
  };
}
