// The shell's command-line syntax, a small subset of sh: words separated by
// blanks, '...' and "..." quoting, \ escapes outside single quotes, `#`
// comments at the start of a word, `;` between commands, a trailing `&`
// (background), and `> FILE` / `>> FILE` redirections (for echo). `$?` is
// the last command's status, expanded when the command runs (STATUS_MARK).

export interface ParsedCommand {
  /** The words, quotes removed. */
  words: string[];
  /** `&` at the end: run in the background. */
  background: boolean;
  /** `> FILE` or `>> FILE`. */
  redirect: { path: string; append: boolean } | null;
  /** The command as typed (for job listings), trimmed, without the `&`. */
  text: string;
  /** The command as typed, with its `&` (for the script echo). */
  source: string;
}

export type ParseResult = { ok: true; commands: ParsedCommand[] } | { ok: false; message: string };

/** Stands for `$?` in parsed words until the command runs (expandStatus). */
export const STATUS_MARK = '\u0000?';

/** Replaces `$?` marks with the status. */
export function expandStatus(word: string, status: number): string {
  return word.split(STATUS_MARK).join(String(status));
}

interface Token {
  kind: 'word' | 'op';
  value: string;
  start: number;
  end: number;
}

/** Splits a line into words and operators (; & > >>). */
function tokenize(line: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '|') return 'pipes are not supported (run one command at a time)';
    if (c === ';' || c === '&') {
      out.push({ kind: 'op', value: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '>') {
      const op = line[i + 1] === '>' ? '>>' : '>';
      out.push({ kind: 'op', value: op, start: i, end: i + op.length });
      i += op.length;
      continue;
    }
    const start = i;
    let word = '';
    while (i < line.length && !' \t;&>|'.includes(line[i]!)) {
      const ch = line[i]!;
      if (ch === "'") {
        const j = line.indexOf("'", i + 1);
        if (j < 0) return 'unexpected end of line while looking for matching \'';
        word += line.slice(i + 1, j);
        i = j + 1;
      } else if (ch === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length && '"\\$'.includes(line[i + 1]!)) i++;
          else if (line.startsWith('$?', i)) {
            word += STATUS_MARK;
            i += 2;
            continue;
          }
          word += line[i++];
        }
        if (i >= line.length) return 'unexpected end of line while looking for matching "';
        i++;
      } else if (ch === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else if (line.startsWith('$?', i)) {
        word += STATUS_MARK;
        i += 2;
      } else {
        word += ch;
        i++;
      }
    }
    out.push({ kind: 'word', value: word, start, end: i });
  }
  return out;
}

/** Parses one input line into its commands. */
export function parseLine(line: string): ParseResult {
  const toks = tokenize(line);
  if (typeof toks === 'string') return { ok: false, message: toks };
  const commands: ParsedCommand[] = [];
  let cur: Token[] = [];
  const finish = (background: boolean): string | null => {
    if (cur.length === 0) return background ? "syntax error near unexpected token `&'" : null;
    const words: string[] = [];
    let redirect: ParsedCommand['redirect'] = null;
    for (let i = 0; i < cur.length; i++) {
      const t = cur[i]!;
      if (t.kind === 'op') {
        const target = cur[i + 1];
        if (!target || target.kind !== 'word') return `syntax error near unexpected token \`${target?.value ?? 'newline'}'`;
        redirect = { path: target.value, append: t.value === '>>' };
        i++;
      } else words.push(t.value);
    }
    const text = line.slice(cur[0]!.start, cur[cur.length - 1]!.end).trim();
    commands.push({ words, background, redirect, text, source: background ? `${text} &` : text });
    cur = [];
    return null;
  };
  for (const t of toks) {
    if (t.kind === 'op' && (t.value === ';' || t.value === '&')) {
      const e = finish(t.value === '&');
      if (e !== null) return { ok: false, message: e };
    } else cur.push(t);
  }
  const e = finish(false);
  if (e !== null) return { ok: false, message: e };
  return { ok: true, commands };
}
