// The disassembler: one instruction word to text, driven by the ISA table,
// printed the way GNU objdump 2.40 prints it with default options
// (binutils opcodes/riscv-dis.c and riscv-opc.c): ABI register names,
// pseudo-instruction aliases, decimal immediates, hex shift amounts and
// upper immediates, branch targets as `ADDR <symbol+0xOFF>`, and the
// `# ADDR <symbol>` comments objdump adds when it can compute an address
// from an auipc/lui pair, a zero, tp or gp base.

import { INSNS, decodeInsn, type InsnDef, type Operand } from '../emu/machine/isa/table';
import { fencePred, fenceSucc, immB, immI, immJ, immS, immU, rd, rs1, rs2, shamt5, shamt6 } from '../emu/machine/isa/fields';
import { registerName } from '../emu/machine/isa/registers';

export interface Disassembly {
  mnemonic: string;
  operands: string;
  /** `mnemonic\toperands` plus objdump's ` # address` comment when it prints one. */
  text: string;
  /** Branch or jump target. */
  target?: number;
  /** The address in the ` # ...` comment, when there is one. */
  comment?: number;
}

/** Names an address for `ADDR <name>`: return e.g. 'loop+0x8', or undefined to print it as `0xADDR`. */
export type Symbolizer = (addr: number) => string | undefined;

const MASK_RD = 0x00000f80;
const MASK_RS1 = 0x000f8000;
const MASK_RS2 = 0x01f00000;
const MASK_IMM = 0xfff00000;
const X_RA = 1;
const X_GP = 3;
const X_TP = 4;

/**
 * A pseudo-instruction objdump prints instead of its base instruction when
 * the word also matches `match` under `mask` (riscv-opc.c INSN_ALIAS rows).
 * `args` uses riscv-opc.c's operand letters: d rd, s rs1, t rs2, j I-imm,
 * o load offset, q store offset, p branch target, a jump target, u U-imm,
 * > 6-bit shamt, < 5-bit shamt, P/Q fence sets.
 */
interface Alias {
  name: string;
  match: number;
  mask: number;
  args: string;
}

const alias = (name: string, mask: number, match: number, args: string): Alias => ({ name, mask: mask >>> 0, match: match >>> 0, args });

// Per base mnemonic, in riscv-opc.c order as objdump 2.40 tries them; the
// first that matches wins. A row with mask 0 renames the base instruction
// (2.40 prints `add a1,a1,32` for addi, `sll` for slli, ...).
const ALIASES: Readonly<Record<string, readonly Alias[]>> = {
  addi: [
    alias('nop', MASK_RD | MASK_RS1 | MASK_IMM, 0, ''),
    alias('li', MASK_RS1, 0, 'd,j'),
    alias('mv', MASK_IMM, 0, 'd,s'),
    alias('add', 0, 0, 'd,s,j'),
  ],
  sltiu: [alias('seqz', MASK_IMM, 1 << 20, 'd,s')],
  xori: [alias('not', MASK_IMM, MASK_IMM, 'd,s'), alias('xor', 0, 0, 'd,s,j')],
  ori: [alias('or', 0, 0, 'd,s,j')],
  andi: [alias('zext.b', MASK_IMM, 255 << 20, 'd,s'), alias('and', 0, 0, 'd,s,j')],
  slli: [alias('sll', 0, 0, 'd,s,>')],
  srli: [alias('srl', 0, 0, 'd,s,>')],
  srai: [alias('sra', 0, 0, 'd,s,>')],
  addiw: [alias('sext.w', MASK_IMM, 0, 'd,s'), alias('addw', 0, 0, 'd,s,j')],
  slliw: [alias('sllw', 0, 0, 'd,s,<')],
  srliw: [alias('srlw', 0, 0, 'd,s,<')],
  sraiw: [alias('sraw', 0, 0, 'd,s,<')],
  sub: [alias('neg', MASK_RS1, 0, 'd,t')],
  subw: [alias('negw', MASK_RS1, 0, 'd,t')],
  slt: [alias('sltz', MASK_RS2, 0, 'd,s'), alias('sgtz', MASK_RS1, 0, 'd,t')],
  sltu: [alias('snez', MASK_RS1, 0, 'd,t')],
  beq: [alias('beqz', MASK_RS2, 0, 's,p')],
  bne: [alias('bnez', MASK_RS2, 0, 's,p')],
  blt: [alias('bltz', MASK_RS2, 0, 's,p'), alias('bgtz', MASK_RS1, 0, 't,p')],
  bge: [alias('blez', MASK_RS1, 0, 't,p'), alias('bgez', MASK_RS2, 0, 's,p')],
  jal: [alias('j', MASK_RD, 0, 'a'), alias('jal', MASK_RD, X_RA << 7, 'a')],
  jalr: [
    alias('ret', MASK_RD | MASK_RS1 | MASK_IMM, X_RA << 15, ''),
    alias('jr', MASK_RD | MASK_IMM, 0, 's'),
    alias('jr', MASK_RD, 0, 'o(s)'),
    alias('jalr', MASK_RD | MASK_IMM, X_RA << 7, 's'),
    alias('jalr', MASK_RD, X_RA << 7, 'o(s)'),
    alias('jalr', MASK_IMM, 0, 'd,s'),
  ],
  // objdump knows fence only with rd = rs1 = 0 and fm = 0 (or fence.tso):
  // other words of vmlab's fence entry (reserved hints that execute as a
  // fence) print as an unknown word, `.4byte 0x...`, exactly like objdump.
  fence: [
    alias('fence', 0xffffffff, 0x0ff0000f, ''),
    alias('fence', 0xf00fff80, 0, 'P,Q'),
    alias('fence.tso', 0xfff0707f | MASK_RD | MASK_RS1, 0x8330000f, ''),
  ],
};

/** Bases that objdump prints only through one of their aliases. */
const ONLY_ALIASES = new Set(['fence']);

const ARGS_OF: Readonly<Record<Operand, string>> = {
  rd: 'd', rs1: 's', rs2: 't', imm12: 'j', load: 'o(s)', store: 'q(s)',
  shamt6: '>', shamt5: '<', branch: 'p', jump: 'a', uimm20: 'u', fence: 'P,Q',
};

/** Base instruction operand syntax, from the table's operand kinds. */
const BASE_ARGS: readonly string[] = INSNS.map((d) => d.operands.map((o) => ARGS_OF[o]).join(','));

const FENCE_SETS = ['unknown', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw'];

/** The printed name and operand syntax for a decoded word, or undefined if objdump would not print it as an instruction. */
function chooseForm(def: InsnDef, word: number): { name: string; args: string } | undefined {
  for (const a of ALIASES[def.mnemonic] ?? []) if (((word & a.mask) >>> 0) === a.match) return { name: a.name, args: a.args };
  if (ONLY_ALIASES.has(def.mnemonic)) return undefined;
  return { name: def.mnemonic, args: BASE_ARGS[def.id]! };
}

/**
 * objdump's per-file disassembly state (riscv-dis.c `riscv_private_data`):
 * the value each register got from its last lui/auipc, still unconsumed,
 * and __global_pointer$. It persists across instructions and sections.
 */
export class DisasmState {
  /** hi[r] is the address register r holds after lui/auipc, or NaN once used. */
  readonly hi: number[] = new Array<number>(32).fill(NaN);
  constructor(readonly gp?: number) {}
}

/**
 * Disassembles one 32-bit word at `pc`. Without `state` the only comments
 * are the ones a lone instruction gets (zero or tp base); with it, the
 * auipc/lui pairing of objdump is tracked as well. Targets and comment
 * addresses are named with `symbolAt`; an address it has no name for (or
 * every address, without it) prints as `0x...`, the way objdump prints
 * addresses in a file without symbols.
 */
export function disassembleWord(word: number, pc: number, symbolAt?: Symbolizer, state?: DisasmState): Disassembly {
  const w = word >>> 0;
  const def = decodeInsn(w);
  const form = def && chooseForm(def, w);
  if (!def || !form) return unknownWord(w);

  const st = state ?? new DisasmState();
  let comment: number | undefined;
  let target: number | undefined;
  const isJalr = def.mnemonic === 'jalr';
  const maybeAddress = (base: number, offset: number, wide: boolean): void => {
    let addr: number;
    if (!Number.isNaN(st.hi[base]!)) {
      addr = (base !== 0 ? st.hi[base]! : 0) + offset;
      st.hi[base] = NaN;
    } else if (base === X_GP && st.gp !== undefined) {
      addr = st.gp + offset;
    } else if (base === X_TP || base === 0) {
      addr = offset;
    } else {
      return;
    }
    comment = wide ? low32Signed(addr) : addr;
  };

  let out = '';
  for (let i = 0; i < form.args.length; i++) {
    const c = form.args[i]!;
    switch (c) {
      case ',': case '(': case ')':
        out += c;
        break;
      case 'd':
        if (def.mnemonic === 'auipc') st.hi[rd(w)] = pc + immU(w);
        else if (def.mnemonic === 'lui') st.hi[rd(w)] = immU(w);
        out += registerName(rd(w));
        break;
      case 's':
        if (isJalr) maybeAddress(rs1(w), immI(w), false);
        out += registerName(rs1(w));
        break;
      case 't':
        out += registerName(rs2(w));
        break;
      case 'o':
      case 'j':
        if (c === 'o') maybeAddress(rs1(w), immI(w), false);
        if ((def.mnemonic === 'addi' && rs1(w) !== 0) || isJalr) maybeAddress(rs1(w), immI(w), false);
        if (def.mnemonic === 'addiw' && rs1(w) !== 0) maybeAddress(rs1(w), immI(w), true);
        out += String(immI(w));
        break;
      case 'q':
        maybeAddress(rs1(w), immS(w), false);
        out += String(immS(w));
        break;
      case 'p':
        target = pc + immB(w);
        out += formatAddress(target, symbolAt);
        break;
      case 'a':
        target = pc + immJ(w);
        out += formatAddress(target, symbolAt);
        break;
      case 'u':
        out += `0x${(w >>> 12).toString(16)}`;
        break;
      case '>':
        out += `0x${shamt6(w).toString(16)}`;
        break;
      case '<':
        out += `0x${shamt5(w).toString(16)}`;
        break;
      case 'P':
        out += FENCE_SETS[fencePred(w)]!;
        break;
      case 'Q':
        out += FENCE_SETS[fenceSucc(w)]!;
        break;
      default:
        throw new Error(`disasm: unknown operand letter ${c}`);
    }
  }
  let text = out === '' ? form.name : `${form.name}\t${out}`;
  if (comment !== undefined) text += ` # ${formatAddress(comment, symbolAt)}`;
  const result: Disassembly = { mnemonic: form.name, operands: out, text };
  if (target !== undefined) result.target = target;
  if (comment !== undefined) result.comment = comment;
  return result;
}

/** A word objdump does not decode: `.4byte 0x...` (a 32-bit length) as binutils 2.40 prints it. */
function unknownWord(w: number): Disassembly {
  const operands = `0x${w.toString(16)}`;
  return { mnemonic: '.4byte', operands, text: `.4byte\t${operands}` };
}

/** `ADDR <name>` with ADDR in hex without leading zeros; `0xADDR` when there is no name for it. */
export function formatAddress(addr: number, symbolAt?: Symbolizer): string {
  const hex = hex64(addr);
  const name = symbolAt?.(addr);
  return name === undefined ? `0x${hex}` : `${hex} <${name}>`;
}

/** A (possibly negative) address as objdump prints a bfd_vma: 64-bit two's complement, no leading zeros. */
export function hex64(addr: number): string {
  if (addr >= 0) return addr.toString(16);
  const hi = Math.floor(addr / 0x1_0000_0000);
  const lo = addr - hi * 0x1_0000_0000;
  return (hi >>> 0).toString(16) + lo.toString(16).padStart(8, '0');
}

/** The low 32 bits of a 64-bit value, sign-extended (riscv-dis.c's `(int32_t)` for *W address sums). */
function low32Signed(v: number): number {
  const hi = Math.floor(v / 0x1_0000_0000);
  return (v - hi * 0x1_0000_0000) | 0;
}
