// docs/experiments/mtest.md's examples are golden tests: each block is an
// excerpt of the script's real transcript (log lines without timestamps).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { docBlock, expectExcerpt } from '../../support/doc-blocks';

const DOC = 'docs/experiments/mtest.md';

describe('docs/experiments/mtest.md', () => {
  const r = vmlab(['shell', join(process.cwd(), 'guest-programs', 'experiments', 'mtest.vmsh')]);
  const transcript = r.stdout.replace(/^\[\s*\d+\.\d+\] /gm, '');

  it('the script runs', () => {
    expect(r.status).toBe(0);
  });

  for (const name of ['listvma-log', 'findpage-sh-log', 'findpage-log', 'mtest-test-output', 'mtest-test-cow-log']) {
    it(`${name} is what the script prints`, () => {
      expectExcerpt(transcript, docBlock(DOC, name), `${DOC} ${name}`);
    });
  }

  it("the parent's pte after the child's copy-on-write, as the text gives it", () => {
    expectExcerpt(transcript, '[mtest.findpage] current = mtest-test, PID = 10\n...\n[mtest.findpage] pte_val = 0x8000000000139065\n', DOC);
  });
});
