// The built-in modules of a vmlab system: the CLI hands them to the kernel
// (KernelOptions.builtinModules), which imports no driver itself.
//
// A driver written against vmlab/linux (kernel-ts/drivers/NAME.ts importing
// only 'vmlab/linux' and its own helpers) is listed in PORTED_DRIVERS and
// loaded from its source: the text scripts/build.mjs compiled into
// dist/vmlab.mjs, or, run from the sources (vitest, tsx), the file compiled
// at its first insmod (module/builtin.ts).
//
// TRANSITION (issue 13): the drivers not ported yet are handed over as the
// KernelModule they default-export, imported here. Porting a driver moves
// its name from the imports below to PORTED_DRIVERS; the last port deletes
// the imports (and tests/architecture's list of allowed exceptions).
import { join } from 'node:path';
import type { KernelModule } from '../../kernel-ts/module/api';
import { BuiltinSource } from '../../kernel-ts/module/builtin';
import type { BuiltinModule, BuiltinModules } from '../../kernel-ts/module/builtin';
import { kernelTsDir } from '../../kernel-ts/module/compile';
import btplus from '../../kernel-ts/drivers/btplus';
import mmapper from '../../kernel-ts/drivers/mmapper';
import mtest from '../../kernel-ts/drivers/mtest';

/**
 * The drivers loaded from source (scripts/build.mjs reads this list: keep it
 * one array literal of names, each kernel-ts/drivers/NAME.ts).
 */
export const PORTED_DRIVERS: readonly string[] = ['physicalview', 'memalloc', 'memaccess'];

/** TRANSITION: the drivers not yet ported, as KernelModule objects. */
const LEGACY_DRIVERS: readonly KernelModule[] = [mtest, mmapper, btplus];

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
    ...LEGACY_DRIVERS.map((m): [string, KernelModule] => [m.name, m]),
    ...PORTED_DRIVERS.map((n): [string, BuiltinSource] => [n, driverSource(n)]),
  ]));
}
