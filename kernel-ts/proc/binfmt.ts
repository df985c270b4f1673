// Reading an executable's ELF header and program headers (Linux
// fs/binfmt_elf.c's load_elf_binary checks and load_elf_phdrs), from the
// file's first pages only: the loader never needs sections or symbols.
// Anything that is not a static ELF64 little-endian RISC-V ET_EXEC is
// -ENOEXEC, as Linux answers when no binary handler accepts the file.
import { ENOENT, ENOEXEC } from '../errno';
import type { MappableFile } from '../fs/mappable';
import { PAGE_SIZE } from '../mm/page';
import { TWO32 } from '../../emu/machine/cpu/int64';

export const ET_EXEC = 2;
export const EM_RISCV = 243;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const EHDR_SIZE = 64;
/** sizeof(struct elf64_phdr): AT_PHENT. */
export const PHDR_SIZE = 56;
/** Linux's ELF_MIN_ALIGN cap: the program header table may take at most 64 KiB. */
const MAX_PHDRS_BYTES = 65536;

export interface ElfPhdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface ExecHeader {
  entry: number;
  phoff: number;
  phnum: number;
  phdrs: ElfPhdr[];
}

/** Reads `len` bytes at `pos` of the file through its readPage (the page cache's source). */
export function readFileBytes(file: MappableFile, pos: number, len: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, Math.min(len, file.size - pos)));
  const page = new Uint8Array(PAGE_SIZE);
  let done = 0;
  while (done < out.length) {
    const at = pos + done;
    file.readPage(Math.floor(at / PAGE_SIZE), page);
    const off = at % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - off, out.length - done);
    out.set(page.subarray(off, off + n), done);
    done += n;
  }
  return out;
}

/** The header and program headers, or -ENOEXEC (-ENOENT for a dynamically linked program). */
export function readExecHeader(file: MappableFile): ExecHeader | number {
  if (file.size < EHDR_SIZE) return -ENOEXEC;
  const eh = readFileBytes(file, 0, EHDR_SIZE);
  const dv = new DataView(eh.buffer);
  if (eh[0] !== 0x7f || eh[1] !== 0x45 || eh[2] !== 0x4c || eh[3] !== 0x46) return -ENOEXEC;
  if (eh[4] !== ELFCLASS64 || eh[5] !== ELFDATA2LSB) return -ENOEXEC;
  if (dv.getUint16(16, true) !== ET_EXEC || dv.getUint16(18, true) !== EM_RISCV) return -ENOEXEC;
  const entry = u64(dv, 24);
  const phoff = u64(dv, 32);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phentsize !== PHDR_SIZE || phnum < 1 || phnum * PHDR_SIZE > MAX_PHDRS_BYTES) return -ENOEXEC;
  if (phoff + phnum * PHDR_SIZE > file.size) return -ENOEXEC;
  const ph = readFileBytes(file, phoff, phnum * PHDR_SIZE);
  const pv = new DataView(ph.buffer);
  const phdrs: ElfPhdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = i * PHDR_SIZE;
    phdrs.push({
      type: pv.getUint32(o, true),
      flags: pv.getUint32(o + 4, true),
      offset: u64(pv, o + 8),
      vaddr: u64(pv, o + 16),
      filesz: u64(pv, o + 32),
      memsz: u64(pv, o + 40),
    });
  }
  // A dynamically linked program names an interpreter (ld.so) that vmlab's
  // file system does not have: Linux's open_exec of it fails with -ENOENT.
  if (phdrs.some((p) => p.type === PT_INTERP)) return -ENOENT;
  return { entry, phoff, phnum, phdrs };
}

/** An unsigned 64-bit field as a number; values above 2^53 become Infinity-like huge numbers that fail later checks. */
function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * TWO32 + dv.getUint32(off, true);
}
