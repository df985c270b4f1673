// What assembling one input file produces before linking: per-section byte
// chunks with the fixups still to resolve, the line rows, and the file's
// symbol table. Offsets are relative to the file's chunk of each section.
import type { Loc, SourceText } from './diagnostics';
import type { Emit } from './encoder';
import type { Expr } from './expr';

/** Forward-referencing .equ chains are resolved recursively: bound the depth so no input exhausts the stack. */
export const MAX_SYMBOL_CHAIN = 256;

/** Bytes one file may put in a section with contents (.bss is limited only by the address space). */
export const MAX_SECTION_BYTES = 64 * 1024 * 1024;

export type SectionKind = 'text' | 'rodata' | 'data' | 'bss';
export const SECTION_KINDS: readonly SectionKind[] = ['text', 'rodata', 'data', 'bss'];

/** A growable byte buffer. */
export class ByteBuf {
  bytes = new Uint8Array(256);
  len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.bytes.subarray(0, this.len));
    this.bytes = b;
  }

  push(b: number): void {
    this.reserve(1);
    this.bytes[this.len++] = b & 0xff;
  }

  fill(n: number, b: number): void {
    this.reserve(n);
    this.bytes.fill(b & 0xff, this.len, this.len + n);
    this.len += n;
  }

  /** Writes the low `width` bytes of v, little-endian, at off (already reserved). */
  put(off: number, width: number, v: bigint): void {
    let x = BigInt.asUintN(64, v);
    for (let i = 0; i < width; i++) {
      this.bytes[off + i] = Number(x & 0xffn);
      x >>= 8n;
    }
  }

  putWord(off: number, w: number): void {
    this.bytes[off] = w & 0xff;
    this.bytes[off + 1] = (w >>> 8) & 0xff;
    this.bytes[off + 2] = (w >>> 16) & 0xff;
    this.bytes[off + 3] = (w >>> 24) & 0xff;
  }
}

/** An expression evaluated at link time, with the position `.` stood for. */
export interface Deferred {
  e: Expr;
  sec: SectionKind;
  dot: number;
  src: SourceText;
}

/** One emitted instruction word still to encode; `dot` is the offset of its statement. */
export interface InsnFix {
  off: number;
  dot: number;
  em: Emit;
  src: SourceText;
}

/** A data value (.byte ... .dword) still to compute. */
export interface DataFix {
  off: number;
  width: number;
  x: Deferred;
}

export interface Chunk {
  kind: SectionKind;
  /** Contents; for bss only `size` counts. */
  buf: ByteBuf;
  size: number;
  align: number;
  insns: InsnFix[];
  data: DataFix[];
  rows: { off: number; src: SourceText; line: number; col: number }[];
  /** Final address, set by the linker. */
  base: number;
}

export function newChunk(kind: SectionKind): Chunk {
  // gas records 4-byte alignment for .text at start-up (tc-riscv.c md_begin); other sections start at 1.
  return { kind, buf: new ByteBuf(), size: 0, align: kind === 'text' ? 4 : 1, insns: [], data: [], rows: [], base: 0 };
}

export type SymType = 'func' | 'object' | 'notype';

export interface Sym {
  name: string;
  kind: 'label' | 'equ';
  /** Section of a label or of an address-valued equ; null for a constant. */
  sec: SectionKind | null;
  off: bigint;
  /** An equ whose expression had forward references: evaluated at link time. */
  lazy?: Deferred;
  /** Set by .set: may be redefined. */
  redefinable: boolean;
  loc: Loc;
  type: SymType;
  size?: Deferred;
  unit: Unit;
  resolving?: boolean;
}

export interface Unit {
  path: string;
  chunks: Record<SectionKind, Chunk>;
  syms: Map<string, Sym>;
  /** Every definition in order (a .set symbol can appear more than once). */
  allSyms: Sym[];
  /** Names declared .globl, with where. */
  globals: Map<string, Loc>;
  cur: SectionKind;
  prev: SectionKind;
  sectionStack: SectionKind[];
  localCounts: Map<string, number>;
  /** Symbols named by .type/.size before their definition. */
  pendingType: Map<string, SymType>;
  pendingSize: Map<string, Deferred>;
  ended: boolean;
}

export function newUnit(path: string): Unit {
  return {
    path,
    chunks: { text: newChunk('text'), rodata: newChunk('rodata'), data: newChunk('data'), bss: newChunk('bss') },
    syms: new Map(), allSyms: [], globals: new Map(), cur: 'text', prev: 'text', sectionStack: [],
    localCounts: new Map(), pendingType: new Map(), pendingSize: new Map(), ended: false,
  };
}

/** Current length of a chunk (bss has no bytes). */
export const chunkLen = (c: Chunk): number => (c.kind === 'bss' ? c.size : c.buf.len);

/**
 * Code padding as gas emits it for RISC-V without relaxation
 * (tc-riscv.c riscv_handle_align / riscv_make_nops): a zero byte if the gap
 * is odd, a 2-byte c.nop if it is 2 mod 4, then 4-byte nops.
 */
export function padCode(buf: ByteBuf, n: number): void {
  let i = 0;
  if (n % 2 === 1) {
    buf.push(0);
    i++;
  }
  if ((n - i) % 4 === 2) {
    buf.push(0x01);
    buf.push(0x00);
    i += 2;
  }
  for (; i < n; i += 4) {
    buf.push(0x13);
    buf.fill(3, 0);
  }
}

/** Local symbols that never reach the symbol table: numeric labels and `.L` names. */
export const isHiddenSymbol = (name: string): boolean => name.includes('\u0002') || name.startsWith('.L');

/** The source form of a numeric local label's internal name ("1\u00023" -> "1"). */
export const displayName = (name: string): string => (name.includes('\u0002') ? name.slice(0, name.indexOf('\u0002')) : name);
