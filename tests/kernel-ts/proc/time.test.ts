import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { call, framesAfter, get, prog, put, runPrograms, spawned } from './helpers';

describe('time', () => {
  it('clock_gettime: REALTIME from 2024-01-01, MONOTONIC from boot, both on the instruction clock', () => {
    const { k, t, scratch } = spawned();
    const now = k.clockNs();
    expect(call(k, t, NR.clock_gettime, 0, scratch)).toBe(0);
    expect(get(k, t, scratch, 2)).toEqual([1704067200n, BigInt(now)]);
    expect(call(k, t, NR.clock_gettime, 1, scratch)).toBe(0);
    expect(get(k, t, scratch, 2)).toEqual([0n, BigInt(now)]);
    expect(call(k, t, NR.clock_gettime, 99, scratch)).toBe(-22);
    expect(call(k, t, NR.clock_gettime, 1, 0x1000)).toBe(-14);
  });

  it('nanosleep idles the clock forward when every task sleeps', () => {
    const r = runPrograms({
      '/bin/sleep': prog(`
        la a0, ts
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li a7, SYS_exit
        ecall`, `
        .data
        .align 3
ts:     .dword 2, 500`),
    });
    expect(r.result.status).toBe(0);
    expect(r.k.clockNs()).toBeGreaterThanOrEqual(2_000_000_500);
    expect(r.result.instructions).toBeLessThan(100);
  });

  it('nanosleep: -EINVAL for a bad tv_nsec, -EINTR and the time left when a handler interrupts it', () => {
    const r = runPrograms({
      '/bin/intr': prog(`
        la a0, bad
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li t0, -22
        li s2, 1
        bne a0, t0, out
        li a0, 10
        la a1, act
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigaction
        ecall
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        bnez a0, parent
        li a7, SYS_getppid
        ecall
        li a1, 10
        li a7, SYS_kill
        ecall
        li a0, 0
        li a7, SYS_exit
        ecall
parent: la a0, ts
        la a1, rem
        li a7, SYS_nanosleep
        ecall
        li t0, -4
        li s2, 2
        bne a0, t0, out
        la t0, rem
        ld t1, 0(t0)
        li t2, 4
        li s2, 3
        bne t1, t2, out         # 4 s and change were left of 5 s
        li s2, 0
out:    mv a0, s2
        li a7, SYS_exit
        ecall
handler: ret`, `
        .data
        .align 3
act:    .dword handler, 0, 0
ts:     .dword 5, 0
bad:    .dword 0, 1000000000
rem:    .dword -1, -1`),
    });
    expect(r.result.exitCode).toBe(0);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });
});

describe('identity, uname, getrandom', () => {
  it('getpid, gettid, getppid, uids, set_tid_address', () => {
    const { k, t } = spawned();
    expect(call(k, t, NR.getpid)).toBe(1);
    expect(call(k, t, NR.gettid)).toBe(1);
    expect(call(k, t, NR.getppid)).toBe(0);
    expect([NR.getuid, NR.geteuid, NR.getgid, NR.getegid].map((nr) => call(k, t, nr))).toEqual([1000, 1000, 1000, 1000]);
    expect(call(k, t, NR.set_tid_address, 0x1234)).toBe(1);
    expect(t.clearChildTid).toBe(0x1234);
  });

  it('uname fills struct new_utsname', () => {
    const { k, t, scratch } = spawned();
    expect(call(k, t, NR.uname, scratch)).toBe(0);
    const b = k.mm.copyFromUser(t.mm!, scratch, 390) as Uint8Array;
    const field = (i: number) => new TextDecoder().decode(b.subarray(i * 65, i * 65 + 65)).replace(/\0.*$/s, '');
    expect([0, 1, 2, 4].map(field)).toEqual(['Linux', 'vmlab', '6.1.0-vmlab', 'riscv64']);
    expect(call(k, t, NR.uname, 0x1000)).toBe(-14);
  });

  it('getrandom is deterministic for a seed and checks its flags', () => {
    const bytes = (seed: number) => {
      const { k, t, scratch } = spawned(seed);
      expect(call(k, t, NR.getrandom, scratch, 16, 0)).toBe(16);
      expect(call(k, t, NR.getrandom, scratch + 16, 1, 0x8)).toBe(-22);
      expect(call(k, t, NR.getrandom, scratch + 16, 1, 0x6)).toBe(-22);
      expect(call(k, t, NR.getrandom, 0x1000, 1, 0)).toBe(-14);
      return get(k, t, scratch, 2);
    };
    expect(bytes(7)).toEqual(bytes(7));
    expect(bytes(7)).not.toEqual(bytes(8));
  });

  it('wait4: -ECHILD without children, -EINVAL for unknown options', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [0n]);
    expect(call(k, t, NR.wait4, -1, scratch, 0, scratch + 8)).toBe(-10);
    expect(call(k, t, NR.wait4, -1, 0, 0x40, 0)).toBe(-22);
  });
});
