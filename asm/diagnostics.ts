// Assembler diagnostics: user mistakes are collected, never thrown
// (STYLE.md 12). The printed form follows GCC/GNU as:
// "FILE:LINE:COL: error: MESSAGE", then the source line and a caret.

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
  sourceLine: string;
}

/**
 * "FILE:LINE:COL: error: MESSAGE\n<source line>\n<spaces>^" (tabs kept so the
 * caret lines up); "FILE: error: MESSAGE" when there is no position.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const file = escapeControls(d.file);
  if (d.line <= 0) return `${file}: ${d.severity}: ${d.message}`;
  const head = `${file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
  const src = printable(d.sourceLine);
  const pad = src.slice(0, Math.max(0, d.col - 1)).replace(/[^\t]/g, ' ');
  return `${head}\n${src}\n${pad}^`;
}

/**
 * A message quotes what the source says (a string operand, a file name): a
 * control character there (`.include "a\nb"`) would break the one line, so
 * the sink stores it escaped as in C (\n, \t, \r, \xNN); file names are
 * escaped when printed.
 */
function escapeControls(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** Control bytes in a source line would garble a terminal; show them as '?'. */
function printable(s: string): string {
  const clipped = s.length > 200 ? s.slice(0, 200) : s;
  return clipped.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '?');
}

/** One source text, with its lines split lazily for diagnostics. */
export class SourceText {
  private lines: string[] | undefined;
  constructor(readonly path: string, readonly text: string) {}
  line(n: number): string {
    this.lines ??= this.text.split('\n');
    return (this.lines[n - 1] ?? '').replace(/\r$/, '');
  }
}

/** Where a diagnostic points: a source, a 1-based line and column. */
export interface Loc {
  src: SourceText;
  line: number;
  col: number;
}

/** Raised only to unwind after the error limit; caught once by assemble(). */
export class TooManyErrors {
  readonly tooMany = true;
}

/**
 * Collects diagnostics up to `maxErrors` errors; the next error adds a
 * "too many errors" note and unwinds with TooManyErrors.
 */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  errors = 0;
  constructor(readonly maxErrors: number) {}

  error(loc: Loc, message: string): void {
    // One source instruction can expand to several (call = auipc + jalr): say its problem once.
    const last = this.list[this.list.length - 1];
    if (last && last.file === loc.src.path && last.line === loc.line && last.col === loc.col && last.message === message) return;
    if (this.errors >= this.maxErrors) {
      this.list.push({
        file: loc.src.path, line: 0, col: 0, severity: 'error',
        message: `too many errors (${this.maxErrors}); stopping`, sourceLine: '',
      });
      throw new TooManyErrors();
    }
    this.errors++;
    this.push(loc, 'error', message);
  }

  warning(loc: Loc, message: string): void {
    this.push(loc, 'warning', message);
  }

  /** An error with no source position (e.g. a missing entry point). */
  global(file: string, message: string): void {
    this.errors++;
    this.list.push({ file, line: 0, col: 0, severity: 'error', message: escapeControls(message), sourceLine: '' });
  }

  private push(loc: Loc, severity: 'error' | 'warning', message: string): void {
    this.list.push({
      file: loc.src.path, line: loc.line, col: loc.col, severity, message: escapeControls(message), sourceLine: loc.src.line(loc.line),
    });
  }
}
