// Runs `vmlab shell` (the built CLI) with stdout and stderr merged in the
// order they were written (both are written synchronously), as a user's
// terminal shows them.
import { spawnSync } from 'node:child_process';
import { VMLAB } from './cli';

export interface ShellResult {
  status: number;
  /** stdout and stderr, interleaved. */
  output: string;
}

/** `vmlab shell ARGS... 2>&1`, with `input` on stdin. */
export function shell(args: string[], opts: { input?: string; cwd?: string } = {}): ShellResult {
  const r = spawnSync('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', process.execPath, VMLAB, 'shell', ...args], {
    cwd: opts.cwd,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, output: r.stdout };
}
