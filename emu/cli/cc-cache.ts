// The runtime library's objects, built once per library version: `vmlab cc`
// compiles the library (about a dozen assembler and compiler runs) only when
// no build of the same sources with the same compiler and flags is cached,
// as ccache does for each object. The key is a SHA-256 of everything the
// objects depend on: the compiler's identity (its argv and `--version`),
// the flags and the weakened symbols, and the bytes of every file under
// guest-programs/lib, libc and include. A build goes to a fresh directory
// that is renamed into place, so a cached directory is always complete; two
// builds racing for one key both succeed (the loser keeps its own objects
// for its link and removes them). Where the cache cannot be written, the
// library is built in the scratch directory as before. The objects do not
// depend on where they are, so a cached build links to the same bytes.
//
// Location: $VMLAB_CACHE_DIR, else $XDG_CACHE_HOME/vmlab, else ~/.cache/vmlab
// (VMLAB_CACHE_DIR=off: no cache).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { readHostBytes } from '../../host/files';

/** The cache's root directory, or null when caching is off. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  const own = env.VMLAB_CACHE_DIR;
  if (own === 'off') return null;
  if (own !== undefined && own !== '') return own;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return join(xdg, 'vmlab');
  const home = homedir();
  return home === '' ? null : join(home, '.cache', 'vmlab');
}

/** Every file under `dirs` (recursively), as paths relative to `root`, sorted. */
function filesUnder(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(root, p));
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return out.sort();
}

/**
 * The library's key: the hash of `identity` (compiler, version, flags) and
 * of each file under `dirs` (name and bytes); null when one cannot be read
 * (then nothing is cached, and the build itself will say what is wrong).
 */
export function libraryKey(identity: readonly string[], root: string, dirs: readonly string[]): string | null {
  const h = createHash('sha256');
  for (const w of identity) h.update(`${w}\0`);
  for (const f of filesUnder(root, dirs)) {
    const bytes = readHostBytes(join(root, f), 'a runtime library source');
    if (!bytes.ok) return null;
    h.update(`${f}\0${bytes.value.length}\0`);
    h.update(bytes.value);
  }
  return h.digest('hex').slice(0, 32);
}

/** The cached build of `key` holding every one of `objects` (file names), or null. */
export function cachedLibrary(root: string | null, key: string, objects: readonly string[]): string | null {
  if (root === null) return null;
  const dir = join(root, 'cc', key);
  try {
    return objects.every((o) => statSync(join(dir, o)).isFile()) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * A fresh directory to build `key`'s library into: inside the cache when it
 * can be written (so that publish() is a rename), else under `scratch`.
 */
export function buildDirectory(root: string | null, key: string, scratch: string): string {
  if (root !== null) {
    try {
      const parent = join(root, 'cc');
      mkdirSync(parent, { recursive: true });
      const dir = join(parent, `${key}.${process.pid}.${Date.now().toString(36)}.tmp`);
      mkdirSync(dir);
      return dir;
    } catch {
      // Not writable: build in the scratch directory, uncached.
    }
  }
  const dir = join(scratch, 'lib');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Publishes a finished build as `key`'s (when it was built in the cache);
 * returns where the objects are now. A build that lost a race stays where it
 * is; removeBuild() removes it after the link.
 */
export function publish(root: string | null, key: string, built: string): string {
  if (root === null || !built.endsWith('.tmp')) return built;
  const dir = join(root, 'cc', key);
  try {
    renameSync(built, dir);
    return dir;
  } catch {
    return built;
  }
}

/** Removes a build directory that is not the cached one (a scratch or a lost race). */
export function removeBuild(built: string): void {
  if (built.endsWith('.tmp')) rmSync(built, { recursive: true, force: true });
}
