// kernel-ts/resource.ts: the limits a process starts with (Linux's
// INIT_RLIMITS and fork_init's RLIMIT_NPROC), and do_prlimit's rules.
import { describe, expect, it } from 'vitest';
import {
  INR_OPEN_CUR, INR_OPEN_MAX, MAX_THREADS, MIN_THREADS, NR_OPEN, RLIMIT_AS, RLIMIT_CORE, RLIMIT_DATA, RLIMIT_MEMLOCK,
  RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_SIGPENDING, RLIMIT_STACK, RLIM_INFINITY, RLIM_NLIMITS, Rlimits, doPrlimit,
  initTaskRlimits, setMaxThreads,
} from '../../kernel-ts/resource';
import { EINVAL, EPERM } from '../../kernel-ts/errno';


describe('the limits a process starts with', () => {
  it('are INIT_RLIMITS: 8 MiB stack, unlimited AS and DATA, 1024/4096 files, 8 MiB locked, no core', () => {
    const r = new Rlimits();
    expect(r.get(RLIMIT_STACK)).toEqual({ cur: 8n << 20n, max: RLIM_INFINITY });
    expect(r.get(RLIMIT_AS)).toEqual({ cur: RLIM_INFINITY, max: RLIM_INFINITY });
    expect(r.get(RLIMIT_DATA)).toEqual({ cur: RLIM_INFINITY, max: RLIM_INFINITY });
    expect(r.get(RLIMIT_NOFILE)).toEqual({ cur: BigInt(INR_OPEN_CUR), max: BigInt(INR_OPEN_MAX) });
    expect(r.get(RLIMIT_MEMLOCK)).toEqual({ cur: 8n << 20n, max: 8n << 20n });
    expect(r.get(RLIMIT_CORE)).toEqual({ cur: 0n, max: RLIM_INFINITY });
    expect(r.rlimit(RLIMIT_AS)).toBe(Infinity);
    expect(r.rlimit(RLIMIT_STACK)).toBe(8 << 20);
  });

  it('set_max_threads: an eighth of RAM in 16 KiB kernel stacks, clamped; init gets half as RLIMIT_NPROC and SIGPENDING', () => {
    expect(setMaxThreads((64 << 20) / 4096)).toBe(512);
    expect(setMaxThreads(((1 << 30) - (1 << 20)) / 4096)).toBe(8184);
    expect(setMaxThreads(100)).toBe(MIN_THREADS);
    expect(setMaxThreads(2 ** 40)).toBe(MAX_THREADS);
    const init = initTaskRlimits(8184);
    expect(init.get(RLIMIT_NPROC)).toEqual({ cur: 4092n, max: 4092n });
    expect(init.get(RLIMIT_SIGPENDING)).toEqual({ cur: 4092n, max: 4092n });
  });

  it("a copy is the child's own (copy_signal): changing it leaves the parent alone", () => {
    const parent = new Rlimits();
    const child = parent.copy();
    child.set(RLIMIT_NOFILE, { cur: 10n, max: 20n });
    expect(parent.rlimit(RLIMIT_NOFILE)).toBe(1024);
    expect(child.rlimit(RLIMIT_NOFILE)).toBe(10);
  });
});

describe('do_prlimit for a process without CAP_SYS_RESOURCE', () => {
  it('returns the old pair and sets the new one; values above 2^53 stay exact', () => {
    const r = new Rlimits();
    expect(doPrlimit(r, RLIMIT_STACK, { cur: 0x7fff_ffff_ffff_ffffn, max: RLIM_INFINITY })).toEqual({ cur: 8n << 20n, max: RLIM_INFINITY });
    expect(r.get(RLIMIT_STACK).cur).toBe(0x7fff_ffff_ffff_ffffn);
    expect(doPrlimit(r, RLIMIT_STACK, null)).toEqual({ cur: 0x7fff_ffff_ffff_ffffn, max: RLIM_INFINITY });
  });

  it('refuses a bad resource and a soft limit above the hard one (-EINVAL), changing nothing', () => {
    const r = new Rlimits();
    expect(doPrlimit(r, RLIM_NLIMITS, null)).toBe(-EINVAL);
    expect(doPrlimit(r, -1, null)).toBe(-EINVAL);
    expect(doPrlimit(r, RLIMIT_NOFILE, { cur: 11n, max: 10n })).toBe(-EINVAL);
    expect(r.get(RLIMIT_NOFILE)).toEqual({ cur: 1024n, max: 4096n });
  });

  it('lets a hard limit go down but never up again (-EPERM), RLIM_INFINITY included', () => {
    const r = new Rlimits();
    expect(doPrlimit(r, RLIMIT_NOFILE, { cur: 100n, max: 100n })).toEqual({ cur: 1024n, max: 4096n });
    expect(doPrlimit(r, RLIMIT_NOFILE, { cur: 100n, max: 101n })).toBe(-EPERM);
    expect(doPrlimit(r, RLIMIT_AS, { cur: 1n << 40n, max: 1n << 40n })).toEqual({ cur: RLIM_INFINITY, max: RLIM_INFINITY });
    expect(doPrlimit(r, RLIMIT_AS, { cur: RLIM_INFINITY, max: RLIM_INFINITY })).toBe(-EPERM);
    expect(r.rlimit(RLIMIT_AS)).toBe(2 ** 40);
    // RLIMIT_NOFILE's hard limit may never pass fs.nr_open, whatever the hard limit was.
    const open = new Rlimits();
    open.set(RLIMIT_NOFILE, { cur: 1024n, max: RLIM_INFINITY });
    expect(doPrlimit(open, RLIMIT_NOFILE, { cur: 1024n, max: BigInt(NR_OPEN) + 1n })).toBe(-EPERM);
    expect(doPrlimit(open, RLIMIT_NOFILE, { cur: 1024n, max: BigInt(NR_OPEN) })).toEqual({ cur: 1024n, max: RLIM_INFINITY });
  });
});
