// The built-in modules: `insmod NAME` finds them here (a path loads a
// module file instead). Each driver is one file using only the module API
// (kernel-ts/module/api.ts).
import type { KernelModule } from '../module/api';
import btplus from './btplus';
import memaccess from './memaccess';
import memalloc from './memalloc';
import mmapper from './mmapper';
import mtest from './mtest';
import physicalview from './physicalview';

export const BUILTIN_MODULES: ReadonlyMap<string, KernelModule> = new Map(
  [physicalview, mtest, memalloc, memaccess, mmapper, btplus].map((m) => [m.name, m]),
);
