// docs/debugger.md's tour is a golden test: its script, run in the fixtures folder, prints its output block.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugScript } from './run-debug';

function block(doc: string, marker: string): string {
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m) throw new Error(`docs/debugger.md: no block after <!-- ${marker} -->`);
  return m[1]!;
}

describe('docs/debugger.md', () => {
  it('the page-fault tour prints what the document shows', () => {
    const doc = readFileSync(join(process.cwd(), 'docs', 'debugger.md'), 'utf8');
    const r = debugScript('pf.s', block(doc, 'tour-script'));
    expect(r.stdout).toBe(block(doc, 'tour-output'));
    expect(r.status).toBe(3);
  });

  it('the reverse-execution tour prints what the document shows', () => {
    const doc = readFileSync(join(process.cwd(), 'docs', 'debugger.md'), 'utf8');
    const r = debugScript('pf.s', block(doc, 'rewind-script'));
    expect(r.stdout).toBe(block(doc, 'rewind-output'));
    expect(r.status).toBe(3);
  });
});
