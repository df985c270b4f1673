// Peer tier: vmlab's assembler output must equal GNU as (-march=rv64im
// -mabi=lp64 -mno-relax) + GNU ld byte for byte, section by section.
import { expect, it } from 'vitest';
import { describePeer } from '../support/peers';
import { alignCorpus, exprCorpus, liCorpus, liValues, pseudoCorpus, randomProgram, rangeCorpus, tableCorpus } from './corpus';
import { assemble } from '../../asm/assembler';
import { expectSameAsGnu, file, gnuAssembles } from './gnu';
import { REFUSED_LINES, REGISTER_NAMES, refusedSource, registerConstantFile, registerLabelFile, registerReferenceFile } from './regname-corpus';

describePeer('asm vs GNU as + ld', ['as', 'ld'], () => {
  it('encodes every table instruction with edge operands like GNU as', () => {
    const lines = tableCorpus();
    expect(lines.length).toBe(465);
    expectSameAsGnu([file('table.s', lines)]);
  });

  it('expands every pseudo-instruction like GNU as', () => {
    expectSameAsGnu([file('pseudo.s', pseudoCorpus())]);
  });

  it('builds li constants with exactly GNU as instruction sequences', () => {
    expect(liValues().length).toBeGreaterThanOrEqual(1000);
    expectSameAsGnu([file('li.s', liCorpus())]);
  });

  it('evaluates expressions with GNU as rules (ranks, logical >>, -1 for true)', () => {
    expectSameAsGnu([file('expr.s', exprCorpus())]);
  });

  it('reaches branch and jump targets at exactly their range limits', () => {
    expectSameAsGnu([file('range.s', rangeCorpus())]);
  });

  it('pads code alignment like GNU as without relaxation', () => {
    expectSameAsGnu([file('align.s', alignCorpus())]);
  });

  it('links la/call/tail/%hi/%lo/%pcrel across sections and files like GNU ld', () => {
    const a = file('a.s', [
      '.type _start, @function',
      '_start:',
      'la a0, d_b', 'lla a1, ro_a', 'la a2, bss_b', 'call func_b', 'call t0, func_b', 'tail func_b',
      'lw a3, d_a', 'sd a3, d_b, t0', 'ld a4, ro_b',
      'lui a0, %hi(d_b)', 'addi a0, a0, %lo(d_b)', 'ld a1, %lo(d_b)(a0)', 'sd a1, %lo(d_b+8)(a0)',
      '1: auipc a0, %pcrel_hi(ro_b)', 'addi a0, a0, %pcrel_lo(1b)', 'ld a1, %pcrel_lo(1b)(a0)', 'sw a1, %pcrel_lo(1b)(a0)',
      'jal func_b', 'j func_b',
      '.section .rodata', 'ro_a: .string "ro in a"', '.balign 8', '.dword func_b, d_b', '.word 1b - _start',
      '.data', '.byte 1', '.align 4', 'd_a: .dword 0x1122334455667788, ro_a + 3', '.half -1, 0x7fff', '.ascii "x\\ty\\n\\\\\\"\\101\\x42"',
      '.bss', 'bss_a: .zero 24',
    ]);
    const b: { path: string; text: string } = {
      path: 'b.s',
      text: [
        '.text', '.globl func_b', '.p2align 4', 'func_b: ret', 'nop',
        '.section .rodata.cst', '.globl ro_b', '.p2align 3', 'ro_b: .dword -2',
        '.section .sdata', '.globl d_b', '.p2align 3', 'd_b: .quad ro_b', '.8byte 3', '.4byte 4', '.2byte 5', '.short 6', '.long 7',
        '.section .sbss', '.globl bss_b', '.p2align 4', 'bss_b: .space 100',
        '',
      ].join('\n'),
    };
    const image = expectSameAsGnu([a, b]);
    expect(image.sections.map((s) => s.name)).toEqual(['.text', '.rodata', '.data', '.bss']);
  });

  it('reads register names as symbols wherever GNU as takes an expression, as registers where it takes a register', () => {
    expect(REGISTER_NAMES.length).toBe(65);
    const plain = (path: string, lines: string[]): { path: string; text: string } => ({ path, text: ['.text', ...lines, ''].join('\n') });
    const image = expectSameAsGnu([file('a.s', registerLabelFile()), plain('b.s', registerConstantFile()), plain('c.s', registerReferenceFile())]);
    const names = new Set(image.symbols.map((s) => s.name));
    expect(REGISTER_NAMES.every((n) => names.has(n))).toBe(true);
  });

  it.each(REFUSED_LINES)('refuses `%s` as GNU as does, with one error on its line', (line) => {
    const text = refusedSource(line);
    expect(gnuAssembles(text)).toBe(false);
    const r = assemble([{ path: 't.s', text }], { requireEntry: false });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => `${d.severity} line ${d.line}`)).toEqual(['error line 4']);
    expect(gnuAssembles(text.replace(line, 'nop'))).toBe(true);
  });

  it.each([11, 12, 13, 14, 15, 16])('assembles random program #%i like GNU as + ld', (seed) => {
    expectSameAsGnu([file(`random${seed}.s`, randomProgram(seed))]);
  });

  it('assembles the hello.s sample like GNU as', async () => {
    const { readFileSync } = await import('node:fs');
    const path = 'guest-programs/samples/hello.s';
    expectSameAsGnu([{ path, text: readFileSync(path, 'utf8') }]);
  });
});
