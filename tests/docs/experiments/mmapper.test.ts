// docs/experiments/mmapper.md quotes the test program's line for mode 1's
// frames; the quote is what the script prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';

const DOC = 'docs/experiments/mmapper.md';

describe('docs/experiments/mmapper.md', () => {
  it("mode 1's pfns line is what mmapper-test prints", () => {
    const quote = /`(pfns: [^`]*\(contiguous\))`/.exec(readFileSync(join(process.cwd(), DOC), 'utf8').replace(/\n\s*/g, ' '));
    expect(quote, 'the quoted pfns line').not.toBeNull();
    const r = vmlab(['shell', join(process.cwd(), 'guest-programs', 'experiments', 'mmapper.vmsh')]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toContain(`  ${quote![1]}`);
  });
});
