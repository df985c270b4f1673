// getrlimit, setrlimit and prlimit64 (kernel-ts/syscalls/resource.ts, Linux
// kernel/sys.c): struct rlimit in user memory, the order of the errors, and
// prlimit64 reaching another process.
import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { kernelClone } from '../../../kernel-ts/proc/fork';
import { doExit, exitStatus } from '../../../kernel-ts/proc/exit';
import { RLIMIT_NOFILE, RLIMIT_STACK, RLIM_INFINITY } from '../../../kernel-ts/resource';
import { call, get, put, spawned } from '../proc/helpers';
import { EFAULT, EINVAL, EPERM, ESRCH } from '../../../kernel-ts/errno';

const FORK = { flags: 0, exitSignal: 17, newspLo: 0, newspHi: 0, tlsLo: 0, tlsHi: 0, parentTid: 0, childTid: 0 };

describe('getrlimit and setrlimit', () => {
  it('read and write struct rlimit { rlim_cur, rlim_max } as two 64-bit words', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.getrlimit, RLIMIT_STACK, scratch)).toBe(0);
    expect(get(k, t, scratch, 2)).toEqual([8n << 20n, RLIM_INFINITY]);
    put(k, t, scratch, [16n, 4096n]);
    expect(call(k, t, NR.setrlimit, RLIMIT_NOFILE, scratch)).toBe(0);
    expect(t.rlim.get(RLIMIT_NOFILE)).toEqual({ cur: 16n, max: 4096n });
  });

  it('give -EINVAL for a bad resource before touching memory, -EFAULT for a bad pointer', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.getrlimit, 16, 8)).toBe(-EINVAL);
    expect(call(k, t, NR.getrlimit, RLIMIT_NOFILE, 8)).toBe(-EFAULT);
    // setrlimit copies first: a bad pointer is -EFAULT even for a bad resource.
    expect(call(k, t, NR.setrlimit, 16, 8)).toBe(-EFAULT);
    put(k, t, scratch, [1n, 1n]);
    expect(call(k, t, NR.setrlimit, 16, scratch)).toBe(-EINVAL);
    put(k, t, scratch, [2n, 1n]);
    expect(call(k, t, NR.setrlimit, RLIMIT_NOFILE, scratch)).toBe(-EINVAL);
    put(k, t, scratch, [1024n, 4097n]);
    expect(call(k, t, NR.setrlimit, RLIMIT_NOFILE, scratch)).toBe(-EPERM);
    expect(t.rlim.get(RLIMIT_NOFILE)).toEqual({ cur: 1024n, max: 4096n });
  });
});

describe('prlimit64', () => {
  it('sets and returns the old limit in one call; pid 0 is the caller', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [100n, 200n]);
    expect(call(k, t, NR.prlimit64, 0, RLIMIT_NOFILE, scratch, scratch + 16)).toBe(0);
    expect(get(k, t, scratch + 16, 2)).toEqual([1024n, 4096n]);
    expect(t.rlim.get(RLIMIT_NOFILE)).toEqual({ cur: 100n, max: 200n });
  });

  it('reaches another process of the same user, a zombie too; -ESRCH for no such pid', () => {
    const { k, t, scratch } = spawned();
    const pid = kernelClone(k, t, FORK);
    put(k, t, scratch, [7n, 50n]);
    expect(call(k, t, NR.prlimit64, pid, RLIMIT_NOFILE, scratch, 0)).toBe(0);
    expect(k.tasks.get(pid)!.rlim.get(RLIMIT_NOFILE)).toEqual({ cur: 7n, max: 50n });
    expect(t.rlim.get(RLIMIT_NOFILE)).toEqual({ cur: 1024n, max: 4096n });
    doExit(k, k.tasks.get(pid)!, exitStatus(0));
    expect(call(k, t, NR.prlimit64, pid, RLIMIT_NOFILE, 0, scratch + 16)).toBe(0);
    expect(get(k, t, scratch + 16, 2)).toEqual([7n, 50n]);
    expect(call(k, t, NR.prlimit64, 999, RLIMIT_NOFILE, 0, scratch)).toBe(-ESRCH);
    expect(call(k, t, NR.prlimit64, -1 >>> 0, RLIMIT_NOFILE, 0, scratch)).toBe(-ESRCH);
  });

  it('reads the new limit before looking up the pid (-EFAULT first), and writes the old one after setting', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.prlimit64, 999, RLIMIT_NOFILE, 8, 0)).toBe(-EFAULT);
    put(k, t, scratch, [10n, 20n]);
    expect(call(k, t, NR.prlimit64, 0, RLIMIT_NOFILE, scratch, 8)).toBe(-EFAULT);
    expect(t.rlim.get(RLIMIT_NOFILE)).toEqual({ cur: 10n, max: 20n });
  });
});
