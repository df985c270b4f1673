// scripts/build-web.mjs: the worker bundles for the browser with no Node
// built-in reachable, and a Node built-in (or Node global) that sneaks in
// fails the build, naming the chain of imports that reaches it. Each browser
// twin of the host seam exports only names its Node original exports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_TWINS, TWINS, bundleWorker, isNodeBuiltin } from '../../scripts/build-web.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const out = (): string => join(mkdtempSync(join(tmpdir(), 'vmlab-web-')), 'w.js');
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fixture file in a tests/web/tmp-* directory (esbuild resolves relative imports from it). */
function fixture(name: string, text: string): string {
  const dir = mkdtempSync(join(ROOT, 'tests', 'web', 'tmp-'));
  made.push(dir);
  writeFileSync(join(dir, name), text);
  return relative(ROOT, join(dir, name));
}

describe('npm run build:web: the worker has no Node built-in', () => {
  it('the real worker entry (machine, kernel, shell, module loader) bundles with none', async () => {
    const r = await bundleWorker({ entry: 'web/worker/main.ts', outfile: out(), write: false, define: { __VMLAB_DRIVERS__: '{}', __VMLAB_WEB_PROGRAMS__: '{}' } });
    expect(r).toMatchObject({ ok: true });
  });

  it('fails on a Node built-in reached through an import chain, naming the chain', async () => {
    const helper = fixture('helper.ts', "import { readFileSync } from 'node:fs';\nexport const f = (): string => readFileSync('x', 'utf8');\n");
    const entry = fixture('entry.ts', `import { f } from '../${helper.split('/').slice(-2).join('/').replace(/\.ts$/, '')}';\nf();\n`);
    const r = await bundleWorker({ entry, outfile: out(), write: false });
    expect(r).toEqual({ ok: false, errors: [`node:fs <- ${helper} <- ${entry}`] });
  });

  it('fails on a bare built-in name (path) and on a Node global (Buffer)', async () => {
    const entry = fixture('entry.ts', "import { join } from 'path';\nconsole.log(join('a', 'b'), Buffer.byteLength('x'));\n");
    const r = await bundleWorker({ entry, outfile: out(), write: false });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([`path <- ${entry}`, `Buffer (a Node global) in ${entry}`]);
  });

  it('knows built-ins by every spelling', () => {
    for (const s of ['fs', 'node:fs', 'fs/promises', 'child_process', 'net', 'os', 'crypto', 'url', 'module', 'node:test']) expect(isNodeBuiltin(s), s).toBe(true);
    for (const s of ['esbuild', '@xterm/xterm', './fs', 'moo']) expect(isNodeBuiltin(s), s).toBe(false);
  });
});

describe('the host seam: each browser twin stands in for its original', () => {
  /** Names a twin may add: the worker's own hooks into it. */
  const BROWSER_ONLY = new Set(['setOutputSink', 'setSliceGate']);
  for (const [orig, twin] of Object.entries(TWINS)) {
    it(`${twin} exports only what ${orig} exports`, async () => {
      const [a, b] = await Promise.all([import(join(ROOT, orig)), import(join(ROOT, twin))]);
      const extra = Object.keys(b).filter((n) => !(n in a) && !BROWSER_ONLY.has(n));
      expect(extra).toEqual([]);
      expect(Object.keys(b).length).toBeGreaterThan(0);
    });
  }

  it('web/host/vm.ts runs a script with the context\'s names in scope (the watchdog\'s one use of node:vm)', async () => {
    expect(Object.keys(BUILTIN_TWINS)).toEqual(['kernel-ts/module/watchdog.ts node:vm']);
    const { Script, createContext } = await import('../../web/host/vm');
    const ctx = createContext({ call: () => 42 });
    expect(new Script('call()').runInContext(ctx, { timeout: 10 })).toBe(42);
  });
});
