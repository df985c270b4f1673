// Symbols named like registers (s1, t0, x5, zero, fp...), for the peer tier.
// GNU as (binutils 2.40) reads a register name as a register only where the
// instruction takes one, and as a symbol in every expression, except at the
// start of a 12- or 20-bit immediate. Three files: every register name as a
// label, used in each operand that takes an address; every register name as
// a constant, used in each operand that takes a number; and references from
// another file to the labels made global, with one forward-defined constant.
import { ABI_NAMES } from '../../emu/machine/isa/registers';
import { prngUnit as rng } from '../support/prng';
import { reg } from './corpus';

/** All 65 spellings GNU as knows for the integer registers. */
export const REGISTER_NAMES: readonly string[] = [...ABI_NAMES, 'fp', ...Array.from({ length: 32 }, (_, i) => `x${i}`)];

/** The labels a.s makes global for c.s. */
export const GLOBAL_REGISTER_LABELS = ['s1', 'ra', 't0', 'x5', 'zero', 'fp', 'sp', 'a0'] as const;

/** a.s: each register name is a label in .text, reached by every instruction and directive that takes an address. */
export function registerLabelFile(seed = 21): string[] {
  const r = rng(seed);
  const out = ['_start:', 'nop', `.globl ${GLOBAL_REGISTER_LABELS.join(', ')}`, '.type s1, @function'];
  for (const n of REGISTER_NAMES) {
    out.push(
      `${n}:`,
      `la ${reg(r)}, ${n}`, `lla ${reg(r)}, ${n} + 8`, `la ${reg(r)}, (${n})`,
      `call ${n}`, `call ${reg(r)}, ${n}`, `tail ${n}`,
      `jal ${n}`, `jal ${reg(r)}, ${n}`, `j ${n}`,
      `beq ${reg(r)}, ${reg(r)}, ${n}`, `bnez ${reg(r)}, ${n}`, `bgt ${reg(r)}, ${reg(r)}, ${n}`,
      `lw ${reg(r)}, ${n}`, `ld ${reg(r)}, ${n} + 16`, `sd ${reg(r)}, ${n}, ${reg(r)}`,
      `lui a7, %hi(${n})`, `addi a7, a7, %lo(${n})`, `ld ${reg(r)}, %lo(${n} + 8)(a7)`,
      `1: auipc s3, %pcrel_hi(${n})`, 'addi s3, s3, %pcrel_lo(1b)', `sw ${reg(r)}, %pcrel_lo(1b)(s3)`,
      // Where a register goes, the name is the register even with a label of that name in scope.
      `jalr ${n}`, `jr ${n}`, `jalr ${n}, ${n}`, `mv ${n}, ${n}`, `ld ${n}, 8(${n})`, `sd ${n}, (${n})`,
      `jal ${n}, ${n}`, `call ${n}, ${n}`, `beq ${n}, ${n}, ${n}`, `la ${n}, ${n}`,
    );
  }
  out.push('.size s1, 4', '.data');
  for (const n of REGISTER_NAMES) out.push(`.dword ${n} + 8, ${n}`, `.word ${n} - _start`, `.half ${n} - x0`);
  return out;
}

/** b.s: each register name is a constant (.equ, .set or =), used where a number goes; the plain name is still a register. */
export function registerConstantFile(seed = 22): string[] {
  const r = rng(seed);
  const out: string[] = [];
  REGISTER_NAMES.forEach((n, i) => {
    const v = (i % 60) + 1;
    out.push([`.equ ${n}, ${v}`, `.set ${n}, ${v}`, `${n} = ${v}`][i % 3]!);
  });
  out.push('b_code:');
  for (const n of REGISTER_NAMES) {
    out.push(
      // 12- and 20-bit fields: an expression that does not start with the name.
      `addi ${reg(r)}, ${reg(r)}, (${n})`, `addi ${reg(r)}, ${reg(r)}, -${n}`, `xori ${reg(r)}, ${reg(r)}, 1 + ${n}`,
      `andi ${reg(r)}, ${reg(r)}, %lo(${n})`, `lw ${reg(r)}, (${n})(${reg(r)})`, `sd ${reg(r)}, -${n}(${reg(r)})`,
      `lui ${reg(r)}, (${n})`, `auipc ${reg(r)}, -${n} & 0xfffff`, `jalr ${reg(r)}, ${reg(r)}, (${n})`, `jr ${reg(r)}, -${n}`,
      // Register-register forms with an immediate: the plain name is the register, anything else the immediate form.
      `add ${reg(r)}, ${reg(r)}, ${n}`, `add ${reg(r)}, ${reg(r)}, (${n})`, `sll ${reg(r)}, ${reg(r)}, ${n} & 31`,
      // Full expressions: shift amounts, li (load_const unless the alias `li rd, imm12` reads it), la of a constant.
      `slli ${reg(r)}, ${reg(r)}, ${n}`, `sraiw ${reg(r)}, ${reg(r)}, ${n} & 31`,
      `li ${reg(r)}, ${n}`, `li ${reg(r)}, (${n})`, `li ${reg(r)}, ${n} << 20`, `la ${reg(r)}, ${n}`, `lla ${reg(r)}, ${n} * -3`,
    );
  }
  const reset = REGISTER_NAMES[1]!; // `.set ra, 2`: a .set symbol may change; earlier uses keep the old value
  out.push(`.set ${reset}, 40`, `addi a0, a0, (${reset})`, `li a1, ${reset}`, '.data');
  for (const n of REGISTER_NAMES) out.push(`.byte ${n}`, `.half ${n} * 3`, `.word ${n} - 1`, `.dword -${n}`);
  return out;
}

/** c.s: references to a.s's global labels, a %pcrel_lo of a label t2, and a forward-defined constant (GNU reaches it pc-relative). */
export function registerReferenceFile(): string[] {
  const out = ['c_code:'];
  for (const n of GLOBAL_REGISTER_LABELS) out.push(`call ${n}`, `tail ${n}`, `j ${n}`, `jal ${n}`, `la a0, ${n} + 4`, `lw a1, ${n}`, `sd a1, ${n}, t1`);
  // %pcrel_lo names the auipc's label, here called t2.
  out.push('t2: auipc a4, %pcrel_hi(s1)', 'addi a4, a4, %pcrel_lo(t2)', 'ld a5, %pcrel_lo(t2)(a4)');
  out.push('la a2, tp', 'lla a3, tp - 8', '.data', `.dword ${GLOBAL_REGISTER_LABELS.join(', ')}`, 'tp = 0x800');
  return out;
}

/** Lines GNU as itself refuses (not only ld), after the prelude `.equ t0, 3` / `C = 5` and before `s1: nop` / `fwd = 1`. */
export const REFUSED_LINES: readonly string[] = [
  // A 12- or 20-bit immediate that starts with a register name.
  'addi a0, a1, t0', 'addi a0, a1, t0 + 1', 'andi a0, a1, zero', 'lw a0, t0(a1)', 'sd a0, fp(sp)',
  'lui a0, t0', 'auipc a0, s1', 'jalr a0, t0, t1', 'jr t0, t1',
  // A register operand given a symbol.
  'jr foo', 'jalr foo', 'mv a0, foo', 'add a0, foo, a1', 'lw a0, 0(foo)',
  // lw/sw of a symbol need an address; la of a constant needs 32 bits; li needs a value known now.
  'lw a0, C', 'sw a0, C, t1', 'la a0, 0x123456789', 'li a0, fwd',
];

/** The source around one of REFUSED_LINES, which sits on line 4. */
export const refusedSource = (line: string): string => ['.text', '.equ t0, 3', 'C = 5', line, 's1: nop', 'fwd = 1', ''].join('\n');
