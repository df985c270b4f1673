// Where the guest programs that ship with vmlab are: found from this module,
// which is emu/cli/ in the source tree and dist/ when bundled.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors';

/** The absolute path of guest-programs/<sub>. */
export function guestProgramsDir(sub: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'guest-programs', sub);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new UserError(`cannot find guest-programs/${sub} next to the vmlab installation`);
}
