// Which form an instruction takes when an operand is named like a register:
// the words GNU as 2.40 + ld produce for each line (taken from
// riscv64-linux-gnu-as; the peer tier checks the same rules on a larger corpus).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/assembler';

/** The .text words of `line` at 0x10000, after `.equ t0, 3` and `x32 = 3`, followed by the label `s1: nop`. */
function words(line: string): number[] | string {
  const r = assemble([{ path: 't.s', text: `.equ t0, 3\nx32 = 3\n${line}\ns1: nop\n` }], { requireEntry: false });
  if (!r.ok) return r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join('\n');
  const t = r.image.sections.find((s) => s.name === '.text')!;
  const dv = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.size);
  return Array.from({ length: t.size / 4 - 1 }, (_, i) => dv.getUint32(i * 4, true));
}

describe('register names in expansion choices', () => {
  it.each([
    // Targets are expressions: `jal s1` is jal ra to the label s1, not jalr.
    ['jal s1', [0x004000ef]],
    ['jal t1, s1', [0x0040036f]],
    ['j s1', [0x0040006f]],
    ['call s1', [0x00000097, 0x008080e7]],
    ['beq a0, a1, s1', [0x00b50263]],
    ['la a0, s1', [0x00000517, 0x00850513]],
    ['lw a0, s1', [0x00000517, 0x00852503]],
    ['sw a0, s1, t1', [0x00000317, 0x00a32423]],
    ['lui a0, %hi(s1)', [0x00010537]],
    ['addi a0, a0, %lo(s1)', [0x00450513]],
    // jr and jalr take registers.
    ['jalr s1', [0x000480e7]],
    ['jr s1', [0x00048067]],
    ['jalr ra, s1', [0x000480e7]],
    ['jalr s1, 4', [0x004480e7]],
    ['jalr ra, x32', [0x003080e7]],
    // li's alias `li rd, imm12` (addi) takes a small operand, which cannot start with a register name: then load_const (addiw).
    ['li a0, t0', [0x0030051b]],
    ['li a0, (t0)', [0x00300513]],
    ['li a0, t0 << 20', [0x00300537]],
    // la of a value already known to be a constant is load_const too.
    ['la a0, t0', [0x0030051b]],
    // add rd, rs, X is the register form only when X is a register.
    ['add a0, a1, t0', [0x00558533]],
    ['add a0, a1, (t0)', [0x00358513]],
    ['add a0, a1, x32', [0x00358513]],
    // Shift amounts are expressions; a load offset must not start with a register name.
    ['slli a0, a0, t0', [0x00351513]],
    ['lw a0, (t0)(a1)', [0x0035a503]],
  ])('%s', (line, expected) => {
    expect(words(line)).toEqual(expected);
  });

  it('reaches a constant defined later pc-relatively, as GNU does for a symbol it does not know yet', () => {
    const r = assemble([{ path: 't.s', text: '_start: la a0, t0\n.equ t0, 0x10008\n' }]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(Array.from(r.image.sections[0]!.bytes)).toEqual([0x17, 0x05, 0, 0, 0x13, 0x05, 0x85, 0]);
  });
});
