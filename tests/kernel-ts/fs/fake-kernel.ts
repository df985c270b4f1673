// A stand-in for the Kernel with just what the VFS uses (fs/deps.ts VfsKernel),
// for unit tests that need no machine: console output is collected, the mm
// services are scripted.
import { Printk } from '../../../kernel-ts/printk';
import { initTaskRlimits } from '../../../kernel-ts/resource';
import { Task } from '../../../kernel-ts/proc/task';
import { SigHand } from '../../../kernel-ts/proc/signal-defs';
import { FilesStruct } from '../../../kernel-ts/fs/fdtable';
import type { FsMm, UserMm, VfsKernel } from '../../../kernel-ts/fs/deps';
import { Vfs } from '../../../kernel-ts/fs/vfs';
import { tmpfsDefaults } from '../../../kernel-ts/fs/shmem';
import type { TmpfsConfig } from '../../../kernel-ts/fs/shmem';
import { VmaSet } from '../../../kernel-ts/mm/vma';

export interface FakeKernel extends VfsKernel {
  tasks: Map<number, Task>;
  current: Task | null;
  stdout: number[];
  stderr: number[];
  stdinChunks: Uint8Array[];
  dropped: number[];
  pagemap: Map<number, bigint>;
  /** The page cache's view of file pages: `${ino}:${index}` -> 4096 bytes. */
  cached: Map<string, Uint8Array>;
  ns: number;
}

/** A VFS over a fake kernel; /tmp has the limits of `tmpfs` (default: those of 1 GiB of RAM). */
export function fakeKernel(tmpfs: TmpfsConfig = tmpfsDefaults(1 << 30)): { k: FakeKernel; vfs: Vfs } {
  const k: FakeKernel = {
    tasks: new Map(),
    current: null,
    stdout: [],
    stderr: [],
    stdinChunks: [],
    dropped: [],
    pagemap: new Map(),
    cached: new Map(),
    ns: 0,
    opts: {
      stdout: (b) => k.stdout.push(...b),
      stderr: (b) => k.stderr.push(...b),
      stdin: () => k.stdinChunks.shift() ?? null,
    },
    printk: new Printk(() => k.ns),
    mm: {
      copyFromUser: () => -14,
      copyToUser: () => -14,
      strncpyFromUser: () => -14,
      pagemapEntry: (_mm, va) => k.pagemap.get(va) ?? 0n,
      meminfo: () => 'MemTotal:        1048576 kB\n',
      buddyinfo: () => 'Node 0, zone   Normal      1 \n',
      status: () => 'VmPeak:\t     100 kB\nVmSize:\t     100 kB\n',
      dropCaches: (mode) => void k.dropped.push(mode),
      mmapMinAddr: 65536,
      maxMapCount: 65530,
      filemapWrite: (f, pos, bytes) => {
        for (let i = 0; i < bytes.length; i++) {
          const page = k.cached.get(`${f.ino}:${Math.floor((pos + i) / 4096)}`);
          if (page) page[(pos + i) % 4096] = bytes[i]!;
        }
      },
      filemapReadCached: (f, index, into) => {
        const page = k.cached.get(`${f.ino}:${index}`);
        if (page) into.set(page);
        return page !== undefined;
      },
    } satisfies FsMm,
    clockNs: () => k.ns,
  };
  return { k, vfs: new Vfs(k, tmpfs) };
}

/** A task with pid/comm and a fake mm holding `vmas`, registered in k.tasks and made current. */
export function fakeTask(k: FakeKernel, pid: number, comm: string, vmas = new VmaSet()): Task {
  const t = new Task(pid, comm, null, new FilesStruct(), new SigHand());
  // init's limits on a machine with threads-max 7862 (RLIMIT_SIGPENDING 3931, as /proc/PID/status's SigQ shows).
  t.rlim = initTaskRlimits(7862);
  t.mm = { vmas, taskSize: 2 ** 47 } as unknown as UserMm;
  k.tasks.set(pid, t);
  k.current = t;
  return t;
}
