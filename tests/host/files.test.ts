// host/files.ts: every vmlab tool reads a host path through it. Only a
// regular file is read, and only up to a bound (issue 12, finding 6:
// /dev/zero as a program ate 14.7 GB in 120 s; a FIFO hung).
import { mkdtempSync, writeFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_FILE_LIMIT, lineBounded, readHostBytes, readHostText, statHostFile } from '../../host/files';
import { Readable } from 'node:stream';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-host-'));
const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo]);
writeFileSync(join(dir, 'ten'), '0123456789');
mkdirSync(join(dir, 'sub'));

describe('readHostBytes / readHostText', () => {
  it('reads a regular file whole', () => {
    expect(readHostText(join(dir, 'ten'), 'digits')).toEqual({ ok: true, value: '0123456789' });
    expect(readHostBytes(join(dir, 'ten'), 'digits', 10)).toEqual({ ok: true, value: new TextEncoder().encode('0123456789') });
  });

  it('refuses what is not a regular file, saying what it is and what was expected', () => {
    expect(readHostBytes('/dev/zero', 'an ELF executable')).toEqual({ ok: false, reason: 'is a character device, not an ELF executable' });
    expect(readHostBytes('/dev/urandom', 'a script')).toEqual({ ok: false, reason: 'is a character device, not a script' });
    expect(readHostBytes(fifo, 'a script')).toEqual({ ok: false, reason: 'is a FIFO, not a script' }); // no writer: nothing waits
    expect(readHostBytes(join(dir, 'sub'), 'a script')).toEqual({ ok: false, reason: 'is a directory' });
    expect(readHostBytes(join(dir, 'none'), 'a script')).toEqual({ ok: false, reason: 'no such file' });
    expect(readHostBytes(join(dir, 'ten', 'x'), 'a script')).toEqual({ ok: false, reason: 'no such file' });
  });

  it('caps what it reads: a file over the limit, or one that reads longer than its size says (/proc), is refused', () => {
    expect(readHostBytes(join(dir, 'ten'), 'digits', 9)).toEqual({ ok: false, reason: 'is larger than 9 bytes, too large for digits' });
    // /proc files report size 0 and then read on: the read stops one byte past the limit.
    expect(readHostBytes('/proc/self/status', 'a status', 16)).toEqual({ ok: false, reason: 'is larger than 16 bytes, too large for a status' });
    expect(readHostText('/proc/self/status', 'a status').ok).toBe(true);
    expect(HOST_FILE_LIMIT).toBe(64 * 1024 * 1024);
  });

  it('statHostFile checks without opening (for insmod, whose file esbuild reads)', () => {
    expect(statHostFile(join(dir, 'ten'), 'a module')).toEqual({ ok: true, value: 10 });
    expect(statHostFile(fifo, 'a module')).toEqual({ ok: false, reason: 'is a FIFO, not a module' });
    expect(statHostFile(join(dir, 'ten'), 'a module', 4)).toEqual({ ok: false, reason: 'is larger than 4 bytes, too large for a module' });
  });
});

describe('the one road', () => {
  it('no source file outside host/ reads a host file by itself (readFileSync, readFile, createReadStream)', () => {
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /(?<![.\w])(readFileSync|readFile|createReadStream|openSync)\s*\(|from 'node:fs\/promises'/.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    for (const top of ['emu', 'asm', 'kernel-ts']) walk(join(process.cwd(), top));
    expect(offenders).toEqual([]);
  });
});

describe('lineBounded', () => {
  /** Everything the bounded stream passes on, and how many times it said a line was too long. */
  async function through(chunks: string[], limit: number): Promise<{ text: string; tooLong: number }> {
    let tooLong = 0;
    const out = lineBounded(Readable.from(chunks.map((c) => Buffer.from(c))), () => void tooLong++, limit);
    let text = '';
    for await (const c of out) text += c.toString();
    return { text, tooLong };
  }

  it('passes lines up to the limit, across chunks', async () => {
    expect(await through(['ab', 'c\nde', 'f\n', 'ghi'], 3)).toEqual({ text: 'abc\ndef\nghi', tooLong: 0 });
  });

  it('ends where a line runs past the limit (what came before it passes: at most the limit of that line)', async () => {
    expect(await through(['ok\nabc', 'd', 'more\n'], 3)).toEqual({ text: 'ok\nabc', tooLong: 1 });
    expect(await through(['ok\nabcd\nnext\n'], 3)).toEqual({ text: 'ok\n', tooLong: 1 });
  });
});
