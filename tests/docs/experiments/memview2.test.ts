// docs/experiments/memview2.md's examples are golden tests: its blocks are
// excerpts of the script's real transcript, and its table holds the script's
// three runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { docBlock, expectExcerpt } from '../../support/doc-blocks';

const DOC = 'docs/experiments/memview2.md';

/** The rows of the markdown table after `<!-- name -->`: cells of each data row. */
function docTable(name: string): string[][] {
  const text = readFileSync(join(process.cwd(), DOC), 'utf8');
  const rows = text.slice(text.indexOf(`<!-- ${name} -->`)).split('\n').slice(1).filter((l, i, a) => l.startsWith('|') && a.slice(0, i).every((p) => p === '' || p.startsWith('|')));
  return rows.slice(2).map((r) => r.split('|').slice(1, -1).map((c) => c.trim()));
}

describe('docs/experiments/memview2.md', () => {
  const r = vmlab(['shell', join(process.cwd(), 'guest-programs', 'experiments', 'memview2.vmsh')]);

  it('the script runs', () => {
    expect(r.status).toBe(0);
  });

  for (const name of ['report', 'copy-to-user-trace', 'kmalloc-trace', 'page-alloc-trace']) {
    it(`${name} is what the script prints`, () => {
      expectExcerpt(r.stdout, docBlock(DOC, name), `${DOC} ${name}`);
    });
  }

  it('the table holds the first three runs (run 1, run 2, after drop_caches)', () => {
    // Each memview2 run's report: `name:  0xVA -> 0xPA` lines.
    const runs = r.stdout.split('Memory map report (virtual -> physical)\n').slice(1, 4).map((report) => {
      const m = new Map<string, [bigint, bigint]>();
      for (const x of report.matchAll(/^(\S+):\s+0x([0-9a-f]+) -> 0x([0-9a-f]+)$/gm)) m.set(x[1]!, [BigInt(`0x${x[2]}`), BigInt(`0x${x[3]}`)]);
      return m;
    });
    const rows = docTable('runs-table');
    expect(rows.map((row) => row[0])).toEqual(['`argv`', '`buf[00]`', '`main`', '`lmsg`', '`&gmsg`']);
    for (const [name, ...cells] of rows) {
      const shown = cells.map((c) => c.replace(/\*\*/g, '').split(' → ').map((h) => BigInt(h)));
      expect(shown, `${name}`).toEqual(runs.map((run) => run.get(name!.replace(/`/g, ''))));
    }
  });
});
