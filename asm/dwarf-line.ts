// DWARF line-number programs (DWARF 5, section 6.2): an encoder for the
// assembler's line rows and a decoder for .debug_line as vmlab and the GNU
// toolchain write it (versions 2 to 5, 32- and 64-bit DWARF).
//
// vmlab writes a version 4 program: no directory table, one file entry per
// source path (directory 0, the compilation directory, which is left out so
// that the output does not depend on the current directory), columns set
// with DW_LNS_set_column, one sequence per code section.

import type { LineRow } from './image';
import { ByteReader, ByteWriter, ReadPastEnd, cstrAt } from './elf-bytes';

// Standard opcodes (DWARF 5, 6.2.5.2).
const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNS_negate_stmt = 6;
const DW_LNS_set_basic_block = 7;
const DW_LNS_const_add_pc = 8;
const DW_LNS_fixed_advance_pc = 9;
const DW_LNS_set_prologue_end = 10;
const DW_LNS_set_epilogue_begin = 11;
const DW_LNS_set_isa = 12;
// Extended opcodes (6.2.5.3).
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const DW_LNE_define_file = 3;
// Line-number header entry formats (6.2.4.1) and the forms they use (7.5.6).
const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;
const DW_FORM_block2 = 0x03;
const DW_FORM_block4 = 0x04;
const DW_FORM_data2 = 0x05;
const DW_FORM_data4 = 0x06;
const DW_FORM_data8 = 0x07;
const DW_FORM_string = 0x08;
const DW_FORM_block = 0x09;
const DW_FORM_block1 = 0x0a;
const DW_FORM_data1 = 0x0b;
const DW_FORM_sdata = 0x0d;
const DW_FORM_strp = 0x0e;
const DW_FORM_udata = 0x0f;
const DW_FORM_data16 = 0x1e;
const DW_FORM_line_strp = 0x1f;
const DW_FORM_strx = 0x1a;
const DW_FORM_strx1 = 0x25;
const DW_FORM_strx2 = 0x26;
const DW_FORM_strx3 = 0x27;
const DW_FORM_strx4 = 0x28;

// The header parameters GNU as uses, so that special opcodes cover the usual
// "next instruction, next line" step in one byte.
const LINE_BASE = -5;
const LINE_RANGE = 14;
const OPCODE_BASE = 13;
const STANDARD_OPCODE_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** One code range whose rows form a sequence: [start, end). */
export interface CodeRange {
  start: number;
  end: number;
}

export interface EncodedLineProgram {
  bytes: Uint8Array;
  /** The file table, in file-number order (file number = index + 1). */
  files: string[];
}

/**
 * Encodes `rows` (sorted by address) as one DWARF 4 line-number program.
 * Each range in `ranges` that holds rows becomes a sequence ending at the
 * range's end, so the last instruction of a section keeps its line.
 * Rows outside every range are a broken invariant of the caller.
 */
export function encodeLineProgram(rows: readonly LineRow[], ranges: readonly CodeRange[]): EncodedLineProgram {
  const files: string[] = [];
  const fileNo = new Map<string, number>();
  for (const r of rows) {
    if (!fileNo.has(r.file)) {
      files.push(r.file);
      fileNo.set(r.file, files.length);
    }
  }

  const w = new ByteWriter();
  w.u32(0); // unit_length, patched below
  w.u16(4); // version
  const headerLengthAt = w.length;
  w.u32(0); // header_length, patched below
  const headerStart = w.length;
  w.u8(1); // minimum_instruction_length
  w.u8(1); // maximum_operations_per_instruction
  w.u8(1); // default_is_stmt
  w.u8(LINE_BASE & 0xff);
  w.u8(LINE_RANGE);
  w.u8(OPCODE_BASE);
  for (const n of STANDARD_OPCODE_LENGTHS) w.u8(n);
  w.u8(0); // include_directories: empty
  for (const f of files) w.cstr(f).uleb(0).uleb(0).uleb(0); // name, dir, mtime, length
  w.u8(0);
  w.patchU32(headerLengthAt, w.length - headerStart);

  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let i = 0;
  for (const range of sorted) {
    while (i < rows.length && rows[i]!.address < range.start) {
      throw new Error(`line row at 0x${rows[i]!.address.toString(16)} lies outside every code range`);
    }
    if (i >= rows.length || rows[i]!.address >= range.end) continue;
    // A sequence: start at the first row's address with the initial state.
    let address = rows[i]!.address;
    let line = 1;
    let file = 1;
    let col = 0;
    w.u8(0).uleb(9).u8(DW_LNE_set_address).u64(address);
    for (; i < rows.length && rows[i]!.address < range.end; i++) {
      const r = rows[i]!;
      const f = fileNo.get(r.file)!;
      if (f !== file) {
        w.u8(DW_LNS_set_file).uleb(f);
        file = f;
      }
      if (r.col !== col) {
        w.u8(DW_LNS_set_column).uleb(r.col);
        col = r.col;
      }
      const lineDelta = r.line - line;
      const addrDelta = r.address - address;
      if (addrDelta < 0) throw new Error('line rows are not sorted by address');
      const special = lineDelta - LINE_BASE + LINE_RANGE * addrDelta + OPCODE_BASE;
      if (lineDelta >= LINE_BASE && lineDelta < LINE_BASE + LINE_RANGE && special <= 255) {
        w.u8(special);
      } else {
        if (lineDelta !== 0) w.u8(DW_LNS_advance_line).sleb(lineDelta);
        if (addrDelta !== 0) w.u8(DW_LNS_advance_pc).uleb(addrDelta);
        w.u8(DW_LNS_copy);
      }
      line = r.line;
      address = r.address;
    }
    if (range.end > address) w.u8(DW_LNS_advance_pc).uleb(range.end - address);
    w.u8(0).uleb(1).u8(DW_LNE_end_sequence);
  }
  if (i < rows.length) throw new Error(`line row at 0x${rows[i]!.address.toString(16)} lies outside every code range`);

  w.patchU32(0, w.length - 4);
  return { bytes: w.finish(), files };
}

// ---------------------------------------------------------------------------
// Decoder

/** A row of a decoded line table; `endSequence` rows mark the first address past a sequence. */
export interface DecodedLineRow extends LineRow {
  endSequence: boolean;
  /** Present (true) on a row whose is_stmt register was false: not a recommended breakpoint spot for its line (DWARF 5 6.2.2). */
  notStmt?: true;
}

export interface LineTable {
  /** Offset of this unit in .debug_line. */
  offset: number;
  version: number;
  /** File names by file-register value (index 0 unused before DWARF 5). */
  files: (string | undefined)[];
  rows: DecodedLineRow[];
}

/** The string sections a DWARF 5 line header may point into. */
export interface DwarfStrings {
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

export type DecodeLineResult = { ok: true; tables: LineTable[] } | { ok: false; error: string };

/**
 * Decodes every line-number program in a .debug_line section (DWARF 6.2).
 * Malformed input gives `{ ok: false }` naming the offset; it never throws.
 */
export function decodeDebugLine(debugLine: Uint8Array, strings: DwarfStrings = {}): DecodeLineResult {
  const tables: LineTable[] = [];
  let offset = 0;
  try {
    while (offset < debugLine.length) {
      const table = decodeUnit(debugLine, offset, strings);
      tables.push(table.table);
      offset = table.next;
    }
  } catch (e) {
    if (e instanceof ReadPastEnd || e instanceof LineFormatError) {
      return { ok: false, error: `.debug_line unit at offset 0x${offset.toString(16)}: ${e.message}` };
    }
    throw e;
  }
  return { ok: true, tables };
}

class LineFormatError extends Error {}

function decodeUnit(bytes: Uint8Array, offset: number, strings: DwarfStrings): { table: LineTable; next: number } {
  const head = new ByteReader(bytes, offset);
  let unitLength = head.u32('unit_length');
  let offsetSize = 4;
  if (unitLength === 0xffffffff) {
    unitLength = head.u64('unit_length');
    offsetSize = 8;
  } else if (unitLength >= 0xfffffff0) {
    throw new LineFormatError(`reserved unit_length 0x${unitLength.toString(16)}`);
  }
  const end = head.pos + unitLength;
  if (end > bytes.length) throw new LineFormatError(`unit_length 0x${unitLength.toString(16)} runs past the section end`);
  const r = new ByteReader(bytes, head.pos, end);
  const version = r.u16('version');
  if (version < 2 || version > 5) throw new LineFormatError(`unsupported version ${version}`);
  let addressSize = 8;
  if (version >= 5) {
    addressSize = r.u8('address_size');
    r.u8('segment_selector_size');
  }
  const headerLength = r.uN(offsetSize, 'header_length');
  const programStart = r.pos + headerLength;
  if (programStart > end) throw new LineFormatError('header_length runs past the unit end');
  const minInsnLength = r.u8('minimum_instruction_length');
  if (version >= 4) r.u8('maximum_operations_per_instruction');
  const defaultIsStmt = r.u8('default_is_stmt') !== 0;
  const lineBase = r.i8('line_base');
  const lineRange = r.u8('line_range');
  const opcodeBase = r.u8('opcode_base');
  if (lineRange === 0) throw new LineFormatError('line_range is 0');
  const opcodeLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) opcodeLengths.push(r.u8('standard_opcode_lengths'));

  const dirs: (string | undefined)[] = [];
  const files: (string | undefined)[] = [];
  if (version >= 5) {
    const dirFormat = readEntryFormat(r);
    const dirCount = r.uleb('directories_count');
    for (let i = 0; i < dirCount; i++) dirs.push(readEntry(r, dirFormat, offsetSize, strings).path);
    const fileFormat = readEntryFormat(r);
    const fileCount = r.uleb('file_names_count');
    for (let i = 0; i < fileCount; i++) {
      const e = readEntry(r, fileFormat, offsetSize, strings);
      files.push(joinPath(dirs[e.dir], e.path));
    }
  } else {
    dirs.push(undefined); // directory 0: the compilation directory, not recorded here
    for (;;) {
      const d = r.cstr('include_directories');
      if (d === '') break;
      dirs.push(d);
    }
    files.push(undefined); // file numbers start at 1
    for (;;) {
      const name = r.cstr('file_names');
      if (name === '') break;
      const dir = r.uleb('directory index');
      r.uleb('mtime');
      r.uleb('length');
      files.push(joinPath(dirs[dir], name));
    }
  }

  r.pos = programStart;
  const rows: DecodedLineRow[] = [];
  let address = 0;
  let file = 1;
  let line = 1;
  let col = 0;
  let isStmt = defaultIsStmt;
  const emit = (endSequence: boolean): void => {
    rows.push({ address, file: files[file] ?? `<file ${file}>`, line, col, endSequence, ...(isStmt ? {} : { notStmt: true as const }) });
  };
  const reset = (): void => {
    address = 0;
    file = 1;
    line = 1;
    col = 0;
    isStmt = defaultIsStmt;
  };
  while (r.pos < end) {
    const op = r.u8('opcode');
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += minInsnLength * Math.floor(adj / lineRange);
      line += lineBase + (adj % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb('extended opcode length');
        if (len === 0) break;
        const after = r.pos + len;
        if (after > end) throw new LineFormatError(`extended opcode at 0x${(r.pos - 1).toString(16)} runs past the unit end`);
        const sub = r.u8('extended opcode');
        if (sub === DW_LNE_end_sequence) {
          emit(true);
          reset();
        } else if (sub === DW_LNE_set_address) {
          const size = len - 1;
          address = size === addressSize || size === 8 || size === 4 ? r.uN(size, 'address') : (r.skip(size), address);
        } else if (sub === DW_LNE_define_file) {
          const name = r.cstr('file name');
          const dir = r.uleb('directory index');
          r.uleb('mtime');
          r.uleb('length');
          files.push(joinPath(dirs[dir], name));
        }
        r.pos = after;
        break;
      }
      case DW_LNS_copy:
        emit(false);
        break;
      case DW_LNS_advance_pc:
        address += minInsnLength * r.uleb('operand');
        break;
      case DW_LNS_advance_line:
        line += r.sleb('operand');
        break;
      case DW_LNS_set_file:
        file = r.uleb('operand');
        break;
      case DW_LNS_set_column:
        col = r.uleb('operand');
        break;
      case DW_LNS_negate_stmt:
        isStmt = !isStmt;
        break;
      case DW_LNS_set_basic_block:
      case DW_LNS_set_prologue_end:
      case DW_LNS_set_epilogue_begin:
        break;
      case DW_LNS_const_add_pc:
        address += minInsnLength * Math.floor((255 - opcodeBase) / lineRange);
        break;
      case DW_LNS_fixed_advance_pc:
        address += r.u16('operand');
        break;
      case DW_LNS_set_isa:
        r.uleb('operand');
        break;
      default:
        // A standard opcode this decoder does not know: skip its ULEB operands.
        for (let n = opcodeLengths[op] ?? 0; n > 0; n--) r.uleb('operand');
    }
  }
  return { table: { offset, version, files, rows }, next: end };
}

interface EntryFormat {
  type: number;
  form: number;
}

function readEntryFormat(r: ByteReader): EntryFormat[] {
  const n = r.u8('entry_format_count');
  const out: EntryFormat[] = [];
  for (let i = 0; i < n; i++) out.push({ type: r.uleb('content type'), form: r.uleb('form') });
  return out;
}

function readEntry(r: ByteReader, format: EntryFormat[], offsetSize: number, strings: DwarfStrings): { path: string | undefined; dir: number } {
  let path: string | undefined;
  let dir = 0;
  for (const { type, form } of format) {
    const v = readForm(r, form, offsetSize, strings);
    if (type === DW_LNCT_path && typeof v === 'string') path = v;
    else if (type === DW_LNCT_directory_index && typeof v === 'number') dir = v;
  }
  return { path, dir };
}

/** Reads one attribute value of the forms allowed in a line header (DWARF 5, 6.2.4.1). */
function readForm(r: ByteReader, form: number, offsetSize: number, strings: DwarfStrings): string | number | undefined {
  switch (form) {
    case DW_FORM_string:
      return r.cstr('string');
    case DW_FORM_line_strp:
    case DW_FORM_strp: {
      const off = r.uN(offsetSize, 'string offset');
      const table = form === DW_FORM_line_strp ? strings.debugLineStr : strings.debugStr;
      const name = form === DW_FORM_line_strp ? '.debug_line_str' : '.debug_str';
      if (!table) throw new LineFormatError(`file table points into ${name}, which is missing`);
      const s = cstrAt(table, off);
      if (s === undefined) throw new LineFormatError(`string offset 0x${off.toString(16)} is outside ${name}`);
      return s;
    }
    case DW_FORM_strx: case DW_FORM_udata:
      return r.uleb('value');
    case DW_FORM_strx1: case DW_FORM_data1:
      return r.u8('value');
    case DW_FORM_strx2: case DW_FORM_data2:
      return r.u16('value');
    case DW_FORM_strx3:
      return r.u16('value') + r.u8('value') * 0x10000;
    case DW_FORM_strx4: case DW_FORM_data4:
      return r.u32('value');
    case DW_FORM_data8:
      r.skip(8, 'data8');
      return undefined;
    case DW_FORM_data16:
      r.skip(16, 'data16');
      return undefined;
    case DW_FORM_sdata:
      return r.sleb('value');
    case DW_FORM_block:
      r.skip(r.uleb('block length'), 'block');
      return undefined;
    case DW_FORM_block1:
      r.skip(r.u8('block length'), 'block');
      return undefined;
    case DW_FORM_block2:
      r.skip(r.u16('block length'), 'block');
      return undefined;
    case DW_FORM_block4:
      r.skip(r.u32('block length'), 'block');
      return undefined;
    default:
      throw new LineFormatError(`unsupported form 0x${form.toString(16)} in the file table`);
  }
}

function joinPath(dir: string | undefined, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (dir === undefined || dir === '' || name.startsWith('/')) return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The statement rows of all tables (end-of-sequence markers dropped), sorted by address. */
export function lineRows(tables: readonly LineTable[]): LineRow[] {
  const out: LineRow[] = [];
  for (const t of tables) for (const r of t.rows) if (!r.endSequence) out.push({ address: r.address, file: r.file, line: r.line, col: r.col });
  return out.sort((a, b) => a.address - b.address);
}

/**
 * The row that covers `address`: the last row at or below it within a
 * sequence whose end lies above it (DWARF 6.2.2: a row covers the addresses
 * up to the next row). Of several rows at that row's address, the last
 * is_stmt one, as gdb's find_pc_sect_line chooses (gcc -O2 puts a statement
 * row and non-statement rows of other lines at one address). Undefined if
 * no sequence covers the address.
 */
export function findLine(tables: readonly LineTable[], address: number): LineRow | undefined {
  for (const t of tables) {
    let best: DecodedLineRow | undefined;
    for (const r of t.rows) {
      if (r.endSequence) {
        if (best && address < r.address) return { address: best.address, file: best.file, line: best.line, col: best.col };
        best = undefined;
      } else if (r.address <= address) {
        // At the same address a statement row is not displaced by a non-statement one.
        if (best === undefined || best.address !== r.address || best.notStmt === true || r.notStmt !== true) best = r;
      } else if (best) {
        return { address: best.address, file: best.file, line: best.line, col: best.col };
      }
    }
  }
  return undefined;
}
