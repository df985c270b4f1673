// The .debug_line encoder and decoder: round trips, hand-built programs in
// the other DWARF versions and forms, address lookup, and bad bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeDebugLine, encodeLineProgram, findLine, lineRows, type LineTable } from '../../asm/dwarf-line';
import { ByteWriter } from '../../asm/elf-bytes';
import type { LineRow } from '../../asm/image';
import { readElf } from '../../asm/elf-read';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEER_TOOLS, describePeer } from '../support/peers';

function tables(bytes: Uint8Array, strings = {}): LineTable[] {
  const r = decodeDebugLine(bytes, strings);
  if (!r.ok) throw new Error(r.error);
  return r.tables;
}

/** The standard header fields after header_length, as GNU as writes them. */
function headerParams(w: ByteWriter, version: number): void {
  w.u8(4); // minimum_instruction_length
  if (version >= 4) w.u8(1);
  w.u8(1).u8(-5 & 0xff).u8(14).u8(13);
  for (const n of [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]) w.u8(n);
}

describe('encodeLineProgram', () => {
  it('writes a DWARF 4 header with one file entry per path and the GNU as opcode parameters', () => {
    const { bytes, files } = encodeLineProgram([{ address: 0x1000, file: 'a.s', line: 1, col: 1 }], [{ start: 0x1000, end: 0x1004 }]);
    expect(files).toEqual(['a.s']);
    const v = new DataView(bytes.buffer);
    expect(v.getUint32(0, true)).toBe(bytes.length - 4);
    expect(v.getUint16(4, true)).toBe(4);
    // min_inst_length 1, max_ops 1, default_is_stmt 1, line_base -5, line_range 14, opcode_base 13
    expect([...bytes.subarray(10, 16)]).toEqual([1, 1, 1, 0xfb, 14, 13]);
  });

  it('uses one special opcode for "next instruction, next line"', () => {
    const rows = [0, 1, 2].map((i) => ({ address: 0x1000 + 4 * i, file: 'a.s', line: 10 + i, col: 0 }));
    const { bytes } = encodeLineProgram(rows, [{ start: 0x1000, end: 0x100c }]);
    const program = bytes.subarray(bytes.length - 20);
    // ... set_address(0x1000), advance_line 9 + copy, special (4, +1) twice, advance_pc 4, end_sequence
    expect([...program]).toEqual([
      0, 9, 2, 0x00, 0x10, 0, 0, 0, 0, 0, 0, // DW_LNE_set_address 0x1000
      3, 9, 1, // advance_line 9, copy
      13 + (1 + 5) + 14 * 4, 13 + (1 + 5) + 14 * 4, // special opcodes: address +4, line +1
      2, 4, // advance_pc 4 to the section end
      0, 1, 1, // DW_LNE_end_sequence
    ].slice(-20));
  });

  it('round-trips random rows over several sections', () => {
    const row = (base: number) =>
      fc.record({
        address: fc.nat(255).map((i) => base + 4 * i),
        file: fc.constantFrom('a.s', 'dir/b.s', '/abs/c.s'),
        line: fc.integer({ min: 1, max: 1_000_000 }),
        col: fc.nat(300),
      });
    fc.assert(
      fc.property(fc.array(row(0x10000), { maxLength: 40 }), fc.array(row(0x400000), { maxLength: 40 }), (a, b) => {
        const dedupe = (rs: LineRow[]) => [...new Map(rs.map((r) => [r.address, r])).values()].sort((x, y) => x.address - y.address);
        const rows = [...dedupe(a), ...dedupe(b)];
        const ranges = [{ start: 0x10000, end: 0x10400 }, { start: 0x400000, end: 0x400400 }];
        const t = tables(encodeLineProgram(rows, ranges).bytes);
        expect(lineRows(t)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('throws when a row lies outside every code range (a broken caller invariant)', () => {
    expect(() => encodeLineProgram([{ address: 0x2000, file: 'a.s', line: 1, col: 0 }], [{ start: 0x1000, end: 0x1004 }]))
      .toThrow('line row at 0x2000 lies outside every code range');
  });
});

describe('decodeDebugLine', () => {
  it('decodes DWARF 2/3 programs with include directories, define_file, const_add_pc and fixed_advance_pc', () => {
    for (const version of [2, 3]) {
      const w = new ByteWriter();
      w.u32(0).u16(version);
      const hl = w.length;
      w.u32(0);
      const hs = w.length;
      headerParams(w, version);
      w.cstr('src').cstr('/usr/include').u8(0);
      w.cstr('main.s').uleb(1).uleb(0).uleb(0);
      w.cstr('defs.h').uleb(2).uleb(0).uleb(0);
      w.u8(0);
      w.patchU32(hl, w.length - hs);
      w.u8(0).uleb(9).u8(2).u64(0x20000); // set_address
      w.u8(1); // copy: main.s:1 @0x20000
      w.u8(8); // const_add_pc: (255-13)/14 = 17 * 4 bytes
      w.u8(4).uleb(2).u8(3).sleb(41).u8(1); // defs.h:42 @0x20044
      w.u8(9).u16(6).u8(0).uleb(8).u8(3).cstr('gen.s').uleb(0).uleb(0).uleb(0); // fixed_advance_pc 6, define_file 3
      w.u8(4).uleb(3).u8(5).uleb(7).u8(1); // gen.s:42 col 7 @0x2004a
      w.u8(0).uleb(1).u8(1); // end_sequence
      w.patchU32(0, w.length - 4);
      const [t] = tables(w.finish());
      expect(t!.version).toBe(version);
      expect(t!.files).toEqual([undefined, 'src/main.s', '/usr/include/defs.h', 'gen.s']);
      expect(t!.rows).toEqual([
        { address: 0x20000, file: 'src/main.s', line: 1, col: 0, endSequence: false },
        { address: 0x20044, file: '/usr/include/defs.h', line: 42, col: 0, endSequence: false },
        { address: 0x2004a, file: 'gen.s', line: 42, col: 7, endSequence: false },
        { address: 0x2004a, file: 'gen.s', line: 42, col: 7, endSequence: true },
      ]);
    }
  });

  it('decodes a 64-bit DWARF 5 unit whose tables use DW_FORM_line_strp, DW_FORM_string, udata and data16 (MD5)', () => {
    const lineStr = new ByteWriter().cstr('/work').cstr('lib').cstr('x.s').finish();
    const w = new ByteWriter();
    w.u32(0xffffffff).u64(0); // 64-bit unit_length, patched below
    w.u16(5).u8(8).u8(0);
    const hl = w.length;
    w.u64(0);
    const hs = w.length;
    headerParams(w, 5);
    w.u8(1).uleb(1).uleb(0x1f); // directory format: path line_strp
    w.uleb(2).u64(0).u64(6); // "/work", "lib"
    w.u8(3).uleb(1).uleb(0x08).uleb(2).uleb(0x0f).uleb(5).uleb(0x1e); // path string, dir udata, MD5 data16
    w.uleb(2);
    w.cstr('x.s').uleb(0).bytes(new Uint8Array(16));
    w.cstr('y.s').uleb(1).bytes(new Uint8Array(16));
    const headerLength = w.length - hs;
    w.u8(0).uleb(9).u8(2).u64(0x1000);
    w.u8(4).uleb(1).u8(13 + 5 + 1); // file 1 (y.s), line 2
    w.u8(0).uleb(1).u8(1);
    const bytes = w.finish();
    const v = new DataView(bytes.buffer);
    v.setUint32(4, bytes.length - 12, true);
    v.setUint32(hl, headerLength, true);
    const [t] = tables(bytes, { debugLineStr: lineStr });
    expect(t!.files).toEqual(['/work/x.s', 'lib/y.s']);
    expect(t!.rows[0]).toEqual({ address: 0x1000, file: 'lib/y.s', line: 2, col: 0, endSequence: false });
  });

  it('finds the row covering an address, and nothing past a sequence end', () => {
    const rows = [
      { address: 0x100, file: 'a.s', line: 1, col: 0 },
      { address: 0x108, file: 'a.s', line: 5, col: 0 },
      { address: 0x200, file: 'b.s', line: 9, col: 0 },
    ];
    const t = tables(encodeLineProgram(rows, [{ start: 0x100, end: 0x110 }, { start: 0x200, end: 0x204 }]).bytes);
    expect(findLine(t, 0x100)?.line).toBe(1);
    expect(findLine(t, 0x104)?.line).toBe(1);
    expect(findLine(t, 0x10c)?.line).toBe(5);
    expect(findLine(t, 0x110)).toBeUndefined();
    expect(findLine(t, 0xfc)).toBeUndefined();
    expect(findLine(t, 0x200)).toEqual({ address: 0x200, file: 'b.s', line: 9, col: 0 });
    expect(findLine(t, 0x204)).toBeUndefined();
  });

  it('reports malformed units with their offset instead of throwing', () => {
    const good = encodeLineProgram([{ address: 0x1000, file: 'a.s', line: 1, col: 0 }], [{ start: 0x1000, end: 0x1004 }]).bytes;
    expect(decodeDebugLine(good.slice(0, 20))).toEqual({ ok: false, error: '.debug_line unit at offset 0x0: unit_length 0x32 runs past the section end' });
    const v6 = good.slice();
    v6[4] = 6;
    expect(decodeDebugLine(v6)).toEqual({ ok: false, error: '.debug_line unit at offset 0x0: unsupported version 6' });
    const twice = new Uint8Array([...good, 1, 2]);
    expect(decodeDebugLine(twice).ok).toBe(false);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(good.length), (edits, cut) => {
        const b = good.slice(0, Math.max(cut, 1));
        for (const [at, x] of edits) if (at < b.length) b[at] = x;
        const r = decodeDebugLine(b);
        if (!r.ok) expect(r.error).toMatch(/^\.debug_line unit at offset 0x[0-9a-f]+: /);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("findLine chooses gdb's row where several share an address", () => {
  // tests/emu/debugger/fixtures/bin/unwind-o2 (gcc -g -O2): at 0x101f0 a statement row for line 19 and a non-statement
  // row for line 20; at 0x101cc rows 16 (stmt), 17 (stmt), 16 (not). gdb-multiarch's `info line *ADDR` on this ELF
  // (checked again below when gdb-multiarch is installed) names the last statement row of the address.
  const ELF = 'tests/emu/debugger/fixtures/bin/unwind-o2';
  const GDB_LINES: [number, number][] = [
    [0x101a4, 11], [0x101a8, 12], [0x101c0, 14], [0x101cc, 17], [0x101d0, 17], [0x101e4, 18],
    [0x101f0, 19], [0x101f4, 19], [0x101fc, 20], [0x10208, 22], [0x1022c, 24], [0x1017c, 27],
  ];
  const elfTables = (): LineTable[] => {
    const r = readElf(readFileSync(ELF));
    if (!r.ok || r.elf.debugLine === undefined || !r.elf.debugLine.ok) throw new Error('no line table');
    return r.elf.debugLine.tables;
  };

  it('the decoder keeps is_stmt: the row of line 20 at 0x101f0 is not a statement, line 19 there is', () => {
    const rows = elfTables().flatMap((t) => t.rows).filter((r) => r.address === 0x101f0);
    expect(rows.map((r) => [r.line, r.notStmt === true])).toEqual([[19, false], [20, true]]);
  });

  it("each address's line is gdb's", () => {
    const t = elfTables();
    expect(GDB_LINES.map(([a]) => [a, findLine(t, a)?.line])).toEqual(GDB_LINES);
  });

  it('without is_stmt rows (vmlab as writes every row a statement) the last row at an address is still chosen', () => {
    const enc = encodeLineProgram([{ address: 0x1000, file: 'a.s', line: 1, col: 0 }, { address: 0x1000, file: 'a.s', line: 2, col: 0 }], [{ start: 0x1000, end: 0x1008 }]);
    expect(findLine(tables(enc.bytes), 0x1004)?.line).toBe(2);
  });

  describePeer('gdb-multiarch', ['gdb'], () => {
    it('gdb-multiarch says the same lines for the same addresses', () => {
      const dir = mkdtempSync(join(tmpdir(), 'vmlab-line-'));
      writeFileSync(join(dir, 'lines.gdb'), GDB_LINES.map(([a]) => `info line *0x${a.toString(16)}\n`).join(''));
      const out = execFileSync(PEER_TOOLS.gdb, ['-batch', '-nx', '-x', join(dir, 'lines.gdb'), ELF], { encoding: 'utf8', env: { ...process.env, DEBUGINFOD_URLS: '', LC_ALL: 'C' } });
      expect([...out.matchAll(/^Line (\d+) of /gm)].map((m) => Number(m[1]))).toEqual(GDB_LINES.map(([, l]) => l));
    });
  });
});
