// Every table entry round-trips: a random word matching the entry,
// disassembled at a pc, then assembled at that same pc, gives the same word.
// Words objdump does not decode (fences with non-zero rd/rs1/fm bits) print
// as `.4byte 0x...`, which assembles back to the same word too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INSNS } from '../../emu/machine/isa/table';
import { disassembleWord } from '../../asm/disasm';
import { assemble, formatDiagnostic } from '../../asm/assembler';

const BASE = 0x200000; // far enough from 0 that every jal/branch target is a positive address

describe('assemble -> disassemble -> assemble round trip', () => {
  it.each(INSNS.map((d) => [d.mnemonic, d] as const))('%s', (_m, d) => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 64 }), (noise) => {
      const words = noise.map((n) => ((n & ~d.mask) | d.match) >>> 0);
      const lines = words.map((w, i) => disassembleWord(w, BASE + 4 * i).text);
      const r = assemble([{ path: 'rt.s', text: lines.join('\n') + '\n' }], { textBase: BASE, requireEntry: false });
      if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
      const text = r.image.sections.find((s) => s.name === '.text')!;
      const dv = new DataView(text.bytes.buffer, text.bytes.byteOffset, text.bytes.byteLength);
      const back = words.map((_, i) => dv.getUint32(4 * i, true));
      expect(back.map((w) => w.toString(16))).toEqual(words.map((w) => w.toString(16)));
      expect(text.size).toBe(4 * words.length);
    }), { numRuns: 40 });
  });
});
