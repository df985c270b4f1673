// A small WebAssembly binary encoder: just what tier 1 emits (WebAssembly
// Core Specification 2.0, chapter 5 "Binary Format"). A module has one type,
// imports of functions, one memory and one table, one function and its export; the
// function body is built with Body, whose methods append typed opcodes and
// LEB128 immediates. No validation here: V8 validates at compile time, and a
// test compiles every construct this encoder offers.

/** Value types (spec 5.3.1). */
export const ValType = { I32: 0x7f, I64: 0x7e, F64: 0x7c } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Block type "no result" (spec 5.3.6 blocktype, the empty form). */
const BLOCK_EMPTY = 0x40;

/** Opcodes (spec 5.4), the ones tier 1 uses. */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, br_table: 0x0e, return: 0x0f, call: 0x10, return_call_indirect: 0x13, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i64_load: 0x29, f64_load: 0x2b,
  i64_load8_s: 0x30, i64_load8_u: 0x31, i64_load16_s: 0x32, i64_load16_u: 0x33, i64_load32_s: 0x34, i64_load32_u: 0x35,
  i32_store: 0x36, i64_store: 0x37, f64_store: 0x39, i64_store8: 0x3c, i64_store16: 0x3d, i64_store32: 0x3e,
  i32_const: 0x41, i64_const: 0x42, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55, i64_gt_u: 0x56,
  i64_le_s: 0x57, i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80, i64_rem_s: 0x81, i64_rem_u: 0x82,
  i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88,
  f64_eq: 0x61, f64_add: 0xa0,
  i32_wrap_i64: 0xa7, i64_trunc_f64_s: 0xb0, f64_convert_i64_s: 0xb9, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** A growable byte buffer with the spec's integer encodings. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]!);
    return this;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53 (spec 5.2.2). */
  u32(v: number): this {
    for (;;) {
      const b = v % 128;
      v = Math.floor(v / 128);
      if (v === 0) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of an int32 (spec 5.2.2, s32). */
  s32(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of the int64 hi:lo (spec 5.2.2, s64), without BigInt. */
  s64(lo: number, hi: number): this {
    lo >>>= 0;
    hi |= 0;
    for (;;) {
      const b = lo & 0x7f;
      // Arithmetic shift of the 64-bit value by 7.
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>= 7;
      const done = (hi === 0 && lo === 0 && (b & 0x40) === 0) || (hi === -1 && lo === 0xffffffff && (b & 0x40) !== 0);
      if (done) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** A name or a byte vector: its length, then its bytes (spec 5.2.4). */
  vec(bs: ArrayLike<number>): this {
    return this.u32(bs.length).bytes(bs);
  }

  name(s: string): this {
    return this.vec(new TextEncoder().encode(s));
  }

  toArray(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

/** One function body: declared locals (beyond the parameters), then instructions. */
export class Body {
  readonly code = new Bytes();
  private readonly locals: ValType[] = [];

  constructor(private readonly nParams: number) {}

  /** Declares a local and returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.nParams + this.locals.length - 1;
  }

  op(o: Op): this {
    this.code.byte(o);
    return this;
  }

  i32(v: number): this {
    this.code.byte(Op.i32_const).s32(v);
    return this;
  }

  /** i64.const of the int64 hi:lo (hi defaults to lo's sign). */
  i64(lo: number, hi: number = lo >> 31): this {
    this.code.byte(Op.i64_const).s64(lo, hi);
    return this;
  }

  /** f64.const v (little-endian IEEE 754 bits). */
  f64(v: number): this {
    this.code.byte(Op.f64_const).bytes(new Uint8Array(new Float64Array([v]).buffer));
    return this;
  }

  get(i: number): this {
    this.code.byte(Op.local_get).u32(i);
    return this;
  }

  set(i: number): this {
    this.code.byte(Op.local_set).u32(i);
    return this;
  }

  tee(i: number): this {
    this.code.byte(Op.local_tee).u32(i);
    return this;
  }

  block(): this {
    this.code.byte(Op.block).byte(BLOCK_EMPTY);
    return this;
  }

  loop(): this {
    this.code.byte(Op.loop).byte(BLOCK_EMPTY);
    return this;
  }

  if(): this {
    this.code.byte(Op.if).byte(BLOCK_EMPTY);
    return this;
  }

  /** `if` whose arms each leave one value of type t. */
  ifValue(t: ValType): this {
    this.code.byte(Op.if).byte(t);
    return this;
  }

  end(): this {
    this.code.byte(Op.end);
    return this;
  }

  br(depth: number): this {
    this.code.byte(Op.br).u32(depth);
    return this;
  }

  brIf(depth: number): this {
    this.code.byte(Op.br_if).u32(depth);
    return this;
  }

  brTable(depths: readonly number[], dflt: number): this {
    this.code.byte(Op.br_table).u32(depths.length);
    for (const d of depths) this.code.u32(d);
    this.code.u32(dflt);
    return this;
  }

  call(fn: number): this {
    this.code.byte(Op.call).u32(fn);
    return this;
  }

  /**
   * A tail call through table 0 (the tail-call proposal, on by default in Node 20's V8): pops the
   * arguments of type `typeIdx` and the table index; the caller's frame is gone, so a chain of
   * such calls does not grow the stack.
   */
  returnCallIndirect(typeIdx: number): this {
    this.code.byte(Op.return_call_indirect).u32(typeIdx).u32(0);
    return this;
  }

  /** A load or store with its memarg: alignment exponent and constant offset (spec 5.4.6). */
  mem(o: Op, alignLog2: number, offset: number): this {
    this.code.byte(o).u32(alignLog2).u32(offset);
    return this;
  }

  /** The body as the code section stores it: size, locals as runs of one type, instructions, end. */
  encode(): Uint8Array<ArrayBuffer> {
    const b = new Bytes();
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    b.u32(runs.length);
    for (const [n, t] of runs) b.u32(n).byte(t);
    b.bytes(this.code.toArray()).byte(Op.end);
    const out = new Bytes();
    out.vec(b.toArray());
    return out.toArray();
  }
}

export interface FuncType {
  params: readonly ValType[];
  results: readonly ValType[];
}

export interface ModuleSpec {
  /** Imported functions, module "env", in index order (they take function indices 0..n-1). */
  imports: readonly { name: string; type: FuncType }[];
  /** An imported memory env.mem with at least this many 64-KiB pages, or none. */
  memoryPages?: number;
  /** An imported table env.table of funcref (table 0), or none. */
  table?: boolean;
  /** The one defined function (index imports.length), exported as `name`. */
  func: { name: string; type: FuncType; body: Body };
}

const SEC_TYPE = 1, SEC_IMPORT = 2, SEC_FUNCTION = 3, SEC_EXPORT = 7, SEC_CODE = 10;
const EXTERN_FUNC = 0x00, EXTERN_TABLE = 0x01, EXTERN_MEM = 0x02;
const FUNCREF = 0x70;

function funcType(b: Bytes, t: FuncType): void {
  b.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
}

function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id).vec(content.toArray());
}

/** The module's bytes: magic, version, then type, import, function, export and code sections (spec 5.5). */
export function encodeModule(spec: ModuleSpec): Uint8Array<ArrayBuffer> {
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Bytes().u32(spec.imports.length + 1);
  for (const imp of spec.imports) funcType(types, imp.type);
  funcType(types, spec.func.type);
  section(out, SEC_TYPE, types);
  const imports = new Bytes().u32(spec.imports.length + (spec.memoryPages === undefined ? 0 : 1) + (spec.table === true ? 1 : 0));
  spec.imports.forEach((imp, i) => imports.name('env').name(imp.name).byte(EXTERN_FUNC).u32(i));
  if (spec.memoryPages !== undefined) imports.name('env').name('mem').byte(EXTERN_MEM).byte(0x00).u32(spec.memoryPages);
  if (spec.table === true) imports.name('env').name('table').byte(EXTERN_TABLE).byte(FUNCREF).byte(0x00).u32(0);
  section(out, SEC_IMPORT, imports);
  section(out, SEC_FUNCTION, new Bytes().u32(1).u32(spec.imports.length));
  section(out, SEC_EXPORT, new Bytes().u32(1).name(spec.func.name).byte(EXTERN_FUNC).u32(spec.imports.length));
  const code = new Bytes().u32(1).bytes(spec.func.body.encode());
  section(out, SEC_CODE, code);
  return out.toArray();
}
