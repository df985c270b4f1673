// The guided labs' walkthroughs (web/page/labs.ts): every command a step's
// Run button types runs in the worker of the browser build, in order, with
// exit status 0 (the page only types them; this checks they are right).
// The commands are read from labs.ts's source (the page bundles it with the
// READMEs defined at build time, which a test cannot import).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { WorkerHarness } from './worker-harness';

const ROOT = join(import.meta.dirname, '..', '..');

it('every walkthrough command of the five guided labs runs with status 0, in order', async () => {
  const site = mkdtempSync(join(tmpdir(), 'vmlab-web-site-'));
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--out', site], { cwd: ROOT, stdio: 'pipe' });
  const w = new WorkerHarness(join(site, 'worker.js'));
  rmSync(site, { recursive: true, force: true });
  await w.next('ready');
  const commands = [...readFileSync(join(ROOT, 'web', 'page', 'labs.ts'), 'utf8').matchAll(/command: '([^']+)'/g)].map((m) => m[1]!);
  expect(commands.length).toBe(30);
  const failed: string[] = [];
  for (const c of commands) {
    const r = await w.run(c);
    if (r.prompt.status !== 0) failed.push(`${c}: status ${r.prompt.status}: ${r.out}`);
  }
  expect(failed).toEqual([]);
}, 120_000);
