// kernel-ts/module/typecheck.ts in the browser build (scripts/build-web.mjs
// substitutes this file for it): no TypeScript compiler in a page. Nothing is
// checked; module files are refused by the compile step (module-compile.ts).

/** Whether a module file is type-checked (typecheck.ts's rule). */
export function isTypeScriptFile(path: string): boolean {
  return /\.m?ts$/.test(path);
}

export function requireTypeScript(): never {
  throw new Error('the TypeScript compiler does not run in the browser');
}

/** A checker that finds nothing to say: compileModuleFile refuses the file next. */
export class ModuleTypeChecker {
  check(_path: string): string[] {
    return [];
  }
}

const shared = new ModuleTypeChecker();

export function sharedTypeChecker(): ModuleTypeChecker {
  return shared;
}
