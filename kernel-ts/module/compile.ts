// Module files: a .ts/.js file on the host that default-exports a
// KernelModule, compiled on the fly with esbuild (bundled, CommonJS, so it
// loads synchronously inside insmod) and evaluated in this process.
//
// `vmlab/module` (and `vmlab/errno`) resolve to kernel-ts/module/api.ts and
// kernel-ts/errno.ts: a module imports types from vmlab, errno constants if
// it likes, and reaches every kernel service through its ModuleContext.
//
// esbuild is a run-time dependency of vmlab, loaded with Node's require when
// the first module file is compiled (its API must not be bundled into the
// CLI). If it cannot be loaded the compile fails with one diagnostic line
// (insmod: -ENOEXEC); the loader is a parameter so that a test can make it fail.
import { existsSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelModule, ParamSpec } from './api';
import { describeThrown } from '../proc/oops';
import { statHostFile } from '../../host/files';

/**
 * What compiling a module file gave: the module, its code size and the code
 * as evaluated from `script` (the file name its stack frames carry, for the
 * oops's Call Trace); or diagnostics.
 */
export type CompileResult =
  | { ok: true; module: KernelModule; size: number; code: string; script: string }
  | { ok: false; messages: string[] };

/**
 * Runs module code (here: the file's top level and the reads of its
 * exports) under the soft-lockup bound: the loader's Watchdog.bounded.
 */
export type BoundedRun = <T>(where: string, fn: () => T) => T;

/** Compiles a module file (the loader's seam: compileModuleFile, or a test's). */
export type ModuleCompiler = (path: string, run?: BoundedRun) => CompileResult;

const unbounded: BoundedRun = (_where, fn) => fn();

type Esbuild = typeof import('esbuild');

const nodeRequire = createRequire(import.meta.url);

/** esbuild's API, from the node_modules of this installation; throws when it is not installed. */
export function requireEsbuild(): Esbuild {
  return nodeRequire('esbuild') as Esbuild;
}

/** The kernel-ts directory of this installation (this file's, or found above dist/ when bundled). */
function kernelTsDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'module', 'api.ts'))) return dir;
    if (existsSync(join(dir, 'kernel-ts', 'module', 'api.ts'))) return join(dir, 'kernel-ts');
    dir = dirname(dir);
  }
  return null;
}

/** Compiles and evaluates module file `path`; diagnostics as `file:line:col: error: text`. */
export function compileModuleFile(path: string, loadEsbuild: () => Esbuild = requireEsbuild, run: BoundedRun = unbounded): CompileResult {
  const file = resolve(path);
  if (!existsSync(file)) return { ok: false, messages: [] };
  // esbuild reads the file itself: refuse a device, FIFO or huge file before it does (host/files.ts).
  const st = statHostFile(file, 'a kernel module (.ts or .js)');
  if (!st.ok) return { ok: false, messages: [`${path}: ${st.reason}`] };
  let esbuild: Esbuild;
  try {
    esbuild = loadEsbuild();
  } catch (e) {
    // Node's "Cannot find module 'esbuild'" goes on with the require stack: its first line says it.
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return { ok: false, messages: [`${path}: cannot compile module files: esbuild, the module compiler, cannot be loaded (${why}); run npm install in vmlab's folder`] };
  }
  const kdir = kernelTsDir();
  const alias: Record<string, string> = kdir
    ? { 'vmlab/module': join(kdir, 'module', 'api.ts'), 'vmlab/errno': join(kdir, 'errno.ts') }
    : {};
  let code: string;
  try {
    const r = esbuild.buildSync({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      alias,
      logLevel: 'silent',
    });
    code = r.outputFiles[0]!.text;
  } catch (e) {
    const errors = (e as { errors?: import('esbuild').Message[] }).errors;
    if (!errors) return { ok: false, messages: [`${path}: ${e instanceof Error ? e.message : String(e)}`] };
    return { ok: false, messages: errors.map((m) => formatMessage(m, file, path)) };
  }
  // The file's top level and its exports are module code: bounded, and any throw (of anything) is a diagnostic.
  let found: { module: KernelModule; script: string } | null;
  try {
    found = run(`load [${basename(file)}]`, () => {
      const { exports, script } = evaluate(file, code);
      const m = snapshot(exports.default ?? exports);
      return m === null ? null : { module: m, script };
    });
  } catch (e) {
    return { ok: false, messages: [`${path}: ${describeThrown(e).text}`] };
  }
  if (found === null)
    return { ok: false, messages: [`${path}: does not default-export a KernelModule (an object with name and init)`] };
  return { ok: true, module: found.module, size: Buffer.byteLength(code), code, script: found.script };
}

/**
 * The module object as plain data read once (name, init, exit, params), so
 * that getters or Proxy traps of what the file exported run here, under the
 * bound, and never again from kernel code; null if it is not a KernelModule.
 */
function snapshot(exported: unknown): KernelModule | null {
  if (typeof exported !== 'object' || exported === null) return null;
  const m = exported as Partial<KernelModule>;
  const { name, init, exit, description, license } = m;
  if (typeof name !== 'string' || typeof init !== 'function') return null;
  let params: Record<string, ParamSpec> | undefined;
  if (m.params !== undefined && m.params !== null) {
    params = {};
    for (const key of Object.keys(m.params)) {
      const spec = m.params[key]!;
      params[key] = { type: spec.type, default: spec.default, description: spec.description };
    }
  }
  return {
    name,
    init: init.bind(m),
    ...(typeof exit === 'function' ? { exit: exit.bind(m) } : {}),
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof license === 'string' ? { license } : {}),
    ...(params ? { params } : {}),
  };
}

let scratch: string | null = null;
let loads = 0;

/**
 * Loads the compiled CommonJS through Node's require from a scratch file
 * (removed at once); its frames carry the scratch file's name, which the
 * oops's Call Trace maps back to the module (kallsyms.ts).
 */
function evaluate(file: string, code: string): { exports: Record<string, unknown>; script: string } {
  scratch ??= mkdtempSync(join(tmpdir(), 'vmlab-modules-'));
  const tmp = join(scratch, `${basename(file).replace(/\.[^.]*$/, '')}-${++loads}.cjs`);
  writeFileSync(tmp, code);
  try {
    return { exports: nodeRequire(tmp) as Record<string, unknown>, script: tmp };
  } finally {
    unlinkSync(tmp);
  }
}

/** esbuild's message as FILE:LINE:COL: error: TEXT, the module file named as the user gave it. */
function formatMessage(m: import('esbuild').Message, file: string, given: string): string {
  const loc = m.location;
  if (!loc) return `${given}: error: ${m.text}`;
  const abs = resolve(loc.file);
  return `${abs === file ? given : abs}:${loc.line}:${loc.column + 1}: error: ${m.text}`;
}

