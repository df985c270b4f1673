// vmlab's disassembler against GNU objdump: the same ELF, disassembled by
// both, must give the same text for every instruction.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describePeer } from '../support/peers';
import { runClean } from './peer-tools';
import { vmlab } from '../support/cli';
import { INSNS, decodeInsn } from '../../emu/machine/isa/table';
import { writeElf } from '../../asm/elf-write';
import { readElf } from '../../asm/elf-read';
import { disassembleElf } from '../../asm/disasm-listing';
import { corpusImage, corpusWords, instructionLines } from './disasm-corpus';
import { prngU32 } from '../support/prng';
import { helloImage } from './elf-fixtures';
import { vmlabImage } from './gnu';
import { registerConstantFile, registerLabelFile, registerReferenceFile } from './regname-corpus';

const PER_ENTRY = 150;

/** objdump -d, which must not warn about the file. */
function objdump(path: string): string {
  return runClean('objdump', ['-d', path]);
}

function tmp(name: string, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-disasm-'));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function compare(ours: string, theirs: string): { count: number; diffs: string[] } {
  const a = instructionLines(ours);
  const b = instructionLines(theirs);
  const diffs: string[] = [];
  for (const [addr, text] of b) {
    const mine = a.get(addr);
    if (mine !== text) diffs.push(`${addr.toString(16)}: objdump "${text}" vmlab "${mine}"`);
  }
  for (const addr of a.keys()) if (!b.has(addr)) diffs.push(`${addr.toString(16)}: only vmlab prints it`);
  return { count: b.size, diffs };
}

describePeer('objdump disassembly agreement', ['objdump', 'readelf'], () => {
  it(`agrees on ${PER_ENTRY} random valid words of each of the ${INSNS.length} table entries`, () => {
    const words = corpusWords(PER_ENTRY, 2026);
    expect(words.every((w) => decodeInsn(w) !== undefined)).toBe(true);
    const bytes = writeElf(corpusImage(words));
    const path = tmp('corpus.elf', bytes);
    runClean('readelf', ['-a', '-W', path]);
    const r = readElf(bytes);
    if (!r.ok) throw new Error(r.error);
    const { count, diffs } = compare(disassembleElf(r.elf, path), objdump(path));
    expect(count).toBe(words.length);
    expect(diffs.slice(0, 20)).toEqual([]);
  });

  it('agrees at addresses above 4 GiB (a corpus linked at 0x3fff_fff0_0000)', () => {
    const words = corpusWords(20, 11);
    const bytes = writeElf(corpusImage(words, 0x3fff_fff0_0000));
    const path = tmp('high.elf', bytes);
    runClean('readelf', ['-a', '-W', path]);
    expect(vmlab(['disasm', path]).stdout).toBe(objdump(path));
  });

  it('agrees line for line on the whole listing, labels and headers included', () => {
    const words = corpusWords(8, 7);
    const path = tmp('small.elf', writeElf(corpusImage(words)));
    const r = vmlab(['disasm', path]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(objdump(path));
  });

  it('agrees on the hello program (auipc/addi pairs named after their data symbols)', () => {
    const path = tmp('hello.elf', writeElf(helloImage()));
    expect(vmlab(['disasm', path]).stdout).toBe(objdump(path));
  });

  it('names targets after symbols called like registers (s1, t0, zero, x5...) as objdump does', () => {
    const text = (lines: string[]): string => ['.text', '.globl _start', ...lines, ''].join('\n');
    const image = vmlabImage([
      { path: 'a.s', text: text(registerLabelFile()) },
      { path: 'b.s', text: text(registerConstantFile()) },
      { path: 'c.s', text: text(registerReferenceFile()) },
    ]);
    const path = tmp('regnames.elf', writeElf(image));
    const ours = vmlab(['disasm', path]);
    expect(ours.stderr).toBe('');
    const theirs = objdump(path);
    expect(theirs).toMatch(/<s1>:\n.*\tauipc\t/);
    expect(theirs).toMatch(/\tj\t[0-9a-f]+ <zero>\n/);
    expect(ours.stdout).toBe(theirs);
  });

  it.each([
    ['no symbol at the start of .text', (s: { name: string; section: string | null }) => s.name !== '_start'],
    ['no symbol in .text at all', (s: { section: string | null }) => s.section !== '.text'],
    ['no symbols at all', () => false],
  ])('agrees on labels and targets with %s', (_what, keep) => {
    const image = helloImage();
    image.symbols = image.symbols.filter(keep);
    const path = tmp('partial.elf', writeElf(image));
    expect(vmlab(['disasm', path]).stdout).toBe(objdump(path));
  });

  it('agrees on words outside the table: unknown 32-bit words, 16-bit parcels, long encodings, zero runs', () => {
    // Words vmlab treats as illegal (F/D/A/V opcodes, reserved funct fields,
    // other lengths). Zicsr and Zifencei words are left out: objdump decodes
    // them because the i2p0 in .riscv.attributes implies both extensions.
    const rnd = prngU32(99);
    const words: number[] = [];
    while (words.length < 2000) {
      const w = rnd() | 3;
      const opcode = w & 0x7f;
      const f3 = (w >>> 12) & 7;
      if ((w & 0x1f) === 0x1f || decodeInsn(w) !== undefined) continue;
      if ((opcode === 0x73 && f3 !== 0) || (opcode === 0x0f && f3 === 1)) continue;
      words.push(w >>> 0);
    }
    // 16-bit parcels (0x5678, 0x1234), a 64-bit and a 48-bit encoding, then zero runs.
    words.push(0x12345678, 0x0000003f, 0x00000013, 0x0000001f, 0x00130000, 0x00000013);
    words.push(0, 0, 0, 0x00000013, 0, 0);
    const bytes = writeElf(corpusImage(words));
    const path = tmp('illegal.elf', bytes);
    const r = readElf(bytes);
    if (!r.ok) throw new Error(r.error);
    const { count, diffs } = compare(disassembleElf(r.elf, path), objdump(path));
    expect(count).toBeGreaterThan(2000);
    expect(diffs.slice(0, 20)).toEqual([]);
  });
});
