// The smallest .debug_info/.debug_abbrev pair that makes GNU readelf and
// objdump (bfd's dwarf2.c) use a line table: one DWARF 4 compile unit with
// DW_AT_stmt_list and the code range it covers (DWARF 5, 3.1.1), the shape
// GNU as writes for an assembly file.

import { ByteWriter } from './elf-bytes';

const DW_TAG_compile_unit = 0x11;
const DW_CHILDREN_no = 0;
const DW_AT_name = 0x03;
const DW_AT_stmt_list = 0x10;
const DW_AT_low_pc = 0x11;
const DW_AT_high_pc = 0x12;
const DW_AT_language = 0x13;
const DW_AT_producer = 0x25;
const DW_FORM_addr = 0x01;
const DW_FORM_data2 = 0x05;
const DW_FORM_data8 = 0x07;
const DW_FORM_string = 0x08;
const DW_FORM_sec_offset = 0x17;
/** DW_LANG_Mips_Assembler: what GNU as records for assembly sources. */
const DW_LANG_Mips_Assembler = 0x8001;

export const PRODUCER = 'vmlab asm';

export interface CompileUnit {
  /** The primary source file. */
  name: string;
  lowPc: number;
  highPc: number;
  /** Offset of the unit's line program in .debug_line. */
  stmtList: number;
}

/** .debug_abbrev and .debug_info for one compile unit without children. */
export function encodeCompileUnit(cu: CompileUnit): { debugInfo: Uint8Array; debugAbbrev: Uint8Array } {
  const abbrev = new ByteWriter();
  abbrev.uleb(1).uleb(DW_TAG_compile_unit).u8(DW_CHILDREN_no);
  abbrev.uleb(DW_AT_producer).uleb(DW_FORM_string);
  abbrev.uleb(DW_AT_language).uleb(DW_FORM_data2);
  abbrev.uleb(DW_AT_name).uleb(DW_FORM_string);
  abbrev.uleb(DW_AT_stmt_list).uleb(DW_FORM_sec_offset);
  abbrev.uleb(DW_AT_low_pc).uleb(DW_FORM_addr);
  abbrev.uleb(DW_AT_high_pc).uleb(DW_FORM_data8); // a length in DWARF 4 (2.17.2)
  abbrev.u8(0).u8(0);
  abbrev.u8(0); // end of the abbreviation table

  const info = new ByteWriter();
  info.u32(0); // unit_length, patched below
  info.u16(4); // version
  info.u32(0); // debug_abbrev_offset
  info.u8(8); // address_size
  info.uleb(1);
  info.cstr(PRODUCER);
  info.u16(DW_LANG_Mips_Assembler);
  info.cstr(cu.name);
  info.u32(cu.stmtList);
  info.u64(cu.lowPc);
  info.u64(cu.highPc - cu.lowPc);
  info.patchU32(0, info.length - 4);
  return { debugInfo: info.finish(), debugAbbrev: abbrev.finish() };
}
