// The built-in modules (`insmod NAME`), as the code that assembles a system
// (the CLI, a test's kernel) hands them to the loader: the kernel itself
// imports no driver. A built-in is a driver's source, loaded exactly as a
// module file is (compile.ts: compiled with `vmlab/linux` external,
// evaluated once per insmod), from
//   - its file, kernel-ts/drivers/NAME.ts, compiled on its first load (the
//     text is kept: later loads only evaluate it), when vmlab runs from its
//     sources (vitest, tsx); or
//   - the text scripts/build.mjs compiled into dist/vmlab.mjs.
// Built-ins are not type-checked at insmod: `npm test`'s tsc checks them.
//
// TRANSITION (issue 13): drivers not yet written against vmlab/linux are
// handed over as the KernelModule object they default-export (imported by
// the CLI, not by the kernel); the loader takes both until every driver is ported.
import type { KernelModule } from './api';
import { bundleModule, requireEsbuild } from './compile';
import type { CompileResult } from './compile';

/** A built-in driver as source: its compiled CommonJS text, made on the first load. */
export class BuiltinSource {
  private compiled: CompileResult | null;

  private constructor(
    /** The driver's file (null for a precompiled one). */
    readonly path: string | null,
    code: string | null,
    private readonly loadEsbuild = requireEsbuild,
  ) {
    this.compiled = code === null ? null : { ok: true, code };
  }

  /** The driver at `path` (a .ts file using only vmlab/linux and its own helpers), compiled when first loaded. */
  static file(path: string, loadEsbuild = requireEsbuild): BuiltinSource {
    return new BuiltinSource(path, null, loadEsbuild);
  }

  /** A driver compiled already (scripts/build.mjs): its CommonJS text. */
  static precompiled(code: string): BuiltinSource {
    return new BuiltinSource(null, code);
  }

  /** How many times this source was compiled (1 at most when it compiled; a test reads it). */
  compiles = 0;

  /** The compiled text (cached), or the compiler's diagnostics (not cached: a fixed file compiles next time). */
  code(): CompileResult {
    if (this.compiled !== null) return this.compiled;
    const path = this.path!;
    let r: CompileResult;
    try {
      r = bundleModule(this.loadEsbuild(), path, path);
    } catch (e) {
      r = { ok: false, messages: [`${path}: cannot compile: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`] };
    }
    this.compiles++;
    if (r.ok) this.compiled = r;
    return r;
  }
}

/** A built-in module: a driver's source, or (TRANSITION) the KernelModule object of a driver not yet ported. */
export type BuiltinModule = BuiltinSource | KernelModule;

/** The built-in modules by name (what `insmod NAME` and `modinfo` find). */
export type BuiltinModules = ReadonlyMap<string, BuiltinModule>;
