// The interactive shell on a real pseudo-terminal (python3's pty module):
// the prompt, history recall with the up arrow, Ctrl-C interrupting a
// foreground guest program and returning to the prompt, Ctrl-D leaving.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VMLAB } from '../../support/cli';

const DRIVER = join(__dirname, '..', '..', 'support', 'pty-drive.py');

function drive(steps: [string, string][]): string {
  const home = mkdtempSync(join(tmpdir(), 'vmlab-pty-'));
  const r = spawnSync('python3', [DRIVER, JSON.stringify(steps), '--', process.execPath, VMLAB, 'shell'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', HOME: home },
    timeout: 60_000,
  });
  return r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
}

describe('vmlab shell on a terminal', () => {
  it('recalls the previous command with the up arrow', () => {
    const out = drive([
      ['wait', 'vmlab# '],
      ['send', 'echo hello > /tmp/h\r'],
      ['wait', 'vmlab# '],
      ['send', 'cat /tmp/h\r'],
      ['wait', 'hello\r\n'],
      ['send', '\x1b[A\r'],
      ['pause', '1'],
      ['send', '\x04'],
    ]);
    expect(out.match(/hello\n/g)?.length).toBe(2); // cat ran twice: typed, then recalled
  });

  it('interrupts a running program with Ctrl-C and returns to the prompt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-pty-'));
    const loop = join(dir, 'loop.s');
    writeFileSync(loop, '        .globl _start\n_start: j _start\n');
    const out = drive([
      ['wait', 'vmlab# '],
      ['send', `${loop}\r`],
      ['pause', '1.5'],
      ['send', '\x03'],
      ['pause', '1'],
      ['send', 'echo back > /tmp/b\r'],
      ['send', 'cat /tmp/b\r'],
      ['wait', 'back\r\n'],
      ['send', '\x04'],
    ]);
    expect(out).toMatch(/back\n/); // the shell took commands again after the interrupt
  });
});
