// docs/debugger.md's examples are golden tests: the tours' scripts, run in the
// fixtures folder, print their output blocks; the info faults example is an
// excerpt of a real session.
import { describe, expect, it } from 'vitest';
import { docBlock, expectExcerpt } from '../../support/doc-blocks';
import { debugScript } from './run-debug';

const DOC = 'docs/debugger.md';

describe('docs/debugger.md', () => {
  it('the page-fault tour prints what the document shows', () => {
    const r = debugScript('pf.s', docBlock(DOC, 'tour-script'));
    expect(r.stdout).toBe(docBlock(DOC, 'tour-output'));
    expect(r.status).toBe(3);
  });

  it('the reverse-execution tour prints what the document shows', () => {
    const r = debugScript('pf.s', docBlock(DOC, 'rewind-script'));
    expect(r.stdout).toBe(docBlock(DOC, 'rewind-output'));
    expect(r.status).toBe(3);
  });

  it("info faults' example: the kernel's own faults on user memory (uaccess.s, run to its end)", () => {
    const r = debugScript('uaccess.s', 'run\ninfo faults\n');
    expectExcerpt(r.stdout, docBlock(DOC, 'info-faults-output'), DOC);
  });
});
