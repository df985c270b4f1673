// Loop counting for module code (the soft-lockup watchdog's deterministic
// half for loops that call nothing, watchdog.ts): before module code is
// evaluated, the loader rewrites each loop so that every iteration calls
// LOOP_TICK, which counts it toward the bounded call's work. A call-free
// `for (;;) {}` then oopses after a fixed number of iterations, in Node and
// in a browser alike, instead of waiting for a wall clock (Node) or hanging
// the page's worker (a browser has no way to interrupt it).
//
//   while (c)               ->  while (LOOP_TICK(), c)        (do ... while too)
//   for (i; c; u)           ->  for (i; LOOP_TICK(), c; u)
//   for (i; ; u)            ->  for (i; LOOP_TICK(), true; u)
//   for (x of xs) {         ->  for (x of xs) {LOOP_TICK();
//   for (x of xs) s;        ->  for (x of LOOP_TICK.of(xs)) s;
//
// for-in (finite: an object's keys) and for-await (each turn awaits) are
// left alone. Only text inside loop headers (or right after a for-of's `{`)
// is added, never a line break, so the code's lines, which its source map
// and an oops's Call Trace go by, stay where they were.
//
// The code is scanned, not parsed: strings, template literals (with their
// ${} nesting), comments and regular-expression literals are skipped (a `/`
// starts a regular expression where an operand is expected: after an
// operator, an opening bracket, `,`, `;`, a keyword such as return, or the
// `)` closing an if/while/for/with header), and
// `for` / `while` count only as keywords (not after `.`, and followed by
// `(`). esbuild's output, which is what module code is, needs no more.

/** The name module code calls at each loop iteration: a parameter of the module function (evaluate.ts). */
export const LOOP_TICK = '__vmlab_loop';

/** Keywords after which a `/` begins a regular expression. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

const isIdStart = (c: string): boolean => /[A-Za-z_$\u0080-\uffff]/.test(c);
const isIdPart = (c: string): boolean => /[\w$\u0080-\uffff]/.test(c);

/** A loop header being scanned: where its `(` is, the `;` and `of` found directly inside it. */
interface Header {
  kind: 'for' | 'while';
  open: number;
  semis: number[];
  /** The end of an `of` keyword directly inside (a for-of), or -1. */
  of: number;
  /** An `in` keyword directly inside before any `;` (a for-in), or false. */
  forIn: boolean;
}

/**
 * What a bracket on the stack is: a loop header's `(`, another `(`/`[`, a
 * `{`, or a template's `${`. `control`: the `(` of an if, while, for or with
 * header, after whose `)` a statement begins (so a `/` there starts a
 * regular expression, not a division).
 */
type Open = { ch: '(' | '[' | '{'; header: Header | null; control?: boolean } | { ch: '${'; header: null };

/** Keywords whose `(...)` header is followed by a statement. */
const CONTROL_WORDS = new Set(['if', 'while', 'for', 'with']);

/** `code` with a LOOP_TICK call in every loop (see above). */
export function instrumentLoops(code: string): string {
  return rewriteLoops(code).code;
}

/** The rewritten code, and where a position in it (V8's 1-based line and column) was in the code before. */
export interface LoopRewrite {
  code: string;
  /** The column in the original code of `column` on `line` of the rewritten code (a position inside added text: where it was added). */
  originalColumn(line: number, column: number): number;
}

/** instrumentLoops, with the map back to the original columns (an oops's offsets are counted in the code as compiled, kallsyms.ts). */
export function rewriteLoops(code: string): LoopRewrite {
  const inserts: { at: number; text: string }[] = [];
  const stack: Open[] = [];
  /** The last significant token: 'word' (an identifier or keyword, in `word`), 'value' (a literal, `)`, `]`), or 'punct'. */
  let last: 'word' | 'value' | 'punct' = 'punct';
  let word = '';
  /** Whether `word` followed a `.` (a property name, not a keyword). */
  let wordAfterDot = false;
  let dot = false;
  let i = 0;
  const n = code.length;

  /** Skips whitespace and comments from j; the next significant index. */
  const skipSpace = (j: number): number => {
    for (;;) {
      while (j < n && /\s/.test(code[j]!)) j++;
      if (code.startsWith('//', j)) {
        while (j < n && code[j] !== '\n') j++;
      } else if (code.startsWith('/*', j)) {
        const e = code.indexOf('*/', j + 2);
        j = e < 0 ? n : e + 2;
      } else return j;
    }
  };

  /** Scans a template literal's text from j (after the backquote or a `}` closing a `${`); returns the index after it, or after its next `${` (pushed). */
  const template = (j: number): number => {
    while (j < n) {
      const c = code[j]!;
      if (c === '\\') j += 2;
      else if (c === '`') return j + 1;
      else if (c === '$' && code[j + 1] === '{') {
        stack.push({ ch: '${', header: null });
        return j + 2;
      } else j++;
    }
    return j;
  };

  while (i < n) {
    const c = code[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && (code[i + 1] === '/' || code[i + 1] === '*')) {
      i = skipSpace(i);
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && code[j] !== c && code[j] !== '\n') j += code[j] === '\\' ? 2 : 1;
      i = j + 1;
      last = 'value';
      dot = false;
      continue;
    }
    if (c === '`') {
      const depth = stack.length;
      i = template(i + 1);
      last = stack.length === depth ? 'value' : 'punct';
      dot = false;
      continue;
    }
    if (c === '/') {
      const regex = last === 'punct' || (last === 'word' && REGEX_AFTER_WORD.has(word));
      if (regex) {
        let j = i + 1;
        let cls = false;
        while (j < n && code[j] !== '\n') {
          const d = code[j]!;
          if (d === '\\') j++;
          else if (d === '[') cls = true;
          else if (d === ']') cls = false;
          else if (d === '/' && !cls) break;
          j++;
        }
        j++;
        while (j < n && isIdPart(code[j]!)) j++; // flags
        i = j;
        last = 'value';
      } else {
        i++;
        last = 'punct';
      }
      dot = false;
      continue;
    }
    if (isIdStart(c) || c === '\\') {
      let j = i + 1;
      while (j < n && isIdPart(code[j]!)) j++;
      const w = code.slice(i, j);
      const top = stack[stack.length - 1];
      if (!dot && (w === 'for' || w === 'while')) {
        let k = skipSpace(j);
        let isAwait = false;
        if (w === 'for' && code.startsWith('await', k) && !isIdPart(code[k + 5] ?? '')) {
          isAwait = true;
          k = skipSpace(k + 5);
        }
        if (code[k] === '(') {
          stack.push({ ch: '(', header: isAwait ? null : { kind: w, open: k, semis: [], of: -1, forIn: false }, control: true });
          i = k + 1;
          last = 'punct';
          dot = false;
          continue;
        }
      }
      // `of` / `in` directly inside a for header (not inside a nested bracket of it).
      if (top?.ch === '(' && top.header?.kind === 'for' && top.header.semis.length === 0 && !dot) {
        if (w === 'of' && top.header.of < 0) top.header.of = j;
        if (w === 'in') top.header.forIn = true;
      }
      i = j;
      last = 'word';
      word = w;
      wordAfterDot = dot;
      dot = false;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(code[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(code[j]!)) j++;
      i = j;
      last = 'value';
      dot = false;
      continue;
    }
    // Punctuation.
    if (c === '(' || c === '[' || c === '{') {
      stack.push({ ch: c, header: null, control: c === '(' && last === 'word' && !wordAfterDot && CONTROL_WORDS.has(word) });
      i++;
      last = 'punct';
      dot = false;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      if (open?.ch === '${') {
        const depth = stack.length;
        i = template(i + 1);
        last = stack.length === depth ? 'value' : 'punct';
        continue;
      }
      if (open?.header) instrument(code, open.header, i, inserts);
      i++;
      last = c === '}' || (open?.ch === '(' && open.control === true) ? 'punct' : 'value';
      dot = false;
      continue;
    }
    if (c === ';') {
      const top = stack[stack.length - 1];
      if (top?.ch === '(' && top.header !== null) top.header.semis.push(i);
    }
    dot = c === '.' || (c === '?' && code[i + 1] === '.');
    if (c === '?' && code[i + 1] === '.') i++;
    i++;
    last = 'punct';
  }
  inserts.sort((a, b) => a.at - b.at);
  let out = '';
  let at = 0;
  // Per line of the code (1-based), its insertions: [1-based column in the original, length], in order.
  const byLine = new Map<number, [number, number][]>();
  let line = 1;
  let lineStart = 0;
  for (const ins of inserts) {
    for (let j = code.indexOf('\n', at); j >= 0 && j < ins.at; j = code.indexOf('\n', j + 1)) {
      line++;
      lineStart = j + 1;
    }
    out += code.slice(at, ins.at) + ins.text;
    at = ins.at;
    const list = byLine.get(line) ?? [];
    list.push([ins.at - lineStart + 1, ins.text.length]);
    byLine.set(line, list);
  }
  return {
    code: out + code.slice(at),
    originalColumn(l: number, column: number): number {
      let col = column;
      for (const [c, len] of byLine.get(l) ?? []) {
        if (col < c) break;
        col = col < c + len ? c : col - len;
      }
      return col;
    },
  };
}

/** The insertions for the loop whose header is `h`, closed at `close`. */
function instrument(code: string, h: Header, close: number, inserts: { at: number; text: string }[]): void {
  if (code.slice(h.open + 1, close).trim() === '') return; // `while () {`: a method named while, not a loop
  if (h.kind === 'while') {
    inserts.push({ at: h.open + 1, text: `${LOOP_TICK}(), ` });
    return;
  }
  if (h.semis.length >= 2) {
    const [s1, s2] = h.semis as [number, number];
    const empty = code.slice(s1 + 1, s2).trim() === '';
    inserts.push({ at: s1 + 1, text: empty ? ` ${LOOP_TICK}(), true` : ` ${LOOP_TICK}(),` });
    return;
  }
  if (h.of >= 0) {
    let k = close + 1;
    while (k < code.length && /\s/.test(code[k]!)) k++;
    if (code[k] === '{') inserts.push({ at: k + 1, text: `${LOOP_TICK}();` });
    else {
      inserts.push({ at: h.of, text: ` ${LOOP_TICK}.of(` });
      inserts.push({ at: close, text: ')' });
    }
  }
  // for-in: an object's keys, finite.
}
