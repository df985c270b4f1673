// Test support for the memory half of vmlab/linux: a booted kernel (4- or
// 5-level), a LoadedModule standing for the module under test, and the
// namespace makeLinux builds for it; optionally a process as `current` with
// its mm loaded in CR3 (as during one of its system calls).
import { Kernel } from '../../../../kernel-ts/kernel';
import { LoadedModule } from '../../../../kernel-ts/module/context';
import { makeLinux } from '../../../../kernel-ts/module/linux';
import type { LinuxApi } from '../../../../kernel-ts/module/linux';
import type { Task } from '../../../../kernel-ts/proc/task';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, doMmap } from '../../../../kernel-ts/mm/mmap';
import { programElf } from '../../drivers/physicalview-support';

export interface MmSetup {
  k: Kernel;
  lm: LoadedModule;
  L: LinuxApi;
}

/** A kernel of 256 MiB and a module 'mmtest' (built in) with its vmlab/linux. */
export function boot(paging: 4 | 5 = 4): MmSetup {
  const k = Kernel.boot({ memSize: 256 << 20, seed: 1, paging, stdout: () => {}, stderr: () => {} });
  const lm = new LoadedModule(k, { name: 'mmtest', init: () => 0 }, new Map(), 4096, false, 0xffffffffc0000000n);
  return { k, lm, L: makeLinux({ kernel: k, module: lm }) };
}

export interface ProcSetup extends MmSetup {
  t: Task;
  /** An anonymous private RW mapping in t's mm: its start. */
  mmapAnon(len: number, addr: number): number;
}

/** boot() plus a process (exec'd, not run) as `current`, its mm in CR3. */
export function bootWithProcess(paging: 4 | 5 = 4): ProcSetup {
  const s = boot(paging);
  s.k.vfs.addExecutable('/bin/hold', programElf('mtest-hold'));
  const t = s.k.spawn('/bin/hold', ['hold'], ['HOME=/']);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  s.k.current = t;
  s.k.mm.switchMm(t.mm!);
  const kmm = s.k.mm;
  return {
    ...s,
    t,
    mmapAnon: (len, addr) => doMmap(kmm, t.mm!, addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0),
  };
}

/** The dmesg text. */
export function dmesg(k: Kernel): string[] {
  return k.printk.all().map((r) => r.text);
}
