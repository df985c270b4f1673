// docs/shell.md's examples are golden tests: each session block is replayed
// (its files written, its commands run) and must come out as shown.
import { describe, expect, it } from 'vitest';
import { docBlock, replaySession } from '../support/doc-blocks';

const DOC = 'docs/shell.md';

describe('docs/shell.md', () => {
  it('a script: comments copied, each command echoed with the prompt', () => {
    expect(replaySession(docBlock(DOC, 'script-session'))).toBe(docBlock(DOC, 'script-session'));
  });

  it('--max-insns and timeout stop programs in guest time', () => {
    expect(replaySession(docBlock(DOC, 'limits-session'))).toBe(docBlock(DOC, 'limits-session'));
  });
});
