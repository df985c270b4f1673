// Tokens of GNU as's RISC-V syntax (for the RV64IM subset), built with moo.
// Comments: `#` to end of line and C block comments; statements end at a
// newline or `;`. Numbers follow gas: 0x hex, 0b binary, leading-0 octal,
// decimal; `1f`/`1b` are numeric local label references.
import moo from 'moo';
import type { DiagnosticSink, SourceText } from './diagnostics';

export type TokType =
  | 'ident' | 'number' | 'localRef' | 'reloc' | 'string' | 'char' | 'op';

export interface Tok {
  type: TokType;
  text: string;
  line: number;
  col: number;
}

/** One statement: the tokens between two newlines or `;` (comments and blanks dropped). */
export interface Statement {
  src: SourceText;
  toks: Tok[];
}

// A string literal is lexed in pieces (a state of its own) rather than by one
// regex: V8's backtracking engine overflows its stack on a string of some
// megabytes whatever the pattern (plain runs or escapes, one of them always
// costs a backtrack entry per character), and GNU as takes any length.
const lexer = moo.states({
  main: {
    ws: /[ \t\v\f\r]+/,
    blockComment: { match: /\/\*[^]*?\*\//, lineBreaks: true },
    badComment: { match: /\/\*[^]*/, lineBreaks: true },
    lineComment: /#[^\n]*/,
    nl: { match: /\n/, lineBreaks: true },
    semi: ';',
    quote: { match: '"', push: 'string' },
    char: /'(?:\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|[^\n])|[^\\\n])'?/,
    localRef: /[0-9]+[fb](?![A-Za-z0-9_.$])/,
    number: /0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+/,
    reloc: /%[A-Za-z_][A-Za-z0-9_]*/,
    ident: /[A-Za-z_.$][A-Za-z0-9_.$]*/,
    op: ['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||',
      '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '(', ')', ',', ':', '=', '<', '>', '@'],
    bad: /[^\n]/,
  },
  string: {
    strChars: /[^"\\\n]+/,
    strEscape: /\\[^\n]?/,
    strEnd: { match: '"', pop: 1 },
    strBreak: { match: /\n/, lineBreaks: true, pop: 1 },
  },
});

/**
 * Splits `src` into statements and hands each to `onStatement`, in order.
 * Lexical errors (stray characters, unterminated strings or comments) are
 * reported to `sink` and drop the statement they occur in.
 */
export function lexStatements(src: SourceText, sink: DiagnosticSink, onStatement: (st: Statement) => void): void {
  // A clone per call: an .include re-enters lexStatements while the outer lexer is mid-file.
  const lx = (lexer as moo.Lexer & { clone(): moo.Lexer }).clone(); // clone() exists in moo 0.5, untyped in @types/moo
  lx.reset(src.text);
  let toks: Tok[] = [];
  let broken = false;
  let str: { line: number; col: number; parts: string[] } | undefined;
  const unterminated = (): void => {
    sink.error({ src, line: str!.line, col: str!.col }, 'unterminated string (missing ")');
    broken = true;
    str = undefined;
  };
  const flush = (): void => {
    if (!broken && toks.length > 0) onStatement({ src, toks });
    toks = [];
    broken = false;
  };
  for (const t of lx) {
    switch (t.type) {
      case 'ws': case 'lineComment': case 'blockComment':
        break;
      case 'nl': case 'semi':
        flush();
        break;
      case 'badComment':
        sink.error({ src, line: t.line, col: t.col }, 'unterminated comment (missing */)');
        break;
      case 'quote':
        str = { line: t.line, col: t.col, parts: ['"'] };
        break;
      case 'strChars': case 'strEscape':
        str!.parts.push(t.text);
        break;
      case 'strEnd':
        str!.parts.push('"');
        toks.push({ type: 'string', text: str!.parts.join(''), line: str!.line, col: str!.col });
        str = undefined;
        break;
      case 'strBreak':
        unterminated();
        flush();
        break;
      case 'bad': {
        const c = t.text.charCodeAt(0);
        const shown = c > 0x20 && c < 0x7f ? `'${t.text}'`
          : c <= 0xff ? `byte 0x${c.toString(16).padStart(2, '0')}` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
        if (!broken) sink.error({ src, line: t.line, col: t.col }, `invalid character ${shown}`);
        broken = true;
        break;
      }
      default:
        toks.push({ type: t.type as TokType, text: t.text, line: t.line, col: t.col });
    }
  }
  if (str) unterminated();
  flush();
}

/** Value of a gas integer literal (the text matched the `number` rule), or undefined if malformed. */
export function numberValue(text: string): bigint | undefined {
  if (/^0[xXbB]/.test(text)) return BigInt(text.toLowerCase());
  if (text.length > 1 && text[0] === '0') return /^[0-7]+$/.test(text) ? BigInt(`0o${text.slice(1)}`) : undefined;
  return BigInt(text);
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };

/** Decodes one escape or plain character at s[i]; returns [code, next index]. */
function unescapeAt(s: string, i: number): [number, number] {
  const c = s[i]!;
  if (c !== '\\') return [s.charCodeAt(i), i + 1];
  const e = s[i + 1] ?? '';
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return [simple, i + 2];
  const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4));
  if (oct) return [parseInt(oct[0], 8) & 0xff, i + 1 + oct[0].length];
  if (e === 'x') {
    const hex = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2, i + 4));
    if (hex) return [parseInt(hex[0], 16), i + 2 + hex[0].length];
  }
  return [s.charCodeAt(i + 1), i + 2];
}

/** Bytes of a string literal token (with quotes), UTF-8 for non-ASCII characters. */
export function stringBytes(tokText: string): number[] {
  const body = tokText.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length;) {
    const esc = body.indexOf('\\', i);
    const end = esc < 0 ? body.length : esc;
    if (end > i) {
      const run = Buffer.from(body.slice(i, end), 'utf8');
      for (let k = 0; k < run.length; k++) out.push(run[k]!);
      i = end;
    }
    if (esc < 0) break;
    const [code, next] = unescapeAt(body, i);
    out.push(code & 0xff);
    i = next;
  }
  return out;
}

/** Value of a character literal token ('a', 'a or '\n'). */
export function charValue(tokText: string): number {
  return unescapeAt(tokText, 1)[0];
}
