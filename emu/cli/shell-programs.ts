// The guest programs that ship with vmlab: every guest-programs/programs/*.s
// (a program with `main`, linked with the runtime library guest-programs/lib)
// is assembled once per vmlab process and installed as /bin/<basename> when
// the shell boots. Assembly failures are reported and the program left out.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Kernel } from '../../kernel-ts/kernel';
import { UserError } from './errors';
import { guestProgramsDir } from './paths';
import { loadProgram } from './run';

const cache = new Map<string, { mtimeMs: number; elf: Uint8Array }>();

/** The directory of shipped programs, or null if this installation has none. */
export function programsDir(): string | null {
  try {
    const d = guestProgramsDir('programs');
    return existsSync(d) ? d : null;
  } catch {
    return null;
  }
}

/** Assembles (or takes from the cache) one program source; null and a message on failure. */
export function assembleProgram(path: string, stderr: (s: string) => void): Uint8Array | null {
  const mtimeMs = statSync(path).mtimeMs;
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === mtimeMs) return hit.elf;
  const diags: string[] = [];
  try {
    const elf = loadProgram(path, [], (s) => diags.push(s)).elf;
    cache.set(path, { mtimeMs, elf });
    return elf;
  } catch (e) {
    if (e instanceof UserError) {
      // One line at boot; `run PATH` shows every diagnostic.
      const first = diags.join('').split('\n').find((l) => /error:/.test(l));
      stderr(`vmlab shell: ${basename(path)} not installed: ${first ?? e.message}\n`);
      return null;
    }
    throw e;
  }
}

/** Installs every shipped program as /bin/<name>; the names installed, sorted. */
export function installPrograms(k: Kernel, stderr: (s: string) => void): string[] {
  const dir = programsDir();
  if (dir === null) return [];
  const names: string[] = [];
  for (const f of readdirSync(dir).filter((x) => /\.s$/.test(x)).sort()) {
    const elf = assembleProgram(join(dir, f), stderr);
    if (elf === null) continue;
    const name = f.replace(/\.s$/, '');
    k.vfs.addExecutable(`/bin/${name}`, elf);
    names.push(name);
  }
  return names;
}
