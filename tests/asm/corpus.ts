// Deterministic assembly corpora for the peer tier: every table instruction
// with edge operands, every pseudo-instruction, li over many constants,
// branches and jumps at their range limits, expressions and alignment.
import { INSNS } from '../../emu/machine/isa/table';
import { ABI_NAMES } from '../../emu/machine/isa/registers';

import { prngUnit as rng } from '../support/prng';
import { TWO32 } from '../../emu/machine/cpu/int64';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** A register name, ABI or xN spelling. */
export const reg = (r: () => number): string => (r() < 0.3 ? `x${int(r, 0, 31)}` : pick(r, [...ABI_NAMES, 'fp']));

const IMM12 = [-2048, -2047, -1, 0, 1, 2, 100, 2046, 2047];
const FENCE_SETS = ['i', 'o', 'r', 'w', 'io', 'rw', 'iorw', 'ir', 'ow', 'iow', 'orw', 'ior', 'irw'];

/** Every table entry with varied registers and edge immediates. */
export function tableCorpus(seed = 1): string[] {
  const r = rng(seed);
  const out: string[] = ['_start:', 'near_back:'];
  for (const d of INSNS) {
    const m = d.mnemonic;
    const ops = d.operands.join(',');
    const n = 6;
    switch (ops) {
      case 'rd,rs1,rs2':
        for (let i = 0; i < n; i++) out.push(`${m} ${reg(r)}, ${reg(r)}, ${reg(r)}`);
        break;
      case 'rd,rs1,imm12':
        for (const v of [...IMM12, int(r, -2048, 2047)]) out.push(`${m} ${reg(r)}, ${reg(r)}, ${v}`);
        break;
      case 'rd,rs1,shamt6':
        for (const v of [0, 1, 31, 32, 63, int(r, 0, 63)]) out.push(`${m} ${reg(r)}, ${reg(r)}, ${v}`);
        break;
      case 'rd,rs1,shamt5':
        for (const v of [0, 1, 15, 31, int(r, 0, 31)]) out.push(`${m} ${reg(r)}, ${reg(r)}, ${v}`);
        break;
      case 'rd,load': case 'rs2,store':
        for (const v of [...IMM12, int(r, -2048, 2047)]) out.push(`${m} ${reg(r)}, ${v}(${reg(r)})`);
        out.push(`${m} ${reg(r)}, (${reg(r)})`);
        break;
      case 'rd,uimm20':
        for (const v of [0, 1, 0x7ffff, 0x80000, 0xfffff, int(r, 0, 0xfffff)]) out.push(`${m} ${reg(r)}, ${v}`);
        break;
      case 'rs1,rs2,branch':
        out.push(`${m} ${reg(r)}, ${reg(r)}, near_back`, `${m} ${reg(r)}, ${reg(r)}, near_fwd`, `${m} ${reg(r)}, ${reg(r)}, .`);
        break;
      case 'rd,jump':
        out.push(`${m} ${reg(r)}, near_back`, `${m} ${reg(r)}, near_fwd`, `${m} ${reg(r)}, .+8`);
        break;
      case 'fence':
        out.push('fence');
        for (const p of FENCE_SETS) out.push(`fence ${p}, ${pick(r, FENCE_SETS)}`);
        break;
      case '':
        out.push(m);
        break;
      case 'rd':
        for (let i = 0; i < 3; i++) out.push(`${m} ${reg(r)}`);
        break;
      default:
        throw new Error(`corpus: no generator for operands '${ops}' of ${m}`);
    }
  }
  out.push('near_fwd:', 'nop');
  return out;
}

/** Every pseudo-instruction (and alternative operand form) GNU as accepts for this subset. */
export function pseudoCorpus(seed = 2): string[] {
  const r = rng(seed);
  const out: string[] = ['_start:', 'back:'];
  for (let i = 0; i < 4; i++) {
    const [a, b, c] = [reg(r), reg(r), reg(r)];
    out.push(
      'nop', `mv ${a}, ${b}`, `not ${a}, ${b}`, `neg ${a}, ${b}`, `negw ${a}, ${b}`, `sext.w ${a}, ${b}`,
      `seqz ${a}, ${b}`, `snez ${a}, ${b}`, `sltz ${a}, ${b}`, `sgtz ${a}, ${b}`, `zext.b ${a}, ${b}`,
      `sgt ${a}, ${b}, ${c}`, `sgtu ${a}, ${b}, ${c}`,
      `beqz ${a}, back`, `bnez ${a}, fwd`, `blez ${a}, back`, `bgez ${a}, fwd`, `bltz ${a}, back`, `bgtz ${a}, fwd`,
      `bgt ${a}, ${b}, back`, `ble ${a}, ${b}, fwd`, `bgtu ${a}, ${b}, back`, `bleu ${a}, ${b}, fwd`,
      'j back', 'j fwd', 'jal back', `jal ${a}, fwd`, `jr ${a}`, `jr ${a}, 16`, `jr -8(${a})`,
      `jalr ${a}`, `jalr ${a}, ${b}`, `jalr ${a}, 12(${b})`, `jalr ${a}, ${b}, -4`, `jalr 8(${a})`, `jalr ${a}, 20`,
      'ret', 'call fwd', `call ${a}, back`, 'tail back', 'call fwd@plt', 'tail back@plt', `li ${a}, 0`, `li ${a}, -2048`, `li ${a}, 0x12345678`,
      `la ${a}, fwd`, `lla ${a}, back`, `rdcycle ${a}`, `rdtime ${a}`, `rdinstret ${a}`,
      `csrr ${a}, cycle`, `csrr ${a}, time`, `csrr ${a}, instret`, `csrr ${a}, 0xc01`, 'fence.tso', 'scall', 'sbreak',
      `add ${a}, ${b}, 5`, `addw ${a}, ${b}, -5`, `and ${a}, ${b}, 0x7f`, `or ${a}, ${b}, 1`, `xor ${a}, ${b}, -1`,
      `slt ${a}, ${b}, 3`, `sltu ${a}, ${b}, 3`, `sll ${a}, ${b}, 63`, `srl ${a}, ${b}, 1`, `sra ${a}, ${b}, 7`,
      `sllw ${a}, ${b}, 31`, `srlw ${a}, ${b}, 2`, `sraw ${a}, ${b}, 3`,
      `ld ${a}, fwd`, `lw ${a}, back`, `lbu ${a}, fwd`, `sd ${a}, fwd, ${c}`, `sb ${a}, back, ${c}`,
    );
  }
  out.push('fwd:', 'nop');
  return out;
}

/** Constants for li: every bit length, both signs, trailing-zero shapes and 32/64-bit boundaries. */
export function liValues(seed = 3): bigint[] {
  const r = rng(seed);
  const rand64 = (): bigint => (BigInt(Math.floor(r() * TWO32)) << 32n) | BigInt(Math.floor(r() * TWO32));
  const vals: bigint[] = [];
  for (let bits = 1; bits <= 64; bits++) {
    for (let i = 0; i < 8; i++) {
      let v = rand64() & ((1n << BigInt(bits)) - 1n);
      v |= 1n << BigInt(bits - 1);
      vals.push(BigInt.asIntN(64, v));
      vals.push(BigInt.asIntN(64, -v));
    }
    // Few set bits with trailing zeros (exercise the slli path's shift search).
    const small = BigInt(int(r, 1, 4095));
    vals.push(BigInt.asIntN(64, small << BigInt(Math.max(0, bits - 12))));
    vals.push(BigInt.asIntN(64, (small | 1n) << BigInt(bits - 1)));
  }
  for (const b of [11n, 12n, 31n, 32n, 33n, 63n]) {
    for (const d of [-2n, -1n, 0n, 1n, 2n]) {
      vals.push(BigInt.asIntN(64, (1n << b) + d));
      vals.push(BigInt.asIntN(64, -(1n << b) + d));
    }
  }
  vals.push(0n, -1n, 0x7ffff800n, 0x7ffff7ffn, 0xfffff800n, -0x80000000n, 0x7fffffffn, 0x800n, -0x801n,
    0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, BigInt.asIntN(64, 0xfedcba9876543210n));
  return vals;
}

export function liCorpus(seed = 3): string[] {
  const r = rng(seed + 100);
  return ['_start:', ...liValues(seed).map((v, i) => {
    const text = i % 3 === 0 ? `0x${BigInt.asUintN(64, v).toString(16)}` : v.toString();
    return `li ${reg(r)}, ${text}`;
  })];
}

/** Expressions whose value GNU as computes with its own operator ranks and 64-bit rules. */
export const EXPRESSIONS = [
  '1 | 2 + 3', '-16 >> 2', '3 < 4', '3 == 3', '5 <> 5', '5 != 4', '3 >= 3', '2 <= 1', '!5', '!0', '~0', "'a'", "'\\n'",
  "'a' + 1", '7 / -2', '-7 % 2', '1 + 2 * 3', '(1 + 2) * 3', '010', '0b101', '0x10 << 4', '1 << 63 >> 1',
  '1 && 2', '0 || 3', '6 & 3 | 8', '0xff ^ 0x0f', '-(5)', '~-1', '1 + 2 - 3 + 4', '100 / 7 % 3', '1 << 12 | 1',
  'sym_const * 2', 'sym_const - 1', 'sym_const << 2 | 1',
];

export function exprCorpus(): string[] {
  return ['.equ sym_const, 21', '_start:', ...EXPRESSIONS.map((e) => `li a0, ${e}`)];
}

/** Branches and jumps at exactly their range limits, forwards and backwards. */
export function rangeCorpus(): string[] {
  const out = ['_start:'];
  for (const b of ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu']) {
    out.push(`${b}_back: .skip 4096`, `${b} a0, a1, ${b}_back`); // offset -4096
    // GNU as relaxes a forward branch to an inverted branch + jal from about +4090 on
    // (its relaxation starts from worst-case sizes); +4088 is the largest it always keeps.
    out.push(`${b} a2, a3, ${b}_fwd`, '.skip 4084', `${b}_fwd: nop`); // offset +4088
  }
  out.push('jal_back: .skip 1048576', 'jal ra, jal_back'); // -1048576
  out.push('j jal_fwd', '.skip 1048570', 'jal_fwd: .skip 2'); // +1048574
  out.push('beqz a0, bz_fwd', '.skip 4084', 'bz_fwd: nop');
  return out;
}

/** Code alignment cases: gas ignores <= 4-byte requests in code and pads the rest with nops. */
export function alignCorpus(): string[] {
  return [
    '_start:', 'nop', '.byte 1', '.align 3', 'nop', '.byte 1, 2', '.align 3', 'nop', '.half 1', '.balign 8, 0xff',
    'nop', '.byte 7', '.balign 4', 'nop', '.byte 1', '.p2align 2', 'nop', '.p2align 4', 'nop', '.byte 9', '.balign 16',
    'nop', '.balign 32, 0x13', 'ret', '.byte 5', '.p2align 3, , 2', 'nop', '.byte 1, 2, 3', '.p2align 5, , 64', 'nop', '.byte 3',
  ];
}

/**
 * A random program: table instructions, pseudo-instructions, li, branches to
 * labels up to ~50 lines away in both directions, la/call to data and code,
 * data interleaved through .data/.rodata switches and code alignment.
 */
export function randomProgram(seed: number, n = 400): string[] {
  const r = rng(seed);
  const lis = liValues(seed);
  const table = tableCorpus(seed).filter((l) => !l.endsWith(':') && !/near_|\.\+|, \.$/.test(l));
  const labelNear = (i: number): string => {
    const j = Math.min(n - 1, Math.max(0, i + int(r, -49, 49)));
    return `L${j - (j % 7)}`;
  };
  const out = ['_start:'];
  for (let i = 0; i < n; i++) {
    if (i % 7 === 0) out.push(`L${i}:`);
    const a = reg(r);
    const b = reg(r);
    const k = int(r, 0, 15);
    if (k <= 4) out.push(pick(r, table));
    else if (k === 5) out.push(`li ${a}, ${pick(r, lis)}`);
    else if (k === 6) out.push(`${pick(r, ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'bgt', 'ble', 'bgtu', 'bleu'])} ${a}, ${b}, ${labelNear(i)}`);
    else if (k === 7) out.push(`${pick(r, ['beqz', 'bnez', 'blez', 'bgez', 'bltz', 'bgtz'])} ${a}, ${labelNear(i)}`, `j ${labelNear(i)}`);
    else if (k === 8) out.push(`${pick(r, ['la', 'lla'])} ${a}, D${int(r, 0, 9)}`, `call L${7 * int(r, 0, Math.floor((n - 1) / 7))}`);
    else if (k === 9) out.push(`${pick(r, ['ld', 'lw', 'lhu', 'lb'])} ${a}, D${int(r, 0, 9)}`, `sd ${a}, D${int(r, 0, 9)}, t0`);
    else if (k === 10) out.push(`${pick(r, ['mv', 'not', 'neg', 'negw', 'sext.w', 'seqz', 'snez', 'sltz', 'sgtz', 'zext.b'])} ${a}, ${b}`);
    else if (k === 11) out.push(pick(r, ['.p2align 3', '.balign 16', '.align 2', 'nop', 'ret', 'fence', 'ecall']));
    else if (k === 12 && i % 40 === 12) {
      const d = `D${(i / 40) | 0}`;
      out.push(pick(r, ['.data', '.section .rodata']), '.p2align 3', `${d}: .dword L${7 * int(r, 0, Math.floor((n - 1) / 7))}, ${pick(r, lis)}`, '.byte 1', '.text');
    } else out.push(`jalr ${a}, ${int(r, -2048, 2047)}(${b})`);
  }
  out.push('.data');
  for (let d = 0; d < 10; d++) if (!out.some((l) => l.startsWith(`D${d}:`))) out.push(`D${d}: .word ${d}`);
  return out;
}
