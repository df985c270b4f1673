// Every user mistake is a FILE:LINE:COL diagnostic with an exact message;
// the assembler keeps going, caps the count, and never throws.
import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostic } from '../../asm/assembler';
import type { AssembleOptions, SourceFile } from '../../asm/assembler';

/** "LINE:COL: MESSAGE" of each diagnostic for one file t.s. */
function diags(text: string, opts: AssembleOptions = {}): string[] {
  const r = assemble([{ path: 't.s', text }], opts);
  return r.diagnostics.map((d) => (d.line > 0 ? `${d.line}:${d.col}: ${d.message}` : d.message));
}

/** The diagnostic of a single bad line placed after a valid `_start:`. */
const one = (line: string): string[] => diags(`.globl _start\n_start:\n${line}\n`);

describe('asm diagnostics', () => {
  it.each([
    ['foo a0, a1', "3:1: unknown instruction 'foo'"],
    ['fadd.s fa0, fa1, fa2', "3:1: unknown instruction 'fadd.s'"],
    ['add a0, a1', "3:1: wrong number of operands for 'add': expected 3 operands, got 2 (syntax: 'add rd, rs1, rs2')"],
    ['jal a0, a1, a2', "3:1: wrong number of operands for 'jal': expected 1 or 2, got 3 (syntax: 'jal rd, label')"],
    ['nop a0', "3:1: wrong number of operands for 'nop': expected 0 operands, got 1 (syntax: 'nop')"],
    ['la a0', "3:1: wrong number of operands for 'la': expected 2 operands, got 1 (syntax: 'la rd, symbol')"],
    ['addi a0, 5, a1', "3:10: expected a register, got '5'"],
    // A 12- or 20-bit field rejects an operand that starts with a register name (GNU: "illegal operands").
    ['addi a0, a1, a2', "3:14: expected an immediate or symbol, got register 'a2'"],
    ['addi a0, a1, t0 + 1', "3:14: expected an immediate or symbol, got register 't0'"],
    ['lw a0, t0(a1)', "3:8: expected an immediate or symbol, got register 't0'"],
    ['lui a0, s1', "3:9: expected an immediate or symbol, got register 's1'"],
    ['jalr a0, t0, t1', "3:14: expected an immediate or symbol, got register 't1'"],
    // Elsewhere in an expression a register name is a symbol, which must then be defined.
    ['add a0, a1, (a2)', "3:14: undefined symbol 'a2' (this operand takes no register, so 'a2' is read as a symbol)"],
    ['lw a0, a1', "3:8: undefined symbol 'a1' (this operand takes no register, so 'a1' is read as a symbol)"],
    ['j t0', "3:3: undefined symbol 't0' (this operand takes no register, so 't0' is read as a symbol)"],
    ['jal a0', "3:5: undefined symbol 'a0' (this operand takes no register, so 'a0' is read as a symbol)"],
    ['li a0, t0', "3:8: unknown symbol 't0' (this operand takes no register, so 't0' is read as a symbol): li needs a value known at this point"],
    ['.dword s1 + 8', "3:8: undefined symbol 's1' (this operand takes no register, so 's1' is read as a symbol)"],
    // And a register operand takes only a register.
    ['jr foo', "3:4: expected a register, got 'foo'"],
    ['jalr ra, foo, 0', "3:10: expected a register, got 'foo'"],
    ['add a0, foo, a1', "3:9: expected a register, got 'foo'"],
    ['lw a0, 0(foo)', "3:10: expected a register, got 'foo'"],
    ['.equ C, 3\nlw a0, C', "4:8: expected 'offset(register)' or a symbol for lw, got the constant 3"],
    ['la a0, 0x123456789', '3:8: la of the constant 4886718345 needs a 32-bit value (use li)'],
    ['ld a0, 4(a0', "3:8: expected a memory operand 'offset(register)', got '4(a0'"],
    ['sd a0, 0(a0), 3', "3:15: expected a register, got '3'"],
    ['addi a0, a0, 2048', '3:14: immediate out of range: 2048 is not in -2048..2047'],
    ['addi a0, a0, -2049', '3:14: immediate out of range: -2049 is not in -2048..2047'],
    ['sw a0, 4096(a1)', '3:8: immediate out of range: 4096 is not in -2048..2047'],
    ['slli a0, a0, 64', '3:14: shift amount out of range: 64 is not in 0..63'],
    ['slliw a0, a0, 32', '3:15: shift amount out of range: 32 is not in 0..31'],
    ['lui a0, 0x100000', '3:9: immediate out of range: 1048576 is not in 0..1048575'],
    ['lui a0, -1', '3:9: immediate out of range: -1 is not in 0..1048575'],
    ['beq a0, a1, . + 3', '3:13: branch target misaligned: offset 3 is odd'],
    ['beq a0, a1, . + 4096', '3:13: branch target out of range: offset 4096 is not in -4096..4094'],
    ['bnez a0, . - 4098', '3:10: branch target out of range: offset -4098 is not in -4096..4094'],
    ['j . + 0x100000', '3:3: jump target out of range: offset 1048576 is not in -1048576..1048574'],
    ['j nowhere', "3:3: undefined symbol 'nowhere'"],
    ['beqz a0, 1f', "3:10: undefined symbol '1f'"],
    ['add a0, a1, x32', "3:13: undefined symbol 'x32' (and not a register: the x registers are x0..x31)"],
    ['addi a0, a1, a8', "3:14: undefined symbol 'a8' (and not a register: the a registers are a0..a7)"],
    ['beqz a0, s12', "3:10: undefined symbol 's12' (and not a register: the s registers are s0..s11)"],
    ['call t7', "3:6: undefined symbol 't7' (and not a register: the t registers are t0..t6)"],
    ['addi a0, x33, 1', "3:10: bad register name 'x33'"],
    ['mv a8, a0', "3:4: bad register name 'a8'"],
    ['.ascii "abc', '3:8: unterminated string (missing ")'],
    ['.foo 1', "3:1: unknown directive '.foo'"],
    ['.section .weird', "3:10: unsupported section '.weird' (vmlab links only .text, .rodata, .data and .bss: use .text.*, .rodata*, .srodata*, .data*, .sdata*, .bss* or .sbss*)"],
    ['li a0, later', "3:8: unknown symbol 'later': li needs a value known at this point"],
    ['li a0, 1 +', '3:11: expected an expression'],
    ['li a0, 1 / 0', '3:10: division by zero'],
    ['li a0, 0x10000000000000000', "3:8: number '0x10000000000000000' does not fit in 64 bits"],
    ['li a0, 09', "3:8: invalid number '09'"],
    ['fence rw, x', "3:11: bad fence set 'x' (use letters from iorw, in that order)"],
    ['csrr a0, mstatus', "3:10: unsupported CSR 'mstatus' (vmlab implements only cycle, time and instret)"],
    ['addi a0, a0, %hi(_start)', '3:14: %hi is only valid as the operand of lui'],
    ['addi a0, a0, %pcrel_lo(_start)', "3:14: %pcrel_lo must name the label of an 'auipc rd, %pcrel_hi(symbol)' (nothing at 0x10000)"],
    ['addi a0, a0, %foo(1)', "3:14: unknown relocation function '%foo' (vmlab knows %hi %lo %pcrel_hi %pcrel_lo)"],
    ['.byte 1,,2', "3:9: missing operand before ','"],
    ['.balign 3', '3:9: alignment must be a power of 2 between 1 and 16777216, got 3'],
    ['.align 25', '3:8: alignment out of range: 25 is not in 0..24 (.align N aligns to 2^N bytes)'],
    ['.bss\n.byte 1', '4:7: only zeros can go into .bss'],
    ['.zero 0x4000000\n.zero 1', "4:1: .text would exceed 64 MiB (vmlab's limit for a section with contents)"],
    ['.zero -1', '3:7: .zero count out of range: -1 is not in 0..1099511627776'],
    ['.bss\nnop', '4:1: instructions are not allowed in .bss'],
    ['.weak foo', '3:1: weak symbols are not supported'],
    ['.option foo', "3:9: unknown .option 'foo'"],
    ['x = 1\nx: nop', "4:1: symbol 'x' is already defined (at t.s:3)"],
    ['.equ a, b\n.equ b, a\nli a0, 0\n.word a', "6:7: symbol 'a' is defined in terms of itself"],
    ['\u0001', '3:1: invalid character byte 0x01'],
    ['nop \u20ac', '3:5: invalid character U+20AC'],
    ['nop /* never closed', '3:5: unterminated comment (missing */)'],
  ])('%s', (line, message) => {
    expect(one(line)).toEqual([message]);
  });

  it('prints FILE:LINE:COL: error: MESSAGE, the source line and a caret under the column', () => {
    const r = assemble([{ path: 'dir/t.s', text: '_start:\n\taddi a0, a0, 5000\n' }]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'dir/t.s:2:15: error: immediate out of range: 5000 is not in -2048..2047\n\taddi a0, a0, 5000\n\t             ^',
    ]);
  });

  it('keeps going: reports every bad line of a file, in source order, pass-2 errors included', () => {
    expect(diags('_start:\n  j nowhere\n  bad\n  addi a0, a0, 9999\n  .nope\n')).toEqual([
      "2:5: undefined symbol 'nowhere'",
      "3:3: unknown instruction 'bad'",
      '4:16: immediate out of range: 9999 is not in -2048..2047',
      "5:3: unknown directive '.nope'",
    ]);
  });

  it('stops after maxErrors errors with "too many errors"', () => {
    const text = '_start:\n' + 'bad\n'.repeat(30);
    const d = diags(text);
    expect(d).toHaveLength(21);
    expect(d[19]).toBe("21:1: unknown instruction 'bad'");
    expect(d[20]).toBe('too many errors (20); stopping');
    expect(diags(text, { maxErrors: 3 })).toHaveLength(4);
  });

  it('requires an entry point unless told not to', () => {
    expect(diags('nop\n')).toEqual(["no entry point: define the label '_start' (with '.globl _start')"]);
    expect(assemble([{ path: 't.s', text: 'nop\n' }], { requireEntry: false }).ok).toBe(true);
    expect(diags('')).toEqual(["no entry point: define the label '_start' (with '.globl _start')"]);
  });

  it('reports undefined and duplicate global symbols across files at the reference and the definition', () => {
    const files: SourceFile[] = [
      { path: 'a.s', text: '.globl _start, f\n_start: call f\n  call g\nf: ret\n' },
      { path: 'b.s', text: '.globl f\nnop\nf: ret\ng: ret\n' },
    ];
    const r = assemble(files);
    expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`)).toEqual([
      "a.s:3:8: undefined symbol 'g' (b.s:4 defines it, but not with .globl)",
      "b.s:3:1: duplicate global symbol 'f' (first defined at a.s:4)",
    ]);
  });

  it('reports a recursive .include with the chain, and too-deep nesting', () => {
    const files: Record<string, string> = { 'a.s': '.include "b.s"\n', 'b.s': '_start: nop\n.include "a.s"\n' };
    const readFile = (p: string): string => {
      if (p in files) return files[p]!;
      throw new Error('ENOENT');
    };
    const r = assemble([{ path: 'a.s', text: files['a.s']! }], { readFile });
    expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`)).toEqual([
      'b.s:2:10: recursive .include: a.s -> b.s -> a.s',
    ]);
    const deep = (p: string): string => `.include "${Number(p.replace(/\D/g, '')) + 1}.s"\n`;
    const d = assemble([{ path: '0.s', text: deep('0.s') }], { readFile: deep }).diagnostics;
    expect(d.map((x) => `${x.file}: ${x.message}`)).toEqual(['32.s: .include nested too deeply (more than 32 levels)']);
    const missing = assemble([{ path: 'm.s', text: '.include "nope.s"\n' }], { readFile }).diagnostics;
    expect(missing.map((x) => x.message)).toEqual(["cannot read included file 'nope.s'"]);
  });

  // The asm fuzzer's seed 202 case 64622: `.size main, + - main` wrote st_size 0xffffffffffff0000, which elf-read refused.
  it('takes a .size that is a constant byte count, as GNU as: not an address, not negative', () => {
    const msgs = (text: string): string[] => assemble([{ path: 's.s', text }]).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
    expect(msgs('main: nop\n.size main, + - main\n_start: nop\n')).toEqual(["2:15: operator '-' needs a constant, not an address"]);
    expect(msgs('main: nop\n.size main, main + 4\n_start: nop\n')).toEqual(['2:18: .size expression for main does not evaluate to a constant']);
    expect(msgs('main: nop\n.size main, 0 - 5\n_start: nop\n')).toEqual(['2:15: .size of main is -5: not a byte count (0 to 2^53 - 1)']);
    expect(msgs('main: nop\nend:\n.size main, end - main\n_start: nop\n.size _start, .-_start\n')).toEqual([]);
  });

  // The asm fuzzer's seed 201 case 89939: `.include "%s: %s\n"` printed a newline inside its diagnostic.
  it('keeps a diagnostic quoting a control character on one line (shown escaped, as in C)', () => {
    const r = assemble([{ path: 'q.s', text: 'x: .include "%s: %s\\n\\t\\001"\n' }], { readFile: () => { throw new Error('no such file'); } });
    expect(r.diagnostics.map((d) => d.message)).toEqual(["cannot read included file '%s: %s\\n\\t\\x01'"]);
    expect(r.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0])).toEqual([
      "q.s:1:13: error: cannot read included file '%s: %s\\n\\t\\x01'",
    ]);
  });

  it('warns (without failing) when a data value is truncated', () => {
    const r = assemble([{ path: 't.s', text: '_start: nop\n.data\n.byte 256\n' }]);
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => `${d.severity} ${d.line}:${d.col}: ${d.message}`)).toEqual(['warning 3:7: value 256 truncated to 8 bits']);
  });
});
