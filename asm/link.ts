// The link step: places every file's section chunks, resolves symbols across
// files and encodes what pass 1 left symbolic (pass 2).
//
// Layout rule (documented for users in the asm command's help):
//   .text   at textBase; each file's chunk aligned to its own alignment, in file order
//   .rodata right after .text (aligned)          -- both in the RX segment
//   .data   at the next 4 KiB page boundary after .rodata
//   .bss    right after .data (aligned), or on the next page if there is no .data
// Gaps between chunks are zero-filled, as ld does for these sections.
import type { ImageSection, ImageSymbol, LineRow, LinkedImage } from './image';
import type { DiagnosticSink, Loc } from './diagnostics';
import type { EvalEnv, ExprError, Value } from './expr';
import { evalExpr, isErr, undefinedSymbol } from './expr';
import type { ResolveCtx } from './encoder';
import { encodeEmit } from './encoder';
import type { Deferred, SectionKind, Sym, Unit } from './unit';
import { MAX_SYMBOL_CHAIN, SECTION_KINDS, chunkLen, displayName, isHiddenSymbol, padCode } from './unit';
import { ELF_MAXPAGESIZE } from './elf-const';

export interface LinkOptions {
  textBase: number;
  requireEntry: boolean;
  firstFile: string;
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const PERMS: Record<SectionKind, 'rx' | 'rw'> = { text: 'rx', rodata: 'rx', data: 'rw', bss: 'rw' };
/** Highest address vmlab links at: user space ends at 2^47. */
const ADDR_LIMIT = 2 ** 47;

/** Links the units; null after reporting errors to `sink`. */
export function link(units: Unit[], opts: LinkOptions, sink: DiagnosticSink): LinkedImage | null {
  const globals = collectGlobals(units, sink);
  // Code chunks end padded to their alignment (gas pads code sections with nops).
  for (const u of units) {
    const t = u.chunks.text;
    padCode(t.buf, (t.align - (t.buf.len % t.align)) % t.align);
  }
  const sections = layout(units, opts.textBase);
  const end = sections.length ? sections[sections.length - 1]!.addr + sections[sections.length - 1]!.size : opts.textBase;
  if (end > ADDR_LIMIT) {
    sink.global(opts.firstFile, `program does not fit below 2^47 (ends at 0x${end.toString(16)}); use a lower --text-base`);
    return null;
  }

  const resolver = new Resolver(units, globals, sink);
  encodeAll(units, resolver, sink);

  const symbols = imageSymbols(units, resolver);
  const entrySym = globals.get('_start') ?? units.map((u) => u.syms.get('_start')).find((s) => s !== undefined);
  let entry = opts.textBase;
  const entryValue = entrySym ? resolver.symValue(entrySym) : undefined;
  if (typeof entryValue === 'bigint') entry = Number(entryValue);
  else if (!entrySym && opts.requireEntry && sink.errors === 0) {
    sink.global(opts.firstFile, "no entry point: define the label '_start' (with '.globl _start')");
    return null;
  }

  const byName = new Map(sections.map((s) => [s.name, s]));
  for (const u of units) {
    for (const k of SECTION_KINDS) {
      const c = u.chunks[k];
      const s = byName.get(`.${k}`);
      if (s && k !== 'bss') s.bytes.set(c.buf.bytes.subarray(0, c.buf.len), c.base - s.addr);
    }
  }
  const lines: LineRow[] = [];
  for (const k of ['text', 'rodata'] as const) {
    for (const u of units) for (const r of u.chunks[k].rows) lines.push({ address: u.chunks[k].base + r.off, file: r.src.path, line: r.line, col: r.col });
  }
  lines.sort((x, y) => x.address - y.address);
  if (sink.errors > 0) return null;
  return { entry, sections, symbols, lines };
}

function collectGlobals(units: Unit[], sink: DiagnosticSink): Map<string, Sym> {
  const globals = new Map<string, Sym>();
  for (const u of units) {
    for (const name of u.globals.keys()) {
      const s = u.syms.get(name);
      if (!s) continue; // declared here, defined elsewhere
      const first = globals.get(name);
      if (first) {
        sink.error(s.loc, `duplicate global symbol '${name}' (first defined at ${first.loc.src.path}:${first.loc.line})`);
        continue;
      }
      globals.set(name, s);
    }
  }
  return globals;
}

function layout(units: Unit[], textBase: number): ImageSection[] {
  const sections: ImageSection[] = [];
  let addr = textBase;
  for (const k of SECTION_KINDS) {
    const used = units.some((u) => chunkLen(u.chunks[k]) > 0 || u.allSyms.some((s) => s.sec === k && s.kind === 'label'));
    const align = Math.max(1, ...units.map((u) => u.chunks[k].align));
    if (k === 'data' || (k === 'bss' && !sections.some((s) => s.name === '.data'))) addr = alignUp(addr, ELF_MAXPAGESIZE);
    if (k === 'text' || used) addr = alignUp(addr, align);
    const start = addr;
    for (const u of units) {
      const c = u.chunks[k];
      addr = alignUp(addr, c.align);
      c.base = addr;
      addr += chunkLen(c);
    }
    if (k !== 'text' && !used) continue;
    const size = addr - start;
    sections.push({
      name: `.${k}`, kind: k === 'bss' ? 'nobits' : 'progbits', perms: PERMS[k], addr: start, size, align,
      bytes: new Uint8Array(k === 'bss' ? 0 : size),
    });
  }
  return sections;
}

/** Pass-2 symbol values: every label is an absolute address now. */
class Resolver {
  private depth = 0;
  constructor(readonly units: Unit[], readonly globals: Map<string, Sym>, readonly sink: DiagnosticSink) {}

  symValue(s: Sym): bigint | string {
    if (!s.lazy) return s.sec === null ? s.off : BigInt(s.unit.chunks[s.sec].base) + s.off;
    if (s.resolving) return `symbol '${displayName(s.name)}' is defined in terms of itself`;
    if (this.depth >= MAX_SYMBOL_CHAIN) return `symbol '${displayName(s.name)}' is defined through more than ${MAX_SYMBOL_CHAIN} other symbols`;
    s.resolving = true;
    this.depth++;
    const v = this.evaluate(s.lazy, s.unit);
    this.depth--;
    s.resolving = false;
    return isErr(v) ? v.err : v.v;
  }

  lookup(u: Unit, name: string, shown: string): bigint | string {
    const s = u.syms.get(name) ?? this.globals.get(name);
    if (s) return this.symValue(s);
    const elsewhere = name.includes('\u0002') ? undefined : this.localElsewhere(name);
    return elsewhere
      ? `undefined symbol '${shown}' (${elsewhere.loc.src.path}:${elsewhere.loc.line} defines it, but not with .globl)`
      : undefinedSymbol(shown);
  }

  private localElsewhere(name: string): Sym | undefined {
    for (const u of this.units) {
      const s = u.syms.get(name);
      if (s) return s;
    }
    return undefined;
  }

  env(u: Unit, dot: bigint): EvalEnv {
    return {
      dot: { sec: null, v: dot },
      symbol: (node) => {
        const bound = node.bound as Sym | undefined;
        const v = bound ? this.symValue(bound) : this.lookup(u, node.name, node.tok.text);
        return typeof v === 'string' ? v : { sec: null, v };
      },
    };
  }

  evaluate(x: Deferred, u: Unit): Value | ExprError {
    return evalExpr(x.e, this.env(u, BigInt(u.chunks[x.sec].base + x.dot)));
  }

  /**
   * x as GNU as sees it before the link: a label is an address in its
   * section, `.` one in x's, so `. - main` is a constant and `- main` is not
   * (for .size, whose value must be a constant).
   */
  evaluateRelocatable(x: Deferred, u: Unit): Value | ExprError {
    const flat = this.env(u, 0n);
    return evalExpr(x.e, {
      dot: { sec: x.sec, v: BigInt(u.chunks[x.sec].base + x.dot) },
      symbol: (node) => {
        const v = flat.symbol(node);
        if (typeof v === 'string') return v;
        const s = (node.bound as Sym | undefined) ?? u.syms.get(node.name) ?? this.globals.get(node.name);
        return s && !s.lazy && s.sec !== null ? { sec: s.sec, v: v.v } : v;
      },
    });
  }
}

function encodeAll(units: Unit[], r: Resolver, sink: DiagnosticSink): void {
  const locOf = (src: Loc['src'], tok: { line: number; col: number }): Loc => ({ src, line: tok.line, col: tok.col });
  // %pcrel_lo(label) needs the target of the auipc at label: collect them first.
  const hiTargets = new Map<bigint, bigint | null>();
  for (const u of units) {
    for (const k of SECTION_KINDS) {
      const c = u.chunks[k];
      for (const f of c.insns) {
        const imm = f.em.imm;
        if (f.em.def.mnemonic !== 'auipc' || !imm || imm.k !== 'expr' || imm.x.fn !== 'pcrel_hi') continue;
        const v = evalExpr(imm.x.e, r.env(u, BigInt(c.base + f.dot)));
        hiTargets.set(BigInt(c.base + f.off), isErr(v) ? null : v.v);
      }
    }
  }
  for (const u of units) {
    for (const k of SECTION_KINDS) {
      const c = u.chunks[k];
      for (const f of c.insns) {
        const pc = BigInt(c.base + f.off);
        const ctx: ResolveCtx = {
          value: (x) => evalExpr(x.e, r.env(u, BigInt(c.base + f.dot))),
          pcrelHiTarget: (addr) => {
            const t = hiTargets.get(addr);
            if (t === undefined) return `%pcrel_lo must name the label of an 'auipc rd, %pcrel_hi(symbol)' (nothing at 0x${addr.toString(16)})`;
            return t === null ? 'the matching %pcrel_hi has an error' : t;
          },
        };
        const w = encodeEmit(f.em, pc, ctx);
        if (isErr(w)) sink.error(locOf(f.src, w.tok), w.err);
        else c.buf.putWord(f.off, w);
      }
      for (const d of c.data) {
        const v = r.evaluate(d.x, u);
        if (isErr(v)) {
          sink.error(locOf(d.x.src, v.tok), v.err);
          continue;
        }
        c.buf.put(d.off, d.width, v.v);
      }
    }
  }
}

function imageSymbols(units: Unit[], r: Resolver): ImageSymbol[] {
  const out: ImageSymbol[] = [];
  for (const u of units) {
    for (const s of u.allSyms) {
      if (isHiddenSymbol(s.name) || u.syms.get(s.name) !== s) continue;
      const v = r.symValue(s);
      if (typeof v === 'string') {
        // Usually already reported where the symbol is used; say it here only if nothing else was.
        if (r.sink.errors === 0) r.sink.error(s.loc, v);
        continue;
      }
      let size = 0;
      if (s.size) {
        const sv = r.evaluateRelocatable(s.size, u);
        const at = (tok: { line: number; col: number }): Loc => ({ src: s.size!.src, line: tok.line, col: tok.col });
        const tok = s.size.e.tok;
        if (isErr(sv)) r.sink.error(at(sv.tok), sv.err);
        // GNU as: ".size expression for main does not evaluate to a constant".
        else if (sv.sec !== null) r.sink.error(at(tok), `.size expression for ${displayName(s.name)} does not evaluate to a constant`);
        // A size is a byte count: a negative one (GNU writes it as 2^64 - n) names nothing a reader can use.
        else if (sv.v < 0n || sv.v >= 1n << 53n) r.sink.error(at(tok), `.size of ${displayName(s.name)} is ${sv.v}: not a byte count (0 to 2^53 - 1)`);
        else size = Number(sv.v);
      }
      // A lazily defined (forward-referencing) .equ counts as absolute.
      out.push({
        name: s.name, value: Number(v), size, section: s.sec ? `.${s.sec}` : null, binding: u.globals.has(s.name) ? 'global' : 'local', type: s.type,
      });
    }
  }
  return out;
}
