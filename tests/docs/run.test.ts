// docs/run.md's examples are golden tests: each session block, replayed in
// the repository, comes out as shown.
import { describe, expect, it } from 'vitest';
import { docBlock, replaySession } from '../support/doc-blocks';

const DOC = 'docs/run.md';

describe('docs/run.md', () => {
  for (const [name, what] of [['hello-session', 'a program and its exit status'], ['trace-session', 'a trace event before the write it traces']]) {
    it(what, () => {
      expect(replaySession(docBlock(DOC, name))).toBe(docBlock(DOC, name));
    });
  }
});
