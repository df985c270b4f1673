// `vmlab bench --compare qemu`: the same prebuilt ELFs, with the same
// arguments, timed under qemu-riscv64 in the same run: the wall clock and
// the CPU time of the whole qemu process (its start-up included, a few ms),
// while vmlab's exclude booting the kernel and loading the program, so the
// ratio leans, slightly, in vmlab's favour. The CPU time is the children's
// times of /proc/self/stat (Linux; USER_HZ ticks) around the wait for qemu.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { readHostText } from '../../../host/files';
import { UserError } from '../errors';

export const QEMU = 'qemu-riscv64';

/** The path of `cmd` in one of PATH's directories, or null. */
export function findOnPath(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (d === '') continue;
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return join(d, cmd);
    } catch {
      // not here
    }
  }
  return null;
}

export interface QemuRun {
  output: string;
  seconds: number;
  /** CPU seconds of the qemu process (user + system), or null where /proc/self/stat does not tell. */
  cpuSeconds: number | null;
}

/** USER_HZ: the unit of /proc's times on Linux, 100 on every architecture. */
const USER_HZ = 100;

/** The CPU time of this process's waited-for children (cutime + cstime, /proc/self/stat fields 16 and 17), in seconds; null without /proc. */
function childrenCpuSeconds(): number | null {
  const r = readHostText('/proc/self/stat', 'a process status');
  if (!r.ok) return null;
  const stat = r.value;
  // Fields from the third on follow the ')' that ends comm (which may hold spaces).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[16 - 3]) + Number(f[17 - 3]);
  return Number.isFinite(ticks) ? ticks / USER_HZ : null;
}

/** Runs `elf argv...` under qemu to its exit; throws UserError unless it exits with status 0. */
export function runQemu(qemu: string, elf: string, argv0: string, argv: string[]): QemuRun {
  const c0 = childrenCpuSeconds();
  const t0 = performance.now();
  // -0 sets argv[0] as vmlab's kernel sets it (the program's name).
  const r = spawnSync(qemu, ['-0', argv0, elf, ...argv], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  const c1 = childrenCpuSeconds();
  if (r.status !== 0) {
    const why = r.error?.message ?? `exit status ${r.status ?? `signal ${r.signal}`}`;
    throw new UserError(`bench: ${QEMU} ${elf} ${argv.join(' ')}: ${why}: ${(r.stdout + r.stderr).trim()}`);
  }
  return { output: r.stdout + r.stderr, seconds, cpuSeconds: c0 === null || c1 === null ? null : c1 - c0 };
}

/** The geometric mean of positive numbers (NaN for none). */
export function geometricMean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
