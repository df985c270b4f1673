// wait4 (kernel-ts/proc/exit.ts doWait4, and the kernel's wake path in
// kernel.ts): WNOHANG leaves *status alone, and a wait4 woken by a child's
// exit returns the pid even when the SIGCHLD that came with it has a handler
// (Linux do_wait scans the children again before it returns -ERESTARTSYS);
// a signal that is not a child's exit still interrupts it.
import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { SIGUSR1 } from '../../../kernel-ts/proc/signal-defs';
import { call, framesAfter, get, prog, put, runPrograms, spawned } from './helpers';

const FORK = `
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall`;
const SIGACTION = (sig: number, act: string) => `
        li a0, ${sig}
        la a1, ${act}
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigaction
        ecall`;
// wait4(s1, &status, 0, NULL); exit status 1 unless it returned s1, 2 unless
// the status is exit(42), 3 unless the handler ran; else 0.
const WAIT_AND_CHECK = `
        mv a0, s1
        la a1, status
        li a2, 0
        li a3, 0
        li a7, SYS_wait4
        ecall
        li s2, 1
        bne a0, s1, out
        la t0, status
        lw t1, 0(t0)
        li t2, 42 << 8
        li s2, 2
        bne t1, t2, out
        la t0, seen
        lw t1, 0(t0)
        li s2, 3
        beqz t1, out
        li s2, 0
out:    mv a0, s2
        li a7, SYS_exit
        ecall
handler:
        la t0, seen
        li t1, 1
        sw t1, 0(t0)
        ret`;
const DATA = (flags: number) => `
        .data
        .align 3
act:    .dword handler, ${flags}, 0
ts:     .dword 0, 1000000
status: .word 0
seen:   .word 0`;

describe('wait4 with WNOHANG', () => {
  it('returns 0 for a live child and leaves *status untouched, for -1, 0 and the pid', () => {
    const r = runPrograms({
      '/bin/nohang': prog(`
${FORK}
        bnez a0, parent
        la a0, ts               # the child sleeps 1 ms, then exits 42
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li a0, 42
        li a7, SYS_exit
        ecall
parent: mv s1, a0
        li s3, 0
        li s4, -1               # pid -1, 0, then the child's
1:      mv a0, s4
        la a1, status
        li a2, 1                # WNOHANG
        li a3, 0
        li a7, SYS_wait4
        ecall
        or s3, s3, a0           # every result 0
        addi s4, s4, 1
        li t0, 1
        bne s4, t0, 1b
        mv a0, s1
        la a1, status
        li a2, 1
        li a3, 0
        li a7, SYS_wait4
        ecall
        or s3, s3, a0
        la t0, status
        lw t1, 0(t0)
        li t2, 0x5a5a
        li a0, 1
        bne t1, t2, 2f          # status untouched
        li a0, 2
        bnez s3, 2f
        li a0, 0
2:      li a7, SYS_exit
        ecall`, `
        .data
        .align 3
ts:     .dword 0, 1000000
status: .word 0x5a5a`),
    });
    expect(r.result.exitCode).toBe(0);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('-EINVAL for options wait4 does not know (WEXITED, WNOWAIT, bit 8), *status untouched', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [0x5a5an]);
    for (const bad of [0x4, 0x01000000, 0x100 | 1]) expect(call(k, t, NR.wait4, -1, scratch, bad, 0)).toBe(-22);
    expect(get(k, t, scratch, 1)).toEqual([0x5a5an]);
  });
});

describe('wait4 eligibility (eligible_child)', () => {
  it('a fork child is waited for without __WCLONE or with __WALL, never with __WCLONE alone; pid INT_MIN is -ESRCH', () => {
    const r = runPrograms({
      '/bin/wclone': prog(`
${FORK}
        bnez a0, parent
        la a0, ts               # the child sleeps 1 ms, then exits 42
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li a0, 42
        li a7, SYS_exit
        ecall
parent: mv s1, a0
        mv a0, s1               # __WCLONE | WNOHANG: no clone children, -ECHILD
        la a1, status
        li a2, 0x80000001
        li a3, 0
        li a7, SYS_wait4
        ecall
        li t0, -10
        li s2, 1
        bne a0, t0, out
        li a0, -1               # __WALL | __WCLONE | WNOHANG: the live child, 0
        la a1, status
        li a2, 0xc0000001
        li a3, 0
        li a7, SYS_wait4
        ecall
        li s2, 2
        bnez a0, out
        li a0, 0x80000000       # pid INT_MIN: -ESRCH
        sext.w a0, a0
        la a1, status
        li a2, 1
        li a3, 0
        li a7, SYS_wait4
        ecall
        li t0, -3
        li s2, 3
        bne a0, t0, out
        mv a0, s1               # __WALL: reaps it
        la a1, status
        li a2, 0x40000000
        li a3, 0
        li a7, SYS_wait4
        ecall
        li s2, 4
        bne a0, s1, out
        li s2, 0
out:    mv a0, s2
        li a7, SYS_exit
        ecall`, `
        .data
        .align 3
ts:     .dword 0, 1000000
status: .word 0`),
    });
    expect(r.result.exitCode).toBe(0);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });
});

describe('wait4 woken by a child exit with a SIGCHLD handler', () => {
  for (const [what, flags] of [['without SA_RESTART', 0], ['with SA_RESTART', 0x10000000]] as const) {
    it(`${what}: returns the pid and status, and the handler has run`, () => {
      // The parent goes on after clone and sleeps in wait4 before the child runs and exits.
      const r = runPrograms({
        '/bin/chld': prog(`
${SIGACTION(17, 'act')}
${FORK}
        bnez a0, parent
        li a0, 42
        li a7, SYS_exit
        ecall
parent: mv s1, a0
${WAIT_AND_CHECK}`, DATA(flags)),
      });
      expect(r.result.exitCode).toBe(0);
      expect(framesAfter(r.k)).toBe(r.baseline);
    });
  }

  it('another signal during the wait (not a child exit) is still -EINTR without SA_RESTART', () => {
    const r = runPrograms({
      '/bin/intr': prog(`
${SIGACTION(SIGUSR1, 'act')}
${FORK}
        bnez a0, parent
        li a7, SYS_getppid      # the child: SIGUSR1 to the waiting parent, then 1 ms later exit(42)
        ecall
        li a1, ${SIGUSR1}
        li a7, SYS_kill
        ecall
        la a0, ts
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li a0, 42
        li a7, SYS_exit
        ecall
parent: mv s1, a0
        mv a0, s1
        la a1, status
        li a2, 0
        li a3, 0
        li a7, SYS_wait4
        ecall
        li t0, -4
        beq a0, t0, 1f
        li a0, 4                # 4: not -EINTR
        li a7, SYS_exit
        ecall
1:
${WAIT_AND_CHECK}`, DATA(0)),
    });
    expect(r.result.exitCode).toBe(0);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });
});
