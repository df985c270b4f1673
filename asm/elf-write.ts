// The ELF writer: a LinkedImage becomes a static ELF64 RISC-V executable in
// the shape GNU ld gives one (System V gABI chapter 4; RISC-V ELF psABI):
// ET_EXEC, EM_RISCV, e_flags 0 (lp64 soft-float, no RVC), one PT_LOAD per
// run of sections with the same permissions (R-X, then RW-, .bss as
// p_memsz > p_filesz), section headers, a symbol table, .riscv.attributes
// and DWARF line information. The output depends only on the image.

import type { ImageSection, ImageSymbol, LinkedImage } from './image';
import { ByteWriter } from './elf-bytes';
import {
  EF_RISCV_FLOAT_ABI_SOFT, EHDR_SIZE, ELFCLASS64, ELFDATA2LSB, ELFOSABI_SYSV, EM_RISCV, ET_EXEC, EV_CURRENT,
  ELF_MAXPAGESIZE, PF_R, PF_W, PF_X, PHDR_SIZE, PT_LOAD, PT_RISCV_ATTRIBUTES, SHDR_SIZE, SHF_ALLOC, SHF_EXECINSTR,
  SHF_WRITE, SHN_ABS, SHT_NOBITS, SHT_PROGBITS, SHT_RISCV_ATTRIBUTES, SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL,
  STB_LOCAL, STT_FUNC, STT_NOTYPE, STT_OBJECT, SYM_SIZE,
} from './elf-const';
import { encodeLineProgram, type CodeRange } from './dwarf-line';
import { encodeCompileUnit } from './dwarf-info';

/**
 * The ISA string recorded in .riscv.attributes (Tag_RISCV_arch), in the
 * form binutils 2.40 writes for -march=rv64im (ISA spec 2.2 versions).
 * objdump reads it to choose which extensions to decode.
 */
export const RISCV_ARCH = 'rv64i2p0_m2p0_zmmul1p0';

interface OutSection {
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
  /** File contents (progbits) or undefined for nobits. */
  data?: Uint8Array;
}

interface Segment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

/** Serialises `image` as an ELF64 little-endian RISC-V executable. Throws only on a malformed image. */
export function writeElf(image: LinkedImage): Uint8Array {
  checkImage(image);
  const codeNames = new Set(codeSections(image).map((s) => s.name));

  // Runs of sections that share permissions and pages become PT_LOAD segments.
  const groups: ImageSection[][] = [];
  for (const s of image.sections) {
    if (s.size === 0) continue;
    const cur = groups[groups.length - 1];
    const prev = cur?.[cur.length - 1];
    if (cur && prev && prev.perms === s.perms && s.addr - (prev.addr + prev.size) < ELF_MAXPAGESIZE) cur.push(s);
    else groups.push([s]);
  }

  const attributes = riscvAttributes();
  const phnum = groups.length + 1;
  let pos = EHDR_SIZE + phnum * PHDR_SIZE;
  const file = new ByteWriter();
  file.padTo(pos);

  const segments: Segment[] = [];
  const placed = new Map<string, number>(); // section name -> file offset
  for (const g of groups) {
    const first = g[0]!;
    let off = pos + ((first.addr - pos) % ELF_MAXPAGESIZE + ELF_MAXPAGESIZE) % ELF_MAXPAGESIZE;
    // The file image of a segment mirrors its memory up to the last progbits byte.
    let lastFileEnd = first.addr;
    for (const s of g) if (s.kind === 'progbits') lastFileEnd = s.addr + s.size;
    file.padTo(off);
    for (const s of g) {
      placed.set(s.name, off + (s.addr - first.addr));
      if (s.addr >= lastFileEnd) continue;
      file.padTo(off + (s.addr - first.addr));
      if (s.kind === 'progbits') file.bytes(s.bytes);
      else file.padTo(off + (s.addr - first.addr) + s.size); // bss before data: zeros in the file
    }
    const last = g[g.length - 1]!;
    segments.push({
      type: PT_LOAD,
      flags: first.perms === 'rx' ? PF_R | PF_X : PF_R | PF_W,
      offset: off,
      vaddr: first.addr,
      filesz: lastFileEnd - first.addr,
      memsz: last.addr + last.size - first.addr,
      align: ELF_MAXPAGESIZE,
    });
    pos = off + (lastFileEnd - first.addr);
  }

  const out: OutSection[] = [];
  for (const s of image.sections) {
    const offset = placed.get(s.name) ?? pos;
    out.push({
      name: s.name,
      type: s.kind === 'progbits' ? SHT_PROGBITS : SHT_NOBITS,
      flags: s.perms === 'rw' ? SHF_ALLOC | SHF_WRITE : codeNames.has(s.name) ? SHF_ALLOC | SHF_EXECINSTR : SHF_ALLOC,
      addr: s.addr,
      offset,
      size: s.size,
      link: 0,
      info: 0,
      align: Math.max(1, s.align),
      entsize: 0,
    });
  }
  const sectionIndex = new Map(out.map((s, i) => [s.name, i + 1]));

  const nonAlloc: OutSection[] = [];
  const addNonAlloc = (name: string, type: number, data: Uint8Array, align = 1, entsize = 0): OutSection => {
    const s: OutSection = { name, type, flags: 0, addr: 0, offset: 0, size: data.length, link: 0, info: 0, align, entsize, data };
    nonAlloc.push(s);
    return s;
  };
  const attrSection = addNonAlloc('.riscv.attributes', SHT_RISCV_ATTRIBUTES, attributes);

  if (image.lines.length > 0) {
    const ranges: CodeRange[] = codeSections(image).map((s) => ({ start: s.addr, end: s.addr + s.size }));
    const program = encodeLineProgram(image.lines, ranges);
    const covered = ranges.filter((r) => image.lines.some((l) => l.address >= r.start && l.address < r.end));
    const cu = encodeCompileUnit({
      name: program.files[0]!,
      lowPc: Math.min(...covered.map((r) => r.start)),
      highPc: Math.max(...covered.map((r) => r.end)),
      stmtList: 0,
    });
    addNonAlloc('.debug_info', SHT_PROGBITS, cu.debugInfo);
    addNonAlloc('.debug_abbrev', SHT_PROGBITS, cu.debugAbbrev);
    addNonAlloc('.debug_line', SHT_PROGBITS, program.bytes);
  }

  const sym = buildSymtab(image.symbols, sectionIndex);
  const symtab = addNonAlloc('.symtab', SHT_SYMTAB, sym.symtab, 8, SYM_SIZE);
  const strtab = addNonAlloc('.strtab', SHT_STRTAB, sym.strtab);
  symtab.info = sym.firstGlobal;

  const names = new StringTable();
  for (const s of [...out, ...nonAlloc]) names.add(s.name);
  names.add('.shstrtab');
  const shstrtab = addNonAlloc('.shstrtab', SHT_STRTAB, new Uint8Array(0));
  shstrtab.data = names.finish();
  shstrtab.size = shstrtab.data.length;

  const all = [...out, ...nonAlloc];
  symtab.link = all.indexOf(strtab) + 1;
  for (const s of nonAlloc) {
    file.align(s.align);
    s.offset = file.length;
    file.bytes(s.data!);
  }
  file.align(8);
  const shoff = file.length;

  // Section headers: the null entry, then `all` in order.
  file.bytes(new Uint8Array(SHDR_SIZE));
  for (const s of all) {
    file.u32(names.offsetOf(s.name)).u32(s.type).u64(s.flags).u64(s.addr).u64(s.offset).u64(s.size);
    file.u32(s.link).u32(s.info).u64(s.align).u64(s.entsize);
  }

  const bytes = file.finish();
  const header = new ByteWriter();
  header.bytes(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV]));
  header.padTo(16);
  header.u16(ET_EXEC).u16(EM_RISCV).u32(EV_CURRENT);
  header.u64(image.entry).u64(EHDR_SIZE).u64(shoff);
  header.u32(EF_RISCV_FLOAT_ABI_SOFT);
  header.u16(EHDR_SIZE).u16(PHDR_SIZE).u16(phnum).u16(SHDR_SIZE).u16(all.length + 1).u16(all.indexOf(shstrtab) + 1);
  // PT_RISCV_ATTRIBUTES first, as GNU ld orders it, then the loads.
  const phdrs: Segment[] = [
    { type: PT_RISCV_ATTRIBUTES, flags: PF_R, offset: attrSection.offset, vaddr: 0, filesz: attrSection.size, memsz: 0, align: 1 },
    ...segments,
  ];
  for (const p of phdrs) {
    header.u32(p.type).u32(p.flags).u64(p.offset).u64(p.vaddr).u64(p.vaddr).u64(p.filesz).u64(p.memsz).u64(p.align);
  }
  bytes.set(header.finish(), 0);
  return bytes;
}

/** Sections holding instructions: rx sections named .text* or holding line rows. */
function codeSections(image: LinkedImage): ImageSection[] {
  return image.sections.filter(
    (s) => s.perms === 'rx' && (s.name === '.text' || s.name.startsWith('.text.') ||
      image.lines.some((l) => l.address >= s.addr && l.address < s.addr + s.size)),
  );
}

/** The invariants LinkedImage promises; a violation is the assembler's bug. */
function checkImage(image: LinkedImage): void {
  const seen = new Set<string>();
  let end = -Infinity;
  for (const s of image.sections) {
    if (seen.has(s.name)) throw new Error(`writeElf: duplicate section ${s.name}`);
    seen.add(s.name);
    if (s.kind === 'progbits' && s.bytes.length !== s.size) throw new Error(`writeElf: ${s.name} has ${s.bytes.length} bytes for size ${s.size}`);
    if (s.addr < end) throw new Error(`writeElf: ${s.name} at 0x${s.addr.toString(16)} overlaps or precedes the previous section`);
    if (!Number.isSafeInteger(s.addr) || s.addr < 0) throw new Error(`writeElf: ${s.name} has a bad address`);
    end = s.addr + s.size;
  }
  for (const sym of image.symbols) {
    if (sym.section !== null && !seen.has(sym.section)) throw new Error(`writeElf: symbol ${sym.name} is in unknown section ${sym.section}`);
  }
}

class StringTable {
  private readonly w = new ByteWriter().u8(0);
  private readonly offsets = new Map<string, number>([['', 0]]);

  add(s: string): number {
    let off = this.offsets.get(s);
    if (off === undefined) {
      off = this.w.length;
      this.w.cstr(s);
      this.offsets.set(s, off);
    }
    return off;
  }

  offsetOf(s: string): number {
    return this.offsets.get(s)!;
  }

  finish(): Uint8Array {
    return this.w.finish();
  }
}

/** .symtab and .strtab: the null symbol, the locals, then the globals (gABI: sh_info = first non-local). */
function buildSymtab(symbols: readonly ImageSymbol[], sectionIndex: Map<string, number>): { symtab: Uint8Array; strtab: Uint8Array; firstGlobal: number } {
  const strs = new StringTable();
  const w = new ByteWriter();
  w.bytes(new Uint8Array(SYM_SIZE));
  const ordered = [...symbols.filter((s) => s.binding === 'local'), ...symbols.filter((s) => s.binding !== 'local')];
  const firstGlobal = 1 + symbols.filter((s) => s.binding === 'local').length;
  for (const s of ordered) {
    const bind = s.binding === 'local' ? STB_LOCAL : STB_GLOBAL;
    const type = s.type === 'func' ? STT_FUNC : s.type === 'object' ? STT_OBJECT : STT_NOTYPE;
    w.u32(strs.add(s.name)).u8((bind << 4) | type).u8(0);
    w.u16(s.section === null ? SHN_ABS : sectionIndex.get(s.section)!);
    w.u64(s.value).u64(s.size);
  }
  return { symtab: w.finish(), strtab: strs.finish(), firstGlobal };
}

/** .riscv.attributes (RISC-V ELF psABI, "Attributes"): vendor "riscv", file scope, Tag_RISCV_arch. */
function riscvAttributes(): Uint8Array {
  const Tag_file = 1;
  const Tag_RISCV_arch = 5;
  const sub = new ByteWriter().uleb(Tag_RISCV_arch).cstr(RISCV_ARCH).finish();
  const vendor = new ByteWriter().cstr('riscv').u8(Tag_file).u32(1 + 4 + sub.length).bytes(sub).finish();
  return new ByteWriter().u8(0x41).u32(4 + vendor.length).bytes(vendor).finish();
}
