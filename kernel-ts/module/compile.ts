// Module code: compiled with esbuild (bundled, CommonJS, so it loads
// synchronously inside insmod) and evaluated once per insmod.
//
// A module file (`insmod PATH`) and a built-in driver given as source
// (builtin.ts) are compiled the same way: the file and its own helpers are
// bundled, and `vmlab/linux` stays EXTERNAL: it is answered at evaluation by
// the `require` each load gets, with the namespace makeLinux built for that
// load (linux/index.ts), so two loads never share state. `vmlab/module` (the
// older default-export KernelModule form) and `vmlab/errno` still resolve to
// kernel-ts/module/api.ts and kernel-ts/errno.ts.
//
// The compiled text is evaluated with node:vm's compileFunction under a
// script name of its own (`vmlab-module/NAME/N`, never a host path): V8's
// frames carry it, and the oops's Call Trace maps them back to the module
// (proc/kallsyms.ts).
//
// esbuild is a run-time dependency of vmlab, loaded with Node's require when
// the first module is compiled (its API must not be bundled into the CLI).
// If it cannot be loaded the compile fails with one diagnostic line (insmod:
// -ENOEXEC); the loader is a parameter so that a test can make it fail.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFunction } from 'node:vm';
import { statHostFile } from '../../host/files';
import { LINUX_SPECIFIER, MODULE_WRAPPER_PARAMS, runModuleFunction } from './evaluate';
import type { LoopTick, ModuleFunction } from './evaluate';

/** What compiling module code gave: the CommonJS text to evaluate; or diagnostics (none: no such file). */
export type CompileResult = { ok: true; code: string } | { ok: false; messages: string[] };

/**
 * Runs module code (here: the file's top level) under the soft-lockup
 * bound: the loader's Watchdog.bounded.
 */
export type BoundedRun = <T>(where: string, fn: () => T) => T;

/** Compiles a module file (the loader's seam: compileModuleFile, or a test's). */
export type ModuleCompiler = (path: string) => CompileResult;

export { LINUX_SPECIFIER };

type Esbuild = typeof import('esbuild');

const nodeRequire = createRequire(import.meta.url);

/** esbuild's API, from the node_modules of this installation; throws when it is not installed. */
export function requireEsbuild(): Esbuild {
  return nodeRequire('esbuild') as Esbuild;
}

/** The kernel-ts directory of this installation (this file's, or found above dist/ when bundled). */
export function kernelTsDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'module', 'api.ts'))) return dir;
    if (existsSync(join(dir, 'kernel-ts', 'module', 'api.ts'))) return join(dir, 'kernel-ts');
    dir = dirname(dir);
  }
  return null;
}

/**
 * Compiles module file `path` (as the user gave it) to CommonJS text;
 * diagnostics as `file:line:col: error: text`, no messages if there is no such file.
 */
export function compileModuleFile(path: string, loadEsbuild: () => Esbuild = requireEsbuild): CompileResult {
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
  return bundleModule(esbuild, file, path);
}

/** esbuild's bundle of entry `file` with vmlab/linux external; messages name `given` for the entry. */
export function bundleModule(esbuild: Esbuild, file: string, given: string): CompileResult {
  const kdir = kernelTsDir();
  const alias: Record<string, string> = kdir
    ? { 'vmlab/module': join(kdir, 'module', 'api.ts'), 'vmlab/errno': join(kdir, 'errno.ts') }
    : {};
  try {
    const r = esbuild.buildSync({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      alias,
      external: [LINUX_SPECIFIER],
      // Cut off and decoded by the loader (sourcemap.ts): BUG and WARN name the file's own lines.
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    return { ok: true, code: r.outputFiles[0]!.text };
  } catch (e) {
    const errors = (e as { errors?: import('esbuild').Message[] }).errors;
    if (!errors) return { ok: false, messages: [`${given}: ${e instanceof Error ? e.message : String(e)}`] };
    return { ok: false, messages: errors.map((m) => formatMessage(m, file, given)) };
  }
}

/**
 * Evaluates compiled module code once (evaluate.ts runModuleFunction): its
 * frames carry `script` as their file name (node:vm compileFunction).
 */
export function evaluateModule(code: string, script: string, linux: () => unknown, loop: LoopTick): { exports: Record<string, unknown>; usedLinux: boolean } {
  const fn = compileFunction(code, [...MODULE_WRAPPER_PARAMS], { filename: script }) as ModuleFunction;
  return runModuleFunction(fn, script, linux, loop);
}

/** esbuild's message as FILE:LINE:COL: error: TEXT, the module file named as the user gave it. */
function formatMessage(m: import('esbuild').Message, file: string, given: string): string {
  const loc = m.location;
  if (!loc) return `${given}: error: ${m.text}`;
  const abs = resolve(loc.file);
  return `${abs === file ? given : abs}:${loc.line}:${loc.column + 1}: error: ${m.text}`;
}
