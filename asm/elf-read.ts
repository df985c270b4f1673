// The ELF reader: an ELF64 little-endian RISC-V file (vmlab's own output,
// GNU ld's, GCC's) parsed into its header, program headers, sections,
// symbols and DWARF line table (System V gABI chapter 4, RISC-V ELF psABI).
// Every malformed input gives `{ ok: false, error }` with one line of
// reason; nothing in here throws on bad bytes.

import { ByteReader, ReadPastEnd, cstrAt } from './elf-bytes';
import {
  EHDR_SIZE, ELFCLASS64, ELFDATA2LSB, EM_RISCV, EV_CURRENT, PHDR_SIZE, PT_LOAD, SHDR_SIZE, SHN_ABS, SHN_COMMON,
  SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, SHT_NOBITS, SHT_SYMTAB, SYM_SIZE,
} from './elf-const';
import { decodeDebugLine, type DecodeLineResult } from './dwarf-line';

export interface ElfHeader {
  /** e_type: 1 REL, 2 EXEC, 3 DYN. */
  type: number;
  machine: number;
  entry: number;
  flags: number;
  phoff: number;
  shoff: number;
  phnum: number;
  shnum: number;
  shstrndx: number;
}

export interface ElfSegment {
  type: number;
  /** PF_R | PF_W | PF_X bits. */
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
  /** The section's bytes in the file (empty for SHT_NOBITS). A view, not a copy. */
  bytes: Uint8Array;
}

export type SymbolBinding = 'local' | 'global' | 'weak' | 'other';
export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'other';

export interface ElfSymbol {
  name: string;
  /** st_value, read as signed 64-bit: a negative absolute constant comes out negative. */
  value: number;
  size: number;
  binding: SymbolBinding;
  type: SymbolType;
  /** st_shndx as stored (SHN_UNDEF, SHN_ABS, SHN_COMMON or a section index). */
  shndx: number;
  /** Name of the section it is defined in; null for absolute, undefined and common symbols. */
  section: string | null;
}

export interface ElfFile {
  header: ElfHeader;
  segments: ElfSegment[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** The decoded .debug_line, when the file has one (its failure does not make the file unreadable). */
  debugLine?: DecodeLineResult;
}

export type ReadElfResult = { ok: true; elf: ElfFile } | { ok: false; error: string };

const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;

class ElfFormatError extends Error {}

/** Parses `bytes` as an ELF64 little-endian RISC-V file of type REL, EXEC or DYN. */
export function readElf(bytes: Uint8Array): ReadElfResult {
  try {
    return { ok: true, elf: parse(bytes) };
  } catch (e) {
    if (e instanceof ElfFormatError) return { ok: false, error: `not an ELF64 RISC-V executable: ${e.message}` };
    if (e instanceof ReadPastEnd) return { ok: false, error: `not an ELF64 RISC-V executable: truncated or corrupt: ${e.message}` };
    throw e;
  }
}

const BIND: readonly SymbolBinding[] = ['local', 'global', 'weak'];
const TYPE: readonly SymbolType[] = ['notype', 'object', 'func', 'section', 'file'];

function parse(bytes: Uint8Array): ElfFile {
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfFormatError('no ELF magic number (\\x7fELF) at the start');
  }
  if (bytes[4] !== ELFCLASS64) throw new ElfFormatError(bytes[4] === 1 ? 'it is a 32-bit (ELFCLASS32) file' : `unknown ELF class ${bytes[4]}`);
  if (bytes[5] !== ELFDATA2LSB) throw new ElfFormatError(bytes[5] === 2 ? 'it is big-endian (ELFDATA2MSB)' : `unknown data encoding ${bytes[5]}`);
  if (bytes[6] !== EV_CURRENT) throw new ElfFormatError(`unknown ELF version ${bytes[6]}`);
  if (bytes.length < EHDR_SIZE) throw new ElfFormatError(`the file is ${bytes.length} bytes, shorter than an ELF64 header`);

  const r = new ByteReader(bytes, 16);
  const type = r.u16();
  const machine = r.u16();
  r.u32('e_version');
  const entry = r.u64('e_entry');
  const phoff = r.u64('e_phoff');
  const shoff = r.u64('e_shoff');
  const flags = r.u32('e_flags');
  r.u16('e_ehsize');
  const phentsize = r.u16('e_phentsize');
  const phnum = r.u16('e_phnum');
  const shentsize = r.u16('e_shentsize');
  const shnum = r.u16('e_shnum');
  const shstrndx = r.u16('e_shstrndx');
  if (machine !== EM_RISCV) throw new ElfFormatError(`e_machine is ${machine}, not RISC-V (${EM_RISCV})`);
  if (type !== ET_EXEC && type !== ET_DYN && type !== ET_REL) throw new ElfFormatError(`e_type ${type} is not an executable, shared object or relocatable file`);
  const header: ElfHeader = { type, machine, entry, flags, phoff, shoff, phnum, shnum, shstrndx };

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize !== PHDR_SIZE) throw new ElfFormatError(`e_phentsize is ${phentsize}, not ${PHDR_SIZE}`);
    inFile(bytes, phoff, phnum * PHDR_SIZE, 'the program header table');
    for (let i = 0; i < phnum; i++) {
      const p = new ByteReader(bytes, phoff + i * PHDR_SIZE, phoff + (i + 1) * PHDR_SIZE);
      const seg: ElfSegment = {
        type: p.u32(), flags: p.u32(), offset: p.u64('p_offset'), vaddr: p.u64('p_vaddr'), paddr: p.u64('p_paddr'),
        filesz: p.u64('p_filesz'), memsz: p.u64('p_memsz'), align: p.u64('p_align'),
      };
      if (seg.type === PT_LOAD) checkLoad(bytes, seg, i);
      segments.push(seg);
    }
  }

  const sections: ElfSection[] = [];
  if (shnum === 0 && shoff !== 0) throw new ElfFormatError('extended section numbering (e_shnum = 0) is not supported');
  if (shnum > 0) {
    if (shentsize !== SHDR_SIZE) throw new ElfFormatError(`e_shentsize is ${shentsize}, not ${SHDR_SIZE}`);
    inFile(bytes, shoff, shnum * SHDR_SIZE, 'the section header table');
    if (shstrndx === SHN_XINDEX) throw new ElfFormatError('extended section numbering (SHN_XINDEX) is not supported');
    if (shstrndx !== SHN_UNDEF && shstrndx >= shnum) throw new ElfFormatError(`e_shstrndx ${shstrndx} is out of range (${shnum} sections)`);
    const raw: { nameOff: number; sec: ElfSection }[] = [];
    for (let i = 0; i < shnum; i++) {
      const s = new ByteReader(bytes, shoff + i * SHDR_SIZE, shoff + (i + 1) * SHDR_SIZE);
      const nameOff = s.u32();
      const sec: ElfSection = {
        index: i, name: '', type: s.u32(), flags: s.u64('sh_flags'), addr: s.u64('sh_addr'), offset: s.u64('sh_offset'),
        size: s.u64('sh_size'), link: s.u32(), info: s.u32(), align: s.u64('sh_addralign'), entsize: s.u64('sh_entsize'),
        bytes: new Uint8Array(0),
      };
      if (i > 0 && sec.type !== SHT_NOBITS && sec.type !== 0) {
        inFile(bytes, sec.offset, sec.size, `section ${i}`);
        sec.bytes = bytes.subarray(sec.offset, sec.offset + sec.size);
      }
      raw.push({ nameOff, sec });
    }
    const shstr = shstrndx === SHN_UNDEF ? undefined : raw[shstrndx]!.sec.bytes;
    for (const { nameOff, sec } of raw) {
      if (shstr) {
        const name = cstrAt(shstr, nameOff);
        if (name === undefined) throw new ElfFormatError(`section ${sec.index} has a name offset (0x${nameOff.toString(16)}) outside .shstrtab`);
        sec.name = name;
      }
      sections.push(sec);
    }
  }

  const symbols = readSymbols(sections);
  const elf: ElfFile = { header, segments, sections, symbols };
  const debugLine = sections.find((s) => s.name === '.debug_line' && s.type !== SHT_NOBITS);
  if (debugLine) {
    elf.debugLine = decodeDebugLine(debugLine.bytes, {
      debugStr: sections.find((s) => s.name === '.debug_str')?.bytes,
      debugLineStr: sections.find((s) => s.name === '.debug_line_str')?.bytes,
    });
  }
  return elf;
}

function inFile(bytes: Uint8Array, offset: number, size: number, what: string): void {
  if (offset > bytes.length || size > bytes.length - offset) {
    throw new ElfFormatError(`${what} (offset 0x${offset.toString(16)}, size 0x${size.toString(16)}) lies outside the ${bytes.length}-byte file`);
  }
}

/** The checks a loader relies on (gABI "Program Header"): in the file, filesz <= memsz, offset = vaddr mod align. */
function checkLoad(bytes: Uint8Array, seg: ElfSegment, i: number): void {
  inFile(bytes, seg.offset, seg.filesz, `PT_LOAD segment ${i}`);
  if (seg.filesz > seg.memsz) throw new ElfFormatError(`PT_LOAD segment ${i} has p_filesz 0x${seg.filesz.toString(16)} > p_memsz 0x${seg.memsz.toString(16)}`);
  if (seg.align > 1) {
    if (!Number.isInteger(Math.log2(seg.align))) throw new ElfFormatError(`PT_LOAD segment ${i} has p_align 0x${seg.align.toString(16)}, not a power of two`);
    if (seg.offset % seg.align !== seg.vaddr % seg.align) throw new ElfFormatError(`PT_LOAD segment ${i} has p_offset 0x${seg.offset.toString(16)} not congruent to p_vaddr 0x${seg.vaddr.toString(16)} modulo p_align`);
  }
}

/** Symbols of the first SHT_SYMTAB section (without the null entry), names from its sh_link string table. */
function readSymbols(sections: ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  if (symtab.entsize !== SYM_SIZE) throw new ElfFormatError(`.symtab has sh_entsize ${symtab.entsize}, not ${SYM_SIZE}`);
  const strtab = sections[symtab.link];
  if (!strtab || symtab.link === 0) throw new ElfFormatError(`.symtab links to section ${symtab.link}, which is not a string table`);
  const out: ElfSymbol[] = [];
  const count = Math.floor(symtab.size / SYM_SIZE);
  const r = new ByteReader(symtab.bytes);
  for (let i = 0; i < count; i++) {
    const nameOff = r.u32();
    const info = r.u8();
    r.u8('st_other');
    const shndx = r.u16();
    const valueLo = r.u32('st_value');
    const valueHi = r.u32('st_value') | 0;
    const size = r.u64('st_size');
    if (i === 0) continue;
    // Signed: absolute constants may be negative (0xffff...); addresses are below 2^53 either way.
    // An absolute constant no double holds (.equ BIG, 1 << 63) names no address: it is left out.
    if (valueHi >= 0x20_0000 || valueHi < -0x20_0000) {
      if (shndx === SHN_ABS) continue;
      throw new ElfFormatError(`symbol ${i} has st_value 0x${(valueHi >>> 0).toString(16).padStart(8, '0')}${valueLo.toString(16).padStart(8, '0')}, beyond any address`);
    }
    const value = valueHi * 0x1_0000_0000 + valueLo;
    const name = cstrAt(strtab.bytes, nameOff);
    if (name === undefined) throw new ElfFormatError(`symbol ${i} has a name offset (0x${nameOff.toString(16)}) outside its string table`);
    let section: string | null = null;
    if (shndx !== SHN_UNDEF && shndx !== SHN_ABS && shndx !== SHN_COMMON && shndx < SHN_LORESERVE) {
      const s = sections[shndx];
      if (!s) throw new ElfFormatError(`symbol ${name || i} refers to section ${shndx}, which does not exist`);
      section = s.name;
    }
    out.push({ name, value, size, binding: BIND[info >> 4] ?? 'other', type: TYPE[info & 15] ?? 'other', shndx, section });
  }
  return out;
}
