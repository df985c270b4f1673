// vitest globalSetup: builds dist/vmlab.mjs once so that CLI tests run the
// same bundle that `npx vmlab` runs, and gives the run a fresh cache
// directory (vmlab cc's runtime-library objects, emu/cli/cc-cache.ts), so a
// run never reads or writes the user's cache and still builds the library
// once rather than once per compile. Workers inherit the environment.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let cacheDir: string | null = null;

export function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  cacheDir = mkdtempSync(join(tmpdir(), 'vmlab-test-cache-'));
  process.env.VMLAB_CACHE_DIR = cacheDir;
}

export function teardown(): void {
  if (cacheDir !== null) rmSync(cacheDir, { recursive: true, force: true });
}
