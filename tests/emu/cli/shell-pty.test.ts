// The interactive shell on a real pseudo-terminal (python3's pty module):
// the prompt, history recall with the up arrow, Ctrl-C interrupting a
// foreground guest program and returning to the prompt, Ctrl-D leaving.
// Every keystroke waits for the output it depends on (tests/support/pty.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drivePty } from '../../support/pty';
import type { PtyStep } from '../../support/pty';

const PROMPT: PtyStep = ['wait', 'vmlab# '];

function drive(steps: PtyStep[]): string {
  const home = mkdtempSync(join(tmpdir(), 'vmlab-pty-'));
  return drivePty(['shell'], [PROMPT, ...steps], { env: { ...process.env, NO_COLOR: '1', HOME: home } });
}

describe('vmlab shell on a terminal', () => {
  it('recalls the previous command with the up arrow', () => {
    const out = drive([
      ['send', 'echo hello > /tmp/h\r'],
      PROMPT,
      ['send', 'cat /tmp/h\r'],
      ['wait', 'hello\n'],
      PROMPT,
      ['send', '\x1b[A'],
      ['wait', 'cat /tmp/h'],
      ['send', '\r'],
      ['wait', 'hello\n'],
      PROMPT,
      ['send', '\x04'],
    ]);
    expect(out.match(/hello\n/g)?.length).toBe(2); // cat ran twice: typed, then recalled
  });

  it('interrupts a running program with Ctrl-C and returns to the prompt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-pty-'));
    const loop = join(dir, 'loop.s');
    // Says it runs, then never stops: a Ctrl-C typed after "spinning" always finds it running.
    writeFileSync(loop, '        .globl _start\n_start: li a0, 1\n        la a1, msg\n        li a2, 9\n        li a7, 64\n        ecall\n1:      j 1b\nmsg:    .ascii "spinning\\n"\n');
    const out = drive([
      ['send', `${loop}\r`],
      ['wait', 'spinning\n'],
      ['send', '\x03'],
      PROMPT,
      ['send', 'echo $?\r'],
      ['wait', '130\n'],
      PROMPT,
      ['send', 'echo back > /tmp/b\r'],
      PROMPT,
      ['send', 'cat /tmp/b\r'],
      ['wait', 'back\n'],
      PROMPT,
      ['send', '\x04'],
    ]);
    expect(out).toContain(`vmlab# ${loop}\nspinning\n`);
    expect(out).toContain('vmlab# echo $?\n130\n'); // 128 + SIGINT
    expect(out).toMatch(/\nback\n/); // the shell took commands again after the interrupt
  });
});
