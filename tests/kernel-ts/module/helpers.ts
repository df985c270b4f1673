// Test helpers for the module loader: a booted kernel, module files written
// to a temp directory, and opens/reads of files from a transient process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kernel } from '../../../kernel-ts/kernel';
import { O_RDONLY, O_WRONLY, fput } from '../../../kernel-ts/fs/file';
import type { File } from '../../../kernel-ts/fs/file';
import { runInProcess } from '../../../kernel-ts/module/process';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-mod-'));
let n = 0;

/** Writes `source` to a fresh .ts file and returns its path. */
export function moduleFile(source: string, name = `m${n++}.ts`): string {
  const p = join(dir, name);
  writeFileSync(p, source);
  return p;
}

/** insmod collecting its messages. */
export function insmod(k: Kernel, nameOrPath: string, args: string[] = []): { r: number; err: string[] } {
  const err: string[] = [];
  const r = k.modules.insmod(nameOrPath, args, (l) => err.push(l));
  return { r, err };
}

/** Reads a whole file as a `cat` process would: the text or -errno. */
export function catFile(k: Kernel, path: string): string | number {
  const out = runInProcess(k, 'cat', () => {
    const f = k.vfs.open(path, O_RDONLY);
    if (typeof f === 'number') return f;
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(4096);
    const ppos = { pos: 0 };
    for (;;) {
      const r = f.fop.read ? f.fop.read(f, buf, ppos) : -22;
      if (r <= 0) {
        fput(f);
        if (r < 0) return r;
        break;
      }
      chunks.push(buf.slice(0, r));
    }
    return Buffer.concat(chunks).toString('utf8');
  });
  if (typeof out === 'number') return out;
  return out.killed ? -9 : out.value;
}

/** Opens a file from the host (no process) and returns it; close with fput. */
export function openFile(k: Kernel, path: string, flags = O_RDONLY): File {
  const f = k.vfs.open(path, flags);
  if (typeof f === 'number') throw new Error(`open ${path}: ${f}`);
  return f;
}

export { O_WRONLY, fput };
