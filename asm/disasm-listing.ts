// `vmlab disasm FILE.elf`: a listing of every executable section in the
// shape of `objdump -d` (binutils objdump.c disassemble_section/bytes):
// `<symbol>:` labels, `ADDR:\tBYTES\tINSTRUCTION` lines, `...` for runs of
// zero bytes, and targets and comments named after the nearest symbol.

import type { ElfFile, ElfSection, ElfSymbol } from './elf-read';
import { SHF_EXECINSTR, SHT_NOBITS } from './elf-const';
import { DisasmState, disassembleWord, hex64 } from './disasm';

/** Symbols objdump uses to name addresses (objdump.c remove_useless_symbols, riscv_symbol_is_valid). */
function usefulSymbols(symbols: readonly ElfSymbol[]): ElfSymbol[] {
  return symbols.filter(
    (s) => s.name !== '' && s.type !== 'section' && s.type !== 'file' && s.shndx !== 0 && s.shndx !== 0xfff2 &&
      !isMappingSymbol(s.name) && s.name !== '.L0 ',
  );
}

/** RISC-V mapping symbols ($x, $d, $xrv64i2p1...) mark code/data, they are not labels. */
function isMappingSymbol(name: string): boolean {
  return name === '$x' || name === '$d' || name.startsWith('$x') && /^\$x(rv|\.)/.test(name) || name.startsWith('$d.');
}

/** objdump.c compare_symbols: by value, then the section being disassembled first, then by kind. */
function compareSymbols(section: string): (a: ElfSymbol, b: ElfSymbol) => number {
  const fileLike = (s: ElfSymbol): boolean => s.name.length > 2 && /\.[oa]$/.test(s.name);
  const compiled = (s: ElfSymbol): boolean => s.name.includes('gnu_compiled') || s.name.includes('gcc2_compiled');
  return (a, b) => {
    if (a.value !== b.value) return a.value < b.value ? -1 : 1;
    const as = a.section === section;
    const bs = b.section === section;
    if (as !== bs) return as ? -1 : 1;
    if (compiled(a) !== compiled(b)) return compiled(a) ? 1 : -1;
    if (fileLike(a) !== fileLike(b)) return fileLike(a) ? 1 : -1;
    if ((a.type === 'func') !== (b.type === 'func')) return a.type === 'func' ? -1 : 1;
    if ((a.type === 'object') !== (b.type === 'object')) return a.type === 'object' ? -1 : 1;
    if ((a.binding === 'local') !== (b.binding === 'local')) return a.binding === 'local' ? 1 : -1;
    if ((a.binding === 'global') !== (b.binding === 'global')) return a.binding === 'global' ? -1 : 1;
    if (a.size !== b.size) return a.size > b.size ? -1 : 1;
    if (a.name.startsWith('.') !== b.name.startsWith('.')) return a.name.startsWith('.') ? 1 : -1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

/**
 * Names addresses the way objdump does for a linked file while one section
 * is being disassembled (objdump.c find_symbol_for_address): the symbol at
 * or below the address, preferring one in that section among equals, else
 * the first symbol above it.
 */
export class SymbolIndex {
  private sorted: ElfSymbol[];

  constructor(symbols: readonly ElfSymbol[], private section = '') {
    this.sorted = usefulSymbols(symbols);
    this.setSection(section);
  }

  get empty(): boolean {
    return this.sorted.length === 0;
  }

  /** Re-sorts for the section now being disassembled (objdump sorts once per section). */
  setSection(section: string): void {
    this.section = section;
    this.sorted.sort(compareSymbols(section));
  }

  /** The symbol objdump prints for `addr`, or undefined when there are no symbols. */
  find(addr: number): ElfSymbol | undefined {
    const syms = this.sorted;
    if (syms.length === 0) return undefined;
    // Binary search for the last symbol with value <= addr (objdump searches (min, max]).
    let lo = 0;
    let hi = syms.length;
    while (lo + 1 < hi) {
      const mid = (lo + hi) >> 1;
      const v = syms[mid]!.value;
      if (above(v, addr)) hi = mid;
      else if (above(addr, v)) lo = mid;
      else {
        lo = mid;
        break;
      }
    }
    let place = lo;
    while (place > 0 && syms[place]!.value === syms[place - 1]!.value) place--;
    for (let i = place; i < syms.length && syms[i]!.value === syms[place]!.value; i++) {
      if (syms[i]!.section === this.section) return syms[i];
    }
    return syms[place];
  }

  /** `name`, `name+0xN` or `name-0xN` for `addr` (objdump_print_addr_with_sym). */
  label(addr: number): string | undefined {
    const s = this.find(addr);
    if (!s) return undefined;
    if (s.value === addr) return s.name;
    return above(s.value, addr) ? `${s.name}-0x${hex64(s.value - addr)}` : `${s.name}+0x${hex64(addr - s.value)}`;
  }

  /** Distinct addresses in [start, end) carrying a symbol of `section`, with the symbol objdump labels them by. */
  labelsIn(section: string, start: number, end: number): Map<number, ElfSymbol> {
    const out = new Map<number, ElfSymbol>();
    for (const s of this.sorted) {
      if (s.section !== section || s.value < start || s.value >= end) continue;
      if (!out.has(s.value)) out.set(s.value, s);
    }
    return out;
  }

  /** The first symbol of `section` above `addr`, for a section that starts without one. */
  firstAfter(section: string, addr: number): ElfSymbol | undefined {
    return this.sorted.find((s) => s.section === section && s.value > addr);
  }
}

/** a > b as 64-bit unsigned addresses: a negative number stands for 2^64 + it (objdump's bfd_vma). */
function above(a: number, b: number): boolean {
  if (a < 0 !== b < 0) return a < 0;
  return a > b;
}

/** riscv_insn_length (include/opcode/riscv.h): the length encoded in an instruction's low bits. */
export function insnLength(low16: number): number {
  if ((low16 & 3) !== 3) return 2;
  if ((low16 & 0x1f) !== 0x1f) return 4;
  if ((low16 & 0x3f) === 0x1f) return 6;
  if ((low16 & 0x7f) === 0x3f) return 8;
  if ((low16 & 0x7f) === 0x7f && (low16 & 0x7000) !== 0x7000) return 10 + ((low16 >> 11) & 0xe);
  return 2;
}

const DEFAULT_SKIP_ZEROES = 8;
const DEFAULT_SKIP_ZEROES_AT_END = 3;

/** The full `objdump -d`-style listing of the executable sections of `elf`. */
export function disassembleElf(elf: ElfFile, fileName: string): string {
  const lines: string[] = ['', `${fileName}:     file format elf64-littleriscv`, ''];
  const symbols = new SymbolIndex(elf.symbols);
  const gp = elf.symbols.find((s) => s.name === '__global_pointer$');
  const state = new DisasmState(gp?.value);
  const name = (addr: number): string | undefined => symbols.label(addr);
  const symbolAt = symbols.empty ? undefined : name;

  for (const sec of elf.sections) {
    if ((sec.flags & SHF_EXECINSTR) === 0 || sec.type === SHT_NOBITS || sec.size === 0) continue;
    symbols.setSection(sec.name);
    lines.push('', `Disassembly of section ${sec.name}:`);
    listSection(sec, symbols, state, symbolAt, lines);
  }
  return lines.join('\n') + '\n';
}

function listSection(sec: ElfSection, symbols: SymbolIndex, state: DisasmState, symbolAt: ((a: number) => string | undefined) | undefined, out: string[]): void {
  const bytes = sec.bytes;
  const start = sec.addr;
  const end = sec.addr + sec.size;
  const labels = symbols.labelsIn(sec.name, start, end);
  // objdump skips leading zero digits of addresses in groups of four, keeping the last group.
  const endHex = end.toString(16).padStart(16, '0');
  let lead = 0;
  while (lead < endHex.length && endHex[lead] === '0') lead++;
  const width = 16 - ((lead - 1) & ~3);

  const label = (addr: number): void => {
    const at = labels.get(addr);
    let text: string;
    if (at) text = at.name;
    else {
      const after = symbols.firstAfter(sec.name, addr);
      text = after ? `${after.name}-0x${hex64(after.value - addr)}` : sec.name;
    }
    out.push('', `${addr.toString(16).padStart(16, '0')} <${text}>:`);
  };

  const labelAddrs = [...labels.keys()].sort((a, b) => a - b);
  let nextLabel = 0;
  let off = 0;
  label(start);
  while (off < bytes.length) {
    const pc = start + off;
    if (off > 0 && labels.has(pc)) label(pc);
    // Runs of zero bytes print as `...` (objdump's skip_zeroes), up to the next label.
    while (nextLabel < labelAddrs.length && labelAddrs[nextLabel]! <= pc) nextLabel++;
    const stop = nextLabel < labelAddrs.length ? labelAddrs[nextLabel]! - start : bytes.length;
    let z = off;
    while (z < stop && bytes[z] === 0) z++;
    const run = z - off;
    if ((z === stop && run >= DEFAULT_SKIP_ZEROES_AT_END) || run >= DEFAULT_SKIP_ZEROES) {
      out.push('\t...');
      off = z === stop ? z : off + (run & ~3);
      continue;
    }
    const addrText = pc.toString(16).padStart(width, ' ');
    const low16 = bytes[off]! | ((bytes[off + 1] ?? 0) << 8);
    let len = insnLength(low16);
    if (off + len > bytes.length) len = Math.min(2, bytes.length - off);
    if (len === 4) {
      const word = (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0;
      const d = disassembleWord(word, pc, symbolAt, state);
      out.push(`${addrText}:\t${word.toString(16).padStart(8, '0')}          \t${d.text}`);
    } else if (len === 2) {
      const half = low16 & (bytes.length - off >= 2 ? 0xffff : 0xff);
      out.push(`${addrText}:\t${half.toString(16).padStart(4, '0')}                \t.2byte\t0x${half.toString(16)}`);
    } else if (len === 8) {
      const lo = (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0;
      const hi = (bytes[off + 4]! | (bytes[off + 5]! << 8) | (bytes[off + 6]! << 16) | (bytes[off + 7]! << 24)) >>> 0;
      const value = hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
      out.push(`${addrText}:\t${lo.toString(16).padStart(8, '0')} ${hi.toString(16).padStart(8, '0')} \t.8byte\t0x${value}`);
    } else {
      const chunk = Array.from(bytes.subarray(off, off + len));
      const list = chunk.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ');
      out.push(`${addrText}:\t${chunk.map((b) => b.toString(16).padStart(2, '0')).join('')}\t.byte\t${list}`);
    }
    off += len;
  }
}
