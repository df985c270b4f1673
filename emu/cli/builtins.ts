// The built-in modules of a vmlab system: the CLI hands them to the kernel
// (KernelOptions.builtinModules), which imports no driver itself.
//
// Each driver is written against vmlab/linux (kernel-ts/drivers/NAME.ts
// importing only 'vmlab/linux' and its own helpers), listed in
// PORTED_DRIVERS and loaded from its source as a student's module is: the
// text scripts/build.mjs compiled into dist/vmlab.mjs, or, run from the
// sources (vitest, tsx), the file compiled at its first insmod
// (module/builtin.ts).
import { join } from 'node:path';
import { BuiltinSource } from '../../kernel-ts/module/builtin';
import type { BuiltinModule, BuiltinModules } from '../../kernel-ts/module/builtin';
import { kernelTsDir } from '../../kernel-ts/module/compile';

/**
 * The drivers loaded from source (scripts/build.mjs reads this list: keep it
 * one array literal of names, each kernel-ts/drivers/NAME.ts).
 */
export const PORTED_DRIVERS: readonly string[] = ['physicalview', 'memalloc', 'memaccess', 'mtest', 'mmapper', 'btplus'];

/** Set by scripts/build.mjs (esbuild `define`): the compiled text of each ported driver. */
declare const __VMLAB_DRIVERS__: Readonly<Record<string, string>> | undefined;

/** Driver NAME's source: precompiled in dist, else kernel-ts/drivers/NAME.ts (compiled at its first load). */
export function driverSource(name: string, precompiled: Readonly<Record<string, string>> | undefined = typeof __VMLAB_DRIVERS__ === 'undefined' ? undefined : __VMLAB_DRIVERS__): BuiltinSource {
  const code = precompiled?.[name];
  if (code !== undefined) return BuiltinSource.precompiled(code);
  return BuiltinSource.file(join(kernelTsDir() ?? 'kernel-ts', 'drivers', `${name}.ts`));
}

let builtins: BuiltinModules | null = null;

/** The built-in modules, made once per process (a driver's source is compiled once, whatever the number of kernels). */
export function builtinModules(): BuiltinModules {
  return (builtins ??= new Map<string, BuiltinModule>([
    ...PORTED_DRIVERS.map((n): [string, BuiltinSource] => [n, driverSource(n)]),
  ]));
}
