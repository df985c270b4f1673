// makeLinux: the `vmlab/linux` namespace one loaded module sees. Each area of
// the surface is declared in include/<area>.d.ts and implemented by
// <area>.ts as `<area>Api(env)`, typed as that declaration; the spread below
// is checked against linux.d.ts as a whole, so nothing declared can be left
// unimplemented.
import type * as Linux from './linux';
import type { LinuxEnv } from './env';
import { bugApi } from './bug';
import { errnoApi } from './errno';
import { printkApi } from './printk';
import { uaccessApi } from './uaccess';
import { hugeMmApi } from './huge_mm';
import { ioApi } from './io';
import { pageApi } from './page';
import { pgtableApi } from './pgtable';
import { tlbflushApi } from './tlbflush';
import { slabApi } from './slab';
import { vmallocApi } from './vmalloc';

/** The value of `import * as linux from 'vmlab/linux'`. */
export type LinuxApi = typeof Linux;

export function makeLinux(env: LinuxEnv): LinuxApi {
  return {
    // one line per include/ file
    ...bugApi(env),
    ...errnoApi(env),
    ...printkApi(env),
    ...uaccessApi(env),
    ...pageApi(env),
    ...slabApi(env),
    ...vmallocApi(env),
    ...ioApi(env),
    ...pgtableApi(env),
    ...tlbflushApi(env),
    ...hugeMmApi(env),
  };
}
