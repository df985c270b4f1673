// C variables in the REPL (issue 16 item 4): `info locals`, `info args`,
// `print VAR` (with `*p`, `&v`, `s.field`, `p->field`, `a[i]`), `ptype` and
// `whatis`, from the DWARF dwarf-types.ts reads, printed as gdb prints them.
// Variables are read in the selected frame (frames.ts: frame N, up, down;
// frame 0 by default) with that frame's registers and CFA as the unwinder
// recovered them (unwind.ts). Where a variable lives comes from its
// DW_AT_location: DW_OP_fbreg on the function's frame base
// (DW_OP_call_frame_cfa: the frame's CFA), DW_OP_breg*, DW_OP_reg*, DW_OP_addr,
// simple stack values, and DWARF 5 location lists (-O2: the entry covering
// pc), DW_OP_entry_value from the caller's call site. What is not read
// (pieces, entry values no call site gives) prints as gdb prints a variable
// it cannot find, `<optimized out>`.
//
// cVariables() is the one entry the command dispatcher calls: it answers the
// commands above when they are about C variables or types, and leaves every
// other print (registers, $N, ELF symbols, casts) to the REPL's own.
import { escapeChar } from './return-value';
import { Bytes, CError, PRINT_ELEMENTS, Parser, bitField, leBits } from './c-values';
import { formatBytes, printFormat } from './c-format';
import type { PrintContext, PrintFormat } from './c-format';
import type { Node } from './c-values';
import { declare, locationListAt, sizeOf, strip } from './dwarf-types';
import type { CT, DwarfProgram, FunctionScope, Member, Scope, Variable } from './dwarf-types';
import type { Debugger } from './commands';
import { unfaultedByte } from './table';
import { callFrames } from './engine-goals';

/** A value being printed: its type, its bytes (or why they cannot be read), and its address when it has one. */
interface Value {
  type: CT;
  bytes: Uint8Array | string;
  addr: number | null;
}


/** The two-operand DWARF operators (DWARF 5 2.5.1.4) on 64-bit values: a below b on the stack. */
const BINARY: Record<number, (a: bigint, b: bigint) => bigint> = {
  0x1a: (a, b) => a & b, 0x1c: (a, b) => a - b, 0x1e: (a, b) => a * b, 0x21: (a, b) => a | b, 0x22: (a, b) => a + b,
  0x24: (a, b) => a << (b & 63n), 0x25: (a, b) => a >> (b & 63n), 0x26: (a, b) => BigInt.asIntN(64, a) >> (b & 63n), 0x27: (a, b) => a ^ b,
};

const INT: CT = { t: 'base', name: 'int', size: 4, enc: 'signed' };
const LONG: CT = { t: 'base', name: 'long', size: 8, enc: 'signed' };

/** A call frame with DWARF: its function, the scopes holding its pc (outermost first), its CFA and registers, and its caller's pc. */
interface Frame {
  fn: FunctionScope;
  /** The address its code is looked up by (pc, or pc - 1 in a caller: unwind.ts CallFrame.lookupPc). */
  pc: number;
  cfa: number | null;
  regs: (bigint | null)[];
  /** The caller's frame (its pc is the return address), null in the outermost frame. */
  caller: { pc: number; regs: (bigint | null)[] } | null;
  scopes: Scope[];
}

/** A variable for a front end: its name, C type, value as info locals prints it, and its children when it expands (null: it does not). */
export interface CVar {
  name: string;
  type: string;
  value: string;
  children: (() => CVar[]) | null;
  /** Where a memory view of it opens: a non-NULL pointer's target, an array's first element (absent for other values). */
  memory?: bigint;
}

/** Member m of struct value v (a bit-field's bits shifted down, and then not in memory). */
function member(v: Value, m: Member): Value {
  const size = sizeOf(m.type);
  const bytes = typeof v.bytes === 'string' ? v.bytes : m.bits !== undefined ? bitField(v.bytes, m.bits, m.type) : v.bytes.slice(m.offset, m.offset + size);
  return { type: m.type, bytes, addr: v.addr === null || m.bits !== undefined ? null : v.addr + m.offset };
}

/** The memory a pointer or an array stands for: the pointer's value (not NULL), the array's address; null otherwise. */
function memoryOf(v: Value): bigint | null {
  if (typeof v.bytes === 'string') return null;
  const t = strip(v.type);
  if (t.t === 'ptr') {
    const to = leBits(v.bytes, 8);
    return to === 0n ? null : to;
  }
  return t.t === 'array' && v.addr !== null ? BigInt(v.addr) : null;
}

/** Where a location expression says a value is; `mem` is an address, `value` the value itself. */
type Location = { kind: 'mem'; at: bigint } | { kind: 'value'; value: bigint };
/** Register values for an expression: the frame's, or the caller's at the call (only sp known: the callee's CFA). */
type Regs = (r: number) => bigint | null;

export class CVariables implements PrintContext {
  private cached: Frame | null | undefined;

  /** Variables in frame `level` of the backtrace (default the one the REPL selected). */
  constructor(private readonly d: Debugger, private readonly level = d.frameLevel) {}

  private get program(): DwarfProgram {
    return this.d.s.syms.program;
  }

  private frame(): Frame | null {
    if (this.cached !== undefined) return this.cached;
    const frames = callFrames(this.d.s);
    const cf = frames[this.level];
    const pc = cf?.lookupPc ?? -1;
    const fn = this.program.functions.find((f) => f.lowPc <= pc && pc < f.highPc);
    if (cf === undefined || fn === undefined) return (this.cached = null);
    const scopes: Scope[] = [];
    let sc: Scope | undefined = fn;
    // Outermost first: the innermost block holding pc is last.
    while (sc !== undefined) {
      scopes.push(sc);
      sc = sc.blocks.find((b) => b.lowPc <= pc && pc < b.highPc);
    }
    return (this.cached = { fn, pc, cfa: cf.cfa, regs: cf.regs, caller: frames[this.level + 1] ?? null, scopes });
  }

  /**
   * DW_OP_entry_value(DW_OP_regN): register N as the function was entered,
   * from the call site that called it (the caller's DW_AT_call_value for
   * that register, evaluated in the caller's frame, with its registers as
   * the unwinder recovered them: gdb's way); null when no call site says it.
   */
  private entryValue(sub: Uint8Array, f: Frame | null): bigint | null {
    const caller = f?.caller ?? null;
    if (caller === null || sub.length !== 1 || sub[0]! < 0x50 || sub[0]! > 0x6f) return null;
    const value = this.program.callSites.get(caller.pc)?.get(sub[0]! - 0x50);
    if (value === undefined) return null;
    const l = this.locate(value, null, (r) => caller.regs[r] ?? null);
    return l === null ? null : l.kind === 'mem' ? l.at : l.value;
  }

  // ---- commands -------------------------------------------------------------

  infoLocals(): string {
    const f = this.frame();
    if (f === null) return 'No symbol table info available.';
    const lines: string[] = [];
    for (let i = f.scopes.length - 1; i >= 0; i--) for (const v of f.scopes[i]!.vars) lines.push(`${v.name} = ${this.show(v, f)}`);
    return lines.length === 0 ? 'No locals.' : lines.join('\n');
  }

  infoArgs(): string {
    const f = this.frame();
    if (f === null) return 'No symbol table info available.';
    const lines = f.fn.params.map((v) => `${v.name} = ${this.show(v, f)}`);
    return lines.length === 0 ? 'No arguments.' : lines.join('\n');
  }

  /** print EXPR: `$N = VALUE`, or undefined when EXPR is not about a C variable (the REPL's own print then). */
  print(expr: string, fmt: PrintFormat = ''): string | undefined {
    const p = new Parser(expr);
    if (p.root === null || this.lookup(p.root) === null) return undefined;
    const v = this.evaluate(p.parse());
    const text = this.format(v, true, fmt);
    return `$${this.d.keep(this.historyValue(v))} = ${text}`;
  }

  ptype(expr: string, expand: boolean): string {
    const t = expr.trim();
    if (t === '') return 'Argument required (one or more choice items).';
    const named = this.typeNamed(t);
    if (named !== undefined) {
      // whatis of a typedef name unrolls one level; ptype resolves it.
      return `type = ${declare(!expand && named.t === 'typedef' ? named.of : named, '', expand)}`;
    }
    const fn = this.lookup(t) === null ? this.program.functions.find((f) => f.name === t) : undefined;
    if (fn !== undefined) return `type = ${declare(fn.type, '', expand)}`;
    const v = this.evaluate(new Parser(t).parse(), true);
    return `type = ${declare(v.type, '', expand)}`;
  }

  /**
   * The frame's locals (the innermost block first, as info locals) or its
   * parameters, for a front end that lists and expands them (DAP's
   * variables); null when pc is in no function DWARF describes.
   */
  frameVars(which: 'locals' | 'args'): CVar[] | null {
    const f = this.frame();
    if (f === null) return null;
    const vars = which === 'args' ? f.fn.params : f.scopes.slice().reverse().flatMap((sc) => sc.vars);
    return vars.map((v) => {
      try {
        return this.entry(v.name, this.valueOf(v, f));
      } catch (e) {
        if (e instanceof CError) return { name: v.name, type: declare(v.type, ''), value: `<error: ${e.message}>`, children: null };
        throw e;
      }
    });
  }

  /** A C expression for a front end's watch or hover (`table`, `head->next`); undefined when it is not about a C variable. */
  expression(expr: string): CVar | undefined {
    const p = new Parser(expr);
    if (p.root === null || this.lookup(p.root) === null) return undefined;
    return this.entry(expr.trim(), this.evaluate(p.parse()));
  }

  /** One value as a front end shows it: what info locals prints, its type, and its members, elements or pointee. */
  private entry(name: string, v: Value): CVar {
    let value: string;
    try {
      value = this.format(v, false);
    } catch (e) {
      if (!(e instanceof CError)) throw e;
      value = `<error: ${e.message}>`;
    }
    const memory = memoryOf(v);
    return { name, type: declare(v.type, ''), value, children: this.childrenOf(name, v), ...(memory === null ? {} : { memory }) };
  }

  /** A struct's members, an array's elements (not a char array's: its string says it), a pointer's target (not a string's, NULL's, void's or a function's). */
  private childrenOf(name: string, v: Value): (() => CVar[]) | null {
    if (typeof v.bytes === 'string') return null;
    const t = strip(v.type);
    if (t.t === 'struct') return () => t.members.map((m) => this.entry(m.name, member(v, m)));
    if (t.t === 'array') {
      const el = strip(t.of);
      const n = Math.min(t.count ?? 0, PRINT_ELEMENTS);
      if (n === 0 || (el.t === 'base' && (el.enc === 'char' || el.enc === 'uchar') && sizeOf(el) === 1)) return null;
      return () => Array.from({ length: n }, (_, i) => this.entry(`[${i}]`, this.deref(v, false, i)));
    }
    if (t.t === 'ptr') {
      const to = strip(t.to());
      if (leBits(v.bytes, 8) === 0n || to.t === 'void' || to.t === 'func' || (to.t === 'base' && (to.enc === 'char' || to.enc === 'uchar') && to.size === 1)) return null;
      return () => [this.entry(`*${name}`, this.deref(v, false))];
    }
    return null;
  }

  // ---- variables --------------------------------------------------------------

  /** The variable `name` in scope at pc: innermost block first, then the parameters, then the globals. */
  private lookup(name: string): { v: Variable; f: Frame | null } | null {
    const f = this.frame();
    if (f !== null) {
      for (let i = f.scopes.length - 1; i >= 0; i--) {
        const v = f.scopes[i]!.vars.find((x) => x.name === name);
        if (v !== undefined) return { v, f };
      }
      const a = f.fn.params.find((x) => x.name === name);
      if (a !== undefined) return { v: a, f };
    }
    const g = this.program.globals.get(name);
    return g === undefined ? null : { v: g, f };
  }

  /** A variable's value printed as info locals prints it. */
  private show(v: Variable, f: Frame): string {
    try {
      return this.format(this.valueOf(v, f), false);
    } catch (e) {
      if (e instanceof CError) return `<error: ${e.message}>`;
      throw e;
    }
  }

  private valueOf(v: Variable, f: Frame | null): Value {
    const lists = this.program.loclists;
    const expr = v.location instanceof Uint8Array ? v.location
      : typeof v.location === 'number' && f !== null && lists !== undefined ? locationListAt(lists, v.location, f.fn.cuBase, f.pc) : null;
    const loc = expr === null ? null : this.locate(expr, f);
    const size = sizeOf(v.type);
    if (loc === null) return { type: v.type, bytes: '<optimized out>', addr: null };
    if (loc.kind === 'mem') return { type: v.type, bytes: this.readBytes(Number(loc.at), size), addr: Number(loc.at) };
    const bits = BigInt.asUintN(64, loc.value);
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size && i < 8; i++) bytes[i] = Number((bits >> BigInt(8 * i)) & 0xffn);
    return { type: v.type, bytes, addr: null };
  }

  /** DW_AT_location's expression (DWARF 5 2.5, 2.6): a memory address, a register, or a value; null for what is not read. */
  private locate(e: Uint8Array, f: Frame | null, regs: Regs = (r) => (f === null ? this.d.s.reg(r) : f.regs[r] ?? null)): Location | null {
    const stack: bigint[] = [];
    const breg = (r: number, off: number): boolean => {
      const v = regs(r);
      if (v !== null) stack.push(v + BigInt(off));
      return v !== null;
    };
    const r = new Bytes(e);
    while (r.pos < e.length) {
      const op = r.u8();
      if (op === 0x03) stack.push(r.u64()); // DW_OP_addr
      else if (op >= 0x30 && op <= 0x4f) stack.push(BigInt(op - 0x30)); // DW_OP_lit
      else if (op >= 0x50 && op <= 0x6f) { // DW_OP_reg (a piece follows: not read)
        if (r.pos !== e.length) return null;
        const v = regs(op - 0x50);
        return v === null ? null : { kind: 'value', value: v };
      } else if (op === 0x90) { const v = regs(r.uleb()); return v === null ? null : { kind: 'value', value: v }; } // DW_OP_regx
      else if (op >= 0x70 && op <= 0x8f) { if (!breg(op - 0x70, r.sleb())) return null; } // DW_OP_breg
      else if (op === 0x92) { const reg = r.uleb(); if (!breg(reg, r.sleb())) return null; } // DW_OP_bregx
      else if (op === 0xa3) { // DW_OP_entry_value
        const n = r.uleb();
        const v = this.entryValue(e.subarray(r.pos, r.pos + n), f);
        r.pos += n;
        if (v === null) return null;
        stack.push(v);
      }
      else if (op === 0x91) { // DW_OP_fbreg
        if (f === null) return null;
        const fb = f.fn.frameBase === null ? null : this.frameBase(f);
        if (fb === null) return null;
        stack.push(BigInt(fb) + BigInt(r.sleb()));
      } else if (op === 0x9c) { // DW_OP_call_frame_cfa
        if (f === null || f.cfa === null) return null;
        stack.push(BigInt(f.cfa));
      } else if (op === 0x23) stack.push((stack.pop() ?? 0n) + BigInt(r.uleb())); // DW_OP_plus_uconst
      else if (op === 0x08) stack.push(BigInt(r.u8())); // const1u
      else if (op === 0x09) stack.push(BigInt((r.u8() << 24) >> 24)); // const1s
      else if (op === 0x10) stack.push(BigInt(r.uleb())); // constu
      else if (op === 0x11) stack.push(BigInt(r.sleb())); // consts
      else if (op === 0x9f) return r.pos === e.length ? { kind: 'value', value: stack.pop() ?? 0n } : null; // DW_OP_stack_value (a piece follows: not read)
      else if (op === 0x06) { // DW_OP_deref
        const at = stack.pop();
        const v = at === undefined ? 'none' : this.d.s.readVirt(Number(BigInt.asUintN(64, at)), 8);
        if (typeof v === 'string') return null;
        stack.push(v);
      } else if (op === 0x12) stack.push(stack[stack.length - 1] ?? 0n); // DW_OP_dup
      else if (op === 0x13) stack.pop(); // DW_OP_drop
      else if (op === 0x16) { const a = stack.pop() ?? 0n, b = stack.pop() ?? 0n; stack.push(a, b); } // DW_OP_swap
      else if (op === 0x1f) stack.push(-(stack.pop() ?? 0n)); // DW_OP_neg
      else if (op === 0x20) stack.push(~(stack.pop() ?? 0n)); // DW_OP_not
      else if (BINARY[op] !== undefined) { // DW_OP_and, minus, mul, or, plus, shl, shr, shra, xor
        const b = BigInt.asUintN(64, stack.pop() ?? 0n), a = BigInt.asUintN(64, stack.pop() ?? 0n);
        stack.push(BigInt.asUintN(64, BINARY[op]!(a, b)));
      }
      else return null; // pieces, entry values, implicit pointers ...: not read
    }
    const top = stack.pop();
    return top === undefined ? null : { kind: 'mem', at: BigInt.asUintN(64, top) };
  }

  /** The function's DW_AT_frame_base: the CFA (GCC's DW_OP_call_frame_cfa) or another simple expression. */
  private frameBase(f: Frame): number | null {
    const fb = f.fn.frameBase!;
    if (fb.length === 1 && fb[0] === 0x9c) return f.cfa;

    const l = this.locate(fb, { ...f, fn: { ...f.fn, frameBase: null } });
    if (l === null) return null;
    return Number(BigInt.asUintN(64, l.kind === 'mem' ? l.at : l.value));
  }

  /** n bytes of guest memory at va (a file page not yet faulted in read from the file, as ptrace would), or gdb's error. */
  private readBytes(va: number, n: number): Uint8Array | string {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const b = this.d.s.readVirt(va + i, 1);
      const x = typeof b === 'string' ? unfaultedByte(this.d, va + i) : Number(b);
      if (x === undefined) return `Cannot access memory at address 0x${(va + i).toString(16)}`;
      out[i] = x;
    }
    return out;
  }

  // ---- expressions --------------------------------------------------------------

  /** The value of a parsed expression; `typeOnly` evaluates no further than the type needs (ptype of *p with p NULL). */
  private evaluate(n: Node, typeOnly = false): Value {
    switch (n.k) {
      case 'num': {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigInt64(0, n.v, true);
        return { type: n.v >= -(2n ** 31n) && n.v < 2n ** 31n ? INT : LONG, bytes, addr: null };
      }
      case 'id': {
        const found = this.lookup(n.name);
        if (found === null) throw new CError(`No symbol "${n.name}" in current context.`);
        return this.valueOf(found.v, found.f);
      }
      case 'member': {
        // `s->f` on a struct is s.f, and `p.f` on a pointer is p->f, as gdb has them.
        let v = this.evaluate(n.of.k === 'deref' ? n.of.of : n.of, typeOnly);
        if (strip(v.type).t === 'ptr') v = this.deref(v, typeOnly);
        const st = strip(v.type);
        if (st.t !== 'struct') throw new CError('Attempt to extract a component of a value that is not a structure.');
        const m = st.members.find((x) => x.name === n.field);
        if (m === undefined) throw new CError(`There is no member named ${n.field}.`);
        return member(v, m);
      }
      case 'index': {
        const base = this.evaluate(n.of, typeOnly);
        const i = Number(this.integer(this.evaluate(n.index)));
        const bt = strip(base.type);
        if (bt.t === 'array') {
          const size = sizeOf(bt.of);
          if (base.addr !== null) return { type: bt.of, bytes: typeOnly ? '' : this.readBytes(base.addr + i * size, size), addr: base.addr + i * size };
          const bytes = typeof base.bytes === 'string' ? base.bytes : base.bytes.slice(i * size, (i + 1) * size);
          return { type: bt.of, bytes, addr: null };
        }
        if (bt.t === 'ptr') return this.deref(base, typeOnly, i);
        throw new CError(`cannot subscript something of type \`${declare(base.type, '')}'`);
      }
      case 'deref':
        return this.deref(this.evaluate(n.of, typeOnly), typeOnly);
      case 'addr': {
        const v = this.evaluate(n.of, typeOnly);
        if (v.addr === null) throw new CError('Attempt to take address of value not located in memory.');
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(v.addr), true);
        const to = v.type;
        return { type: { t: 'ptr', to: () => to }, bytes, addr: null };
      }
      case 'neg': {
        const v = this.integer(this.evaluate(n.of));
        return this.evaluate({ k: 'num', v: -v });
      }
    }
  }

  /** *v (or v[i]): through a pointer; an array is its first element; an integer is read as an int there (gdb's value_ind). */
  private deref(v: Value, typeOnly: boolean, i = 0): Value {
    const t = strip(v.type);
    if (t.t === 'array') {
      const es = sizeOf(t.of);
      if (v.addr !== null) return { type: t.of, bytes: typeOnly ? '' : this.readBytes(v.addr + i * es, es), addr: v.addr + i * es };
      return { type: t.of, bytes: typeof v.bytes === 'string' ? v.bytes : v.bytes.slice(i * es, (i + 1) * es), addr: null };
    }
    let to: CT;
    if (t.t === 'ptr') to = t.to();
    else if (t.t === 'base' && t.enc !== 'float') to = INT;
    else throw new CError('Attempt to take contents of a non-pointer value.');
    if (strip(to).t === 'void') throw new CError('Attempt to take contents of a non-pointer value.');
    const size = sizeOf(to);
    if (typeOnly && typeof v.bytes === 'string') return { type: to, bytes: '', addr: null };
    const at = Number(BigInt.asUintN(64, this.integer(v))) + i * size;
    return { type: to, bytes: typeOnly ? '' : this.readBytes(at, size), addr: at };
  }

  /** An integer value's number (a pointer's address). */
  private integer(v: Value): bigint {
    if (typeof v.bytes === 'string') throw new CError(v.bytes === '<optimized out>' ? 'value has been optimized out' : v.bytes);
    const t = strip(v.type);
    const size = sizeOf(v.type);
    const u = leBits(v.bytes, size);
    return t.t === 'base' && (t.enc === 'signed' || t.enc === 'char') ? BigInt.asIntN(size * 8, u) : u;
  }

  private historyValue(v: Value): bigint {
    const t = strip(v.type);
    if (typeof v.bytes === 'string' || t.t === 'struct' || t.t === 'array') return BigInt(v.addr ?? 0);
    return this.integer(v);
  }

  // ---- values, gdb's way ------------------------------------------------------------

  /** v as gdb prints it; `top`: print's own value (a pointer shows its cast), not one inside a struct or info locals. */
  private format(v: Value, top: boolean, fmt: PrintFormat = ''): string {
    if (typeof v.bytes === 'string') {
      if (v.bytes === '<optimized out>') return v.bytes;
      if (top) throw new CError(v.bytes);
      return `<error: ${v.bytes}>`;
    }
    return formatBytes(this, v.type, v.bytes, top, fmt);
  }

  /**
   * `<table+8>` for an address inside a variable DWARF describes (gdb names
   * the object, where the ELF may have a section-start symbol at the same
   * address), else the ELF's data symbol, else ''.
   */
  symbolic(va: number): string {
    for (const g of this.program.globals.values()) {
      const at = g.location instanceof Uint8Array ? Number(new Bytes(g.location.subarray(1)).u64()) : -1;
      const size = sizeOf(g.type);
      if (va >= at && va < at + Math.max(1, size)) return va === at ? `<${g.name}>` : `<${g.name}+${va - at}>`;
    }
    return this.d.s.syms.dataSymbol(va);
  }

  /** A character pointer's string: `"text"`, `"text"...` past 200 characters, or `<error: ...>`. */
  stringAt(va: number): string {
    let s = '';
    for (let i = 0; i < PRINT_ELEMENTS; i++) {
      const b = this.readBytes(va + i, 1);
      if (typeof b === 'string') return i === 0 ? `<error: ${b}>` : `"${s}"...`;
      if (b[0] === 0) return `"${s}"`;
      s += escapeChar(b[0]!, '"');
    }
    return `"${s}"...`;
  }

  /** A type named by a ptype/whatis argument: `struct X`, a typedef, a base type; undefined for an expression. */
  private typeNamed(text: string): CT | undefined {
    const key = text.replace(/\s+/g, ' ');
    const known = this.program.types.get(key);
    if (known !== undefined) return known;
    const m = /^(struct|union|enum) (\w+)$/.exec(key);
    if (m !== null) throw new CError(`No ${m[1]} type named ${m[2]}.`);
    return undefined;
  }
}

/**
 * The REPL's entry: the output of `info locals`, `info args`, `print EXPR`
 * about a C variable, `ptype`, `whatis`; undefined for any other command
 * (and for a print the REPL's own expressions answer).
 */
export function cVariables(d: Debugger, word: string, args: string): string | undefined {
  const c = new CVariables(d);
  try {
    if (word === 'info' || word === 'i') {
      const sub = args.trim();
      if (/^lo(c(a(ls?)?)?)?$/.test(sub)) return c.infoLocals();
      if (/^ar(gs?)?$/.test(sub)) return c.infoArgs();
      return undefined;
    }
    if (word === 'print' || word === 'p' || word === 'inspect') {
      const f = printFormat(args);
      return typeof f === 'string' ? f : c.print(f.rest, f.fmt);
    }
    if (word === 'ptype') return c.ptype(args, true);
    if (word === 'whatis') return c.ptype(args, false);
    return undefined;
  } catch (e) {
    if (e instanceof CError) return e.message;
    // A bug of the debugger's: said as the dispatcher says its own, the session goes on.
    return `vmlab debug: internal error in "${word}": ${e instanceof Error ? e.message : String(e)} (please report it; the session goes on)`;
  }
}
