// The guest ISA, written down once: RV64I + M + the Zicntr counter reads.
// The decoder, the assembler and the disassembler all read this table
// (spike's encoding.h plays the same role). Encodings are the standard ones
// from the RISC-V Unprivileged ISA (chapters 2, 5, 7 and 13, "RV32/64G
// Instruction Set Listings"). Any word that matches no entry is illegal.

/** Instruction formats (RISC-V Unprivileged ISA, 2.2). */
export type Format = 'R' | 'I' | 'S' | 'B' | 'U' | 'J';

/**
 * Operand kinds, in assembly order.
 * - rd, rs1, rs2: integer registers.
 * - imm12: I-type signed 12-bit immediate.
 * - load: `imm12(rs1)` with an I-type offset; store: `imm12(rs1)` with an S-type offset.
 * - shamt6 / shamt5: shift amounts of the RV64 and the *W immediate shifts.
 * - branch: B-type pc-relative target (+-4 KiB, even); jump: J-type target (+-1 MiB, even).
 * - uimm20: the 20-bit upper immediate of lui/auipc (0..0xfffff).
 * - fence: optional `pred,succ` sets of i/o/r/w letters (default iorw,iorw).
 */
export type Operand =
  | 'rd' | 'rs1' | 'rs2' | 'imm12' | 'load' | 'store'
  | 'shamt6' | 'shamt5' | 'branch' | 'jump' | 'uimm20' | 'fence';

export interface InsnDef {
  /** Index in INSNS; the decoder's and the executor's instruction number. */
  readonly id: number;
  readonly mnemonic: string;
  readonly format: Format;
  readonly match: number;
  readonly mask: number;
  readonly operands: readonly Operand[];
  /** Bytes read or written by a load/store (1, 2, 4, 8), else 0. */
  readonly size: number;
}

const OPC_MASK = 0x7f;
const F3_MASK = 0x707f;
const F7_MASK = 0xfe00707f;
const F6_MASK = 0xfc00707f;

const R: Operand[] = ['rd', 'rs1', 'rs2'];
const I: Operand[] = ['rd', 'rs1', 'imm12'];
const SH6: Operand[] = ['rd', 'rs1', 'shamt6'];
const SH5: Operand[] = ['rd', 'rs1', 'shamt5'];
const LD: Operand[] = ['rd', 'load'];
const ST: Operand[] = ['rs2', 'store'];
const BR: Operand[] = ['rs1', 'rs2', 'branch'];

const op = (opcode: number, f3 = 0, f7 = 0): number => ((f7 << 25) | (f3 << 12) | opcode) >>> 0;

type Row = [mnemonic: string, format: Format, match: number, mask: number, operands: Operand[], size?: number];

const ROWS: Row[] = [
  // RV64I base
  ['lui', 'U', op(0x37), OPC_MASK, ['rd', 'uimm20']],
  ['auipc', 'U', op(0x17), OPC_MASK, ['rd', 'uimm20']],
  ['jal', 'J', op(0x6f), OPC_MASK, ['rd', 'jump']],
  ['jalr', 'I', op(0x67, 0), F3_MASK, ['rd', 'load']],
  ['beq', 'B', op(0x63, 0), F3_MASK, BR],
  ['bne', 'B', op(0x63, 1), F3_MASK, BR],
  ['blt', 'B', op(0x63, 4), F3_MASK, BR],
  ['bge', 'B', op(0x63, 5), F3_MASK, BR],
  ['bltu', 'B', op(0x63, 6), F3_MASK, BR],
  ['bgeu', 'B', op(0x63, 7), F3_MASK, BR],
  ['lb', 'I', op(0x03, 0), F3_MASK, LD, 1],
  ['lh', 'I', op(0x03, 1), F3_MASK, LD, 2],
  ['lw', 'I', op(0x03, 2), F3_MASK, LD, 4],
  ['ld', 'I', op(0x03, 3), F3_MASK, LD, 8],
  ['lbu', 'I', op(0x03, 4), F3_MASK, LD, 1],
  ['lhu', 'I', op(0x03, 5), F3_MASK, LD, 2],
  ['lwu', 'I', op(0x03, 6), F3_MASK, LD, 4],
  ['sb', 'S', op(0x23, 0), F3_MASK, ST, 1],
  ['sh', 'S', op(0x23, 1), F3_MASK, ST, 2],
  ['sw', 'S', op(0x23, 2), F3_MASK, ST, 4],
  ['sd', 'S', op(0x23, 3), F3_MASK, ST, 8],
  ['addi', 'I', op(0x13, 0), F3_MASK, I],
  ['slti', 'I', op(0x13, 2), F3_MASK, I],
  ['sltiu', 'I', op(0x13, 3), F3_MASK, I],
  ['xori', 'I', op(0x13, 4), F3_MASK, I],
  ['ori', 'I', op(0x13, 6), F3_MASK, I],
  ['andi', 'I', op(0x13, 7), F3_MASK, I],
  ['slli', 'I', op(0x13, 1), F6_MASK, SH6],
  ['srli', 'I', op(0x13, 5), F6_MASK, SH6],
  ['srai', 'I', op(0x13, 5, 0x20), F6_MASK, SH6],
  ['add', 'R', op(0x33, 0), F7_MASK, R],
  ['sub', 'R', op(0x33, 0, 0x20), F7_MASK, R],
  ['sll', 'R', op(0x33, 1), F7_MASK, R],
  ['slt', 'R', op(0x33, 2), F7_MASK, R],
  ['sltu', 'R', op(0x33, 3), F7_MASK, R],
  ['xor', 'R', op(0x33, 4), F7_MASK, R],
  ['srl', 'R', op(0x33, 5), F7_MASK, R],
  ['sra', 'R', op(0x33, 5, 0x20), F7_MASK, R],
  ['or', 'R', op(0x33, 6), F7_MASK, R],
  ['and', 'R', op(0x33, 7), F7_MASK, R],
  ['addiw', 'I', op(0x1b, 0), F3_MASK, I],
  ['slliw', 'I', op(0x1b, 1), F7_MASK, SH5],
  ['srliw', 'I', op(0x1b, 5), F7_MASK, SH5],
  ['sraiw', 'I', op(0x1b, 5, 0x20), F7_MASK, SH5],
  ['addw', 'R', op(0x3b, 0), F7_MASK, R],
  ['subw', 'R', op(0x3b, 0, 0x20), F7_MASK, R],
  ['sllw', 'R', op(0x3b, 1), F7_MASK, R],
  ['srlw', 'R', op(0x3b, 5), F7_MASK, R],
  ['sraw', 'R', op(0x3b, 5, 0x20), F7_MASK, R],
  // FENCE: fm, rs1 and rd are ignored by implementations (Unprivileged ISA 2.7),
  // so only the opcode and funct3 select it, as in binutils (MASK_FENCE 0x707f).
  ['fence', 'I', op(0x0f, 0), F3_MASK, ['fence']],
  ['ecall', 'I', 0x00000073, 0xffffffff, []],
  ['ebreak', 'I', 0x00100073, 0xffffffff, []],
  // M extension
  ['mul', 'R', op(0x33, 0, 1), F7_MASK, R],
  ['mulh', 'R', op(0x33, 1, 1), F7_MASK, R],
  ['mulhsu', 'R', op(0x33, 2, 1), F7_MASK, R],
  ['mulhu', 'R', op(0x33, 3, 1), F7_MASK, R],
  ['div', 'R', op(0x33, 4, 1), F7_MASK, R],
  ['divu', 'R', op(0x33, 5, 1), F7_MASK, R],
  ['rem', 'R', op(0x33, 6, 1), F7_MASK, R],
  ['remu', 'R', op(0x33, 7, 1), F7_MASK, R],
  ['mulw', 'R', op(0x3b, 0, 1), F7_MASK, R],
  ['divw', 'R', op(0x3b, 4, 1), F7_MASK, R],
  ['divuw', 'R', op(0x3b, 5, 1), F7_MASK, R],
  ['remw', 'R', op(0x3b, 6, 1), F7_MASK, R],
  ['remuw', 'R', op(0x3b, 7, 1), F7_MASK, R],
  // Zicntr: csrrs rd, cycle/time/instret, x0 and nothing else of Zicsr.
  ['rdcycle', 'I', 0xc0002073, 0xfffff07f, ['rd']],
  ['rdtime', 'I', 0xc0102073, 0xfffff07f, ['rd']],
  ['rdinstret', 'I', 0xc0202073, 0xfffff07f, ['rd']],
];

export const INSNS: readonly InsnDef[] = ROWS.map(([mnemonic, format, match, mask, operands, size], id) => ({
  id, mnemonic, format, match: match >>> 0, mask: mask >>> 0, operands, size: size ?? 0,
}));

const BY_MNEMONIC = new Map<string, InsnDef>(INSNS.map((d) => [d.mnemonic, d]));

/** The table entry for a real (non-pseudo) mnemonic, or undefined. */
export function insnByMnemonic(mnemonic: string): InsnDef | undefined {
  return BY_MNEMONIC.get(mnemonic);
}

/** Numeric ids by mnemonic, for the executor's switch: OP.addi, OP.ld, ... */
export const OP: Readonly<Record<string, number>> = Object.fromEntries(INSNS.map((d) => [d.mnemonic, d.id]));

/** Id used for words that match no entry. */
export const ILLEGAL = -1;

// Lookup by major opcode: each bucket holds the entries with that opcode,
// most specific mask first, so decoding a word tests only a handful of entries.
const BUCKETS: InsnDef[][] = Array.from({ length: 128 }, () => []);
for (const d of INSNS) BUCKETS[d.match & 0x7f]!.push(d);
for (const b of BUCKETS) b.sort((a, b2) => popcount(b2.mask) - popcount(a.mask));

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

/** The table entry that a 32-bit instruction word encodes, or undefined (illegal). */
export function decodeInsn(word: number): InsnDef | undefined {
  const w = word >>> 0;
  if ((w & 3) !== 3) return undefined; // 16-bit (compressed) encodings are not in the ISA
  for (const d of BUCKETS[w & 0x7f]!) if (((w & d.mask) >>> 0) === d.match) return d;
  return undefined;
}
