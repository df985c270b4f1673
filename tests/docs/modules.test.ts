// docs/modules.md's sessions are golden tests: its module files, written to a
// folder, loaded by the commands its transcripts show, print those transcripts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docBlock, expectExcerpt } from '../support/doc-blocks';
import { shell } from '../support/shell';

const DOC = 'docs/modules.md';

/** The commands of a transcript block (its `vmlab# ` lines), one a line, for the shell's stdin. */
function commandsOf(transcript: string): string {
  return transcript.split('\n').filter((l) => l.startsWith('vmlab# ')).map((l) => `${l.slice(7)}\n`).join('');
}

/** Runs a transcript block's commands in a folder holding the doc's module files; the merged output. */
function replay(session: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-docs-modules-'));
  for (const [name, marker] of Object.entries(files)) writeFileSync(join(dir, name), docBlock(DOC, marker));
  const block = docBlock(DOC, session);
  const r = shell([], { input: commandsOf(block), cwd: dir });
  expect(r.status).toBe(0);
  return r.output;
}

/**
 * The kernel's own Call Trace frames with their offsets masked: those are
 * positions in vmlab's bundle, which move with any edit of the function (as a
 * Linux oops's offsets change from one kernel build to the next); the
 * module's frames (`[boom]`) and everything else are compared exactly.
 */
function maskKernelOffsets(transcript: string): string {
  return transcript.replace(/^(\[ *[0-9.]+\]  [\w.$]+)\+0x[0-9a-f]+\/0x[0-9a-f]+$/gm, '$1+0x?/0x?');
}

describe('docs/modules.md', () => {
  it('the hello session: a built-in module and hello.ts, lsmod, rmmod, dmesg', () => {
    expect(replay('hello-session', { 'hello.ts': 'hello-module' })).toBe(docBlock(DOC, 'hello-session'));
  });

  it('the greet session: a Linux-style module file (module_init, module_param), modinfo, bad and unknown parameters', () => {
    expect(replay('greet-session', { 'greet.ts': 'greet-module' })).toBe(docBlock(DOC, 'greet-session'));
  });

  it("the type check: bad.ts's bigint in a number is a compiler's error, and insmod fails", () => {
    expect(replay('bad-session', { 'bad.ts': 'bad-module' })).toBe(docBlock(DOC, 'bad-session'));
  });

  it("the oops: boom.ts's write throws, the writer is killed, dmesg shows Linux's oops with the Call Trace", () => {
    expect(maskKernelOffsets(replay('boom-session', { 'boom.ts': 'boom-module' }))).toBe(maskKernelOffsets(docBlock(DOC, 'boom-session')));
  });

  it("the page-fault oops is an excerpt of the oops golden transcript (tests/kernel-ts/proc/oops.test.ts's)", () => {
    const golden = readFileSync('tests/kernel-ts/proc/golden/oops-kinds.txt', 'utf8');
    expectExcerpt(golden, docBlock(DOC, 'oops-pagefault'), 'docs/modules.md oops-pagefault');
  });
});
