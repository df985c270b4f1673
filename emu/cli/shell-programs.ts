// The guest programs that ship with vmlab: every guest-programs/programs/*.s
// (a program with `main`, linked with the runtime library guest-programs/lib)
// is assembled once per vmlab process and installed as /bin/<basename> when
// the shell boots. Assembly failures are reported and the program left out.
// The labs' C programs come prebuilt (guest-programs/labs/bin, made by
// `vmlab cc`; guest-programs/prebuilt.json) and are installed as they are.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readHostBytes } from '../../host/files';
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

/** The prebuilt lab ELFs (guest-programs/labs/bin): name -> path; empty if this installation has none. */
export function prebuiltLabs(): Map<string, string> {
  let dir: string;
  try {
    dir = guestProgramsDir(join('labs', 'bin'));
  } catch {
    return new Map();
  }
  return new Map(readdirSync(dir).sort().map((f) => [f, join(dir, f)]));
}

/** A prebuilt lab ELF's bytes (host/files.ts's road), or null and one line on stderr. */
function readLab(path: string, stderr: (s: string) => void): Uint8Array | null {
  const r = readHostBytes(path, 'a prebuilt ELF');
  if (r.ok) return r.value;
  stderr(`vmlab shell: ${basename(path)} not installed: ${r.reason}\n`);
  return null;
}

/**
 * Installs every shipped program as /bin/<name>: the assembly ones in name
 * order, a lab's C program in the place of an assembly one of the same name,
 * then the other labs' programs. The names installed, sorted.
 */
export function installPrograms(k: Kernel, stderr: (s: string) => void): string[] {
  const labs = prebuiltLabs();
  const dir = programsDir();
  const asm = dir === null ? [] : readdirSync(dir).filter((x) => /\.s$/.test(x)).sort().map((f) => f.replace(/\.s$/, ''));
  const names: string[] = [];
  for (const name of [...asm, ...[...labs.keys()].filter((n) => !asm.includes(n))]) {
    const lab = labs.get(name);
    const elf = lab !== undefined ? readLab(lab, stderr) : assembleProgram(join(dir!, `${name}.s`), stderr);
    if (elf === null) continue;
    k.vfs.addExecutable(`/bin/${name}`, elf);
    names.push(name);
  }
  return names.sort();
}
