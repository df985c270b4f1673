// Builds the browser lab (docs/web.md) into web/dist (or --out DIR), a static site:
//   index.html, page.js, page.css  the page: xterm.js terminal and the views
//   worker.js                      the machine, kernel, shell and built-in
//                                  drivers and programs, in a Web Worker
// `npm run build:web`. The worker is bundled for platform 'browser' and the
// build FAILS if any Node built-in is reachable from its entry, naming the
// chain of imports that reaches it.
//
// The host seam: a few files are the one place their layer touches the host
// (host files, module compiler, terminal output, the shipped programs); for
// the worker each is replaced by its browser twin under web/host/ (TWINS).
// The built-in drivers are compiled here (scripts/driver-sources.mjs, as for
// dist/vmlab.mjs) and the shell's programs are the ones `vmlab shell`
// installs (assembled guest-programs/programs/*.s and the prebuilt lab ELFs
// of guest-programs/labs/bin), made here and bundled.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileDrivers, portedDrivers } from './driver-sources.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Source file (from the root) -> its browser twin, for every importer. */
export const TWINS = {
  'host/files.ts': 'web/host/files.ts',
  'host/event-loop.ts': 'web/host/event-loop.ts',
  'host/bytes.ts': 'web/host/bytes.ts',
  'kernel-ts/module/compile.ts': 'web/host/module-compile.ts',
  'kernel-ts/module/typecheck.ts': 'web/host/module-typecheck.ts',
  'emu/cli/output.ts': 'web/host/output.ts',
  'emu/cli/run.ts': 'web/host/run.ts',
  'emu/cli/shell-programs.ts': 'web/host/shell-programs.ts',
  'emu/cli/builtins.ts': 'web/host/builtins.ts',
};

/** A Node built-in imported by one named file -> its browser twin (only there). */
export const BUILTIN_TWINS = {
  'kernel-ts/module/watchdog.ts node:vm': 'web/host/vm.ts',
};

/** Node's globals that browsers lack: a use in the worker is renamed to NODE_GLOBAL + name (esbuild define) and reported. */
const NODE_GLOBALS = ['process', 'Buffer', 'setImmediate', 'clearImmediate', 'global', 'require'];
const NODE_GLOBAL = '__vmlab_node_global_';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Whether an import specifier names a Node built-in module (fs, node:fs, fs/promises, ...). */
export function isNodeBuiltin(spec) {
  return spec.startsWith('node:') || NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]);
}

/**
 * The esbuild plugin of the host seam: twins substituted, and every other
 * Node built-in recorded in `reached` (importer, specifier) and left
 * external, so that the caller can name the chain and fail.
 */
function hostSeam(root, reached) {
  return {
    name: 'vmlab-host-seam',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const importer = args.importer ? relative(root, args.importer).split('\\').join('/') : '';
        if (isNodeBuiltin(args.path)) {
          const twin = BUILTIN_TWINS[`${importer} ${args.path.startsWith('node:') ? args.path : `node:${args.path}`}`];
          if (twin) return { path: join(root, twin) };
          reached.push({ importer, spec: args.path });
          return { path: args.path, external: true };
        }
        if (!args.path.startsWith('.')) return undefined;
        const base = relative(root, resolve(args.resolveDir, args.path)).split('\\').join('/');
        for (const cand of [base, `${base}.ts`, `${base}/index.ts`]) {
          if (TWINS[cand]) return { path: join(root, TWINS[cand]) };
        }
        return undefined;
      });
    },
  };
}

/** The chain of imports from `entry` to `target` in an esbuild metafile (breadth first), as paths. */
function importChain(metafile, entry, target) {
  const prev = new Map([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const f = queue.shift();
    if (f === target) break;
    for (const imp of metafile.inputs[f]?.imports ?? []) {
      if (imp.external || prev.has(imp.path)) continue;
      prev.set(imp.path, f);
      queue.push(imp.path);
    }
  }
  const chain = [];
  for (let f = target; f !== null && f !== undefined; f = prev.get(f)) chain.unshift(f);
  return chain;
}

/**
 * Bundles worker entry `entry` (from root) for the browser into `outfile`:
 * { ok: true } or { ok: false, errors: [line...] } naming each Node
 * built-in reached and how ("node:fs <- host/x.ts <- ... <- entry").
 */
export async function bundleWorker({ root = ROOT, entry, outfile, define = {}, write = true, minify = false }) {
  const reached = [];
  const r = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    write,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    metafile: true,
    minify,
    sourcemap: write ? 'linked' : false,
    define: { ...Object.fromEntries(NODE_GLOBALS.map((g) => [g, NODE_GLOBAL + g])), ...define },
    plugins: [hostSeam(root, reached)],
    logLevel: 'silent',
  });
  const errors = reached.map(({ importer, spec }) => `${spec} <- ${importChain(r.metafile, entry, importer).reverse().join(' <- ')}`);
  errors.push(...nodeGlobalsUsed(r.outputFiles?.find((f) => f.path.endsWith('.js'))?.text ?? readFileSync(resolve(root, outfile), 'utf8')));
  if (errors.length === 0) return { ok: true, bytes: Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0) };
  return { ok: false, errors: [...new Set(errors)] };
}

/** Each use of a Node global in bundle `text`: "Buffer (global) in FILE", FILE from the bundle's `// FILE` module comments. */
function nodeGlobalsUsed(text) {
  const out = [];
  let file = '?';
  for (const line of text.split('\n')) {
    const m = /^\s*\/\/ (\S+\.[mc]?[jt]s)$/.exec(line);
    if (m) file = m[1];
    for (const g of line.matchAll(new RegExp(`${NODE_GLOBAL}(\\w+)`, 'g'))) out.push(`${g[1]} (a Node global) in ${file}`);
  }
  return [...new Set(out)];
}

/** The programs `vmlab shell` installs, as bytes: { name: base64 } (emu/cli/shell-programs.ts, run here under Node). */
async function shellPrograms(root) {
  // Inside the tree, so that its packages resolve from node_modules; one per build process.
  const out = join(root, 'web', `.programs-${process.pid}.mjs`);
  await esbuild.build({
    absWorkingDir: root,
    stdin: {
      // With each program, the source files its line table names (the CPU view's source lines).
      contents: "import { installPrograms } from './emu/cli/shell-programs';\nimport { readElf } from './asm/elf-read';\nimport { lineRows } from './asm/dwarf-line';\nexport function programs() { const o = {}; const files = new Set(); const errs = []; installPrograms({ vfs: { addExecutable: (p, elf) => { o[p.replace('/bin/', '')] = Buffer.from(elf).toString('base64'); const r = readElf(elf); if (r.ok && r.elf.debugLine !== undefined && r.elf.debugLine.ok) for (const row of lineRows(r.elf.debugLine.tables)) files.add(row.file); } } }, (s) => errs.push(s)); return { o, files: [...files], errs }; }\n",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  const { programs } = await import(pathToFileURL(out).href);
  rmSync(out);
  const { o, files, errs } = programs();
  if (errs.length > 0) throw new Error(`build-web: programs not built:\n${errs.join('')}`);
  return { programs: o, sources: programSources(root, files) };
}

/** The text of each source file (of this tree only) a program's line table names, by the name the table gives it. */
function programSources(root, files) {
  const out = {};
  for (const f of files) {
    const path = resolve(root, f);
    if (relative(root, path).startsWith('..') || !existsSync(path)) continue;
    out[f] = readFileSync(path, 'utf8');
  }
  return out;
}

/** docs/labs/<lab>/README.md of every lab folder, by folder name. */
function labReadmes(root) {
  const dir = join(root, 'docs', 'labs');
  const out = {};
  for (const lab of readdirSync(dir)) if (existsSync(join(dir, lab, 'README.md'))) out[lab] = readFileSync(join(dir, lab, 'README.md'), 'utf8');
  return out;
}

async function main() {
  const at = process.argv.indexOf('--out');
  const dist = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(ROOT, 'web', 'dist');
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  const drivers = compileDrivers(esbuild, join(ROOT, 'kernel-ts', 'drivers'), portedDrivers(join(ROOT, 'emu', 'cli', 'builtins.ts')));
  const { programs, sources } = await shellPrograms(ROOT);
  const worker = await bundleWorker({
    entry: 'web/worker/main.ts',
    outfile: join(dist, 'worker.js'),
    define: { __VMLAB_DRIVERS__: JSON.stringify(drivers), __VMLAB_WEB_PROGRAMS__: JSON.stringify(programs), __VMLAB_WEB_SOURCES__: JSON.stringify(sources) },
  });
  if (!worker.ok) {
    process.stderr.write(`build-web: the worker reaches Node built-ins (the browser has none):\n${worker.errors.map((e) => `  ${e}\n`).join('')}`);
    process.exit(1);
  }
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['web/page/main.ts'],
    outfile: join(dist, 'page.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: 'linked',
    loader: { '.css': 'css' },
    // The guided labs' text (web/page/labs.ts): each lab's README.
    define: { __VMLAB_LAB_READMES__: JSON.stringify(labReadmes(ROOT)) },
    logLevel: 'warning',
  });
  copyFileSync(join(ROOT, 'web', 'page', 'index.html'), join(dist, 'index.html'));
  process.stdout.write(`build-web: ${relative(ROOT, dist) || '.'} (worker ${(worker.bytes / 1024).toFixed(0)} KiB; ${Object.keys(drivers).length} drivers, ${Object.keys(programs).length} programs)\n`);
}

if (process.argv[1] && existsSync(process.argv[1]) && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
