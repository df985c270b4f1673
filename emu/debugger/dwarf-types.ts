// C types and variables from .debug_info, for the REPL's `info locals`,
// `info args`, `print VAR` and `ptype` (locals.ts): the type graph (base
// types, pointers, arrays, structs and unions, typedefs, enumerations,
// const/volatile, function types), each DIE made once and pointers resolved
// lazily so a self-referencing struct costs nothing; the functions' scopes
// (parameters, variables, lexical blocks with their code ranges, the frame
// base) and the unit-level variables; and C declarations written as gdb
// writes them (`struct node *`, `int [4]`, `char *const`, `int (*)(int)`).
// dwarf-info.ts reads the DIEs; finish keeps its own simpler CType.
import { num, readDies } from './dwarf-info';
import type { DebugSections, Die } from './dwarf-info';

const TAG = {
  array: 0x01, enumeration: 0x04, formalParameter: 0x05, lexicalBlock: 0x0b, member: 0x0d, pointer: 0x0f, reference: 0x10,
  compileUnit: 0x11, structure: 0x13, subroutine: 0x15, typedef: 0x16, union: 0x17, inlined: 0x1d, subrange: 0x21,
  base: 0x24, const: 0x26, enumerator: 0x28, subprogram: 0x2e, variable: 0x34, volatile: 0x35, restrict: 0x37, atomic: 0x47,
  callSite: 0x48, callSiteParameter: 0x49,
} as const;
const AT = {
  name: 0x03, byteSize: 0x0b, location: 0x02, lowPc: 0x11, highPc: 0x12, constValue: 0x1c, upperBound: 0x2f, count: 0x37,
  memberLocation: 0x38, abstractOrigin: 0x31, declaration: 0x3c, encoding: 0x3e, frameBase: 0x40, specification: 0x47,
  type: 0x49, bitSize: 0x0d, dataBitOffset: 0x6b, prototyped: 0x27, callReturnPc: 0x7d, callValue: 0x7e,
} as const;
const ATE = { boolean: 0x02, float: 0x04, signed: 0x05, signedChar: 0x06, unsigned: 0x07, unsignedChar: 0x08, UTF: 0x10 } as const;

/** GCC's names of the integer types as gdb prints them (`long int` is `long`). */
const GDB_NAMES: Record<string, string> = {
  'long int': 'long', 'short int': 'short', 'long long int': 'long long', 'long unsigned int': 'unsigned long',
  'short unsigned int': 'unsigned short', 'long long unsigned int': 'unsigned long long',
};

export type BaseEncoding = 'signed' | 'unsigned' | 'char' | 'uchar' | 'bool' | 'float';

export interface Member {
  name: string;
  offset: number;
  type: CT;
  /** A bit-field's width and its first bit within the struct (DW_AT_data_bit_offset). */
  bits?: { size: number; offset: number };
}

/** One C type. `ptr.to` is read when first asked for (a struct may point at itself). */
export type CT =
  | { t: 'void' }
  | { t: 'base'; name: string; size: number; enc: BaseEncoding }
  | { t: 'ptr'; to(): CT }
  | { t: 'array'; of: CT; count: number | null }
  | { t: 'struct'; kw: 'struct' | 'union'; tag: string | null; size: number; members: Member[] }
  | { t: 'enum'; tag: string | null; size: number; signed: boolean; values: [string, bigint][] }
  | { t: 'typedef'; name: string; of: CT }
  | { t: 'qual'; q: string; of: CT }
  | { t: 'func'; ret: CT; params: CT[]; prototyped: boolean };

/** Bytes a value of t takes. */
export function sizeOf(t: CT): number {
  switch (t.t) {
    case 'void': case 'func': return 1;
    case 'ptr': return 8;
    case 'base': case 'struct': case 'enum': return t.size;
    case 'array': return t.count === null ? 0 : t.count * sizeOf(t.of);
    case 'typedef': case 'qual': return sizeOf(t.of);
  }
}

/** t without typedefs and qualifiers: what its values are. */
export function strip(t: CT): CT {
  let x = t;
  for (let i = 0; i < 64 && (x.t === 'typedef' || x.t === 'qual'); i++) x = x.of;
  return x;
}

/**
 * The C declaration of `inner` (a variable's name, '' for the type alone)
 * of type t, gdb's way: `char *`, `int [4]`, `struct node *next`,
 * `int (*)(int)`. With `expand`, the innermost struct, union or enum is
 * written out with its members (ptype), typedefs at that spot resolved.
 */
export function declare(t: CT, inner: string, expand = false, indent = ''): string {
  const named = (n: string): string => (inner === '' ? n : `${n} ${inner}`);
  switch (t.t) {
    case 'void': return named('void');
    case 'base': return named(t.name);
    case 'typedef': return expand ? declare(t.of, inner, true, indent) : named(t.name);
    case 'struct': return named(expand ? structBody(t, indent) : `${t.kw} ${t.tag ?? '{...}'}`);
    case 'enum': return named(expand ? enumBody(t) : `enum ${t.tag ?? '{...}'}`);
    case 'ptr': {
      const to = t.to();
      const d = `*${inner}`;
      const s = strip(to);
      return declare(to, s.t === 'array' || s.t === 'func' ? `(${d})` : d, expand, indent);
    }
    case 'array': return declare(t.of, `${inner}[${t.count ?? ''}]`, expand, indent);
    case 'func': {
      const ps = t.params.length === 0 ? (t.prototyped ? 'void' : '') : t.params.map((p) => declare(p, '')).join(', ');
      return declare(t.ret, `${inner}(${ps})`, expand, indent);
    }
    case 'qual':
      // `const char` before the name; a qualified pointer is `char * const`.
      if (t.of.t === 'ptr') return declare(t.of, inner === '' ? ` ${t.q}` : ` ${t.q} ${inner}`, expand, indent).replace(/\* (const|volatile)/, '* $1');
      return `${t.q} ${declare(t.of, inner, expand, indent)}`;
  }
}

function structBody(t: Extract<CT, { t: 'struct' }>, indent: string): string {
  const inner = `${indent}    `;
  const lines = t.members.map((m) => `${inner}${declare(m.type, m.name, false, inner)}${m.bits !== undefined ? ` : ${m.bits.size}` : ''};`);
  return `${t.kw} ${t.tag === null ? '' : `${t.tag} `}{\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${indent}}`;
}

/** `enum color {RED, GREEN = 5, BLUE}`: a value written where it is not the one before plus one. */
function enumBody(t: Extract<CT, { t: 'enum' }>): string {
  let next = 0n;
  const parts = t.values.map(([n, v]) => {
    const s = v === next ? n : `${n} = ${v}`;
    next = v + 1n;
    return s;
  });
  return `enum ${t.tag === null ? '' : `${t.tag} `}{${parts.join(', ')}}`;
}

/** A variable or parameter: its name, type and DW_AT_location (an expression's bytes, a location list's offset, or none). */
export interface Variable {
  name: string;
  type: CT;
  location: Uint8Array | number | null;
}

/** A function or a lexical block of one: its code range, its variables, its inner blocks. */
export interface Scope {
  lowPc: number;
  highPc: number;
  params: Variable[];
  vars: Variable[];
  blocks: Scope[];
}

export interface FunctionScope extends Scope {
  name: string;
  frameBase: Uint8Array | null;
  /** Its compile unit's DW_AT_low_pc: the base of its location lists' offset pairs. */
  cuBase: number;
  /** Its C type (ptype/whatis of its name): the return type and the parameters'. */
  type: CT;
}

/** What locals.ts reads: the functions with code, the global variables, and the named types (`struct X`, typedefs, base types). */
export interface DwarfProgram {
  functions: FunctionScope[];
  /** .debug_loclists, when the program has one. */
  loclists?: Uint8Array;
  /**
   * The calls DWARF describes (DW_TAG_call_site), by return address: for each
   * argument register, the expression of its value at the call
   * (DW_AT_call_value), which DW_OP_entry_value reads in the callee.
   */
  callSites: Map<number, Map<number, Uint8Array>>;
  globals: Map<string, Variable>;
  types: Map<string, CT>;
}

/** Reads the program's variables and types; units it cannot read are left out (dwarf-info.ts). */
export function readProgram(s: DebugSections): DwarfProgram {
  const dies = readDies(s);
  const made = new Map<number, CT>();
  const VOID: CT = { t: 'void' };
  const str = (d: Die, at: number): string | null => {
    const v = d.attrs.get(at);
    return typeof v === 'string' ? v : null;
  };

  const typeAt = (off: number | undefined): CT => {
    if (off === undefined) return VOID;
    const known = made.get(off);
    if (known !== undefined) return known;
    const d = dies.get(off);
    if (d === undefined) return VOID;
    const inner = (): CT => typeAt(num(d.attrs.get(AT.type)));
    const size = num(d.attrs.get(AT.byteSize)) ?? 0;
    let t: CT;
    switch (d.tag) {
      case TAG.base: {
        const e = num(d.attrs.get(AT.encoding)) ?? ATE.signed;
        const enc: BaseEncoding = e === ATE.boolean ? 'bool' : e === ATE.float ? 'float' : e === ATE.signedChar ? 'char'
          : e === ATE.unsignedChar || (e === ATE.UTF && size === 1) ? 'uchar' : e === ATE.signed ? 'signed' : 'unsigned';
        const n = str(d, AT.name) ?? 'int';
        t = { t: 'base', name: GDB_NAMES[n] ?? n, size, enc };
        break;
      }
      case TAG.pointer:
      case TAG.reference: {
        const to = num(d.attrs.get(AT.type));
        t = { t: 'ptr', to: () => typeAt(to) };
        break;
      }
      case TAG.structure:
      case TAG.union: {
        const st: Extract<CT, { t: 'struct' }> = { t: 'struct', kw: d.tag === TAG.structure ? 'struct' : 'union', tag: str(d, AT.name), size, members: [] };
        made.set(off, st); // before the members: they may point back at it
        for (const c of d.children) {
          const m = dies.get(c);
          if (m?.tag !== TAG.member) continue;
          const bitSize = num(m.attrs.get(AT.bitSize));
          const bitOff = num(m.attrs.get(AT.dataBitOffset));
          const mo = num(m.attrs.get(AT.memberLocation)) ?? (bitOff !== undefined ? Math.floor(bitOff / 8) : 0);
          st.members.push({
            name: str(m, AT.name) ?? '',
            offset: mo,
            type: typeAt(num(m.attrs.get(AT.type))),
            ...(bitSize !== undefined ? { bits: { size: bitSize, offset: bitOff ?? mo * 8 } } : {}),
          });
        }
        return st;
      }
      case TAG.enumeration: {
        const values: [string, bigint][] = [];
        for (const c of d.children) {
          const e = dies.get(c);
          const v = e === undefined ? undefined : e.attrs.get(AT.constValue);
          const n = e === undefined ? null : str(e, AT.name);
          if (e?.tag === TAG.enumerator && n !== null && (typeof v === 'number' || typeof v === 'bigint')) values.push([n, BigInt(v)]);
        }
        const under = d.attrs.has(AT.type) ? strip(inner()) : null;
        t = { t: 'enum', tag: str(d, AT.name), size: size || 4, signed: under?.t === 'base' ? under.enc === 'signed' : values.some(([, v]) => v < 0n), values };
        break;
      }
      case TAG.array: {
        let at: CT = inner();
        const dims = d.children.map((c) => dies.get(c)).filter((c): c is Die => c?.tag === TAG.subrange);
        // The last dimension varies fastest: arrays of arrays from the inside out.
        for (let i = dims.length - 1; i >= 0; i--) {
          const dim = dims[i]!;
          const ub = num(dim.attrs.get(AT.upperBound));
          const count = num(dim.attrs.get(AT.count)) ?? (ub === undefined ? null : ub + 1);
          at = { t: 'array', of: at, count };
        }
        t = dims.length === 0 ? { t: 'array', of: at, count: null } : at;
        break;
      }
      case TAG.typedef:
        t = { t: 'typedef', name: str(d, AT.name) ?? '?', of: inner() };
        break;
      case TAG.const:
      case TAG.volatile:
      case TAG.restrict:
      case TAG.atomic:
        t = { t: 'qual', q: d.tag === TAG.const ? 'const' : d.tag === TAG.volatile ? 'volatile' : d.tag === TAG.restrict ? 'restrict' : '_Atomic', of: inner() };
        break;
      case TAG.subroutine:
        t = {
          t: 'func', ret: inner(), prototyped: d.attrs.has(AT.prototyped),
          params: d.children.map((c) => dies.get(c)).filter((c): c is Die => c?.tag === TAG.formalParameter).map((p) => typeAt(num(p.attrs.get(AT.type)))),
        };
        break;
      default:
        t = VOID;
    }
    made.set(off, t);
    return t;
  };

  /** A DIE's attribute, or its abstract origin's / specification's (an out-of-line or defining instance). */
  const attr = (d: Die, at: number): Die['attrs'] extends Map<number, infer V> ? V | undefined : never => {
    let x: Die | undefined = d;
    for (let i = 0; i < 4 && x !== undefined; i++) {
      const v = x.attrs.get(at);
      if (v !== undefined) return v;
      const o = num(x.attrs.get(AT.abstractOrigin) ?? x.attrs.get(AT.specification));
      x = o === undefined ? undefined : dies.get(o);
    }
    return undefined;
  };

  const variable = (d: Die): Variable | null => {
    const name = attr(d, AT.name);
    if (typeof name !== 'string') return null;
    const loc = d.attrs.get(AT.location);
    return { name, type: typeAt(num(attr(d, AT.type))), location: loc instanceof Uint8Array ? loc : typeof loc === 'number' ? loc : null };
  };

  const scope = (d: Die, lowPc: number, highPc: number): Scope => {
    const sc: Scope = { lowPc, highPc, params: [], vars: [], blocks: [] };
    for (const c of d.children) {
      const x = dies.get(c);
      if (x === undefined) continue;
      if (x.tag === TAG.formalParameter || x.tag === TAG.variable) {
        const v = variable(x);
        if (v !== null) (x.tag === TAG.formalParameter ? sc.params : sc.vars).push(v);
      } else if (x.tag === TAG.lexicalBlock) {
        const lo = num(x.attrs.get(AT.lowPc));
        const hi = num(x.attrs.get(AT.highPc));
        // A block with DW_AT_ranges (no low_pc) is taken as the whole function.
        sc.blocks.push(lo === undefined || hi === undefined ? scope(x, lowPc, highPc) : scope(x, lo, x.highPcIsAddr ? hi : lo + hi));
      }
    }
    return sc;
  };

  const functions: FunctionScope[] = [];
  const globals = new Map<string, Variable>();
  const types = new Map<string, CT>();
  const callSites = new Map<number, Map<number, Uint8Array>>();
  let cuBase = 0;
  // The DIEs in .debug_info order: a function's unit is the last unit seen before it.
  for (const [off, d] of dies) {
    if (d.tag === TAG.compileUnit) cuBase = num(d.attrs.get(AT.lowPc)) ?? 0;
    if (d.tag === TAG.subprogram && !d.attrs.has(AT.declaration)) {
      const lo = num(d.attrs.get(AT.lowPc));
      const hi = num(d.attrs.get(AT.highPc));
      if (lo === undefined || hi === undefined) continue;
      const fb = d.attrs.get(AT.frameBase);
      const name = attr(d, AT.name);
      const sc = scope(d, lo, d.highPcIsAddr ? hi : lo + hi);
      const type: CT = { t: 'func', ret: typeAt(num(attr(d, AT.type))), params: sc.params.map((p) => p.type), prototyped: attr(d, AT.prototyped) !== undefined };
      functions.push({ ...sc, name: typeof name === 'string' ? name : '', frameBase: fb instanceof Uint8Array ? fb : null, cuBase, type });
    } else if (d.tag === TAG.callSite) {
      const ret = num(d.attrs.get(AT.callReturnPc));
      if (ret === undefined) continue;
      const params = new Map<number, Uint8Array>();
      for (const c of d.children) {
        const p = dies.get(c);
        const loc = p?.attrs.get(AT.location);
        const val = p?.attrs.get(AT.callValue);
        // DW_OP_reg0..31: the argument register.
        if (p?.tag === TAG.callSiteParameter && loc instanceof Uint8Array && loc.length === 1 && loc[0]! >= 0x50 && loc[0]! <= 0x6f && val instanceof Uint8Array) params.set(loc[0]! - 0x50, val);
      }
      callSites.set(ret, params);
    } else if (d.tag === TAG.variable && d.attrs.has(AT.location)) {
      // A unit-level variable (a function's own are read with its scope): only those with a static address are kept by locals.ts.
      const v = variable(d);
      if (v !== null && !globals.has(v.name) && v.location instanceof Uint8Array && v.location[0] === 0x03) globals.set(v.name, v);
    } else if (d.tag === TAG.base || d.tag === TAG.typedef || d.tag === TAG.structure || d.tag === TAG.union || d.tag === TAG.enumeration) {
      const n = str(d, AT.name);
      if (n === null || d.attrs.has(AT.declaration)) continue;
      const key = d.tag === TAG.structure ? `struct ${n}` : d.tag === TAG.union ? `union ${n}` : d.tag === TAG.enumeration ? `enum ${n}` : d.tag === TAG.base ? GDB_NAMES[n] ?? n : n;
      if (!types.has(key)) types.set(key, typeAt(off));
      // A base type is also known by GCC's own name (`long int`).
      if (d.tag === TAG.base && !types.has(n)) types.set(n, typeAt(off));
    }
  }
  return { functions: functions.sort((a, b) => a.lowPc - b.lowPc), globals, types, callSites, ...(s.loclists !== undefined ? { loclists: s.loclists } : {}) };
}

/**
 * The location expression a DWARF 5 location list (at `off` in
 * .debug_loclists) gives for pc: offset pairs from `base` (the unit's
 * low_pc, or a DW_LLE_base_address), start/end and start/length entries, the
 * default location; null where none covers pc, or where an entry needs
 * .debug_addr (split DWARF: not read).
 */
export function locationListAt(lists: Uint8Array, off: number, base: number, pc: number): Uint8Array | null {
  let pos = off;
  const u8 = (): number => lists[pos++] ?? 0;
  const uleb = (): number => {
    let r = 0, mul = 1, b: number;
    do {
      b = u8();
      r += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80 && pos < lists.length);
    return r;
  };
  const addr = (): number => {
    let v = 0;
    for (let i = 0; i < 8; i++) v += u8() * 2 ** (8 * i);
    return v;
  };
  const expr = (): Uint8Array => {
    const n = uleb();
    const e = lists.subarray(pos, pos + n);
    pos += n;
    return e;
  };
  let fallback: Uint8Array | null = null;
  for (let guard = 0; guard < 10_000 && pos < lists.length; guard++) {
    const kind = u8();
    let lo: number, hi: number;
    switch (kind) {
      case 0x00: return fallback; // DW_LLE_end_of_list
      case 0x04: lo = base + uleb(); hi = base + uleb(); break; // offset_pair
      case 0x05: fallback = expr(); continue; // default_location
      case 0x06: base = addr(); continue; // base_address
      case 0x07: lo = addr(); hi = addr(); break; // start_end
      case 0x08: lo = addr(); hi = lo + uleb(); break; // start_length
      default: return null; // base_addressx, startx_endx, startx_length: .debug_addr
    }
    const e = expr();
    if (lo <= pc && pc < hi) return e;
  }
  return null;
}
