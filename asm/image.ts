// The linked program: what the assembler's link step produces and what the
// ELF writer, the debugger and tests consume. Addresses are plain numbers
// (every user-space address vmlab links at is below 2^47).

/** A section with its final address. `.bss`-like sections have no bytes, only a size. */
export interface ImageSection {
  name: string; // '.text', '.rodata', '.data', '.bss' or a custom name
  kind: 'progbits' | 'nobits';
  /** Permissions of the segment it loads in: text and rodata 'rx', data and bss 'rw'. */
  perms: 'rx' | 'rw';
  addr: number;
  size: number;
  align: number;
  /** Contents (length === size) for progbits; empty for nobits. */
  bytes: Uint8Array;
}

export interface ImageSymbol {
  name: string;
  value: number;
  size: number;
  /** Section name, or null for an absolute symbol (.equ/.set). */
  section: string | null;
  binding: 'local' | 'global';
  type: 'func' | 'object' | 'notype';
}

/** One row of the line table: the instruction at `address` came from file:line:col. */
export interface LineRow {
  address: number;
  file: string;
  line: number;
  col: number;
}

export interface LinkedImage {
  entry: number;
  /** In address order. The RX sections come first; the first RW section starts on a new page. */
  sections: ImageSection[];
  symbols: ImageSymbol[];
  /** Sorted by address; only for instructions in 'rx' sections. */
  lines: LineRow[];
}
