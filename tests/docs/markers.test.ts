// Every doc block marked as a golden example (`<!-- NAME -->` before a
// fenced block, tests/support/doc-blocks.ts) is read by some test.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docMarkers } from '../support/doc-blocks';

function files(dir: string, ext: string): string[] {
  return readdirSync(join(process.cwd(), dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
}

describe('golden doc blocks', () => {
  const tests = files('tests', '.ts').map((f) => readFileSync(join(process.cwd(), f), 'utf8')).join('\n');
  for (const doc of files('docs', '.md')) {
    const markers = docMarkers(doc);
    if (markers.length === 0) continue;
    it(`${doc}: each marked block is checked by a test`, () => {
      expect(markers.filter((m) => !tests.includes(`'${m}'`))).toEqual([]);
    });
  }
});
