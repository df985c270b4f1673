// What the fuzzers found that was fixed here, each as its minimal case
// (the findings others fix are listed, with their predicates, in the
// targets' `known` lists; `npm run fuzz -- --list` prints them).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/assembler';
import { writeElf } from '../../asm/elf-write';
import { readElf } from '../../asm/elf-read';

describe('fuzz findings, fixed', () => {
  it('elf-read takes back a vmlab executable with an absolute symbol beyond 2^53, leaving that symbol out', () => {
    // asm target, seed 1: `.equ` of 1 << 63 was written as st_value 0x8000000000000000, and
    // elf-read rejected the whole file ("st_value ... is too large"), so disasm and debug refused it.
    const r = assemble([{ path: 'big.s', text: '.globl _start\n_start: nop\n.equ big, 0x8000000000000000\n.equ small, -22\n.globl big, small\n' }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const back = readElf(writeElf(r.image));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const names = back.elf.symbols.map((s) => `${s.name}=${s.value}`);
    expect(names).toContain('small=-22');
    expect(names.some((n) => n.startsWith('big='))).toBe(false);
  });

  it('elf-read still rejects a section symbol beyond 2^53: that is a corrupt file', () => {
    const r = assemble([{ path: 'x.s', text: '.globl _start\n_start: nop\n' }]);
    if (!r.ok) throw new Error('assembly failed');
    const elf = writeElf(r.image);
    const e = readElf(elf);
    if (!e.ok) throw new Error(e.error);
    const symtab = e.elf.sections.find((s) => s.name === '.symtab')!;
    const start = e.elf.symbols.findIndex((s) => s.name === '_start') + 1; // + the null symbol
    const at = symtab.offset + 24 * start + 8 + 7; // st_value's top byte
    elf[at] = 0x80;
    const bad = readElf(elf);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^not an ELF64 RISC-V executable: .*st_value 0x80000000000[0-9a-f]+, beyond any address$/);
  });
});
