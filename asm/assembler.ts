// vmlab's assembler: GNU as syntax for the RV64IM subset, several files
// linked into one LinkedImage. Pass 1 (here) lexes each file, expands
// pseudo-instructions, lays out each file's section chunks and defines
// labels; link.ts places the chunks and, with every address known, encodes
// the instructions (pass 2). Mistakes become diagnostics; nothing throws.
import { readHostText } from '../host/files';
import { dirname, join } from 'node:path';
import type { LinkedImage } from './image';
import type { Diagnostic, Loc } from './diagnostics';
import { DiagnosticSink, SourceText, TooManyErrors, formatDiagnostic } from './diagnostics';
import type { EvalEnv, Expr, ExprError, Value } from './expr';
import { evalExpr, isErr, parseExpr, undefinedSymbol } from './expr';
import type { Statement, Tok } from './lexer';
import { lexStatements } from './lexer';
import type { ImmExpr } from './parser';
import { parseStatement } from './parser';
import { expand } from './pseudo';
import { directive } from './directives';
import { link } from './link';
import type { Deferred, Sym, Unit } from './unit';
import { MAX_SYMBOL_CHAIN, chunkLen, newUnit } from './unit';
import type { Emit } from './encoder';

export type { Diagnostic } from './diagnostics';
export { formatDiagnostic };

export interface SourceFile {
  path: string;
  text: string;
}

export interface AssembleOptions {
  /** Address of .text (default 0x10000). */
  textBase?: number;
  /** Require an `_start` symbol (default true); without it the entry is the start of .text. */
  requireEntry?: boolean;
  /** Reads an .include'd file (default: the file system). Throwing means "cannot read". */
  readFile?: (path: string) => string;
  /** Errors reported before giving up (default 20). */
  maxErrors?: number;
}

export type AssembleResult =
  | { ok: true; image: LinkedImage; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

export const DEFAULT_TEXT_BASE = 0x10000;
export const MAX_INCLUDE_DEPTH = 32;

/** The default readFile's "cannot read": why the host file was not read (host/files.ts). */
class IncludeRefused extends Error {}

/** The default readFile: a regular host file of bounded size, else an IncludeRefused with the reason. */
function readIncluded(path: string): string {
  const r = readHostText(path, 'an assembly source to include');
  if (!r.ok) throw new IncludeRefused(r.reason);
  return r.value;
}


/** Assembles and links `files` (in order) into one image. */
export function assemble(files: SourceFile[], opts: AssembleOptions = {}): AssembleResult {
  const sink = new DiagnosticSink(opts.maxErrors ?? 20);
  const pass = new Pass1(sink, opts.readFile ?? readIncluded);
  let image: LinkedImage | null = null;
  try {
    for (const f of files) pass.file(f);
    // Link even after pass-1 errors, so that range and symbol errors are reported in the same run.
    image = link(pass.units, {
      textBase: opts.textBase ?? DEFAULT_TEXT_BASE,
      requireEntry: opts.requireEntry ?? true,
      firstFile: files[0]?.path ?? '<no input>',
    }, sink);
  } catch (e) {
    if (!(e instanceof TooManyErrors)) throw e;
  }
  const diagnostics = inSourceOrder(sink.list, files.map((f) => f.path));
  if (image && sink.errors === 0) return { ok: true, image, diagnostics };
  return { ok: false, diagnostics };
}

/** Pass-2 messages come after pass-1 ones: sort by file (first mention), line, column; position-less ones last. */
function inSourceOrder(list: Diagnostic[], inputs: string[]): Diagnostic[] {
  const rank = new Map<string, number>();
  for (const d of [...inputs.map((file) => ({ file })), ...list]) if (!rank.has(d.file)) rank.set(d.file, rank.size);
  const key = (d: Diagnostic): number[] => (d.line <= 0 ? [Infinity, 0, 0] : [rank.get(d.file)!, d.line, d.col]);
  return list
    .map((d, i) => ({ d, i, k: key(d) }))
    .sort((a, b) => a.k[0]! - b.k[0]! || a.k[1]! - b.k[1]! || a.k[2]! - b.k[2]! || a.i - b.i)
    .map((x) => x.d);
}

/** Location of a token in a source. */
export const locOf = (src: SourceText, tok: Tok): Loc => ({ src, line: tok.line, col: tok.col });

/** Pass 1: statements to chunks, symbols and fixups, one Unit per input file. */
export class Pass1 {
  readonly units: Unit[] = [];
  private includeStack: string[] = [];
  private lazyDepth = 0;

  constructor(readonly sink: DiagnosticSink, private readonly readFile: (path: string) => string) {}

  file(f: SourceFile): void {
    const u = newUnit(f.path);
    this.units.push(u);
    this.includeStack = [f.path];
    this.source(u, new SourceText(f.path, f.text));
  }

  private source(u: Unit, src: SourceText): void {
    lexStatements(src, this.sink, (st) => {
      if (!u.ended) this.statement(u, st);
    });
  }

  /** `.include "path"`: relative to the including file's folder first, then as given. */
  include(u: Unit, st: Statement, tok: Tok, path: string): void {
    if (this.includeStack.length > MAX_INCLUDE_DEPTH) {
      this.report(st, { err: `.include nested too deeply (more than ${MAX_INCLUDE_DEPTH} levels)`, tok });
      return;
    }
    const candidates = [join(dirname(st.src.path), path), path];
    let found: string | undefined;
    let text = '';
    let why = '';
    for (const c of candidates) {
      try {
        text = this.readFile(c);
        found = c;
        break;
      } catch (e) {
        // try the next place; say why a file that is there was not read
        if (e instanceof IncludeRefused && e.message !== 'no such file') why = `: ${e.message}`;
      }
    }
    if (found === undefined) {
      this.report(st, { err: `cannot read included file '${path}'${why}`, tok });
      return;
    }
    if (this.includeStack.includes(found)) {
      this.report(st, { err: `recursive .include: ${[...this.includeStack, found].join(' -> ')}`, tok });
      return;
    }
    this.includeStack.push(found);
    try {
      this.source(u, new SourceText(found, text));
    } finally {
      this.includeStack.pop();
    }
  }

  report(st: Statement, e: ExprError): void {
    this.sink.error(locOf(st.src, e.tok), e.err);
  }

  private statement(u: Unit, st: Statement): void {
    const p = parseStatement(st);
    if (isErr(p)) return this.report(st, p);
    for (const l of p.labels) this.defineLabel(u, st, l);
    const b = p.body;
    switch (b.kind) {
      case 'empty': return;
      case 'insn': return this.instruction(u, st, b.mnemonic, b.ops);
      case 'directive': return directive(this, u, st, b.name, b.ops);
      case 'assign': return this.defineEqu(u, st, b.name, b.ops, 'set');
    }
  }

  /** Resolves `1f` / `1b` to the internal name of that numeric label instance. */
  localRef(u: Unit): (tok: Tok) => string {
    return (tok) => {
      const num = tok.text.slice(0, -1);
      const n = u.localCounts.get(num) ?? 0;
      return `${num}\u0002${tok.text.endsWith('b') ? n : n + 1}`;
    };
  }

  private defineLabel(u: Unit, st: Statement, tok: Tok): void {
    let name = tok.text;
    if (tok.type === 'number') {
      if (!/^[0-9]+$/.test(name)) return this.report(st, { err: `bad local label '${name}'`, tok });
      const n = (u.localCounts.get(name) ?? 0) + 1;
      u.localCounts.set(name, n);
      name = `${name}\u0002${n}`;
    }
    if (!this.checkRedefinition(u, st, tok, name, false)) return;
    const c = u.chunks[u.cur];
    this.addSym(u, { name, kind: 'label', sec: u.cur, off: BigInt(chunkLen(c)), redefinable: false, loc: locOf(st.src, tok), type: 'notype', unit: u });
  }

  private checkRedefinition(u: Unit, st: Statement, tok: Tok, name: string, isSet: boolean): boolean {
    const old = u.syms.get(name);
    if (!old || (isSet && old.redefinable)) return true;
    this.report(st, { err: `symbol '${tok.text}' is already defined (at ${old.loc.src.path}:${old.loc.line})`, tok });
    return false;
  }

  private addSym(u: Unit, s: Sym): void {
    const t = u.pendingType.get(s.name);
    if (t) s.type = t;
    const size = u.pendingSize.get(s.name);
    if (size) s.size = size;
    u.syms.set(s.name, s);
    u.allSyms.push(s);
  }

  /** .equ / .set / .equiv / `name = expr`. Forward references make the value lazy (computed at link). */
  defineEqu(u: Unit, st: Statement, name: Tok, ops: { toks: Tok[]; end: Tok }[], how: 'equ' | 'set' | 'equiv'): void {
    if (ops.length !== 1) return this.report(st, { err: `expected one expression after '${name.text}'`, tok: ops[1]?.toks[0] ?? name });
    if (name.text === '.') return this.report(st, { err: "assigning to '.' is not supported (use .zero or .align)", tok: name });
    const x = this.deferred(u, st, ops[0]!.toks, ops[0]!.end);
    if (!x) return;
    if (!this.checkRedefinition(u, st, name, name.text, how === 'set')) return;
    const loc = locOf(st.src, name);
    const sym: Sym = { name: name.text, kind: 'equ', sec: null, off: 0n, redefinable: how === 'set', loc, type: 'notype', unit: u };
    const now = this.evalNow(u, x.e);
    if (isErr(now)) {
      if (now.err.startsWith('undefined symbol')) sym.lazy = x;
      else return this.report(st, now);
    } else {
      sym.sec = now.sec as Sym['sec'];
      sym.off = now.v;
    }
    this.addSym(u, sym);
  }

  /** Parses operand tokens as an expression to evaluate at link time, binding .set symbols now. */
  deferred(u: Unit, st: Statement, toks: Tok[], end: Tok): Deferred | null {
    const r = parseImmPlain(toks, end, this.localRef(u));
    if (isErr(r)) {
      this.report(st, r);
      return null;
    }
    this.bind(u, r);
    return { e: r, sec: u.cur, dot: chunkLen(u.chunks[u.cur]), src: st.src };
  }

  /** Later `.set`s of a symbol must not change earlier uses: bind each use to the current definition. */
  bind(u: Unit, e: Expr): void {
    switch (e.k) {
      case 'sym': {
        const s = u.syms.get(e.name);
        if (s && s.kind === 'equ') e.bound = s;
        return;
      }
      case 'un': return this.bind(u, e.e);
      case 'bin':
        this.bind(u, e.l);
        this.bind(u, e.r);
        return;
      default:
    }
  }

  /** Evaluates with what is known now: labels as section offsets, `.` as the current offset. */
  evalNow(u: Unit, e: Expr): Value | ExprError {
    const env: EvalEnv = {
      dot: { sec: u.cur, v: BigInt(chunkLen(u.chunks[u.cur])) },
      symbol: (node) => {
        const s = (node.bound as Sym | undefined) ?? u.syms.get(node.name);
        if (!s) return undefinedSymbol(node.tok.text);
        if (!s.lazy) return { sec: s.sec, v: s.off };
        if (s.resolving) return `symbol '${s.name}' is defined in terms of itself`;
        if (this.lazyDepth >= MAX_SYMBOL_CHAIN) return `symbol '${s.name}' is defined through more than ${MAX_SYMBOL_CHAIN} other symbols`;
        s.resolving = true;
        this.lazyDepth++;
        const r = evalExpr(s.lazy.e, { ...env, dot: { sec: s.lazy.sec, v: BigInt(s.lazy.dot) } });
        this.lazyDepth--;
        s.resolving = false;
        return isErr(r) ? r.err : r;
      },
    };
    return evalExpr(e, env);
  }

  /** A value that must be a constant now (li, .zero, .align...). */
  constant(u: Unit, e: Expr, tok: Tok, what: string): bigint | ExprError {
    const v = this.evalNow(u, e);
    if (isErr(v)) {
      if (v.err.startsWith('undefined symbol')) return { err: `${v.err.replace('undefined', 'unknown')}: ${what} needs a value known at this point`, tok: v.tok };
      return v;
    }
    if (v.sec !== null) return { err: `${what} needs a constant, not an address`, tok };
    return v.v;
  }

  private instruction(u: Unit, st: Statement, mn: Tok, ops: { toks: Tok[]; end: Tok }[]): void {
    const c = u.chunks[u.cur];
    if (c.kind === 'bss') return this.report(st, { err: 'instructions are not allowed in .bss', tok: mn });
    const ems = expand(mn, ops, {
      localRef: this.localRef(u),
      constant: (x: ImmExpr) => this.constant(u, x.e, x.tok, 'li'),
      constantNow: (x: ImmExpr) => {
        const v = this.evalNow(u, x.e);
        return !isErr(v) && v.sec === null ? v.v : null;
      },
    });
    if (isErr(ems)) return this.report(st, ems);
    const dot = c.buf.len;
    for (const em of ems) {
      this.bindEmit(u, em);
      c.insns.push({ off: c.buf.len, dot, em, src: st.src });
      c.rows.push({ off: c.buf.len, src: st.src, line: mn.line, col: mn.col });
      c.buf.fill(4, 0);
    }
  }

  private bindEmit(u: Unit, em: Emit): void {
    if (em.imm && em.imm.k !== 'const') this.bind(u, em.imm.x.e);
  }
}


/** Parses all of toks as one plain expression. */
function parseImmPlain(toks: Tok[], end: Tok, localRef: (t: Tok) => string): Expr | ExprError {
  const r = parseExpr(toks, 0, localRef, end);
  if (isErr(r)) return r;
  if (r.pos < toks.length) return { err: `unexpected '${toks[r.pos]!.text}' in expression`, tok: toks[r.pos]! };
  return r.e;
}

/** Assembles one instruction at `pc` (for tests and the debugger): its words, or the first diagnostic. */
export function encodeLine(text: string, pc: number): number[] | Diagnostic {
  const r = assemble([{ path: '<line>', text: `${text}\n` }], { textBase: pc, requireEntry: false, maxErrors: 1 });
  if (!r.ok) return r.diagnostics.find((x) => x.severity === 'error')!;
  const text0 = r.image.sections.find((s) => s.name === '.text');
  const words: number[] = [];
  if (text0) for (let i = 0; i + 4 <= text0.size; i += 4) words.push(new DataView(text0.bytes.buffer, text0.bytes.byteOffset).getUint32(i, true));
  return words;
}
