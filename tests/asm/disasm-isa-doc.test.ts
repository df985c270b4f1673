// docs/isa.md lists exactly the instruction table: one row per entry with
// its format, match and mask, and nothing the table does not have.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSNS } from '../../emu/machine/isa/table';
import { ABI_NAMES } from '../../emu/machine/isa/registers';
import { disassembleWord } from '../../asm/disasm';

const doc = readFileSync(join(process.cwd(), 'docs', 'isa.md'), 'utf8');
const hex = (x: number): string => `\`0x${(x >>> 0).toString(16).padStart(8, '0')}\``;

/** Rows of the instruction table: | `mnemonic` | F | `syntax` | `match` | `mask` | operation | */
function instructionRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const cells = line.split(' | ');
    if (cells.length >= 6 && /^\| `[a-z.]+` $/.test(cells[0]! + ' ') && /^`0x[0-9a-f]{8}`$/.test(cells[3]!)) {
      rows.set(cells[0]!.slice(3, -1), cells);
    }
  }
  return rows;
}

describe('docs/isa.md', () => {
  const rows = instructionRows();

  it('has one row per table entry, and no others', () => {
    expect([...rows.keys()].sort()).toEqual(INSNS.map((d) => d.mnemonic).sort());
  });

  it.each(INSNS.map((d) => [d.mnemonic, d] as const))('gives %s its format, match and mask', (_m, d) => {
    const cells = rows.get(d.mnemonic)!;
    expect(cells[1]).toBe(d.format);
    expect(cells[3]).toBe(hex(d.match));
    expect(cells[4]).toBe(hex(d.mask));
    expect(cells[2]!.startsWith(`\`${d.mnemonic}`)).toBe(true);
  });

  it('names every register by its ABI name', () => {
    for (const name of ABI_NAMES) expect(doc).toContain(`\`${name}\``);
  });

  it('shows pseudo-instructions the disassembler really prints', () => {
    for (const [word, name] of [[0x00000013, 'nop'], [0x00008067, 'ret'], [0x0005059b, 'sext.w'], [0x40c005b3, 'neg']] as const) {
      expect(disassembleWord(word, 0).mnemonic).toBe(name);
      expect(doc).toContain(`\`${name}`);
    }
  });

  it('describes ecall, ebreak (#BP, 3) and illegal instructions (#UD, 6)', () => {
    expect(doc).toMatch(/## System calls: `ecall`/);
    expect(doc).toMatch(/`a7` holds the system-call number/);
    expect(doc).toMatch(/## Breakpoints: `ebreak` \(#BP, vector 3\)/);
    expect(doc).toMatch(/## Illegal instructions \(#UD, vector 6\)/);
  });
});
