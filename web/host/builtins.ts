// emu/cli/builtins.ts in the browser build (scripts/build-web.mjs substitutes
// this file for it): the built-in drivers, each compiled at build time (the
// text scripts/build.mjs puts in dist/vmlab.mjs: __VMLAB_DRIVERS__).
import { BuiltinSource } from '../../kernel-ts/module/builtin';
import type { BuiltinModule, BuiltinModules } from '../../kernel-ts/module/builtin';

declare const __VMLAB_DRIVERS__: Readonly<Record<string, string>>;

/** The built-in modules: every precompiled driver. */
export function builtinModules(): BuiltinModules {
  return new Map<string, BuiltinModule>(Object.entries(__VMLAB_DRIVERS__).map(([n, code]): [string, BuiltinModule] => [n, BuiltinSource.precompiled(code)]));
}
