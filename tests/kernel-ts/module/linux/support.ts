// Test support for vmlab/linux: a booted kernel and a module loaded through a
// ModuleLoader of its own, whose init gets the module's `vmlab/linux`
// namespace (makeLinux over its LoadedModule), so a test writes a module's
// code inline, and insmod/rmmod undo its registrations as for any module.
import { Kernel } from '../../../../kernel-ts/kernel';
import type { KernelOptions } from '../../../../kernel-ts/kernel';
import type { KernelModule } from '../../../../kernel-ts/module/api';
import { LoadedModule } from '../../../../kernel-ts/module/context';
import { ModuleLoader } from '../../../../kernel-ts/module/loader';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import type { LinuxApi } from '../../../../kernel-ts/module/linux/index';
import { TEST_MEM } from '../../../support/kernel';
import type { Task } from '../../../../kernel-ts/proc/task';
import { SyscallArgs } from '../../../../kernel-ts/syscalls/args';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../../kernel-ts/mm/mmap';

export interface Booted {
  k: Kernel;
  out: () => string;
}

export function boot(opts: KernelOptions = {}): Booted {
  const out: Uint8Array[] = [];
  const k = Kernel.boot({ memSize: TEST_MEM, seed: 1, ...opts, stdout: (b) => out.push(b), stderr: (b) => out.push(b) });
  return { k, out: () => Buffer.concat(out).toString('utf8') };
}

/** A module `name` whose init and exit are given the module's vmlab/linux namespace. */
export interface InlineModule {
  init(L: LinuxApi): number;
  exit?(L: LinuxApi): void;
}

/** A loader over k that knows the inline modules; insmod(name) / rmmod(name) as the shell's. */
export function loader(k: Kernel, mods: Record<string, InlineModule>): ModuleLoader {
  const ns = new WeakMap<object, LinuxApi>();
  const lin = (m: unknown): LinuxApi => {
    if (!(m instanceof LoadedModule)) throw new Error('not a LoadedModule');
    let L = ns.get(m);
    if (L === undefined) ns.set(m, (L = makeLinux({ kernel: k, module: m })));
    return L;
  };
  const builtins = new Map<string, KernelModule>();
  for (const [name, im] of Object.entries(mods)) {
    builtins.set(name, { name, init: (m) => im.init(lin(m)), exit: (m) => im.exit?.(lin(m)) });
  }
  return new ModuleLoader(k, builtins);
}

/** The kernel log's texts. */
export function dmesg(k: Kernel): string[] {
  return k.printk.all().map((r) => r.text);
}

/** A system call made by task t through the kernel's table (the path a guest's ecall takes): its result. */
export function sys(k: Kernel, t: Task, nr: number, ...args: (number | bigint)[]): number {
  const a = new SyscallArgs();
  args.forEach((v, i) => {
    const b = BigInt.asUintN(64, BigInt(v));
    a.half[2 * i] = Number(b & 0xffffffffn) | 0;
    a.half[2 * i + 1] = Number(b >> 32n) | 0;
  });
  const h = k.syscalls[nr];
  if (h === undefined) throw new Error(`no syscall ${nr}`);
  return h(k, t, a);
}

/** A process's scratch user memory: `len` bytes mapped read/write; its address. */
export function userBuf(k: Kernel, t: Task, len = 4096): number {
  const u = k.mm.doMmap(t.mm!, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  if (u < 0) throw new Error(`mmap: ${u}`);
  return u;
}

/** A NUL-terminated string put at user address u; u. */
export function putString(k: Kernel, t: Task, u: number, s: string): number {
  if (k.mm.copyToUser(t.mm!, u, new TextEncoder().encode(`${s}\0`)) < 0) throw new Error('putString: EFAULT');
  return u;
}

/** The bytes at user address u as text. */
export function getString(k: Kernel, t: Task, u: number, len: number): string {
  const b = k.mm.copyFromUser(t.mm!, u, len);
  if (typeof b === 'number') throw new Error('getString: EFAULT');
  return new TextDecoder().decode(b);
}
