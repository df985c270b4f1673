// docs/experiments/kmalloc-vmalloc.md's example is a golden test: the log of
// the script's vmalloc round, without timestamps.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { docBlock, expectExcerpt } from '../../support/doc-blocks';

const DOC = 'docs/experiments/kmalloc-vmalloc.md';

describe('docs/experiments/kmalloc-vmalloc.md', () => {
  it('the vmalloc log is what the script prints', () => {
    const r = vmlab(['shell', join(process.cwd(), 'guest-programs', 'experiments', 'kmalloc-vmalloc.vmsh')]);
    expect(r.status).toBe(0);
    const transcript = r.stdout.replace(/^\[\s*\d+\.\d+\] /gm, '');
    expectExcerpt(transcript.slice(transcript.indexOf('vmlab# insmod memalloc choice=1')), docBlock(DOC, 'vmalloc-log'), DOC);
  });
});
