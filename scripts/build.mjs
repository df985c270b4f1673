// Bundles the CLI into one file, dist/vmlab.mjs (the package's bin), with
// the ported built-in drivers compiled into it (scripts/driver-sources.mjs).
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';
import { compileDrivers, portedDrivers } from './driver-sources.mjs';

const drivers = compileDrivers(esbuild, 'kernel-ts/drivers', portedDrivers('emu/cli/builtins.ts'));

await esbuild.build({
  entryPoints: ['emu/cli/main.ts'],
  outfile: 'dist/vmlab.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  define: { __VMLAB_DRIVERS__: JSON.stringify(drivers) },
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __vmlabCreateRequire } from 'node:module';\nconst require = __vmlabCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync('dist/vmlab.mjs', 0o755);
