// kernel-ts/module/compile.ts in the browser build (scripts/build-web.mjs
// substitutes this file for it). There is no module compiler in the page
// (esbuild's API is Node's), so `insmod FILE` is refused with one line; the
// built-in drivers come compiled (builtins.ts here). Their code is evaluated
// with the Function constructor, the script name given as its sourceURL.
import { LINUX_SPECIFIER, MODULE_WRAPPER_PARAMS, runModuleFunction } from '../../kernel-ts/module/evaluate';
import type { LoopTick, ModuleFunction } from '../../kernel-ts/module/evaluate';

export { LINUX_SPECIFIER };

/** What compiling module code gave (compile.ts). */
export type CompileResult = { ok: true; code: string } | { ok: false; messages: string[] };
export type BoundedRun = <T>(where: string, fn: () => T) => T;
export type ModuleCompiler = (path: string) => CompileResult;

export function requireEsbuild(): never {
  throw new Error('esbuild, the module compiler, does not run in the browser');
}

/** No kernel-ts directory in a page. */
export function kernelTsDir(): string | null {
  return null;
}

/** A module file: refused (there are no host files in a page). */
export function compileModuleFile(path: string): CompileResult {
  return { ok: false, messages: [`${path}: module files cannot be compiled in the browser (the built-in drivers load: insmod NAME)`] };
}

export function bundleModule(_esbuild: unknown, _file: string, given: string): CompileResult {
  return compileModuleFile(given);
}

/** Evaluates compiled module code once (evaluate.ts runModuleFunction). */
export function evaluateModule(code: string, script: string, linux: () => unknown, loop: LoopTick): { exports: Record<string, unknown>; usedLinux: boolean } {
  const fn = new Function(...MODULE_WRAPPER_PARAMS, `${code}\n//# sourceURL=${script}`) as ModuleFunction;
  return runModuleFunction(fn, script, linux, loop);
}
