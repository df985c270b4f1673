// fork's task limits (kernel-ts/proc/fork.ts checkForkLimits, Linux
// copy_process): RLIMIT_NPROC over the user's processes, zombies included,
// and kernel.threads-max over all tasks; each -EAGAIN before anything is
// copied. Limits pass to the child (copy_signal) and its mm checks read them.
import { describe, expect, it } from 'vitest';
import { kernelClone } from '../../../kernel-ts/proc/fork';
import { doExit, exitStatus } from '../../../kernel-ts/proc/exit';
import { RLIMIT_AS, RLIMIT_NPROC, RLIM_INFINITY } from '../../../kernel-ts/resource';
import { spawned } from './helpers';
import { EAGAIN } from '../../../kernel-ts/errno';

const FORK = { flags: 0, exitSignal: 17, newspLo: 0, newspHi: 0, tlsLo: 0, tlsHi: 0, parentTid: 0, childTid: 0 };

describe('RLIMIT_NPROC and threads-max at fork', () => {
  it('the first process has init limits: RLIMIT_NPROC is max_threads / 2, from RAM (64 MiB less the first, reserved MiB: 504 threads)', () => {
    const { k, t } = spawned();
    expect(k.maxThreads).toBe(504);
    expect(t.rlim.get(RLIMIT_NPROC)).toEqual({ cur: 252n, max: 252n });
  });

  it('fork is -EAGAIN once the processes reach the soft limit; a zombie still counts until reaped', () => {
    const { k, t } = spawned();
    const frames = k.mm.framesInUse();
    t.rlim.set(RLIMIT_NPROC, { cur: 1n, max: 252n });
    expect(kernelClone(k, t, FORK)).toBe(-EAGAIN);
    expect(k.tasks.size).toBe(1);
    expect(k.mm.framesInUse()).toBe(frames);
    t.rlim.set(RLIMIT_NPROC, { cur: 2n, max: 252n });
    const pid = kernelClone(k, t, FORK);
    expect(pid).toBe(2);
    const child = k.tasks.get(pid)!;
    expect(child.rlim.get(RLIMIT_NPROC)).toEqual({ cur: 2n, max: 252n });
    expect(child.rlim).not.toBe(t.rlim);
    expect(child.mm!.rlim).toBe(child.rlim);
    doExit(k, child, exitStatus(0));
    expect(child.isZombie).toBe(true);
    expect(kernelClone(k, t, FORK)).toBe(-EAGAIN);
    t.rlim.set(RLIMIT_NPROC, { cur: 0n, max: 252n });
    expect(kernelClone(k, t, FORK)).toBe(-EAGAIN);
  });

  it('threads-max bounds every task whatever RLIMIT_NPROC says', () => {
    const { k, t } = spawned();
    t.rlim.set(RLIMIT_NPROC, { cur: RLIM_INFINITY, max: RLIM_INFINITY });
    k.maxThreads = 3;
    expect(kernelClone(k, t, FORK)).toBe(2);
    expect(kernelClone(k, t, FORK)).toBe(3);
    expect(kernelClone(k, t, FORK)).toBe(-EAGAIN);
  });

  it("the child's mm checks its own limits (RLIMIT_AS set in the child binds the child only)", () => {
    const { k, t } = spawned();
    const child = k.tasks.get(kernelClone(k, t, FORK))!;
    child.rlim.set(RLIMIT_AS, { cur: BigInt(child.mm!.totalVm * 4096), max: RLIM_INFINITY });
    expect(k.mm.doMmap(child.mm!, 0, 4096, 3, 0x22)).toBe(-12);
    expect(k.mm.doMmap(t.mm!, 0, 4096, 3, 0x22)).toBeGreaterThan(0);
  });
});
