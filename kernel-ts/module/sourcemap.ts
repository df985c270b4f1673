// Where module code came from: esbuild compiles a module file with an inline
// source map (compile.ts), so that `kernel BUG at FILE:LINE!` and
// `WARNING: ... at FILE:LINE` name the line of the file the student wrote,
// as Linux's report_bug() names the line of the C file (the compiler's
// __FILE__/__LINE__), not a line of the compiled text.
//
// The map is cut off the compiled text before it is evaluated or counted
// (the module's size, the Call Trace's offsets are the code's alone), and
// decoded here: Source Map revision 3, "mappings" as base64 VLQ segments
// [generated column, source, original line, original column, name?], each
// field relative to the previous segment's (the column to the previous in
// the same line).

/** The comment esbuild appends for `sourcemap: 'inline'`. */
const INLINE_MAP = '\n//# sourceMappingURL=data:application/json;base64,';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** A position in a source file: its base name (never a host path) and 1-based line. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

/** Compiled module text without its inline map, and the map (null: none, or one that does not decode). */
export function splitInlineMap(text: string): { code: string; map: SourceLines | null } {
  const at = text.lastIndexOf(INLINE_MAP);
  if (at < 0) return { code: text, map: null };
  const code = text.slice(0, at + 1);
  const b64 = text.slice(at + INLINE_MAP.length).trim();
  let json: string;
  try {
    json = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return { code, map: null };
  }
  return { code, map: SourceLines.decode(json) };
}

/** The decoded "mappings": per generated line, its segments as [column, source, line] triples (0-based). */
export class SourceLines {
  private constructor(
    private readonly sources: readonly string[],
    private readonly lines: readonly (readonly number[])[],
  ) {}

  /** A source map's JSON text, decoded; null when it is not a revision-3 map this can read. */
  static decode(json: string): SourceLines | null {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      return null;
    }
    const m = raw as { version?: unknown; sources?: unknown; mappings?: unknown };
    if (m.version !== 3 || !Array.isArray(m.sources) || typeof m.mappings !== 'string') return null;
    const sources = m.sources.map((s) => baseName(String(s)));
    const lines: number[][] = [];
    let source = 0;
    let line = 0;
    const fields = [0, 0, 0, 0, 0];
    for (const text of m.mappings.split(';')) {
      const segs: number[] = [];
      let col = 0;
      for (const seg of text === '' ? [] : text.split(',')) {
        const n = vlq(seg, fields);
        if (n < 1) return null;
        col += fields[0]!;
        if (n >= 4) {
          source += fields[1]!;
          line += fields[2]!;
          segs.push(col, source, line);
        }
      }
      lines.push(segs);
    }
    return new SourceLines(sources, lines);
  }

  /** The source position of V8's 1-based line and column in the generated code; null where nothing maps. */
  original(line: number, column: number): SourcePosition | null {
    const segs = this.lines[line - 1];
    if (segs === undefined) return null;
    let found = -1;
    for (let i = 0; i < segs.length; i += 3) if (segs[i]! <= column - 1) found = i;
    if (found < 0) return null;
    const file = this.sources[segs[found + 1]!];
    return file === undefined ? null : { file, line: segs[found + 2]! + 1 };
  }
}

/** Decodes one segment's VLQ fields into `out`; returns how many (-1: malformed). */
function vlq(seg: string, out: number[]): number {
  let n = 0;
  let value = 0;
  let shift = 0;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    const d = c < 128 ? DIGIT[c]! : -1;
    if (d < 0 || shift > 30) return -1;
    value += (d & 31) * 2 ** shift;
    if ((d & 32) !== 0) {
      shift += 5;
      continue;
    }
    if (n === out.length) return -1;
    out[n++] = value % 2 === 1 ? -(value - 1) / 2 : value / 2;
    value = 0;
    shift = 0;
  }
  return shift === 0 ? n : -1;
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
