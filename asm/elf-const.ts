// ELF64 constants used by the writer and the reader, with the names of the
// System V gABI (elf.h) and the RISC-V ELF psABI.

export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ELFOSABI_SYSV = 0;

export const ET_EXEC = 2;
export const EM_RISCV = 243;

/** e_flags for the lp64 (soft-float) ABI without RVC: what GNU ld writes for rv64im. */
export const EF_RISCV_FLOAT_ABI_SOFT = 0x0;
export const EF_RISCV_RVC = 0x1;

export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
export const SHDR_SIZE = 64;
export const SYM_SIZE = 24;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_GNU_STACK = 0x6474e551;
export const PT_RISCV_ATTRIBUTES = 0x70000003;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_RISCV_ATTRIBUTES = 0x70000003;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

/**
 * The page size vmlab links for (x86-64 4 KiB pages); also p_align of every PT_LOAD.
 * binutils' name (ELF_MAXPAGESIZE): asm reads only emu/machine/isa, so it keeps
 * the ELF ABI's own constant rather than the MMU's PAGE_SIZE.
 */
export const ELF_MAXPAGESIZE = 0x1000;
