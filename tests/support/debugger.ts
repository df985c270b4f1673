// The debugger in-process for tests (tests/emu/debugger): a session on a
// fixture program, and a fingerprint of the whole machine and kernel to
// compare two moments of a run by (timeline.test.ts, fuzz.test.ts).
import { join } from 'node:path';
import { FIXTURES } from '../emu/debugger/run-debug';
import { Kernel } from '../../kernel-ts/kernel';
import type { Vfs } from '../../kernel-ts/fs/vfs';
import { loadProgram } from '../../emu/cli/run';
import { Session } from '../../emu/debugger/session';
import { Symbols } from '../../emu/debugger/symbols';
import { Debugger } from '../../emu/debugger/commands';
import { DecodeCache, DecodedPage } from '../../emu/machine/cpu/decode';
import { PhysMem } from '../../emu/machine/mem/phys';

/** A debugger on fixture `file` (64 MiB, no ASLR), stopped before its first instruction; `out` collects what the program prints (once: replays print nothing). */
export function bootDebugger(file: string): { d: Debugger; out: string[] } {
  const prog = loadProgram(join(FIXTURES, file), [], () => {});
  const out: string[] = [];
  let s: Session | null = null;
  const k = Kernel.boot({
    memSize: 64 << 20,
    aslr: false,
    stdout: (b) => {
      if (s === null || s.showsOutput()) out.push(Buffer.from(b).toString());
    },
  });
  (k.vfs as unknown as Vfs).addExecutable(`/bin/${prog.name}`, prog.elf);
  const t = k.spawn(`/bin/${prog.name}`, [prog.name], []);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  s = new Session(k, t, new Symbols(prog.elf));
  return { d: new Debugger(s), out };
}

/** Every reachable kernel object's own properties (keys sorted, objects numbered in visit order), plus a hash of RAM. */
export function fingerprint(k: Kernel): string {
  const ids = new Map<object, number>();
  const parts: string[] = [];
  const stack: unknown[] = [k];
  const paths = new Map<object, string>([[k, 'kernel']]);
  let at = 'kernel';
  const ref = (v: unknown, key = ''): string => {
    if (typeof v === 'function') return 'fn';
    if (typeof v !== 'object' || v === null) return typeof v === 'bigint' ? `${v}n` : String(v);
    if (v instanceof DecodeCache || v instanceof DecodedPage || v instanceof PhysMem) return 'skip'; // caches checked at every use; RAM hashed below
    let id = ids.get(v);
    if (id === undefined) {
      id = ids.size;
      ids.set(v, id);
      paths.set(v, `${at}.${key}`);
      stack.push(v);
    }
    return `#${id}`;
  };
  ref(k);
  while (stack.length > 0) {
    const o = stack.shift() as object;
    if (o instanceof DecodeCache || o instanceof DecodedPage || o instanceof PhysMem) continue;
    at = paths.get(o) ?? '?';
    if (ArrayBuffer.isView(o)) {
      const b = new Uint8Array(o.buffer, o.byteOffset, o.byteLength);
      if (b.byteLength > 1 << 24) continue; // guest RAM views (hashed below)
      let h = 0x811c9dc5;
      for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 16777619);
      parts.push(`${ids.get(o)} ${at}:${h >>> 0}`);
    } else if (o instanceof Map) parts.push(`${ids.get(o)}:{${[...o].map(([a, b]) => `${ref(a)}=>${ref(b)}`).join(',')}}`);
    else if (o instanceof Set) parts.push(`${ids.get(o)}:(${[...o].map((v) => ref(v)).join(',')})`);
    else if (Array.isArray(o)) parts.push(`${ids.get(o)}:[${o.map((v) => ref(v)).join(',')}]`);
    else {
      const rec = o as Record<string, unknown>;
      // sliceStartInstret marks where the current run of a slice began: a pause starts a new run, so it depends on where the debugger paused.
      const keys = Object.keys(o).filter((key) => !(o === k && key === 'sliceStartInstret'));
      parts.push(`${ids.get(o)}:{${keys.sort().map((key) => `${key}=${ref(rec[key], key)}`).join(',')}}`);
    }
  }
  const ram = k.machine.mem.chunkI32(0)!;
  let h = 0;
  for (let i = 0; i < ram.length; i++) if (ram[i] !== 0) h = (Math.imul(h, 31) + Math.imul(ram[i]!, i + 1)) | 0;
  return `${parts.join('\n')}\nram:${h}`;
}

/** '' when equal, else the first differing line of each. */
export function firstDifference(a: string, b: string): string {
  if (a === b) return '';
  const x = a.split('\n'), y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return `line ${i}:\n  now:      ${x[i]?.slice(0, 400)}\n  recorded: ${y[i]?.slice(0, 400)}`;
  return 'different';
}
