// A corpus of valid instruction words drawn from every ISA table entry, and
// an ELF that holds them, for comparing vmlab's disassembler with objdump.
import { INSNS } from '../../emu/machine/isa/table';
import type { LinkedImage } from '../../asm/image';
import { wordsToBytes } from './elf-fixtures';

import { prngU32 } from '../support/prng';

const RD = 0xf80;
const RS1 = 0xf8000;
const RS2 = 0x1f00000;
const IMM = 0xfff00000;

/**
 * `perEntry` words for every table entry: random bits outside the entry's
 * mask, with fields often forced to the values aliases look for (x0, ra,
 * immediates 0, 1, -1) so that every pseudo-instruction form is drawn.
 */
export function corpusWords(perEntry: number, seed = 1): number[] {
  const rnd = prngU32(seed);
  const words: number[] = [];
  for (const d of INSNS) {
    for (let i = 0; i < perEntry; i++) {
      let w = rnd();
      const pick = rnd();
      if ((pick & 3) === 0) w &= ~RD;
      if ((pick & 12) === 0) w &= ~RS1;
      if ((pick & 48) === 0) w &= ~RS2;
      if ((pick & 0x1c0) === 0) w = (w & ~RD) | (1 << 7);
      if ((pick & 0xe00) === 0) w = (w & ~RS1) | (1 << 15);
      const imm = (pick >>> 12) & 7;
      if (imm === 0) w &= ~IMM;
      else if (imm === 1) w = (w & ~IMM) | (1 << 20);
      else if (imm === 2) w |= IMM;
      w = ((w & ~d.mask) | d.match) >>> 0;
      words.push(w);
    }
  }
  // Shuffle so auipc/lui pairs meet loads, stores, addi and jalr of every kind.
  for (let i = words.length - 1; i > 0; i--) {
    const j = rnd() % (i + 1);
    [words[i], words[j]] = [words[j]!, words[i]!];
  }
  return words;
}

export const CORPUS_TEXT = 0x10000;

/** An image whose .text is `words`, with labels spread over it and data symbols for comments to name. */
export function corpusImage(words: readonly number[], base = CORPUS_TEXT): LinkedImage {
  const text = wordsToBytes(words);
  const data = base + 0x100000;
  const symbols: LinkedImage['symbols'] = [
    { name: '_start', value: base, size: 0, section: '.text', binding: 'global', type: 'func' },
    { name: 'table', value: data, size: 0x100, section: '.data', binding: 'global', type: 'object' },
    { name: '__global_pointer$', value: data + 0x800, size: 0, section: null, binding: 'global', type: 'notype' },
  ];
  for (let i = 1; i < 8; i++) {
    const value = base + Math.floor((words.length * i) / 8) * 4;
    symbols.push({ name: `part${i}`, value, size: 0, section: '.text', binding: i % 2 ? 'local' : 'global', type: 'notype' });
  }
  symbols.sort((a, b) => (a.binding === b.binding ? 0 : a.binding === 'local' ? -1 : 1));
  return {
    entry: base,
    sections: [
      { name: '.text', kind: 'progbits', perms: 'rx', addr: base, size: text.length, align: 4, bytes: text },
      { name: '.data', kind: 'progbits', perms: 'rw', addr: data, size: 0x100, align: 8, bytes: new Uint8Array(0x100) },
    ],
    symbols,
    lines: [],
  };
}

/** The instruction lines of an objdump-style listing: address -> instruction text, whitespace normalised. */
export function instructionLines(listing: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of listing.split('\n')) {
    const m = /^ *([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(line);
    if (m) out.set(parseInt(m[1]!, 16), m[2]!.replace(/\s+/g, ' ').trim());
  }
  return out;
}
