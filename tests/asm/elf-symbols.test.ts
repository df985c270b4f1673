// Symbol values in the ELF reader: absolute constants may be negative
// (st_value 0xffffffffffffffea for `.equ X, -22`), which the guest libc's
// errno constants are; they read back as negative numbers.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/assembler';
import { readElf } from '../../asm/elf-read';
import { writeElf } from '../../asm/elf-write';

describe('readElf symbols', () => {
  it('reads a negative absolute symbol as a negative value', () => {
    const r = assemble([{ path: 'neg.s', text: '        .globl _start, NEG\n        .equ NEG, -22\n_start: ecall\n' }]);
    if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    const elf = readElf(writeElf(r.image));
    if (!elf.ok) throw new Error(elf.error);
    const neg = elf.elf.symbols.find((s) => s.name === 'NEG')!;
    expect([neg.value, neg.section, neg.shndx]).toEqual([-22, null, 0xfff1]);
  });
});
