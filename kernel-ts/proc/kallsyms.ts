// The oops's Call Trace as Linux prints it (arch/x86/kernel/dumpstack.c
// show_trace_log_lvl, "%pS"): one ` func+0xOFF/0xSIZE [module]` line per
// frame, no host paths. The TypeScript kernel's functions are the kernel
// symbols (as in trace.ts's stack traces), and their "addresses" are places in
// the compiled JavaScript that runs: OFF is how many characters into the
// function's compiled text the call (or the throw) is, SIZE the length of that
// text, both counted from V8's stack frames (line and column of the call, line
// and column where the function starts) in the script's source. The same code
// gives the same numbers wherever the checkout lives; the frames of a module
// file are offsets in its esbuild output, and carry the module's name.
import { readHostText } from '../../host/files';
import { KERNEL_ENTRIES, WATCHDOG_FRAMES } from '../trace';
import type { SourceLines, SourcePosition } from '../module/sourcemap';

/** A script's text, indexed by line, and the module it belongs to (null: the kernel, or host code). */
interface Script {
  readonly text: string;
  readonly lineStarts: readonly number[];
  readonly module: string | null;
  /** Where a module's code came from (its inline source map), if known. */
  readonly map: SourceLines | null;
  /** V8's column in the code as evaluated -> the column in `text` (the loader adds loop counters: module/loops.ts). */
  readonly column: (line: number, column: number) => number;
}

/** The part of V8's CallSite the trace reads (node's NodeJS.CallSite, with V8's enclosing position). */
interface Site {
  getFunctionName(): string | null;
  getTypeName(): string | null;
  getFileName(): string | undefined | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getEnclosingLineNumber?(): number | null;
  getEnclosingColumnNumber?(): number | null;
  isToplevel(): boolean;
  isConstructor(): boolean;
  isNative(): boolean;
}

/** One frame of a Call Trace: its symbol, its printed text (`name+0xOFF/0xSIZE [module]`), and its module (null: the kernel). */
export interface Frame {
  readonly name: string;
  readonly text: string;
  readonly module: string | null;
}

/** Host frames that are never kernel symbols: the runtime's own code, and the packages it loaded (a test runner's, a CLI library's). */
const HOST_SCRIPT = /^(node:|internal\/)|[/\\]node_modules[/\\]/;

/** The kernel's symbol table: module code registered at load, the kernel's own script read when first needed. */
export class Kallsyms {
  private readonly scripts = new Map<string, Script | null>();

  /**
   * A module's compiled code, evaluated from `file` (the script name V8
   * reports for its frames); `column` maps V8's columns back into `code`
   * when what was evaluated had text added on some lines.
   */
  addModule(file: string, name: string, code: string, map: SourceLines | null = null, column: (line: number, column: number) => number = (_, c) => c): void {
    this.scripts.set(file, script(code, name, map, column));
  }

  /** The module source line of V8's position (1-based) in module script `file`; null when not known. */
  sourcePosition(file: string, line: number, column: number): SourcePosition | null {
    const s = this.scripts.get(file);
    return s?.map?.original(line, s.column(line, column)) ?? null;
  }

  /** The module's symbols go away with it (free_module). */
  removeModule(name: string): void {
    for (const [file, s] of this.scripts) if (s?.module === name) this.scripts.delete(file);
  }

  /**
   * The Call Trace lines (without <TASK>) for error e: its frames innermost
   * first, anonymous closures and the host runtime's frames left out, ending at
   * the frame where the host entered the kernel (the scheduler, a transient
   * process), as Linux's trace ends at the system-call entry.
   */
  callTrace(e: Error): string[] {
    return this.frames(e).map((f) => ` ${f.text}`);
  }

  /**
   * e's frames as kernel symbols, innermost first (callTrace's frames): the
   * kernel's named functions, and every function of a module file, an
   * anonymous one as `<anonymous>` (a module's code is all its own symbols).
   */
  frames(e: Error): Frame[] {
    const sites = stackSites(e);
    if (sites === null) return namesOnly(e.stack ?? '').map((name) => ({ name, text: name, module: null }));
    const out: Frame[] = [];
    for (const site of sites) {
      const file = site.getFileName() ?? '';
      if (site.isNative() || file === '' || HOST_SCRIPT.test(file)) continue;
      const module = this.scripts.get(file)?.module ?? null;
      const name = symbolName(site) ?? (module !== null ? '<anonymous>' : null);
      if (name === null || WATCHDOG_FRAMES.has(name)) continue;
      out.push({ name, text: `${name}${this.offset(file, site)}`, module });
      if (KERNEL_ENTRIES.has(name.slice(name.lastIndexOf('.') + 1))) break;
    }
    return out;
  }

  /** `+0xOFF/0xSIZE [module]`, or '' when the function's compiled text is not at hand (TypeScript run from source by a test runner). */
  private offset(file: string, site: Site): string {
    const s = this.lookup(file);
    const line = site.getLineNumber();
    const col = site.getColumnNumber();
    const sLine = site.getEnclosingLineNumber?.() ?? null;
    const sCol = site.getEnclosingColumnNumber?.() ?? null;
    if (s === null || line === null || col === null || sLine === null || sCol === null) return '';
    const start = position(s, sLine, s.column(sLine, sCol));
    const at = position(s, line, s.column(line, col));
    const end = functionEnd(s.text, start);
    if (start < 0 || at < start || end <= at) return '';
    return `+0x${(at - start).toString(16)}/0x${(end - start).toString(16)}${s.module === null ? '' : ` [${s.module}]`}`;
  }

  private lookup(file: string): Script | null {
    const known = this.scripts.get(file);
    if (known !== undefined) return known;
    let s: Script | null = null;
    // Only compiled JavaScript: a .ts frame's positions are in a test runner's transform, not in the file.
    // (a file: URL's path decoded as node:url's fileURLToPath does on POSIX; no Node import, for the browser build)
    const path = file.startsWith('file:') ? decodeURIComponent(new URL(file).pathname) : file;
    if (/\.[mc]?js$/.test(path)) {
      const text = readHostText(path, 'compiled JavaScript');
      if (text.ok) s = script(text.value, null);
    }
    this.scripts.set(file, s);
    return s;
  }
}

function script(text: string, module: string | null, map: SourceLines | null = null, column: (line: number, column: number) => number = (_, c) => c): Script {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return { text, lineStarts, module, map, column };
}

/** V8's 1-based line and column as an index into the text; -1 outside it. */
function position(s: Script, line: number, col: number): number {
  const ls = s.lineStarts[line - 1];
  return ls === undefined ? -1 : ls + col - 1;
}

/** e's V8 call sites, read before anything formatted its stack; null when it was formatted already. */
function stackSites(e: Error): Site[] | null {
  const saved = Error.prepareStackTrace;
  let sites: Site[] | null = null;
  Error.prepareStackTrace = (_err, s) => {
    sites = s as unknown as Site[];
    return '';
  };
  try {
    void e.stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  if (sites === null) return null;
  // V8 formats a stack only once: give e the usual text for anyone who looks later.
  const stack = [`${e.name}: ${e.message}`, ...(sites as Site[]).map((site) => `    at ${String(site)}`)].join('\n');
  Object.defineProperty(e, 'stack', { value: stack, configurable: true, writable: true });
  return sites;
}

/**
 * The symbol a frame shows: `fn`, or `Class.method` (trace.ts's names); null
 * for an anonymous function or one V8 made up (`<instance_members_initializer>`,
 * `a.handlers.<computed>`).
 * esbuild renames some classes `_Name`; the name is given back.
 */
function symbolName(site: Site): string | null {
  const fn = site.getFunctionName();
  if (!fn || fn.includes('<')) return null;
  const type = site.isToplevel() || site.isConstructor() ? null : site.getTypeName();
  const full = type && type !== 'Object' && type !== 'Function' ? `${type}.${fn}` : fn;
  return full.replace(/^_/, '');
}

/** A stack already formatted: the function names of its frames, no paths, no offsets. */
function namesOnly(stack: string): string[] {
  const out: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:new |async )?([^\s(]+) \((?!node:)/.exec(line);
    if (m === null || /[/:<]/.test(m[1]!)) continue;
    const name = m[1]!.replace(/^(Object|Function)\./, '').replace(/^_/, '');
    if (WATCHDOG_FRAMES.has(name)) continue;
    out.push(name);
    if (KERNEL_ENTRIES.has(name.slice(name.lastIndexOf('.') + 1))) break;
  }
  return out;
}

// ---- the extent of a function in its source -------------------------------

const OPEN = '([{';
const CLOSE = ')]}';
/** After these a `/` starts a regular expression, not a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/** One token of JavaScript: punctuation, a word (identifier, keyword, number), or a literal (string, template, regex). */
interface Token {
  readonly kind: 'punct' | 'word' | 'literal';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Tokens from `pos` on, comments skipped; enough of JavaScript's lexical grammar to match brackets in compiled code. */
class Lexer {
  private prev: Token | null = null;

  constructor(private readonly src: string, public pos: number) {}

  next(): Token | null {
    const s = this.src;
    for (;;) {
      while (this.pos < s.length && /\s/.test(s[this.pos]!)) this.pos++;
      if (s.startsWith('//', this.pos)) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? s.length : nl;
      } else if (s.startsWith('/*', this.pos)) {
        const close = s.indexOf('*/', this.pos + 2);
        this.pos = close < 0 ? s.length : close + 2;
      } else break;
    }
    if (this.pos >= s.length) return null;
    const start = this.pos;
    const c = s[start]!;
    let kind: Token['kind'] = 'punct';
    if (c === '"' || c === "'") {
      this.pos = this.skipQuoted(start + 1, c);
      kind = 'literal';
    } else if (c === '`') {
      this.pos = this.skipTemplate(start + 1);
      kind = 'literal';
    } else if (c === '/' && this.regexAllowed()) {
      this.pos = this.skipRegex(start + 1);
      kind = 'literal';
    } else if (/[\w$#\\\u0080-\uffff]/.test(c)) {
      while (this.pos < s.length && /[\w$#\\\u0080-\uffff]/.test(s[this.pos]!)) this.pos++;
      kind = 'word';
    } else if (s.startsWith('=>', start)) this.pos += 2;
    else this.pos++;
    const t: Token = { kind, text: s.slice(start, this.pos), start, end: this.pos };
    this.prev = t;
    return t;
  }

  private regexAllowed(): boolean {
    const p = this.prev;
    if (p === null) return true;
    if (p.kind === 'word') return KEYWORDS_BEFORE_EXPRESSION.has(p.text);
    if (p.kind === 'literal') return false;
    return p.text !== ')' && p.text !== ']';
  }

  private skipQuoted(i: number, quote: string): number {
    const s = this.src;
    while (i < s.length && s[i] !== quote) i += s[i] === '\\' ? 2 : 1;
    return i + 1;
  }

  private skipRegex(i: number): number {
    const s = this.src;
    let inClass = false;
    while (i < s.length && (inClass || s[i] !== '/')) {
      if (s[i] === '\\') i++;
      else if (s[i] === '[') inClass = true;
      else if (s[i] === ']') inClass = false;
      i++;
    }
    i++;
    while (i < s.length && /\w/.test(s[i]!)) i++;
    return i;
  }

  /** Past the closing backquote; each `${...}` is skipped as the tokens it holds. */
  private skipTemplate(i: number): number {
    const s = this.src;
    while (i < s.length && s[i] !== '`') {
      if (s[i] === '\\') i += 2;
      else if (s.startsWith('${', i)) {
        const inner = new Lexer(s, i + 2);
        let depth = 0;
        for (let t = inner.next(); t !== null; t = inner.next()) {
          if (t.kind !== 'punct') continue;
          if (OPEN.includes(t.text)) depth++;
          else if (CLOSE.includes(t.text) && depth-- === 0) break;
        }
        i = inner.pos;
      } else i++;
    }
    return i + 1;
  }
}

/** The end of the bracket group that `open` (already read) begins: the index after its closing bracket, or -1. */
function skipGroup(lx: Lexer): number {
  let depth = 1;
  for (let t = lx.next(); t !== null; t = lx.next()) {
    if (t.kind !== 'punct') continue;
    if (OPEN.includes(t.text)) depth++;
    else if (CLOSE.includes(t.text) && --depth === 0) return t.end;
  }
  return -1;
}

/**
 * The end (exclusive) of the function whose text starts at `start` where V8
 * puts a function's start (Function.prototype.toString's text: `function`,
 * `async`, a method's name or computed key, an arrow's parameters, a class
 * for its field initializers). -1 when the text does not read as one.
 */
export function functionEnd(src: string, start: number): number {
  const lx = new Lexer(src, start);
  let t = lx.next();
  // The head: keywords and the name, up to the parameters (or a class body).
  if (t?.text === '[') {
    if (skipGroup(lx) < 0) return -1;
    t = lx.next();
  }
  while (t !== null && t.text !== '(' && t.text !== '=>' && t.text !== '{') t = lx.next();
  if (t === null) return -1;
  if (t.text === '(') {
    if (skipGroup(lx) < 0) return -1;
    t = lx.next();
  }
  if (t?.text === '{') return skipGroup(lx);
  if (t?.text !== '=>') return -1;
  // An arrow: a block, or an expression that ends where its enclosing list or statement goes on.
  const body = lx.next();
  if (body === null) return -1;
  if (body.text === '{') return skipGroup(lx);
  let end = body.end;
  let depth = body.kind === 'punct' && OPEN.includes(body.text) ? 1 : 0;
  for (let x = lx.next(); x !== null; x = lx.next()) {
    if (x.kind === 'punct') {
      if (depth === 0 && (x.text === ',' || x.text === ';' || CLOSE.includes(x.text))) return end;
      if (OPEN.includes(x.text)) depth++;
      else if (CLOSE.includes(x.text)) depth--;
    }
    end = x.end;
  }
  return end;
}
