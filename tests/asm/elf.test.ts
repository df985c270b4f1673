// The ELF writer and reader together: what writeElf lays out, readElf reads
// back exactly; bad bytes give one-line errors and never an exception.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeElf } from '../../asm/elf-write';
import { readElf, type ElfFile } from '../../asm/elf-read';
import { lineRows } from '../../asm/dwarf-line';
import { disassembleElf } from '../../asm/disasm-listing';
import type { LinkedImage } from '../../asm/image';
import { enc, helloImage, TEXT_BASE, wordsToBytes } from './elf-fixtures';

function read(bytes: Uint8Array): ElfFile {
  const r = readElf(bytes);
  if (!r.ok) throw new Error(r.error);
  return r.elf;
}

describe('writeElf -> readElf', () => {
  const image = helloImage();
  const bytes = writeElf(image);
  const elf = read(bytes);

  it('writes an ET_EXEC EM_RISCV header with the entry point and e_flags 0 (lp64, no RVC)', () => {
    expect([...bytes.subarray(0, 8)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
    expect(elf.header).toMatchObject({ type: 2, machine: 243, entry: TEXT_BASE, flags: 0, phoff: 64, phnum: 3 });
  });

  it('loads text+rodata R-X and data+bss RW- with p_offset = p_vaddr mod 4 KiB', () => {
    expect(elf.segments).toEqual([
      { type: 0x70000003, flags: 4, offset: elf.sections[5]!.offset, vaddr: 0, paddr: 0, filesz: 0x28, memsz: 0, align: 1 },
      { type: 1, flags: 5, offset: 0x1000, vaddr: 0x10000, paddr: 0x10000, filesz: 0x10d, memsz: 0x10d, align: 0x1000 },
      { type: 1, flags: 6, offset: 0x2000, vaddr: 0x11000, paddr: 0x11000, filesz: 1, memsz: 0x50, align: 0x1000 },
    ]);
  });

  it('has the sections in order with GNU ld flags, and their bytes', () => {
    expect(elf.sections.map((s) => s.name)).toEqual([
      '', '.text', '.rodata', '.data', '.bss', '.riscv.attributes', '.debug_info', '.debug_abbrev', '.debug_line',
      '.symtab', '.strtab', '.shstrtab',
    ]);
    const by = (n: string) => elf.sections.find((s) => s.name === n)!;
    expect([by('.text').type, by('.text').flags]).toEqual([1, 6]); // PROGBITS, AX
    expect([by('.rodata').type, by('.rodata').flags]).toEqual([1, 2]); // PROGBITS, A
    expect([by('.data').type, by('.data').flags]).toEqual([1, 3]); // PROGBITS, WA
    expect([by('.bss').type, by('.bss').flags, by('.bss').size]).toEqual([8, 3, 0x40]); // NOBITS, WA
    expect(by('.symtab')).toMatchObject({ type: 2, link: 10, info: 5, entsize: 24, align: 8 });
    for (const s of image.sections) expect(by(s.name).bytes).toEqual(s.bytes);
    expect(new TextDecoder().decode(by('.riscv.attributes').bytes)).toBe("A'\0\0\0riscv\0\x01\x1d\0\0\0\x05rv64i2p0_m2p0_zmmul1p0\0");
  });

  it('writes the symbols locals first, with their types and sections (SHN_ABS for .equ values)', () => {
    expect(elf.symbols.map((s) => [s.name, s.value, s.size, s.binding, s.type, s.section])).toEqual([
      ['msg', 0x10100, 13, 'local', 'object', '.rodata'],
      ['bang', 0x11000, 1, 'local', 'object', '.data'],
      ['buf', 0x11010, 0x40, 'local', 'object', '.bss'],
      ['MSG_LEN', 13, 0, 'local', 'notype', null],
      ['_start', 0x10000, 0x48, 'global', 'func', '.text'],
      ['done', 0x1003c, 0, 'global', 'notype', '.text'],
    ]);
    expect(elf.symbols.find((s) => s.name === 'MSG_LEN')!.shndx).toBe(0xfff1);
  });

  it('carries the line table through .debug_line', () => {
    expect(elf.debugLine?.ok).toBe(true);
    if (!elf.debugLine?.ok) return;
    expect(lineRows(elf.debugLine.tables)).toEqual(image.lines);
    const rows = elf.debugLine.tables[0]!.rows;
    expect(rows[rows.length - 1]).toEqual({ address: 0x10048, file: 'hello.s', line: 17, col: 3, endSequence: true });
  });

  it('is deterministic', () => {
    expect(writeElf(helloImage())).toEqual(bytes);
  });

  it('leaves the debug sections out when there are no line rows', () => {
    const e = read(writeElf({ ...image, lines: [] }));
    expect(e.sections.some((s) => s.name.startsWith('.debug'))).toBe(false);
    expect(e.debugLine).toBeUndefined();
  });

  it('round-trips several files, columns, backward and far line steps, and separate code sections', () => {
    const words = Array.from({ length: 12 }, () => enc('addi', { rd: 'a0', rs1: 'a0', imm: 1 }));
    const text = wordsToBytes(words);
    const init = wordsToBytes([enc('ecall'), enc('ebreak')]);
    const lines = [
      { address: 0x10000, file: 'main.s', line: 1, col: 1 },
      { address: 0x10004, file: 'main.s', line: 2, col: 5 },
      { address: 0x10008, file: 'lib/util.s', line: 300, col: 9 },
      { address: 0x1000c, file: 'lib/util.s', line: 299, col: 9 },
      { address: 0x10010, file: 'main.s', line: 3, col: 1 },
      { address: 0x10020, file: 'main.s', line: 100000, col: 200 },
      { address: 0x10028, file: 'main.s', line: 4, col: 0 },
      { address: 0x20000, file: 'init.s', line: 7, col: 2 },
      { address: 0x20004, file: 'init.s', line: 8, col: 2 },
    ];
    const img: LinkedImage = {
      entry: 0x10000,
      sections: [
        { name: '.text', kind: 'progbits', perms: 'rx', addr: 0x10000, size: text.length, align: 4, bytes: text },
        { name: '.text.init', kind: 'progbits', perms: 'rx', addr: 0x20000, size: init.length, align: 4, bytes: init },
        { name: '.bss', kind: 'nobits', perms: 'rw', addr: 0x21000, size: 0x2000, align: 16, bytes: new Uint8Array(0) },
      ],
      symbols: [],
      lines,
    };
    const e = read(writeElf(img));
    expect(e.segments.filter((s) => s.type === 1).map((s) => [s.flags, s.offset % 0x1000, s.vaddr, s.filesz, s.memsz])).toEqual([
      [5, 0, 0x10000, 0x30, 0x30],
      [5, 0, 0x20000, 8, 8],
      [6, 0, 0x21000, 0, 0x2000],
    ]);
    expect(e.debugLine?.ok && lineRows(e.debugLine.tables)).toEqual(lines);
    expect(e.debugLine?.ok && e.debugLine.tables[0]!.rows.filter((r) => r.endSequence).map((r) => r.address)).toEqual([0x10030, 0x20008]);
  });

  it('refuses an image that breaks the LinkedImage invariants (an assembler bug, not a user error)', () => {
    const bad = helloImage();
    bad.sections[0] = { ...bad.sections[0]!, size: 4 };
    expect(() => writeElf(bad)).toThrow('writeElf: .text has 72 bytes for size 4');
  });
});

describe('readElf on bad input', () => {
  const good = writeElf(helloImage());
  const patched = (at: number, values: number[]): Uint8Array => {
    const b = good.slice();
    b.set(values, at);
    return b;
  };

  it.each([
    ['an empty file', new Uint8Array(0), 'not an ELF64 RISC-V executable: no ELF magic number (\\x7fELF) at the start'],
    ['a text file', new TextEncoder().encode('hello world\n'), 'not an ELF64 RISC-V executable: no ELF magic number (\\x7fELF) at the start'],
    ['a 32-bit ELF', patched(4, [1]), 'not an ELF64 RISC-V executable: it is a 32-bit (ELFCLASS32) file'],
    ['a big-endian ELF', patched(5, [2]), 'not an ELF64 RISC-V executable: it is big-endian (ELFDATA2MSB)'],
    ['an x86-64 ELF', patched(18, [62, 0]), 'not an ELF64 RISC-V executable: e_machine is 62, not RISC-V (243)'],
    ['a core file', patched(16, [4, 0]), 'not an ELF64 RISC-V executable: e_type 4 is not an executable, shared object or relocatable file'],
    ['a truncated header', good.slice(0, 40), 'not an ELF64 RISC-V executable: the file is 40 bytes, shorter than an ELF64 header'],
    ['a truncated file', good.slice(0, 0x1800), 'not an ELF64 RISC-V executable: PT_LOAD segment 2 (offset 0x2000, size 0x1) lies outside the 6144-byte file'],
    ['a bad section-header offset', patched(40, [0, 0, 0, 0x10, 0, 0, 0, 0]), `not an ELF64 RISC-V executable: the section header table (offset 0x10000000, size 0x300) lies outside the ${good.length}-byte file`],
    ['a bad program-header entry size', patched(54, [32, 0]), 'not an ELF64 RISC-V executable: e_phentsize is 32, not 56'],
  ])('rejects %s', (_what, bytes, error) => {
    expect(readElf(bytes)).toEqual({ ok: false, error });
  });

  it('never throws on random mutations and truncations of a valid ELF, and lists what it accepts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat(good.length), { nil: undefined }),
        (edits, cut) => {
          const b = good.slice(0, cut ?? good.length);
          for (const [at, v] of edits) if (at < b.length) b[at] = v;
          const r = readElf(b);
          if (r.ok) disassembleElf(r.elf, 'x.elf');
          else expect(r.error).toMatch(/^not an ELF64 RISC-V executable: .+$/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws when header fields take arbitrary 64-bit values', () => {
    const fields = [24, 32, 40, 48, 52, 54, 56, 58, 60, 62]; // entry, phoff, shoff, flags, sizes/counts
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }), (at, v) => {
        const b = good.slice();
        b.set(v.slice(0, Math.min(8, b.length - at)), at);
        const r = readElf(b);
        if (r.ok) disassembleElf(r.elf, 'x.elf');
      }),
      { numRuns: 2000 },
    );
  });
});
