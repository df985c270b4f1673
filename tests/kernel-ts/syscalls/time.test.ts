// The time system calls at the edges: a request at the end of time
// saturates at KTIME_MAX and never fires (issue 12, finding 4: a nanosleep of
// INT64_MAX seconds used to push the clock past 2^63 for every later
// program), clock_nanosleep's clocks, TIMER_ABSTIME and invalid requests.
import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { KTIME_MAX } from '../../../kernel-ts/ktime';
import { SYSCALL_RESTART } from '../../../kernel-ts/syscalls/table';
import { TASK_INTERRUPTIBLE } from '../../../kernel-ts/proc/task';
import { bootKernel, call, elfOf, get, logLines, prog, put, runPrograms, spawned } from '../proc/helpers';
import { EFAULT, EINVAL, EOPNOTSUPP } from '../../../kernel-ts/errno';

const INT64_MAX = (1n << 63n) - 1n;
const TIMER_ABSTIME = 1;
const REALTIME_AT_BOOT_NS = 1704067200n * 1_000_000_000n;

/** A program that sleeps (nanosleep) for `sec` s + `nsec` ns, then reads CLOCK_MONOTONIC into s0 and exits with nanosleep's result. */
const sleeper = (sec: bigint, nsec: bigint): string =>
  prog(`
        la a0, ts
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        mv s1, a0
        li a0, 1
        la a1, now
        li a7, SYS_clock_gettime
        ecall
        mv a0, s1
        li a7, SYS_exit
        ecall`, `
        .data
        .align 3
ts:     .dword ${sec}, ${nsec}
now:    .dword 0, 0`);

describe('nanosleep at the end of time', () => {
  it('nanosleep({INT64_MAX, 999999999}) never fires and leaves the clock alone for the programs after it', () => {
    const r = runPrograms({ '/bin/forever': sleeper(INT64_MAX, 999_999_999n), '/bin/after': sleeper(1n, 0n) });
    // The sleeper sleeps until the kernel finds nothing can ever wake it.
    expect(r.result.reason).toBe('deadlock');
    expect(logLines(r.k).some((l) => l.includes('every task is asleep with nothing to wake it'))).toBe(true);
    expect(r.k.clockNs()).toBeLessThan(1_000_000);
    // A program run afterwards sleeps its second and reads a sane monotonic clock.
    const t = r.k.spawn('/bin/after', ['after'], []);
    if (typeof t === 'number') throw new Error(String(t));
    r.k.run();
    expect(t.exitCode).toBe(0);
    const now = r.k.clockNs();
    expect(now).toBeGreaterThanOrEqual(1_000_000_000);
    expect(now).toBeLessThan(1_001_000_000);
  });

  it('a never-firing sleep does not stop the clock or the other tasks', () => {
    const { k } = bootKernel();
    k.vfs.addExecutable('/bin/forever', elfOf(sleeper(INT64_MAX, 999_999_999n)));
    k.vfs.addExecutable('/bin/two', elfOf(sleeper(2n, 0n)));
    const forever = k.spawn('/bin/forever', ['forever'], []);
    const two = k.spawn('/bin/two', ['two'], []);
    if (typeof forever === 'number' || typeof two === 'number') throw new Error('spawn');
    k.run();
    expect(two.exitCode).toBe(0); // woke after its 2 s and exited 0
    expect(forever.exitCode).toBe(9); // killed (SIGKILL) once nothing could wake it
    expect(k.clockNs()).toBeGreaterThanOrEqual(2_000_000_000);
    expect(k.clockNs()).toBeLessThan(2_001_000_000);
  });

  it('saturates the deadline at KTIME_MAX (timespec64_to_ktime + ktime_add_safe)', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [INT64_MAX, 999_999_999n]);
    expect(call(k, t, NR.nanosleep, scratch, 0)).toBe(SYSCALL_RESTART);
    expect(t.state).toBe(TASK_INTERRUPTIBLE);
    expect(t.sleepDeadlineNs).toBe(KTIME_MAX);
    expect(k.sched.nextTimerNs()).toBeNull();
  });

  it('a shell sleep past the end of time stops the clock short of KTIME_MAX: CLOCK_MONOTONIC never reads negative', () => {
    const { k, t, scratch } = spawned();
    k.idle(1e300);
    expect(k.clockNs()).toBeLessThan(KTIME_MAX);
    expect(call(k, t, NR.clock_gettime, 1, scratch)).toBe(0);
    const [sec, nsec] = get(k, t, scratch, 2);
    expect(sec).toBe(9223372036n);
    expect(nsec! < 1_000_000_000n).toBe(true);
    // Every later relative sleep is past the end of time: it never fires.
    put(k, t, scratch, [1n, 0n]);
    expect(call(k, t, NR.nanosleep, scratch, 0)).toBe(SYSCALL_RESTART);
    expect(t.sleepDeadlineNs).toBe(KTIME_MAX);
  });

  it('nanosleep: -EINVAL for tv_nsec outside [0, 1e9) or a negative tv_sec, -EFAULT for a bad pointer', () => {
    const { k, t, scratch } = spawned();
    for (const ts of [[0n, 1_000_000_000n], [0n, -1n], [-1n, 0n], [0n, INT64_MAX]]) {
      put(k, t, scratch, ts);
      expect(call(k, t, NR.nanosleep, scratch, 0)).toBe(-EINVAL);
    }
    expect(call(k, t, NR.nanosleep, 0x1000, 0)).toBe(-EFAULT);
    put(k, t, scratch, [0n, 0n]);
    expect(call(k, t, NR.nanosleep, scratch, 0)).toBe(0);
  });
});

describe('clock_nanosleep', () => {
  it('checks the clock first: -EINVAL for no clock, -EOPNOTSUPP for clocks that cannot sleep', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [0n, 1_000_000_000n]); // an invalid request: the clock is checked before it
    expect(call(k, t, NR.clock_nanosleep, 10, 0, scratch, 0)).toBe(-EINVAL);
    expect(call(k, t, NR.clock_nanosleep, 12, 0, scratch, 0)).toBe(-EINVAL);
    expect(call(k, t, NR.clock_nanosleep, -1, 0, scratch, 0)).toBe(-EINVAL);
    for (const clock of [3, 4, 5, 6, 8, 9]) expect(call(k, t, NR.clock_nanosleep, clock, 0, 0, 0)).toBe(-EOPNOTSUPP);
    for (const clock of [0, 1, 2, 7, 11]) expect(call(k, t, NR.clock_nanosleep, clock, 0, scratch, 0)).toBe(-EINVAL);
    expect(call(k, t, NR.clock_nanosleep, 1, 0, 0x1000, 0)).toBe(-EFAULT);
  });

  it('TIMER_ABSTIME: a time already past returns at once; a future one sleeps until the clock reads it', () => {
    const { k, t, scratch } = spawned();
    k.idle(10);
    put(k, t, scratch, [0n, 10n]);
    expect(call(k, t, NR.clock_nanosleep, 1, TIMER_ABSTIME, scratch, 0)).toBe(0);
    put(k, t, scratch, [5n, 0n]);
    expect(call(k, t, NR.clock_nanosleep, 1, TIMER_ABSTIME, scratch, scratch + 16)).toBe(SYSCALL_RESTART);
    expect(t.sleepDeadlineNs).toBe(5_000_000_000);
    expect(t.sleepRmtp).toBe(0); // an absolute sleep never writes rmtp
    t.sleepDeadlineNs = -1;
    // CLOCK_REALTIME counts from 2024-01-01: 3 s after boot is that date plus 3 s.
    const at = REALTIME_AT_BOOT_NS + 3_000_000_000n;
    put(k, t, scratch, [at / 1_000_000_000n, at % 1_000_000_000n]);
    expect(call(k, t, NR.clock_nanosleep, 0, TIMER_ABSTIME, scratch, 0)).toBe(SYSCALL_RESTART);
    expect(t.sleepDeadlineNs).toBe(3_000_000_000);
    t.sleepDeadlineNs = -1;
    put(k, t, scratch, [INT64_MAX, 999_999_999n]);
    expect(call(k, t, NR.clock_nanosleep, 0, TIMER_ABSTIME, scratch, 0)).toBe(SYSCALL_RESTART);
    expect(t.sleepDeadlineNs).toBe(KTIME_MAX);
  });

  it('a relative sleep keeps rmtp; the process CPU clock returns at once for a deadline reached, else sleeps until a signal', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [2n, 0n]);
    expect(call(k, t, NR.clock_nanosleep, 7, 0, scratch, scratch + 16)).toBe(SYSCALL_RESTART);
    expect(t.sleepRmtp).toBe(scratch + 16);
    expect(t.sleepDeadlineNs).toBe(k.clockNs() + 2_000_000_000);
    t.sleepDeadlineNs = -1;
    put(k, t, scratch, [0n, 0n]);
    expect(call(k, t, NR.clock_nanosleep, 2, 0, scratch, 0)).toBe(0);
    put(k, t, scratch, [0n, 1n]);
    expect(call(k, t, NR.clock_nanosleep, 2, 0, scratch, 0)).toBe(SYSCALL_RESTART);
    expect(t.sleepDeadlineNs).toBe(KTIME_MAX);
  });

  it('runs end to end: an absolute CLOCK_MONOTONIC sleep idles the clock to exactly its deadline', () => {
    const r = runPrograms({
      '/bin/abs': prog(`
        li a0, 1
        li a1, 1
        la a2, ts
        li a3, 0
        li a7, 115
        ecall
        li a7, SYS_exit
        ecall`, `
        .data
        .align 3
ts:     .dword 7, 250`),
    });
    expect(r.result.status).toBe(0);
    expect(r.k.clockNs()).toBeGreaterThanOrEqual(7_000_000_250);
    expect(r.k.clockNs()).toBeLessThan(7_000_000_250 + 100);
  });
});
