// The run-control engine in-process for tests (tests/emu/debugger/engine*.test.ts,
// kernel-events.test.ts): an Engine on a fixture program, as a gdb stub or a
// DAP adapter would hold one, stopped before its first instruction.
import { join } from 'node:path';
import { FIXTURES } from '../emu/debugger/run-debug';
import { Kernel } from '../../kernel-ts/kernel';
import type { KernelOptions } from '../../kernel-ts/kernel';
import type { Vfs } from '../../kernel-ts/fs/vfs';
import { loadProgram } from '../../emu/cli/run';
import { Engine } from '../../emu/debugger/engine';
import { Symbols } from '../../emu/debugger/symbols';

/** An engine on fixture `file` (64 MiB, no ASLR, and `opts`); `out` collects what the program prints. */
export function bootEngine(file: string, opts: Pick<KernelOptions, 'sliceInsns' | 'jit'> = {}): { e: Engine; out: string[] } {
  const prog = loadProgram(join(FIXTURES, file), [], () => {});
  const out: string[] = [];
  const k = Kernel.boot({ memSize: 64 << 20, aslr: false, stdout: (b) => out.push(Buffer.from(b).toString()), ...opts });
  (k.vfs as unknown as Vfs).addExecutable(`/bin/${prog.name}`, prog.elf);
  const t = k.spawn(`/bin/${prog.name}`, [prog.name], []);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  return { e: new Engine(k, t, new Symbols(prog.elf)), out };
}

/** A symbol's address (the fixture must define it). */
export function sym(e: Engine, name: string): number {
  const a = e.syms.lookup(name);
  if (a === undefined) throw new Error(`no symbol ${name}`);
  return a;
}
