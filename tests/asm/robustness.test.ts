// No input whatsoever makes the assembler throw: random bytes, token soup,
// NUL bytes, empty files, huge files. Each run ends in success or errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostic } from '../../asm/assembler';
import type { AssembleResult } from '../../asm/assembler';

function check(r: AssembleResult): void {
  for (const d of r.diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(0);
    expect(typeof formatDiagnostic(d)).toBe('string');
  }
  if (!r.ok) expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  else expect(r.image.sections[0]!.name).toBe('.text');
}

const TOKENS = [
  '_start', ':', 'x', '1:', '1f', '1b', 'a0', 'x31', 'zero', 'sp', '.', ',', '(', ')', '%hi', '%lo', '%pcrel_hi', '%pcrel_lo',
  '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~', '!', '==', '<', '=', '0', '1', '-1', '2047', '0x7fffffff',
  '0xffffffffffffffff', "'a'", '"s"', '"\\n', ';', '\n', '#c\n', '/*', '*/', 'li', 'la', 'call', 'tail', 'addi', 'lw',
  'sd', 'beq', 'jal', 'jalr', 'fence', 'iorw', 'ret', 'nop', 'lui', 'auipc', 'csrr', 'cycle', '.text', '.data', '.bss',
  '.rodata', '.section', '.globl', '.equ', '.set', '.align', '.p2align', '.balign', '.byte', '.word', '.dword', '.ascii',
  '.asciz', '.zero', '.space', '.size', '.type', '@function', '.include', '.option', '.end', '\u0000', '\u00ff', '\t',
];

describe('asm robustness', () => {
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      check(assemble([{ path: 'r.s', text: Buffer.from(bytes).toString('latin1') }], { readFile: () => '' }));
    }), { numRuns: 400 });
  });

  it('never throws on token soup, and either links or reports an error', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((t) => t.join(' '));
    fc.assert(fc.property(soup, soup, (a, b) => {
      const r = assemble([{ path: 'a.s', text: `.globl _start\n_start:\n${a}` }, { path: 'b.s', text: b }], {
        readFile: () => { throw new Error('no includes here'); },
      });
      check(r);
    }), { numRuns: 1500 });
  });

  it('rejects expressions deep or long enough to exhaust the stack', () => {
    const deep = `_start: li a0, ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n`;
    const long = `_start: li a0, 1${'+1'.repeat(100_000)}\n.word ${'-'.repeat(50_000)}1\n`;
    expect(assemble([{ path: 'd.s', text: deep }]).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`))
      .toEqual(['1:16: expression too long (more than 1000 tokens)']);
    expect(assemble([{ path: 'l.s', text: long }]).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`))
      .toEqual(['1:16: expression too long (more than 1000 tokens)', '2:7: expression too long (more than 1000 tokens)']);
  });

  it('bounds chains of forward .equ definitions', () => {
    const n = 5000;
    const defs = Array.from({ length: n }, (_, i) => `.equ v${n - i}, v${n - i - 1} + 1`).join('\n');
    const r = assemble([{ path: 'c.s', text: `_start: nop\n.data\n.dword v${n}\n${defs}\n.equ v0, 0\n` }]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]!.message).toBe(`symbol 'v${n - 256}' is defined through more than 256 other symbols`);
    // s1..s3 are register names, but in directives they are ordinary symbols (as in gas).
    const ok = assemble([{ path: 'c.s', text: '_start: nop\n.data\n.dword s3\n.equ s3, s2 + 1\n.equ s2, s1 + 1\n.equ s1, 5\n' }]);
    expect(ok.ok && Array.from(ok.image.sections[1]!.bytes)).toEqual([7, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('handles NUL bytes, an empty file and a file of only comments', () => {
    expect(assemble([{ path: 'n.s', text: '_start:\0nop\n' }]).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`))
      .toEqual(['1:8: invalid character byte 0x00']);
    expect(assemble([{ path: 'e.s', text: '' }], { requireEntry: false }).ok).toBe(true);
    expect(assemble([{ path: 'c.s', text: '# only\n/* comments */\n' }], { requireEntry: false }).ok).toBe(true);
  });

  it('takes string literals of many megabytes, plain, all escapes or mixed (a 15 MB one overflowed the stack of the lexer regex)', () => {
    const cases: [string, number, number[]][] = [
      ['x'.repeat(15e6), 15e6, [0x78, 0x78]],
      ['\\n'.repeat(1e6), 1e6, [10, 10]],
      ['\\nx'.repeat(1e6), 2e6, [10, 0x78]],
    ];
    for (const [body, size, first] of cases) {
      const r = assemble([{ path: 's.s', text: `_start: nop\n.data\n.ascii "${body}"\n` }]);
      expect(r.diagnostics).toEqual([]);
      const data = r.ok ? r.image.sections.find((s) => s.name === '.data')! : undefined;
      expect(data?.size).toBe(size);
      expect(Array.from(data!.bytes.subarray(0, 2))).toEqual(first);
    }
  });

  it('reports a string cut by the end of the line or file once, at its opening quote', () => {
    const diags = (text: string): string[] => assemble([{ path: 'u.s', text }]).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
    expect(diags('_start: nop\n.ascii "abc\\\nnop\n')).toEqual(['2:8: unterminated string (missing ")']);
    expect(diags('_start: nop\n.ascii "abc')).toEqual(['2:8: unterminated string (missing ")']);
    expect(diags('_start: nop\n.ascii "abc\\')).toEqual(['2:8: unterminated string (missing ")']);
  });

  it('assembles a 10 MB source', () => {
    const head = '.globl _start\n_start:\n1: addi a0, a0, 1 # comment\n bnez a0, 1b; li t0, 0x12345678\n';
    const text = head + 'nop # pad\n'.repeat(1e6);
    expect(text.length).toBeGreaterThan(10e6);
    const r = assemble([{ path: 'big.s', text }]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.image.sections[0]!.size).toBe(4 * (1 + 1 + 2 + 1e6));
  });

  it('gives up on 10 MB of junk after 20 errors (the 20th on line 20)', () => {
    const text = '\u0001\u0002garbage((\n'.repeat(1_000_000);
    const r = assemble([{ path: 'junk.s', text }]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(21);
    expect(r.diagnostics[19]!.line).toBe(20);
    expect(r.diagnostics[20]!.message).toBe('too many errors (20); stopping');
  });
});
