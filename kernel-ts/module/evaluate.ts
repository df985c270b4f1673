// One load of compiled module code, whatever made its function: the host
// (compile.ts: node:vm's compileFunction, so V8's frames carry the script
// name; the browser's twin: the Function constructor with a sourceURL).
// The module's `require` answers only vmlab/linux.

/** The specifier a module imports the kernel API from (resolved per load). */
export const LINUX_SPECIFIER = 'vmlab/linux';

/** The CommonJS wrapper's parameters, in order, and the loop counter the loader's rewrite calls (loops.ts LOOP_TICK). */
export const MODULE_WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname', '__vmlab_loop'] as const;

/** What each loop iteration of module code calls (watchdog.ts Watchdog.loop); `of` wraps a for-of's iterable. */
export type LoopTick = (() => void) & { of<V>(it: Iterable<V>): Iterable<V> };

/** A module's compiled CommonJS text as a function of MODULE_WRAPPER_PARAMS. */
export type ModuleFunction = (exports: unknown, require: unknown, module: unknown, filename: string, dirname: string, loop: LoopTick) => unknown;

/**
 * Runs `fn` once (one load): its top level runs, its `require('vmlab/linux')`
 * gets linux() (built on the first require), and nothing else can be
 * required (a module reaches the host only through the kernel); its loops
 * (rewritten by loops.ts) call `loop`. Returns
 * module.exports and whether vmlab/linux was required.
 */
export function runModuleFunction(fn: ModuleFunction, script: string, linux: () => unknown, loop: LoopTick): { exports: Record<string, unknown>; usedLinux: boolean } {
  const module = { exports: {} as Record<string, unknown> };
  let ns: unknown = null;
  const require = (id: string): unknown => {
    if (id === LINUX_SPECIFIER) return (ns ??= linux());
    throw new Error(`Cannot find module '${id}': a module imports only from '${LINUX_SPECIFIER}' and its own files`);
  };
  fn.call(module.exports, module.exports, require, module, script, script.slice(0, Math.max(0, script.lastIndexOf('/'))) || '.', loop);
  return { exports: module.exports, usedLinux: ns !== null };
}
