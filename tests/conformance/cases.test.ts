// Shape checks for the hand-written conformance families in this folder
// (tests/conformance/*.jsonl). Validation per FORMAT.md v1 is the runner's own
// parser (emu/conform/case.ts); whether the MMU passes the cases is checked in
// tests/emu/conform/run.test.ts. Here: the families are all present, every
// file parses cleanly, ids are unique across families, and every id names the
// SDM section its expectation was derived from.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseCases } from '../../emu/conform/case';
import type { Case } from '../../emu/conform/case';

const DIR = dirname(fileURLToPath(import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

describe('hand-written conformance families', () => {
  it('has the ten families', () => {
    expect(FILES).toEqual([
      'access-rights.jsonl',
      'ad.jsonl',
      'canonical.jsonl',
      'la57.jsonl',
      'large.jsonl',
      'pku.jsonl',
      'present.jsonl',
      'rsvd.jsonl',
      'smep-smap.jsonl',
      'tlb.jsonl',
    ]);
  });

  const all: { file: string; c: Case }[] = [];
  for (const file of FILES) {
    it(`${file}: valid per FORMAT.md v1, at least 15 cases`, () => {
      const { cases, errors } = parseCases(readFileSync(join(DIR, file), 'utf8'), file);
      expect(errors.map(formatDiagnostic)).toEqual([]);
      expect(cases.length).toBeGreaterThanOrEqual(15);
      for (const c of cases) all.push({ file, c });
    });
  }

  it('every id is unique across all families', () => {
    const where = new Map<string, string>();
    for (const { file, c } of all) {
      const prev = where.get(c.id);
      if (prev !== undefined) throw new Error(`duplicate id ${c.id}: in ${prev} and ${file}`);
      where.set(c.id, file);
    }
    expect(where.size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(380);
  });

  it('every id names the SDM section it was derived from', () => {
    for (const { file, c } of all) expect(c.id, file).toMatch(/^(fmt-model\+)?sdm(-v1-)?\d+(\.\d+)*\//);
  });
});
