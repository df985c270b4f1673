// What the debugger reads from .debug_info (DWARF 4 and 5, 32-bit format,
// as GCC writes it, DWARF 5 7.5): each function's name, code range and
// return type (DW_TAG_subprogram's DW_AT_type; none for a void function),
// and the types that describes: base types with their size and encoding,
// pointers, enumerations, typedefs and qualifiers. `finish` uses it to print
// the returned value as gdb does. Units or forms it cannot read leave
// functions unknown (finish then prints a0 as a long, as without DWARF).

const DW_TAG_array_type = 0x01;
const DW_TAG_enumeration_type = 0x04;
const DW_TAG_subrange_type = 0x21;
const DW_TAG_pointer_type = 0x0f;
const DW_TAG_reference_type = 0x10;
const DW_TAG_structure_type = 0x13;
const DW_TAG_typedef = 0x16;
const DW_TAG_union_type = 0x17;
const DW_TAG_enumerator = 0x28;
const DW_TAG_member = 0x0d;
const DW_TAG_subprogram = 0x2e;
const DW_TAG_base_type = 0x24;
const DW_TAG_const_type = 0x26;
const DW_TAG_volatile_type = 0x35;
const DW_TAG_restrict_type = 0x37;
const DW_TAG_atomic_type = 0x47;

const DW_AT_name = 0x03;
const DW_AT_byte_size = 0x0b;
const DW_AT_low_pc = 0x11;
const DW_AT_high_pc = 0x12;
const DW_AT_const_value = 0x1c;
const DW_AT_upper_bound = 0x2f;
const DW_AT_count = 0x37;
const DW_AT_data_member_location = 0x38;
const DW_AT_abstract_origin = 0x31;
const DW_AT_declaration = 0x3c;
const DW_AT_encoding = 0x3e;
const DW_AT_specification = 0x47;
const DW_AT_type = 0x49;

/** DW_ATE_* base-type encodings. */
const DW_ATE_boolean = 0x02;
const DW_ATE_float = 0x04;
const DW_ATE_signed = 0x05;
const DW_ATE_signed_char = 0x06;
const DW_ATE_unsigned_char = 0x08;
const DW_ATE_UTF = 0x10;

/** How a returned value is shown. */
export type ValueKind = 'int' | 'char' | 'bool' | 'float' | 'pointer' | 'enum' | 'aggregate' | 'array';

export interface CType {
  kind: ValueKind;
  /** Bytes (8 for pointers). */
  size: number;
  signed: boolean;
  /** The C spelling gdb uses for a pointer's cast: `char *`, `struct foo *`. */
  name: string;
  /** Enumerators (value -> name) of an enumeration. */
  enumerators?: Map<bigint, string>;
  /** What a pointer points at (null: void). */
  pointee?: CType | null;
  /** An array's element type and length (one dimension; inner ones are arrays of arrays). */
  element?: CType;
  count?: number;
  /** A struct's or union's members, in order (absent when one could not be described). */
  members?: { name: string; offset: number; type: CType }[];
}

export interface DwarfFunction {
  name: string;
  lowPc: number;
  highPc: number;
  /** The return type, or null for a void function. */
  returns: CType | null;
}

/** An attribute's value; a block or expression (exprloc) is its bytes. */
export type AttrValue = number | bigint | string | Uint8Array;

export interface Die {
  tag: number;
  attrs: Map<number, AttrValue>;
  children: number[];
  /** The attribute's form class: address (low_pc) vs constant (high_pc as a length). */
  highPcIsAddr: boolean;
}

/**
 * A byte cursor with DWARF's LEB128 reads (DWARF 5 section 7.6), shared by
 * the .debug_info reader below and the expression reader (c-values.ts
 * Bytes). Past the end a byte reads as 0 and a LEB128 number ends.
 */
export class ByteCursor {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  u8(): number {
    return this.b[this.pos++] ?? 0;
  }
  uleb(): number {
    let r = 0, mul = 1, byte: number;
    do {
      byte = this.u8();
      r += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80 && this.pos < this.b.length);
    return r;
  }
  sleb(): number {
    let r = 0, mul = 1, byte: number;
    do {
      byte = this.u8();
      r += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80 && this.pos < this.b.length);
    return byte & 0x40 ? r - mul : r;
  }
}

class Reader extends ByteCursor {
  private readonly v: DataView;
  constructor(b: Uint8Array) {
    super(b);
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u16(): number {
    const x = this.v.getUint16(this.pos, true);
    this.pos += 2;
    return x;
  }
  u32(): number {
    const x = this.v.getUint32(this.pos, true);
    this.pos += 4;
    return x;
  }
  u64(): bigint {
    const x = this.v.getBigUint64(this.pos, true);
    this.pos += 8;
    return x;
  }
  cstr(): string {
    const end = this.b.indexOf(0, this.pos);
    const s = new TextDecoder().decode(this.b.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
}

function cstrAt(b: Uint8Array | undefined, off: number): string {
  if (b === undefined || off >= b.length) return '';
  const end = b.indexOf(0, off);
  return new TextDecoder().decode(b.subarray(off, end < 0 ? b.length : end));
}

interface Abbrev {
  tag: number;
  hasChildren: boolean;
  specs: { at: number; form: number; implicit: number }[];
}

function readAbbrevs(b: Uint8Array, off: number): Map<number, Abbrev> {
  const r = new Reader(b);
  r.pos = off;
  const out = new Map<number, Abbrev>();
  for (;;) {
    const code = r.uleb();
    if (code === 0) return out;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const specs: Abbrev['specs'] = [];
    for (;;) {
      const at = r.uleb();
      const form = r.uleb();
      if (at === 0 && form === 0) break;
      specs.push({ at, form, implicit: form === 0x21 ? r.sleb() : 0 });
    }
    out.set(code, { tag, hasChildren, specs });
  }
}

export interface DebugSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  /** .debug_loclists (DWARF 5 location lists: variables of optimized code, dwarf-types.ts). */
  loclists?: Uint8Array;
}

/** A block of n bytes (its length already read: `r.pos += r.uleb()` would add to the old position): its bytes. */
function skip(r: Reader, n: number): Uint8Array {
  const b = r.b.subarray(r.pos, r.pos + n);
  r.pos += n;
  return b;
}

/** A form the reader does not know: the unit is given up (the rest of it cannot be found). */
class UnknownForm extends Error {}

/**
 * Reads one attribute value of `form` (DWARF 5 7.5.6); references become
 * .debug_info offsets; blocks and expressions are their bytes.
 */
function readForm(r: Reader, form: number, unitOff: number, addrSize: number, version: number, s: DebugSections, implicit: number): AttrValue {
  switch (form) {
    case 0x01: return addrSize === 8 ? r.u64() : r.u32(); // addr
    case 0x0b: return r.u8(); // data1
    case 0x05: return r.u16(); // data2
    case 0x06: return r.u32(); // data4
    case 0x07: return r.u64(); // data8
    case 0x1e: r.pos += 16; return 0; // data16
    case 0x0d: return r.sleb(); // sdata
    case 0x0f: return r.uleb(); // udata
    case 0x08: return r.cstr(); // string
    case 0x0e: return cstrAt(s.str, r.u32()); // strp
    case 0x1f: return cstrAt(s.lineStr, r.u32()); // line_strp
    case 0x11: return unitOff + r.u8(); // ref1
    case 0x12: return unitOff + r.u16(); // ref2
    case 0x13: return unitOff + r.u32(); // ref4
    case 0x14: return unitOff + Number(r.u64()); // ref8
    case 0x15: return unitOff + r.uleb(); // ref_udata
    case 0x10: return version <= 2 ? Number(addrSize === 8 ? r.u64() : r.u32()) : r.u32(); // ref_addr
    case 0x17: return r.u32(); // sec_offset
    case 0x0c: return r.u8(); // flag
    case 0x19: return 1; // flag_present
    case 0x21: return implicit; // implicit_const
    case 0x18: case 0x09: return skip(r, r.uleb()); // exprloc, block
    case 0x0a: return skip(r, r.u8()); // block1
    case 0x03: return skip(r, r.u16()); // block2
    case 0x04: return skip(r, r.u32()); // block4
    case 0x20: r.pos += 8; return 0; // ref_sig8 (type units: not followed)
    case 0x1a: case 0x1b: case 0x22: case 0x23: return r.uleb(); // strx, addrx, loclistx, rnglistx (unresolved)
    case 0x25: case 0x29: return r.u8();
    case 0x26: case 0x2a: return r.u16();
    case 0x27: case 0x2b: r.pos += 3; return 0;
    case 0x28: case 0x2c: case 0x1c: case 0x1d: return r.u32();
    case 0x24: r.pos += 8; return 0;
    case 0x16: return readForm(r, r.uleb(), unitOff, addrSize, version, s, implicit); // indirect
    default: throw new UnknownForm(`form 0x${form.toString(16)}`);
  }
}

/** Every DIE of .debug_info by offset; units that cannot be read are left out. */
export function readDies(s: DebugSections): Map<number, Die> {
  const dies = new Map<number, Die>();
  const r = new Reader(s.info);
  while (r.pos + 11 <= s.info.length) {
    const unitOff = r.pos;
    const len = r.u32();
    if (len >= 0xfffffff0) break; // 64-bit DWARF: not written by GCC for riscv64
    const end = r.pos + len;
    const version = r.u16();
    let abbrevOff: number, addrSize: number;
    if (version >= 5) {
      const unitType = r.u8();
      addrSize = r.u8();
      abbrevOff = r.u32();
      if (unitType !== 1) {
        r.pos = end; // only full compile units (DW_UT_compile)
        continue;
      }
    } else {
      abbrevOff = r.u32();
      addrSize = r.u8();
    }
    const abbrevs = readAbbrevs(s.abbrev, abbrevOff);
    const parents: number[] = [];
    try {
      while (r.pos < end) {
        const off = r.pos;
        const code = r.uleb();
        if (code === 0) {
          parents.pop();
          continue;
        }
        const ab = abbrevs.get(code);
        if (ab === undefined) break;
        const die: Die = { tag: ab.tag, attrs: new Map(), children: [], highPcIsAddr: false };
        for (const spec of ab.specs) {
          const v = readForm(r, spec.form, unitOff, addrSize, version, s, spec.implicit);
          die.attrs.set(spec.at, v);
          if (spec.at === DW_AT_high_pc) die.highPcIsAddr = spec.form === 0x01;
        }
        dies.set(off, die);
        const parent = parents[parents.length - 1];
        if (parent !== undefined) dies.get(parent)?.children.push(off);
        if (ab.hasChildren) parents.push(off);
      }
    } catch (e) {
      if (!(e instanceof UnknownForm)) throw e;
    }
    r.pos = end;
  }
  return dies;
}

/** An attribute's numeric value (undefined for none, a string or a block). */
export const num = (v: AttrValue | undefined): number | undefined => (v === undefined || typeof v === 'string' || v instanceof Uint8Array ? undefined : Number(v));

/** The type at a DIE offset (null: void, a missing or unreadable DIE). */
function typeAt(dies: Map<number, Die>, off: number | undefined, depth = 0): CType | null {
  if (off === undefined || depth > 32) return null;
  const die = dies.get(off);
  if (die === undefined) return null;
  const name = die.attrs.get(DW_AT_name);
  const size = num(die.attrs.get(DW_AT_byte_size)) ?? 0;
  const inner = (): CType | null => typeAt(dies, num(die.attrs.get(DW_AT_type)), depth + 1);
  switch (die.tag) {
    case DW_TAG_base_type: {
      const enc = num(die.attrs.get(DW_AT_encoding)) ?? DW_ATE_signed;
      const cname = typeof name === 'string' ? name : 'int';
      if (enc === DW_ATE_boolean) return { kind: 'bool', size, signed: false, name: cname };
      if (enc === DW_ATE_float) return { kind: 'float', size, signed: true, name: cname };
      if (enc === DW_ATE_signed_char || enc === DW_ATE_unsigned_char || (enc === DW_ATE_UTF && size === 1))
        return { kind: 'char', size, signed: enc === DW_ATE_signed_char, name: cname };
      return { kind: 'int', size, signed: enc === DW_ATE_signed, name: cname };
    }
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type: {
      const to = inner();
      const toName = to === null ? 'void' : to.name;
      return { kind: 'pointer', size: size || 8, signed: false, name: toName.endsWith('*') ? `${toName}*` : `${toName} *`, pointee: to };
    }
    case DW_TAG_enumeration_type: {
      const enumerators = new Map<bigint, string>();
      for (const c of die.children) {
        const e = dies.get(c);
        const v = e?.attrs.get(DW_AT_const_value);
        const n = e?.attrs.get(DW_AT_name);
        if (e?.tag === DW_TAG_enumerator && v !== undefined && typeof v !== 'string' && !(v instanceof Uint8Array) && typeof n === 'string') enumerators.set(BigInt(v), n);
      }
      const under = inner();
      return { kind: 'enum', size: size || 4, signed: under?.signed ?? false, name: typeof name === 'string' ? `enum ${name}` : 'enum {...}', enumerators };
    }
    case DW_TAG_array_type: {
      const elem = inner();
      const dims = die.children.map((c) => dies.get(c)).filter((c) => c?.tag === DW_TAG_subrange_type);
      // gdb prints a character array as a string: not described here (the struct holding it is shown as undescribable).
      if (elem === null || dims.length === 0 || elem.kind === 'char') return { kind: 'aggregate', size: 0, signed: false, name: 'array' };
      // The last dimension varies fastest: build from the inside out.
      let t: CType = elem;
      for (let i = dims.length - 1; i >= 0; i--) {
        const d = dims[i]!;
        const count = num(d.attrs.get(DW_AT_count)) ?? (num(d.attrs.get(DW_AT_upper_bound)) ?? -1) + 1;
        if (count <= 0) return { kind: 'aggregate', size: 0, signed: false, name: `${elem.name} []` };
        t = { kind: 'array', size: t.size * count, signed: false, name: `${elem.name} [${count}]`, element: t, count };
      }
      return t;
    }
    case DW_TAG_typedef: {
      const t = inner();
      return t === null ? null : { ...t, name: typeof name === 'string' ? name : t.name };
    }
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type: {
      const t = inner();
      const q = die.tag === DW_TAG_const_type ? 'const' : die.tag === DW_TAG_volatile_type ? 'volatile' : die.tag === DW_TAG_restrict_type ? 'restrict' : '_Atomic';
      if (t === null) return { kind: 'aggregate', size: 0, signed: false, name: `${q} void` };
      // `char *const` is written after the star; `const char` before the name.
      return { ...t, name: t.kind === 'pointer' ? `${t.name}${q}` : `${q} ${t.name}` };
    }
    case DW_TAG_structure_type:
    case DW_TAG_union_type: {
      const kw = die.tag === DW_TAG_structure_type ? 'struct' : 'union';
      const t: CType = { kind: 'aggregate', size, signed: false, name: typeof name === 'string' ? `${kw} ${name}` : `${kw} {...}` };
      const members: NonNullable<CType['members']> = [];
      for (const c of die.children) {
        const m = dies.get(c);
        if (m?.tag !== DW_TAG_member) continue;
        const mt = typeAt(dies, num(m.attrs.get(DW_AT_type)), depth + 1);
        const mn = m.attrs.get(DW_AT_name);
        // A bit-field or an array member (no simple offset or type here) leaves the struct undescribed.
        const off = num(m.attrs.get(DW_AT_data_member_location)) ?? (die.tag === DW_TAG_union_type ? 0 : undefined);
        if (mt === null || off === undefined || typeof mn !== 'string' || (mt.kind === 'aggregate' && mt.members === undefined)) return t;
        members.push({ name: mn, offset: off, type: mt });
      }
      return { ...t, members };
    }
    default:
      return { kind: 'aggregate', size, signed: false, name: typeof name === 'string' ? name : '?' };
  }
}

/** The functions with code (DW_TAG_subprogram with a low_pc), their names and return types resolved through abstract origins. */
export function readFunctions(s: DebugSections): DwarfFunction[] {
  const dies = readDies(s);
  const out: DwarfFunction[] = [];
  for (const die of dies.values()) {
    if (die.tag !== DW_TAG_subprogram || die.attrs.get(DW_AT_declaration) !== undefined) continue;
    const low = num(die.attrs.get(DW_AT_low_pc));
    const high = num(die.attrs.get(DW_AT_high_pc));
    if (low === undefined || high === undefined) continue;
    // An out-of-line instance or a definition of a declaration names its origin for name and type.
    let src: Die = die;
    for (let i = 0; i < 4; i++) {
      const o = num(src.attrs.get(DW_AT_abstract_origin) ?? src.attrs.get(DW_AT_specification));
      const next = o === undefined ? undefined : dies.get(o);
      if (next === undefined) break;
      if (!src.attrs.has(DW_AT_name) || !src.attrs.has(DW_AT_type)) src = next;
      else break;
    }
    const name = die.attrs.get(DW_AT_name) ?? src.attrs.get(DW_AT_name);
    const typeRef = num(die.attrs.get(DW_AT_type) ?? src.attrs.get(DW_AT_type));
    out.push({
      name: typeof name === 'string' ? name : '',
      lowPc: low,
      highPc: die.highPcIsAddr ? high : low + high,
      returns: typeRef === undefined ? null : typeAt(dies, typeRef),
    });
  }
  return out.sort((a, b) => a.lowPc - b.lowPc);
}
