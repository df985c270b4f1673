// DWARF call frame information (DWARF 5 section 6.4; the .eh_frame form of
// the Linux Standard Base, "Exception Frames"): the CIEs and FDEs of
// .debug_frame and .eh_frame, and the row of the unwind table an FDE's
// program gives for a pc: how to find the CFA and where each register of
// the caller was saved. gcc for riscv64 writes .debug_frame with -g and
// .eh_frame (augmentation "zR", FDE addresses pc-relative sdata4) with
// unwind tables; both are read here. unwind.ts walks the frames with it.
//
// What is read: every DW_CFA_* of DWARF 5 and GNU_args_size (ignored: no
// effect on the CFA in a frame that does not push arguments) and
// GNU_negative_offset_extended. DW_CFA_def_cfa_expression, DW_CFA_expression
// and DW_CFA_val_expression are kept as their bytes in the row; the walk
// does not evaluate them (gcc for riscv64 does not emit them for C).
import { ByteCursor } from './dwarf-info';

/** How the caller's value of a register is found (DWARF 5 6.4.1). */
export type RegRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  /** Saved at CFA + offset. */
  | { kind: 'offset'; offset: number }
  /** Is CFA + offset. */
  | { kind: 'val-offset'; offset: number }
  /** Is in another register of this frame. */
  | { kind: 'register'; reg: number }
  | { kind: 'expression'; expr: Uint8Array }
  | { kind: 'val-expression'; expr: Uint8Array };

export type CfaRule = { kind: 'register'; reg: number; offset: number } | { kind: 'expression'; expr: Uint8Array };

/** One row of the unwind table: the CFA and the rules of the registers the program mentioned (others: unspecified). */
export interface CfiRow {
  cfa: CfaRule;
  regs: Map<number, RegRule>;
}

export interface Cie {
  codeAlign: number;
  dataAlign: number;
  raColumn: number;
  /** The DW_EH_PE_* encoding of the FDEs' addresses ('R' augmentation; absolute otherwise). */
  fdeEncoding: number;
  /** The augmentation string ('' in .debug_frame as gcc writes it, "zR" in .eh_frame). */
  augmentation: string;
  initial: Uint8Array;
}

export interface Fde {
  cie: Cie;
  start: number;
  end: number;
  program: Uint8Array;
}

/** Where a CFI section came from: its bytes, its load address (for pc-relative pointers) and its kind. */
export interface CfiSection {
  bytes: Uint8Array;
  addr: number;
  kind: 'debug_frame' | 'eh_frame';
}

/** A CFI error: the section or program is malformed, or uses what is not read. */
export class CfiError extends Error {}

const DW_EH_PE_omit = 0xff;

/** ByteCursor (the one LEB128 reader) with the fixed-size little-endian reads CFI needs. */
class CfiCursor extends ByteCursor {
  fixed(n: number): number {
    if (this.pos + n > this.b.length) throw new CfiError('truncated call frame information');
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.b[this.pos + i]!;
    this.pos += n;
    return v;
  }
  signed(n: number): number {
    const v = this.fixed(n);
    const half = 2 ** (8 * n - 1);
    return v >= half ? v - 2 * half : v;
  }
  cstr(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) throw new CfiError('unterminated augmentation string');
    const s = new TextDecoder().decode(this.b.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
  block(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new CfiError('truncated call frame information');
    const b = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/**
 * A pointer in a DW_EH_PE_* encoding (LSB "DWARF Exception Header
 * Encoding"): the value format in the low nibble, pc-relative (0x10) to
 * the pointer's own address; other applications and indirection are not
 * used by gcc's FDEs and are an error.
 */
function readEncoded(c: CfiCursor, enc: number, sectionAddr: number): number {
  const at = sectionAddr + c.pos;
  let v: number;
  switch (enc & 0x0f) {
    case 0x00: v = c.fixed(8); break; // absptr (64-bit target)
    case 0x01: v = c.uleb(); break;
    case 0x02: v = c.fixed(2); break;
    case 0x03: v = c.fixed(4); break;
    case 0x04: v = c.fixed(8); break;
    case 0x09: v = c.sleb(); break;
    case 0x0a: v = c.signed(2); break;
    case 0x0b: v = c.signed(4); break;
    case 0x0c: v = c.signed(8); break;
    default: throw new CfiError(`pointer encoding 0x${enc.toString(16)} not read`);
  }
  switch (enc & 0x70) {
    case 0x00: return v;
    case 0x10: return at + v; // pcrel
    default: throw new CfiError(`pointer encoding 0x${enc.toString(16)} not read`);
  }
}

/** The FDEs of one section, with their CIEs; an entry that cannot be read ends the section (what was read stays). */
export function readCfiSection(s: CfiSection): Fde[] {
  const eh = s.kind === 'eh_frame';
  const cies = new Map<number, Cie>();
  const out: Fde[] = [];
  const c = new CfiCursor(s.bytes);
  try {
    while (c.pos + 4 <= s.bytes.length) {
      const start = c.pos;
      const len = c.fixed(4);
      if (len === 0) {
        if (eh) break; // .eh_frame's terminator
        continue;
      }
      if (len === 0xffffffff) throw new CfiError('64-bit DWARF call frame information not read');
      const end = c.pos + len;
      if (end > s.bytes.length) throw new CfiError('truncated call frame information');
      const idPos = c.pos;
      const id = c.fixed(4);
      if (eh ? id === 0 : id === 0xffffffff) cies.set(start, readCie(c, end, s));
      else {
        const ciePos = eh ? idPos - id : id;
        const cie = cies.get(ciePos) ?? cieAt(s, ciePos);
        cies.set(ciePos, cie);
        const enc = eh ? cie.fdeEncoding : 0x00;
        const lo = readEncoded(c, enc, s.addr);
        const range = readEncoded(c, enc & 0x0f, s.addr);
        if (cie.augmentation.startsWith('z')) c.pos += c.uleb();
        // An FDE of code the linker discarded keeps address 0: left out.
        if (lo !== 0) out.push({ cie, start: lo, end: lo + range, program: c.block(end - c.pos) });
      }
      c.pos = end;
    }
  } catch (e) {
    if (!(e instanceof CfiError)) throw e;
  }
  return out;
}

/** The CIE at a section offset (an FDE may name one that comes later). */
function cieAt(s: CfiSection, pos: number): Cie {
  const c = new CfiCursor(s.bytes);
  c.pos = pos;
  const len = c.fixed(4);
  const end = c.pos + len;
  const id = c.fixed(4);
  if (id !== (s.kind === 'eh_frame' ? 0 : 0xffffffff)) throw new CfiError(`no CIE at offset 0x${pos.toString(16)}`);
  return readCie(c, end, s);
}

/** A CIE's body, after its id (DWARF 5 6.4.1; the 'z', 'R', 'P', 'L', 'S' augmentations of .eh_frame). */
function readCie(c: CfiCursor, end: number, s: CfiSection): Cie {
  const version = c.u8();
  if (version !== 1 && version !== 3 && version !== 4) throw new CfiError(`CIE version ${version} not read`);
  const augmentation = c.cstr();
  if (augmentation !== '' && !augmentation.startsWith('z')) throw new CfiError(`CIE augmentation "${augmentation}" not read`);
  if (version === 4) c.pos += 2; // address_size, segment_selector_size
  const codeAlign = c.uleb();
  const dataAlign = c.sleb();
  const raColumn = version === 1 ? c.u8() : c.uleb();
  let fdeEncoding = 0x00;
  if (augmentation.startsWith('z')) {
    const dataEnd = c.uleb() + c.pos;
    for (const ch of augmentation.slice(1)) {
      if (ch === 'R') fdeEncoding = c.u8();
      else if (ch === 'L') c.u8();
      else if (ch === 'P') {
        const enc = c.u8();
        if (enc !== DW_EH_PE_omit) readEncoded(c, enc & 0x7f, s.addr);
      } else if (ch !== 'S') break; // unknown: the length lets it be skipped
    }
    c.pos = dataEnd;
  }
  return { codeAlign, dataAlign, raColumn, fdeEncoding, augmentation, initial: c.block(end - c.pos) };
}

/**
 * The unwind table's row at pc for the FDE covering it: the CIE's initial
 * instructions, then the FDE's program while its location is at or below
 * pc (DWARF 5 6.4.2 and the example of Appendix D.6).
 */
export function rowAt(fde: Fde, pc: number): CfiRow {
  const cie = fde.cie;
  const row: CfiRow = { cfa: { kind: 'register', reg: 2, offset: 0 }, regs: new Map() };
  run(cie.initial, row, cie, null, { loc: fde.start }, Infinity);
  const initial = new Map(row.regs);
  run(fde.program, row, cie, initial, { loc: fde.start }, pc);
  return row;
}

/** Runs a CFA program on row until the location passes pc; `initial` is the CIE's rules (for restore), null while running them. */
function run(prog: Uint8Array, row: CfiRow, cie: Cie, initial: Map<number, RegRule> | null, at: { loc: number }, pc: number): void {
  const c = new CfiCursor(prog);
  const stack: CfiRow[] = [];
  const advance = (delta: number): boolean => {
    at.loc += delta * cie.codeAlign;
    return at.loc <= pc;
  };
  const restore = (reg: number): void => {
    const r = initial?.get(reg);
    if (r === undefined) row.regs.delete(reg);
    else row.regs.set(reg, r);
  };
  const setCfa = (reg: number | null, offset: number | null): void => {
    const old = row.cfa.kind === 'register' ? row.cfa : { reg: 2, offset: 0 };
    row.cfa = { kind: 'register', reg: reg ?? old.reg, offset: offset ?? old.offset };
  };
  while (c.pos < prog.length) {
    const op = c.u8();
    const hi = op & 0xc0, low = op & 0x3f;
    if (hi === 0x40) { if (!advance(low)) return; continue; } // DW_CFA_advance_loc
    if (hi === 0x80) { row.regs.set(low, { kind: 'offset', offset: c.uleb() * cie.dataAlign }); continue; } // DW_CFA_offset
    if (hi === 0xc0) { restore(low); continue; } // DW_CFA_restore
    switch (op) {
      case 0x00: break; // nop
      case 0x01: { // set_loc (an absolute address in the FDEs' value format; gcc does not emit it)
        const loc = readEncoded(c, cie.fdeEncoding & 0x0f, 0);
        if (loc > pc) return;
        at.loc = loc;
        break;
      }
      case 0x02: if (!advance(c.u8())) return; break;
      case 0x03: if (!advance(c.fixed(2))) return; break;
      case 0x04: if (!advance(c.fixed(4))) return; break;
      case 0x05: { const r = c.uleb(); row.regs.set(r, { kind: 'offset', offset: c.uleb() * cie.dataAlign }); break; }
      case 0x06: restore(c.uleb()); break;
      case 0x07: row.regs.set(c.uleb(), { kind: 'undefined' }); break;
      case 0x08: row.regs.set(c.uleb(), { kind: 'same' }); break;
      case 0x09: { const r = c.uleb(); row.regs.set(r, { kind: 'register', reg: c.uleb() }); break; }
      case 0x0a: stack.push({ cfa: row.cfa, regs: new Map(row.regs) }); break; // remember_state
      case 0x0b: { // restore_state
        const saved = stack.pop();
        if (saved === undefined) throw new CfiError('DW_CFA_restore_state without remember_state');
        row.cfa = saved.cfa;
        row.regs = saved.regs;
        break;
      }
      case 0x0c: { const r = c.uleb(); setCfa(r, c.uleb()); break; }
      case 0x0d: setCfa(c.uleb(), null); break;
      case 0x0e: setCfa(null, c.uleb()); break;
      case 0x0f: row.cfa = { kind: 'expression', expr: c.block(c.uleb()) }; break;
      case 0x10: { const r = c.uleb(); row.regs.set(r, { kind: 'expression', expr: c.block(c.uleb()) }); break; }
      case 0x11: { const r = c.uleb(); row.regs.set(r, { kind: 'offset', offset: c.sleb() * cie.dataAlign }); break; }
      case 0x12: { const r = c.uleb(); setCfa(r, c.sleb() * cie.dataAlign); break; }
      case 0x13: setCfa(null, c.sleb() * cie.dataAlign); break;
      case 0x14: { const r = c.uleb(); row.regs.set(r, { kind: 'val-offset', offset: c.uleb() * cie.dataAlign }); break; }
      case 0x15: { const r = c.uleb(); row.regs.set(r, { kind: 'val-offset', offset: c.sleb() * cie.dataAlign }); break; }
      case 0x16: { const r = c.uleb(); row.regs.set(r, { kind: 'val-expression', expr: c.block(c.uleb()) }); break; }
      case 0x2e: c.uleb(); break; // GNU_args_size
      case 0x2f: { const r = c.uleb(); row.regs.set(r, { kind: 'offset', offset: -c.uleb() * cie.dataAlign }); break; } // GNU_negative_offset_extended
      default: throw new CfiError(`DW_CFA opcode 0x${op.toString(16)} not read`);
    }
  }
}

/** The FDEs of a program's .debug_frame and .eh_frame, found by pc. */
export class CallFrameInfo {
  private readonly fdes: Fde[];

  constructor(sections: CfiSection[]) {
    this.fdes = sections.flatMap(readCfiSection).sort((a, b) => a.start - b.start);
  }

  get size(): number {
    return this.fdes.length;
  }

  /** The FDE whose range holds pc, or undefined. */
  fdeFor(pc: number): Fde | undefined {
    let lo = 0, hi = this.fdes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = this.fdes[mid]!;
      if (pc < f.start) hi = mid - 1;
      else if (pc >= f.end) lo = mid + 1;
      else return f;
    }
    return undefined;
  }

  /** The row at pc, or undefined where no FDE covers it or its program cannot be read. */
  rowFor(pc: number): CfiRow | undefined {
    const fde = this.fdeFor(pc);
    if (fde === undefined) return undefined;
    try {
      return rowAt(fde, pc);
    } catch (e) {
      if (e instanceof CfiError) return undefined;
      throw e;
    }
  }
}
