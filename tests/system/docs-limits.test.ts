// The Limits section of docs/run.md shows what the built CLI prints: each
// `$ COMMAND` line of a marked block is run with bash from the repository
// root (`vmlab` on PATH is dist/vmlab.mjs) and the transcript must be the
// block, byte for byte.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VMLAB } from '../support/cli';

/** The block after `<!-- marker -->` in docs/run.md. */
function docBlock(marker: string): string {
  const text = readFileSync(join(process.cwd(), 'docs', 'run.md'), 'utf8');
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!m) throw new Error(`docs/run.md: no block after <!-- ${marker} -->`);
  return m[1]!;
}

function replay(block: string): string {
  const bin = join(mkdtempSync(join(tmpdir(), 'vmlab-docs-limits-')), 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'vmlab'), `#!/bin/sh\nexec "${process.execPath}" "${VMLAB}" "$@"\n`);
  chmodSync(join(bin, 'vmlab'), 0o755);
  let out = '';
  for (const cmd of block.split('\n').filter((l) => l.startsWith('$ ')).map((l) => l.slice(2))) {
    const r = spawnSync('bash', ['-c', `exec 2>&1; ${cmd}`], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' } });
    out += `$ ${cmd}\n${r.stdout}`;
  }
  return out;
}

describe('docs/run.md, Limits', () => {
  it('/proc/self/limits in vmlab shell', () => {
    const block = docBlock('limits-shell');
    expect(replay(block)).toBe(block);
  });

  it("the OOM killer's lines in the kernel log", () => {
    const block = docBlock('limits-oom');
    expect(replay(block)).toBe(block);
  });
});
