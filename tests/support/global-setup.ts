// vitest globalSetup: builds dist/vmlab.mjs once so that CLI tests run the
// same bundle that `npx vmlab` runs.
import { execFileSync } from 'node:child_process';

export function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
