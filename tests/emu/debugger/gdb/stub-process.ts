// Starts `vmlab debug --gdb 0 ...` (or `vmlab run --gdb 0 ...`) as a child
// process and reads the port it listens on from its stderr: the OS picks a
// free port, so tests never collide.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { VMLAB } from '../../../support/cli';
import { FIXTURES } from '../run-debug';

export interface StubProcess {
  port: number;
  child: ChildProcess;
  /** Resolves when vmlab exits: its status and everything it printed. */
  done: Promise<{ status: number; stdout: string; stderr: string }>;
}

const LISTENING = /vmlab: gdb stub listening on 127\.0\.0\.1:(\d+)\n/;

export function startStub(args: string[], cwd = FIXTURES): Promise<StubProcess> {
  const child = spawn(process.execPath, [VMLAB, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  const done = new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
  return new Promise((resolve, reject) => {
    let found = false;
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const m = LISTENING.exec(stderr);
      if (m !== null && !found) {
        found = true;
        resolve({ port: Number(m[1]), child, done });
      }
    });
    void done.then((r) => {
      if (!found) reject(new Error(`vmlab exited (${r.status}) before listening: ${r.stderr}`));
    });
  });
}
