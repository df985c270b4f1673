// <linux/export.h> for one load of a module (include/export.d.ts): the
// kernel's table of exported symbols, one per kernel. A symbol belongs to its
// module while that module is live (kernel.modules.find(name) is it): a
// module that failed its init or was removed leaves a stale entry, which the
// next lookup ignores and the next EXPORT_SYMBOL of the name replaces.
import type { Kernel } from '../../kernel';
import type { LoadedModule } from '../context';
import type { LinuxEnv } from './env';
import type * as ExportH from './include/export';

interface KernelSymbol {
  readonly owner: LoadedModule;
  readonly value: unknown;
}

const symbolTables = new WeakMap<Kernel, Map<string, KernelSymbol>>();

function table(k: Kernel): Map<string, KernelSymbol> {
  let t = symbolTables.get(k);
  if (t === undefined) symbolTables.set(k, (t = new Map()));
  return t;
}

/** The symbol `name` if its module is live. */
function live(k: Kernel, name: string): KernelSymbol | null {
  const s = table(k).get(name);
  return s !== undefined && k.modules.find(s.owner.name) === s.owner ? s : null;
}

export function exportApi(env: LinuxEnv): typeof ExportH {
  const { kernel: k, module: m } = env;
  return {
    EXPORT_SYMBOL(name, value) {
      if (!m.decl.loading) throw new Error('EXPORT_SYMBOL: only at the top level of the module file (while insmod loads it)');
      if (typeof name !== 'string' || name === '') throw new Error('EXPORT_SYMBOL: a symbol name is expected');
      m.decl.used = true;
      const other = live(k, name);
      if (other !== null) {
        k.printk.log(`${m.name}: exports duplicate symbol ${name} (owned by ${other.owner.name})`);
        throw new Error(`EXPORT_SYMBOL: ${name} is exported by ${other.owner.name} already`);
      }
      table(k).set(name, { owner: m, value });
    },
    symbol_get<T>(name: string): T | null {
      const s = live(k, name);
      if (s === null) return null;
      s.owner.symbolRefs++;
      return s.value as T;
    },
    symbol_put(name) {
      const s = live(k, name);
      if (s === null || s.owner.symbolRefs === 0) throw new Error(`symbol_put: no reference on ${name} to drop`);
      s.owner.symbolRefs--;
    },
  };
}
