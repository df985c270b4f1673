// Test support for the issue-5 drivers: a booted kernel with a module loaded
// through a ModuleContext built here (the shape kernel-ts/module/api.ts
// promises), and guest programs assembled with the guest libc.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kernel } from '../../../kernel-ts/kernel';
import type { KernelOptions } from '../../../kernel-ts/kernel';
import type { KernelModule, ModuleContext } from '../../../kernel-ts/module/api';
import type { Task } from '../../../kernel-ts/proc/task';
import { registerHook } from '../../../kernel-ts/hooks';
import { TEST_MEM, assembleGuest } from '../../support/kernel';
import { builtinModules } from '../../../emu/cli/builtins';

const LIB = join(process.cwd(), 'guest-programs', 'lib');
export const PROGRAMS = join(process.cwd(), 'guest-programs', 'programs');

/** guest-programs/programs/<name>.s linked with guest-programs/lib/*.s. */
export function programElf(name: string): Uint8Array {
  const lib = readdirSync(LIB).filter((f) => f.endsWith('.s')).map((f) => join(LIB, f));
  return assembleGuest([join(PROGRAMS, `${name}.s`), ...lib]);
}

/** A ModuleContext over k whose current() is the kernel's current task (or `insmod` when none runs). */
export function moduleContext(k: Kernel, mod: KernelModule, insmod: Task | null = null): ModuleContext {
  return {
    kernel: k,
    name: mod.name,
    param: (p) => {
      const d = mod.params?.[p]?.default;
      if (d === undefined) throw new Error(`no parameter ${p}`);
      return d;
    },
    current: () => {
      const t = k.current ?? insmod;
      if (t === null) throw new Error('current() with no task running');
      return t;
    },
    printk: (text) => k.printk.log(text),
    registerChrdev: (name, fops) => k.vfs.registerChrdev(name, fops),
    procCreate: (path, fops, mode) => k.vfs.procCreate(path, fops, mode),
    sysfsCreate: (path, attr, mode) => k.vfs.sysfsCreate(path, attr, mode),
    registerHook: (point, h) => registerHook(k.mm, point, h),
  };
}

export interface Booted {
  k: Kernel;
  out: () => string;
  err: () => string;
}

/** Boots (256 MiB, seed 1) with console capture and insmods the built-in modules `mods` (by name, or a KernelModule's name). */
export function bootWith(mods: readonly (string | KernelModule)[], opts: KernelOptions = {}): Booted {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const k = Kernel.boot({ memSize: TEST_MEM, seed: 1, builtinModules: builtinModules(), ...opts, stdout: (b) => out.push(b), stderr: (b) => err.push(b) });
  for (const m of mods) {
    const name = typeof m === 'string' ? m : m.name;
    const err: string[] = [];
    const r = k.modules.insmod(name, [], (l) => err.push(l));
    if (r !== 0) throw new Error(`insmod ${name}: ${r} ${err.join('\n')}`);
  }
  return { k, out: () => Buffer.concat(out).toString('utf8'), err: () => Buffer.concat(err).toString('utf8') };
}

/** Installs /bin/<name> and runs it to its end; the task. */
export function runProgram(b: Booted, name: string, elf: Uint8Array, args: string[] = []): Task {
  // Installed once: a second addExecutable would be a new inode with an empty page cache.
  if (typeof b.k.vfs.lookup(`/bin/${name}`) === 'number') b.k.vfs.addExecutable(`/bin/${name}`, elf);
  const t = b.k.spawn(`/bin/${name}`, [name, ...args], ['PATH=/bin', 'HOME=/']);
  if (typeof t === 'number') throw new Error(`spawn ${name}: ${t}`);
  const r = b.k.run();
  if (r.reason !== 'exited') throw new Error(`${name}: ${r.reason}`);
  return t;
}
