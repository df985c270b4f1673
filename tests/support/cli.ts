// Runs the bundled CLI (built by global-setup) and captures its output.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const VMLAB = join(process.cwd(), 'dist', 'vmlab.mjs');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function vmlab(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [VMLAB, ...args], {
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
