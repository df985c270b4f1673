// `vmlab bench --compare qemu`: the same prebuilt ELFs, with the same
// arguments, timed under qemu-riscv64 in the same run. The time is the wall
// clock around the whole qemu process (its start-up included, a few ms),
// while vmlab's excludes booting the kernel and loading the program: the
// ratio leans, slightly, in vmlab's favour.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
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
}

/** Runs `elf argv...` under qemu to its exit; throws UserError unless it exits with status 0. */
export function runQemu(qemu: string, elf: string, argv0: string, argv: string[]): QemuRun {
  const t0 = performance.now();
  // -0 sets argv[0] as vmlab's kernel sets it (the program's name).
  const r = spawnSync(qemu, ['-0', argv0, elf, ...argv], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    const why = r.error?.message ?? `exit status ${r.status ?? `signal ${r.signal}`}`;
    throw new UserError(`bench: ${QEMU} ${elf} ${argv.join(' ')}: ${why}: ${(r.stdout + r.stderr).trim()}`);
  }
  return { output: r.stdout + r.stderr, seconds };
}

/** The geometric mean of positive numbers (NaN for none). */
export function geometricMean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
