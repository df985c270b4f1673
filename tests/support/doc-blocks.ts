// Doc examples are golden tests: a fenced block right after a marker line
// `<!-- NAME -->` in a document is read by a test and compared with what the
// program really prints (the convention docs/debugger.md's tour started).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { VMLAB } from './cli';

/** The text of the fenced block after `<!-- name -->` in `doc` (a path under the repository, e.g. docs/shell.md). */
export function docBlock(doc: string, name: string): string {
  const text = readFileSync(join(process.cwd(), doc), 'utf8');
  const m = new RegExp(`<!-- ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!m) throw new Error(`${doc}: no block after <!-- ${name} -->`);
  return m[1]!;
}

/** The marker names used in `doc`, in order. */
export function docMarkers(doc: string): string[] {
  const text = readFileSync(join(process.cwd(), doc), 'utf8');
  return [...text.matchAll(/^<!-- ([\w-]+) -->$/gm)].map((m) => m[1]!);
}

/**
 * Checks that a doc block is an excerpt of real output: its lines appear in
 * `actual`, in order, each run of lines as consecutive lines; a line `...`
 * in the block stands for any number of lines left out.
 */
export function expectExcerpt(actual: string, excerpt: string, what: string): void {
  const lines = actual.split('\n');
  const runs = excerpt.replace(/\n$/, '').split('\n...\n').map((r) => r.split('\n'));
  let from = 0;
  for (const run of runs) {
    // The place where most of the run's lines match; a miss is shown as a diff against it.
    let best = from;
    let bestScore = -1;
    for (let i = from; i + run.length <= lines.length; i++) {
      const score = run.filter((l, j) => lines[i + j] === l).length;
      if (score > bestScore) [best, bestScore] = [i, score];
      if (score === run.length) break;
    }
    expect(lines.slice(best, best + run.length), `${what}: a doc block that is not the real output`).toEqual(run);
    from = best + run.length;
  }
}

/** Words of a command line as sh splits them: blanks separate, '...' and "..." quote. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/**
 * Replays a terminal session shown in a doc block and returns it as it
 * really goes, to compare with the block: `$ cat FILE` followed by the file's
 * lines writes FILE into a fresh folder (the commands then run there; else in
 * the repository), `$ vmlab ARGS` runs the built CLI (stdout and stderr
 * merged) and is followed by its output, `; echo $?` after it adds the exit
 * status. Any other `$` line is an error in the block.
 */
export function replaySession(block: string): string {
  const lines = block.replace(/\n$/, '').split('\n');
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-docs-'));
  let cwd = process.cwd();
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    if (!line.startsWith('$ ')) throw new Error(`a session block goes on with a $ line, not: ${line}`);
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith('$ ')) end++;
    out.push(line);
    const cat = /^\$ cat (\S+)$/.exec(line);
    const run = /^\$ vmlab (.*?)(; echo \$\?)?$/.exec(line);
    if (cat) {
      const body = lines.slice(i + 1, end);
      writeFileSync(join(dir, cat[1]!), body.map((l) => `${l}\n`).join(''));
      cwd = dir;
      out.push(...body);
    } else if (run) {
      const r = spawnSync('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', process.execPath, VMLAB, ...shellWords(run[1]!)], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      out.push(...r.stdout.replace(/\n$/, '').split('\n').filter((_, k, a) => a.length > 1 || a[0] !== ''));
      if (run[2]) out.push(String(r.status));
    } else throw new Error(`a session block runs only cat and vmlab: ${line}`);
    i = end;
  }
  return `${out.join('\n')}\n`;
}
