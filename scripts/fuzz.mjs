// `npm run fuzz -- TARGET... [options]`: bundles the fuzz harness
// (tests/fuzz/main.ts) with every target in tests/fuzz/targets/ (a new
// target is one new file there) into one script under tmp/, and runs it with
// the arguments given. A developer tool, not part of the shipped CLI.
import { build } from 'esbuild';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const targets = readdirSync(join(root, 'tests', 'fuzz', 'targets')).filter((f) => f.endsWith('.ts')).sort();
const entry = [
  "import { main } from './tests/fuzz/main.ts';",
  ...targets.map((f, i) => `import { target as t${i} } from './tests/fuzz/targets/${f}';`),
  'process.setSourceMapsEnabled(true);',
  `process.exitCode = await main([${targets.map((_, i) => `t${i}`).join(', ')}], process.argv.slice(2));`,
].join('\n');
mkdirSync(join(root, 'tmp'), { recursive: true });
const outfile = join(root, 'tmp', 'fuzz.mjs');
await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: 'fuzz-entry.ts', loader: 'ts' },
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  banner: { js: "import { createRequire as __fuzzCreateRequire } from 'node:module'; const require = __fuzzCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
