// Runs the built CLI on a real pseudo-terminal through tests/support/pty-drive.py:
// each step waits for what the program prints before the next is typed, and
// the run ends when the program exits, so nothing depends on how fast the
// machine is.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { VMLAB } from './cli';

const DRIVER = join(__dirname, 'pty-drive.py');

/** ['wait', TEXT]: until TEXT is printed (after the previous wait's match); ['send', TEXT]: typed. */
export type PtyStep = ['wait' | 'send', string];

/**
 * `vmlab ARGS...` driven by `steps`; the terminal output with escape
 * sequences and carriage returns removed (`raw` keeps them). Throws with the
 * driver's reason and the output so far when a wait is never met.
 */
export function drivePty(args: string[], steps: PtyStep[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; raw?: boolean } = {}): string {
  const r = spawnSync('python3', [DRIVER, JSON.stringify(steps), '--', process.execPath, VMLAB, ...args], {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: opts.env ?? { ...process.env, NO_COLOR: '1' },
  });
  if (r.status !== 0) throw new Error(`${r.stderr || `pty-drive exited with ${r.status}`}\n--- output ---\n${r.stdout}`);
  if (opts.raw) return r.stdout.replace(/\r/g, '');
  return r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}
