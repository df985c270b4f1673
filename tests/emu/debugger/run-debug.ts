// Runs `vmlab debug --no-aslr -x SCRIPT --batch PROG` from the fixtures folder (so file names print as pf.s).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vmlab } from '../../support/cli';
import type { CliResult } from '../../support/cli';

export const FIXTURES = join(process.cwd(), 'tests', 'emu', 'debugger', 'fixtures');

export function debugScript(prog: string, script: string, extra: string[] = []): CliResult {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-debug-'));
  const file = join(dir, 'script.gdb');
  writeFileSync(file, script);
  return vmlab(['debug', '--no-aslr', ...extra, '-x', file, '--batch', prog], { cwd: FIXTURES });
}
