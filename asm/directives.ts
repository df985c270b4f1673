// Assembler directives (GNU as manual, "Assembler Directives", and the
// RISC-V specifics in "RISC-V Directives": `.align N` means 2^N, `.half`,
// `.dword`, `.option`). Each acts on the current file's section chunk.
import type { ExprError } from './expr';
import { isErr } from './expr';
import type { Statement, Tok } from './lexer';
import { stringBytes } from './lexer';
import type { Operand } from './parser';
import type { Pass1 } from './assembler';
import type { SectionKind, SymType, Unit } from './unit';
import { MAX_SECTION_BYTES, chunkLen, padCode } from './unit';

const DATA_WIDTH: Record<string, number> = {
  '.byte': 1, '.half': 2, '.short': 2, '.2byte': 2, '.word': 4, '.long': 4, '.4byte': 4,
  '.dword': 8, '.quad': 8, '.8byte': 8,
};

/** Accepted and ignored: they only matter for object files, debug info or other tools. */
const IGNORED = new Set(['.file', '.ident', '.attribute', '.loc', '.addrsig', '.addrsig_sym']);

const OPTIONS = new Set(['rvc', 'norvc', 'relax', 'norelax', 'pic', 'nopic', 'push', 'pop', 'csr-check', 'no-csr-check', 'arch']);

/** Maps a section name onto one of vmlab's four output sections, or null. */
export function sectionKind(name: string): SectionKind | null {
  const is = (base: string): boolean => name === base || name.startsWith(`${base}.`);
  if (is('.text')) return 'text';
  if (name.startsWith('.rodata') || name.startsWith('.srodata')) return 'rodata';
  if (name.startsWith('.data') || name.startsWith('.sdata')) return 'data';
  if (name.startsWith('.bss') || name.startsWith('.sbss')) return 'bss';
  return null;
}

const text = (op: Operand | undefined): string => (op ? op.toks.map((t) => t.text).join('') : '');

export function directive(a: Pass1, u: Unit, st: Statement, name: Tok, ops: Operand[]): void {
  const d = name.text.toLowerCase();
  const err = (e: ExprError): void => a.report(st, e);
  const need = (min: number, max: number, syntax: string): boolean => {
    if (ops.length >= min && ops.length <= max) return true;
    err({ err: `wrong number of operands for '${d}': expected ${syntax}`, tok: ops[max]?.toks[0] ?? name });
    return false;
  };
  const constant = (op: Operand, what: string): bigint | null => {
    const x = a.deferred(u, st, op.toks, op.end);
    if (!x) return null;
    const v = a.constant(u, x.e, op.toks[0]!, what);
    if (isErr(v)) {
      err(v);
      return null;
    }
    return v;
  };
  const setSection = (k: SectionKind): void => {
    u.prev = u.cur;
    u.cur = k;
  };

  const width = DATA_WIDTH[d];
  if (width !== undefined) return dataValues(a, u, st, name, ops, width);
  if (IGNORED.has(d) || d.startsWith('.cfi_')) return;

  switch (d) {
    case '.text': case '.data': case '.bss': case '.rodata':
      if (ops.length > 0) return err({ err: `subsections are not supported ('${d} ${text(ops[0])}')`, tok: ops[0]!.toks[0]! });
      return setSection(d.slice(1) as SectionKind);
    case '.section': case '.pushsection': {
      if (ops.length === 0) return err({ err: `'${d}' needs a section name`, tok: name });
      const first = ops[0]!.toks[0]!;
      const secName = first.type === 'string' ? first.text.slice(1, -1) : text(ops[0]);
      const k = sectionKind(secName);
      if (secName === '.note.GNU-stack') return; // gcc's "no executable stack" marker: nothing to link
      if (!k) {
        return err({
          err: `unsupported section '${secName}' (vmlab links only .text, .rodata, .data and .bss: use .text.*, .rodata*, .srodata*, .data*, .sdata*, .bss* or .sbss*)`,
          tok: first,
        });
      }
      if (d === '.pushsection') u.sectionStack.push(u.cur);
      return setSection(k);
    }
    case '.popsection': {
      const k = u.sectionStack.pop();
      if (!k) return err({ err: '.popsection without .pushsection', tok: name });
      return setSection(k);
    }
    case '.previous':
      return setSection(u.prev);
    case '.globl': case '.global': case '.local': case '.weak': {
      if (d === '.weak') return err({ err: 'weak symbols are not supported', tok: name });
      if (!need(1, Infinity, 'one or more symbol names')) return;
      for (const op of ops) {
        const t = op.toks[0]!;
        if (op.toks.length !== 1 || t.type !== 'ident') return err({ err: `expected a symbol name, got '${text(op)}'`, tok: t });
        if (d === '.local') u.globals.delete(t.text);
        else u.globals.set(t.text, { src: st.src, line: t.line, col: t.col });
      }
      return;
    }
    case '.type': {
      if (!need(2, 2, "'name, @function' or 'name, @object'")) return;
      const sym = ops[0]!.toks[0]!;
      const kind = text(ops[1]).replace(/^[@%#]/, '');
      const t: SymType | undefined = { function: 'func', STT_FUNC: 'func', object: 'object', STT_OBJECT: 'object', notype: 'notype', STT_NOTYPE: 'notype' }[kind] as SymType | undefined;
      if (!t) return err({ err: `unsupported symbol type '${text(ops[1])}' (use @function, @object or @notype)`, tok: ops[1]!.toks[0]! });
      const s = u.syms.get(sym.text);
      if (s) s.type = t;
      else u.pendingType.set(sym.text, t);
      return;
    }
    case '.size': {
      if (!need(2, 2, "'name, expression'")) return;
      const sym = ops[0]!.toks[0]!;
      const x = a.deferred(u, st, ops[1]!.toks, ops[1]!.end);
      if (!x) return;
      const s = u.syms.get(sym.text);
      if (s) s.size = x;
      else u.pendingSize.set(sym.text, x);
      return;
    }
    case '.equ': case '.set': case '.equiv': {
      if (ops.length < 2) return err({ err: `'${d}' needs 'name, expression'`, tok: ops[0]?.toks[0] ?? name });
      const sym = ops[0]!.toks[0]!;
      if (ops[0]!.toks.length !== 1 || sym.type !== 'ident') return err({ err: `expected a symbol name, got '${text(ops[0])}'`, tok: sym });
      return a.defineEqu(u, st, sym, ops.slice(1), d === '.set' ? 'set' : d === '.equ' ? 'set' : 'equiv');
    }
    case '.ascii': case '.asciz': case '.string': {
      if (!need(1, Infinity, 'one or more strings')) return;
      const c = u.chunks[u.cur];
      for (const op of ops) {
        const t = op.toks[0]!;
        if (op.toks.length !== 1 || t.type !== 'string') return err({ err: `expected a string, got '${text(op)}'`, tok: t });
        const bytes = stringBytes(t.text);
        if (d !== '.ascii') bytes.push(0);
        if (!storeBytes(a, u, st, t, bytes.length, bytes.some((b) => b !== 0))) return;
        for (const b of bytes) c.buf.push(b);
      }
      return;
    }
    case '.zero': case '.space': case '.skip': {
      if (!need(1, d === '.zero' ? 1 : 2, d === '.zero' ? 'a byte count' : "'count[, fill]'")) return;
      const n = constant(ops[0]!, d);
      if (n === null) return;
      if (n < 0n || n > 1n << 40n) return err({ err: `${d} count out of range: ${n} is not in 0..${1n << 40n}`, tok: ops[0]!.toks[0]! });
      if (!roomFor(a, u, st, name, Number(n))) return;
      const fill = ops[1] ? constant(ops[1], `${d} fill`) : 0n;
      if (fill === null) return;
      if (!storeBytes(a, u, st, name, Number(n), fill !== 0n)) return;
      const c = u.chunks[u.cur];
      if (c.kind === 'bss') c.size += Number(n);
      else c.buf.fill(Number(n), Number(BigInt.asUintN(8, fill)));
      return;
    }
    case '.align': case '.p2align': case '.balign':
      return align(a, u, st, name, ops, d);
    case '.option': {
      if (!need(1, 2, 'an option name')) return;
      const o = text(ops[0]);
      if (!OPTIONS.has(o)) return err({ err: `unknown .option '${o}'`, tok: ops[0]!.toks[0]! });
      return;
    }
    case '.include': {
      if (!need(1, 1, 'a file name in quotes')) return;
      const t = ops[0]!.toks[0]!;
      if (ops[0]!.toks.length !== 1 || t.type !== 'string') return err({ err: `expected a file name in quotes, got '${text(ops[0])}'`, tok: t });
      return a.include(u, st, t, String.fromCharCode(...stringBytes(t.text)));
    }
    case '.end':
      u.ended = true;
      return;
    default:
      return err({ err: `unknown directive '${name.text}'`, tok: name });
  }
}

/** Sections with contents are held in memory: refuse to grow one past MAX_SECTION_BYTES. */
function roomFor(a: Pass1, u: Unit, st: Statement, tok: Tok, n: number): boolean {
  if (u.cur === 'bss' || chunkLen(u.chunks[u.cur]) + n <= MAX_SECTION_BYTES) return true;
  a.report(st, { err: `.${u.cur} would exceed ${MAX_SECTION_BYTES / 1048576} MiB (vmlab's limit for a section with contents)`, tok });
  return false;
}

/** Non-zero bytes cannot go into .bss; reports and returns false if they would. */
function storeBytes(a: Pass1, u: Unit, st: Statement, tok: Tok, n: number, nonZero: boolean): boolean {
  if (u.cur !== 'bss') return true;
  if (nonZero) {
    a.report(st, { err: 'only zeros can go into .bss', tok });
    return false;
  }
  u.chunks.bss.size += n;
  return false;
}

function dataValues(a: Pass1, u: Unit, st: Statement, name: Tok, ops: Operand[], width: number): void {
  if (ops.length === 0) return a.report(st, { err: `'${name.text}' needs one or more values`, tok: name });
  const c = u.chunks[u.cur];
  for (const op of ops) {
    const x = a.deferred(u, st, op.toks, op.end);
    if (!x) continue;
    const now = a.evalNow(u, x.e);
    if (u.cur === 'bss') {
      if (isErr(now) || now.sec !== null || now.v !== 0n) return a.report(st, { err: 'only zeros can go into .bss', tok: op.toks[0]! });
      c.size += width;
      continue;
    }
    x.dot = c.buf.len;
    if (!isErr(now) && now.sec === null) {
      const v = now.v;
      const bits = BigInt(width * 8);
      if (width < 8 && (v >= 1n << bits || v < -(1n << (bits - 1n)))) {
        a.sink.warning({ src: st.src, line: op.toks[0]!.line, col: op.toks[0]!.col }, `value ${v} truncated to ${width * 8} bits`);
      }
      c.buf.fill(width, 0);
      c.buf.put(c.buf.len - width, width, v);
    } else {
      c.data.push({ off: c.buf.len, width, x });
      c.buf.fill(width, 0);
    }
  }
}

/**
 * .align/.p2align N (2^N bytes) and .balign N (N bytes), with optional fill
 * and max-skip. In code, gas for RISC-V without relaxation ignores requests
 * of at most 4 bytes (tc-riscv.c riscv_frag_align_code) and pads larger ones
 * with nops (see padCode); elsewhere it pads with the fill byte (default 0).
 */
function align(a: Pass1, u: Unit, st: Statement, name: Tok, ops: Operand[], d: string): void {
  if (ops.length < 1 || ops.length > 3) return a.report(st, { err: `wrong number of operands for '${d}': expected 'alignment[, fill[, max]]'`, tok: name });
  const vals: (bigint | null)[] = [];
  for (const op of ops) {
    if (op.toks.length === 0) {
      vals.push(null);
      continue;
    }
    const x = a.deferred(u, st, op.toks, op.end);
    if (!x) return;
    const v = a.constant(u, x.e, op.toks[0]!, d);
    if (isErr(v)) return a.report(st, v);
    vals.push(v);
  }
  const arg = vals[0];
  if (arg === null || arg === undefined) return a.report(st, { err: `'${d}' needs an alignment`, tok: name });
  let p2: number;
  if (d === '.balign') {
    if (arg <= 0n || (arg & (arg - 1n)) !== 0n || arg > 1n << 24n) {
      return a.report(st, { err: `alignment must be a power of 2 between 1 and 16777216, got ${arg}`, tok: ops[0]!.toks[0]! });
    }
    p2 = arg.toString(2).length - 1;
  } else {
    if (arg < 0n || arg > 24n) return a.report(st, { err: `alignment out of range: ${arg} is not in 0..24 (${d} N aligns to 2^N bytes)`, tok: ops[0]!.toks[0]! });
    p2 = Number(arg);
  }
  const bytes = 1 << p2;
  const c = u.chunks[u.cur];
  const here = chunkLen(c);
  const gap = (bytes - (here % bytes)) % bytes;
  const fill = vals[1] ?? null;
  const max = vals[2] ?? null;
  if (max !== null && BigInt(gap) > max) return;
  if (!roomFor(a, u, st, name, gap)) return;
  c.align = Math.max(c.align, bytes);
  if (gap === 0) return;
  if (c.kind === 'bss') {
    if (fill !== null && fill !== 0n) return a.report(st, { err: 'only zeros can go into .bss', tok: ops[1]!.toks[0]! });
    c.size += gap;
  } else if (c.kind === 'text' && fill === null) {
    if (bytes > 4) padCode(c.buf, gap);
  } else {
    c.buf.fill(gap, Number(BigInt.asUintN(8, fill ?? 0n)));
  }
}
