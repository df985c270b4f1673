// <linux/module.h> and <linux/moduleparam.h> for one load of a module file
// (include/module.d.ts): module_init & co. record what the file's top level
// declares in the LoadedModule (context.ts ModuleDecl); the loader reads it
// once the top level has run. module_param answers at once with the value
// insmod gave, so a top-level `const x = module_param(...)` reads as C's
// `static int x = ...; module_param(x, int, 0444);` after parse_args.
import type { ParamType, ParamValue } from '../api';
import type { ModuleDecl } from '../context';
import { parseParamValue } from '../params';
import type { LinuxEnv } from './env';
import type * as ModuleH from './include/module';

const PARAM_TYPES: readonly ParamType[] = ['int', 'uint', 'long', 'ulong', 'charp', 'bool'];

/** parameq(): '-' and '_' are the same character in parameter names. */
function canon(name: string): string {
  return name.replace(/-/g, '_');
}

/** A default in the JS type of its parameter type, or null if it has the wrong type. */
function defaultOf(type: ParamType, value: unknown): ParamValue | null {
  switch (type) {
    case 'int':
    case 'uint':
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'long':
    case 'ulong':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      return typeof value === 'bigint' ? value : null;
    case 'charp':
      return typeof value === 'string' ? value : null;
    case 'bool':
      return typeof value === 'boolean' ? value : null;
  }
}

export function moduleApi(env: LinuxEnv): typeof ModuleH {
  const m = env.module;
  const decl: ModuleDecl = m.decl;
  /** The declaration macros are top-level statements: afterwards (from init, a fop) they are a bug of the module. */
  const declare = (what: string): void => {
    if (!decl.loading) throw new Error(`${what}: only at the top level of the module file (while insmod loads it)`);
    decl.used = true;
  };
  const once = (what: string, present: boolean): void => {
    declare(what);
    if (present) throw new Error(`${what}: given twice`);
  };
  const text = (what: string, v: unknown): string => {
    if (typeof v !== 'string') throw new Error(`${what}: a string is expected, not ${typeof v}`);
    return v;
  };
  return {
    get THIS_MODULE() {
      return m.thisModule;
    },
    module_init(fn) {
      once('module_init', decl.init !== undefined);
      if (typeof fn !== 'function') throw new Error('module_init: a function is expected');
      decl.init = fn;
    },
    module_exit(fn) {
      once('module_exit', decl.exit !== undefined);
      if (typeof fn !== 'function') throw new Error('module_exit: a function is expected');
      decl.exit = fn;
    },
    MODULE_LICENSE(license) {
      once('MODULE_LICENSE', decl.license !== undefined);
      decl.license = text('MODULE_LICENSE', license);
    },
    MODULE_AUTHOR(author) {
      declare('MODULE_AUTHOR');
      // Linux allows several MODULE_AUTHOR lines; modinfo lists each.
      const a = text('MODULE_AUTHOR', author);
      decl.author = decl.author === undefined ? a : `${decl.author}, ${a}`;
    },
    MODULE_DESCRIPTION(description) {
      once('MODULE_DESCRIPTION', decl.description !== undefined);
      decl.description = text('MODULE_DESCRIPTION', description);
    },
    MODULE_PARM_DESC(name, description) {
      declare('MODULE_PARM_DESC');
      const spec = decl.params[text('MODULE_PARM_DESC', name)];
      if (spec === undefined) throw new Error(`MODULE_PARM_DESC: no parameter '${name}' declared (module_param first)`);
      decl.params[name] = { ...spec, description: text('MODULE_PARM_DESC', description) };
    },
    module_param<T extends ModuleH.module_param_type>(
      name: string,
      type: T,
      value: T extends 'long' | 'ulong' ? bigint | number : ModuleH.module_param_types[T],
      perm: number,
      description?: string,
    ): ModuleH.module_param_types[T] {
      declare('module_param');
      if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`module_param: ${JSON.stringify(name)} is not a C identifier`);
      if (!PARAM_TYPES.includes(type)) throw new Error(`module_param ${name}: unknown type ${JSON.stringify(type)} (one of ${PARAM_TYPES.join(', ')})`);
      if (Object.keys(decl.params).some((p) => canon(p) === canon(name))) throw new Error(`module_param: '${name}' declared twice`);
      const dflt = defaultOf(type, value);
      if (dflt === null) throw new Error(`module_param ${name}: the default ${String(value)} is not a value of type ${type}`);
      decl.params[name] = { type, default: dflt, perm, ...(description === undefined ? {} : { description: text('module_param', description) }) };
      // parse_args: the last word naming the parameter wins; one that does not parse
      // fails the insmod afterwards (the loader's parseModuleParams), so the default stands in.
      let v: ParamValue = dflt;
      for (const word of m.args) {
        const eq = word.indexOf('=');
        if (canon(eq < 0 ? word : word.slice(0, eq)) !== canon(name)) continue;
        const parsed = parseParamValue(type, eq < 0 ? undefined : word.slice(eq + 1));
        if (parsed !== null) v = parsed;
      }
      return v as ModuleH.module_param_types[T];
    },
  };
}
