// The CFI reader (emu/debugger/dwarf-cfi.ts) on hand-built .debug_frame and
// .eh_frame bytes: CIEs of versions 1, 3 and 4, the "zR" augmentation with
// pc-relative sdata4 addresses, each DW_CFA_* the reader knows, and what it
// does with sections and programs it cannot read.
import { describe, expect, it } from 'vitest';
import { CallFrameInfo, readCfiSection, rowAt } from '../../../emu/debugger/dwarf-cfi';
import type { CfiRow, CfiSection } from '../../../emu/debugger/dwarf-cfi';
import { TWO32 } from '../../../emu/machine/cpu/int64';

const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const u64 = (v: number): number[] => [...u32(v % TWO32), ...u32(Math.floor(v / TWO32))];
/** A length-prefixed entry (32-bit DWARF). */
const entry = (body: number[]): number[] => [...u32(body.length), ...body];

/** A .debug_frame CIE: version 3, no augmentation, code alignment 1, data alignment -4, ra column 1; initial instructions. */
const debugCie = (initial: number[]): number[] => entry([...u32(0xffffffff), 3, 0, 1, 0x7c, 1, ...initial]);
/** A .debug_frame FDE for [start, start+len) whose CIE is at `cie`. */
const debugFde = (cie: number, start: number, len: number, prog: number[]): number[] => entry([...u32(cie), ...u64(start), ...u64(len), ...prog]);

const section = (bytes: number[], kind: CfiSection['kind'] = 'debug_frame', addr = 0): CfiSection => ({ bytes: Uint8Array.from(bytes), addr, kind });

/** A row in a comparable form: the CFA rule and the register rules, by register. */
const plain = (r: CfiRow): { cfa: unknown; regs: Record<string, unknown> } => ({ cfa: r.cfa, regs: Object.fromEntries([...r.regs].sort((a, b) => a[0] - b[0])) });

// gcc -O0's prologue and epilogue for a leaf (`addi sp,sp,-48; sd s0,40(sp); addi s0,sp,48 ... ld s0,40(sp); addi sp,sp,48; ret`).
const LEAF = [
  0x44, 0x0e, 48, // advance_loc 4; def_cfa_offset 48
  0x44, 0x88, 2, // advance_loc 4; offset r8 at cfa-8 (2 * -4)
  0x44, 0x0c, 8, 0, // advance_loc 4; def_cfa r8 + 0
  0x02, 0x20, 0xc8, 0x0c, 2, 48, // advance_loc1 32; restore r8; def_cfa r2 + 48
  0x44, 0x0e, 0, // advance_loc 4; def_cfa_offset 0
];

describe('.debug_frame', () => {
  const cfi = new CallFrameInfo([section([...debugCie([0x0d, 2]), ...debugFde(0, 0x10000, 0x40, LEAF)])]);
  const fde = cfi.fdeFor(0x10000)!;

  it('reads the CIE (alignment factors, ra column, initial instructions) and the FDE range', () => {
    expect(fde.start).toBe(0x10000);
    expect(fde.end).toBe(0x10040);
    expect(fde.cie).toMatchObject({ codeAlign: 1, dataAlign: -4, raColumn: 1, augmentation: '', fdeEncoding: 0 });
    expect(cfi.fdeFor(0xfffc)).toBeUndefined();
    expect(cfi.fdeFor(0x10040)).toBeUndefined();
    expect(cfi.size).toBe(1);
  });

  it('gives the row at each pc of the prologue, body and epilogue', () => {
    expect(plain(rowAt(fde, 0x10000))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 0 }, regs: {} });
    expect(plain(rowAt(fde, 0x10004))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 48 }, regs: {} });
    expect(plain(rowAt(fde, 0x10008))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 48 }, regs: { 8: { kind: 'offset', offset: -8 } } });
    expect(plain(rowAt(fde, 0x1000c))).toEqual({ cfa: { kind: 'register', reg: 8, offset: 0 }, regs: { 8: { kind: 'offset', offset: -8 } } });
    expect(plain(rowAt(fde, 0x1002b))).toEqual({ cfa: { kind: 'register', reg: 8, offset: 0 }, regs: { 8: { kind: 'offset', offset: -8 } } });
    expect(plain(rowAt(fde, 0x1002c))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 48 }, regs: {} });
    expect(plain(rowAt(fde, 0x10030))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 0 }, regs: {} });
  });

  it('finds an FDE whose CIE comes after it, and a version 4 CIE (address and segment sizes)', () => {
    const size = debugFde(0, 0x20000, 8, [0x44, 0x0e, 16]).length;
    const fdeFirst = debugFde(size, 0x20000, 8, [0x44, 0x0e, 16]);
    const cie4 = entry([...u32(0xffffffff), 4, 0, 8, 0, 1, 0x7c, 1, 0x0c, 2, 0]);
    const fdes = readCfiSection(section([...fdeFirst, ...cie4]));
    expect(fdes).toHaveLength(1);
    expect(plain(rowAt(fdes[0]!, 0x20004))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 16 }, regs: {} });
  });

  it('leaves out an FDE at address 0 (code the linker discarded)', () => {
    expect(readCfiSection(section([...debugCie([]), ...debugFde(0, 0, 0x40, [])]))).toEqual([]);
  });
});

describe('.eh_frame ("zR", pc-relative sdata4)', () => {
  // CIE at 0: version 1, "zR", code 1, data -4, ra 1 (a byte in version 1), augmentation data 1 byte: 0x1b.
  const cie = entry([...u32(0), 1, 0x7a, 0x52, 0, 1, 0x7c, 1, 1, 0x1b, 0x0c, 2, 0]);
  const sectionAddr = 0x16908;
  // The FDE starts at cie.length; its CIE pointer (at cie.length + 4) counts back to offset 0.
  const fdeAt = cie.length;
  const start = 0x101a4, len = 0x28;
  const pcField = sectionAddr + fdeAt + 8;
  const fde = entry([...u32(fdeAt + 4), ...u32(start - pcField), ...u32(len), 0, 0x44, 0x0e, 32, 0x44, 0x81, 2]);
  const bytes = [...cie, ...fde, ...u32(0)];

  it('decodes the pc-relative start and the range, skips the augmentation data, and stops at the terminator', () => {
    const cfi = new CallFrameInfo([section(bytes, 'eh_frame', sectionAddr)]);
    const f = cfi.fdeFor(0x101a4)!;
    expect([f.start, f.end]).toEqual([0x101a4, 0x101cc]);
    expect(f.cie).toMatchObject({ augmentation: 'zR', fdeEncoding: 0x1b, raColumn: 1, dataAlign: -4 });
    expect(plain(rowAt(f, 0x101ac))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 32 }, regs: { 1: { kind: 'offset', offset: -8 } } });
  });

  it('a start below the section (negative sdata4) is read as negative', () => {
    const f = readCfiSection(section(bytes, 'eh_frame', sectionAddr))[0]!;
    expect(start - pcField).toBeLessThan(0);
    expect(f.start).toBe(start);
  });
});

describe('the DW_CFA_* programs', () => {
  const rowOf = (prog: number[], pc: number, initial: number[] = [0x0c, 2, 0]): CfiRow => {
    const fdes = readCfiSection(section([...debugCie(initial), ...debugFde(0, 0x1000, 0x10000, prog)]));
    return rowAt(fdes[0]!, pc);
  };

  it('offset_extended, offset_extended_sf, val_offset(_sf), register, same_value, undefined, GNU_negative_offset_extended', () => {
    const prog = [0x05, 9, 4, 0x11, 18, 0x7e, 0x14, 19, 2, 0x15, 20, 0x7f, 0x09, 21, 10, 0x08, 22, 0x07, 23, 0x2f, 24, 3];
    expect(plain(rowOf(prog, 0x1000))).toEqual({
      cfa: { kind: 'register', reg: 2, offset: 0 },
      regs: {
        9: { kind: 'offset', offset: -16 },
        18: { kind: 'offset', offset: 8 },
        19: { kind: 'val-offset', offset: -8 },
        20: { kind: 'val-offset', offset: 4 },
        21: { kind: 'register', reg: 10 },
        22: { kind: 'same' },
        23: { kind: 'undefined' },
        24: { kind: 'offset', offset: 12 },
      },
    });
  });

  it('def_cfa_sf and def_cfa_offset_sf scale by the data alignment; def_cfa_register keeps the offset', () => {
    expect(rowOf([0x12, 8, 0x7e], 0x1000).cfa).toEqual({ kind: 'register', reg: 8, offset: 8 });
    expect(rowOf([0x0e, 32, 0x0d, 8], 0x1000).cfa).toEqual({ kind: 'register', reg: 8, offset: 32 });
    expect(rowOf([0x13, 0x7c], 0x1000).cfa).toEqual({ kind: 'register', reg: 2, offset: 16 });
  });

  it('advance_loc2 and advance_loc4 move the location; what follows applies only from there', () => {
    const prog = [0x03, 0x00, 0x01, 0x0e, 16, 0x04, 0x00, 0x00, 0x01, 0x00, 0x0e, 32];
    expect(rowOf(prog, 0x10ff).cfa).toEqual({ kind: 'register', reg: 2, offset: 0 });
    expect(rowOf(prog, 0x1100).cfa).toEqual({ kind: 'register', reg: 2, offset: 16 });
    expect(rowOf(prog, 0x110ff).cfa).toEqual({ kind: 'register', reg: 2, offset: 16 });
    expect(rowOf(prog, 0x11100).cfa).toEqual({ kind: 'register', reg: 2, offset: 32 });
  });

  it('remember_state and restore_state bracket an epilogue (gcc with several returns)', () => {
    const prog = [0x0e, 16, 0x81, 2, 0x0a, 0x44, 0xc1, 0x0e, 0, 0x44, 0x0b];
    expect(plain(rowOf(prog, 0x1004))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 0 }, regs: {} });
    expect(plain(rowOf(prog, 0x1008))).toEqual({ cfa: { kind: 'register', reg: 2, offset: 16 }, regs: { 1: { kind: 'offset', offset: -8 } } });
  });

  it("restore and restore_extended go back to the CIE's initial rule", () => {
    const initial = [0x0c, 2, 0, 0x08, 9];
    expect(plain(rowOf([0x89, 1, 0x44, 0xc9], 0x1004, initial)).regs).toEqual({ 9: { kind: 'same' } });
    expect(plain(rowOf([0x89, 1, 0x44, 0x06, 9], 0x1004, initial)).regs).toEqual({ 9: { kind: 'same' } });
  });

  it('def_cfa_expression, expression and val_expression are kept as their bytes; GNU_args_size and nop change nothing', () => {
    const r = rowOf([0x2e, 16, 0x00, 0x0f, 2, 0x72, 8, 0x10, 1, 2, 0x72, 0, 0x16, 8, 1, 0x9c], 0x1000);
    expect(r.cfa).toEqual({ kind: 'expression', expr: Uint8Array.from([0x72, 8]) });
    expect(r.regs.get(1)).toEqual({ kind: 'expression', expr: Uint8Array.from([0x72, 0]) });
    expect(r.regs.get(8)).toEqual({ kind: 'val-expression', expr: Uint8Array.from([0x9c]) });
  });
});

describe('what cannot be read', () => {
  it('an unknown opcode: no row for that FDE (the walk then falls back)', () => {
    const cfi = new CallFrameInfo([section([...debugCie([0x0c, 2, 0]), ...debugFde(0, 0x1000, 16, [0x3f])])]);
    expect(cfi.fdeFor(0x1000)).toBeDefined();
    expect(cfi.rowFor(0x1000)).toBeUndefined();
  });

  it('restore_state without remember_state: no row', () => {
    const cfi = new CallFrameInfo([section([...debugCie([0x0c, 2, 0]), ...debugFde(0, 0x1000, 16, [0x0b])])]);
    expect(cfi.rowFor(0x1000)).toBeUndefined();
  });

  it('a truncated section keeps the FDEs before the cut; a CIE of an unknown version or augmentation drops its FDEs', () => {
    const good = [...debugCie([0x0c, 2, 0]), ...debugFde(0, 0x1000, 16, [])];
    expect(readCfiSection(section([...good, ...debugFde(0, 0x2000, 16, [0x41]).slice(0, 10)]))).toHaveLength(1);
    const v2 = entry([...u32(0xffffffff), 2, 0, 1, 0x7c, 1]);
    expect(readCfiSection(section([...v2, ...debugFde(0, 0x1000, 16, [])]))).toEqual([]);
    const aug = entry([...u32(0xffffffff), 3, 0x65, 0x68, 0, 1, 0x7c, 1]);
    expect(readCfiSection(section([...aug, ...debugFde(0, 0x1000, 16, [])]))).toEqual([]);
  });

  it('64-bit DWARF and an FDE naming no CIE end the section', () => {
    expect(readCfiSection(section([...u32(0xffffffff), ...u64(20)]))).toEqual([]);
    expect(readCfiSection(section(debugFde(0x100, 0x1000, 16, [])))).toEqual([]);
  });

  it('an empty section, and nothing at all', () => {
    expect(new CallFrameInfo([]).fdeFor(0x1000)).toBeUndefined();
    expect(readCfiSection(section([]))).toEqual([]);
  });
});
