// Bundles the CLI into one file, dist/vmlab.mjs (the package's bin).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

await build({
  entryPoints: ['emu/cli/main.ts'],
  outfile: 'dist/vmlab.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __vmlabCreateRequire } from 'node:module';\nconst require = __vmlabCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync('dist/vmlab.mjs', 0o755);
