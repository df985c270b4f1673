// The ported built-in drivers, compiled for dist/vmlab.mjs: scripts/build.mjs
// embeds each one's CommonJS text (esbuild `define` __VMLAB_DRIVERS__), and
// the CLI hands it to the loader (emu/cli/builtins.ts driverSource). The
// options are kernel-ts/module/compile.ts bundleModule's: a driver compiled
// here is the text a source run compiles at its first insmod
// (tests/scripts/driver-sources.test.ts compares them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The names in emu/cli/builtins.ts's PORTED_DRIVERS array literal. */
export function portedDrivers(builtinsTs) {
  const m = /export const PORTED_DRIVERS: readonly string\[\] = \[([^\]]*)\];/.exec(readFileSync(builtinsTs, 'utf8'));
  if (!m) throw new Error(`${builtinsTs}: no PORTED_DRIVERS array literal`);
  return [...m[1].matchAll(/'([A-Za-z0-9_-]+)'/g)].map((x) => x[1]);
}

/** Each driver NAME of `names`, from `dir`/NAME.ts, compiled: { NAME: text }. Throws with esbuild's messages. */
export function compileDrivers(esbuild, dir, names) {
  const out = {};
  for (const name of names) {
    const r = esbuild.buildSync({
      entryPoints: [join(dir, `${name}.ts`)],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vmlab/linux'],
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    out[name] = r.outputFiles[0].text;
  }
  return out;
}
