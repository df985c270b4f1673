// sleepOn (kernel-ts/proc/sched.ts): a task with a pending signal it does not
// block does not go to sleep (Linux __schedule's signal_pending_state()), so
// the signal ends the call; without that, an rt_sigsuspend whose temporary
// mask lets in an already pending signal slept for ever.
import { describe, expect, it } from 'vitest';
import { SIGUSR1, siginfo } from '../../../kernel-ts/proc/signal-defs';
import { sleepOn } from '../../../kernel-ts/proc/sched';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../../../kernel-ts/proc/task';
import { framesAfter, prog, runPrograms, spawned } from './helpers';

describe('sleepOn', () => {
  it('sleeps with nothing pending or only blocked signals pending, not with a deliverable one', () => {
    const { t } = spawned();
    sleepOn(t, { kind: 'child' });
    expect([t.state, t.sleep.kind]).toEqual([TASK_INTERRUPTIBLE, 'child']);
    t.state = TASK_RUNNING;
    t.sleep = { kind: 'none' };
    t.blocked = 1n << BigInt(SIGUSR1 - 1);
    t.pending.add(siginfo(SIGUSR1, 0));
    sleepOn(t, { kind: 'signal' });
    expect(t.state).toBe(TASK_INTERRUPTIBLE);
    t.state = TASK_RUNNING;
    t.sleep = { kind: 'none' };
    t.blocked = 0n;
    sleepOn(t, { kind: 'signal' });
    expect([t.state, t.sleep.kind]).toEqual([TASK_RUNNING, 'none']);
  });
});

// A child spins (sched_yield) for ever, so a sleeping parent is no deadlock
// the kernel would end: before the fix this ran until the instruction limit.
const SPINNING_CHILD = `
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        bnez a0, 1f
2:      li a7, SYS_sched_yield
        ecall
        j 2b
1:      mv s3, a0`;

describe('rt_sigsuspend with the signal already pending', () => {
  it('runs the handler at once and returns -EINTR, the old mask back', () => {
    const r = runPrograms(
      {
        '/bin/pending': prog(`
        li a0, ${SIGUSR1}
        la a1, act
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigaction
        ecall
        li a0, 0                # SIG_BLOCK SIGUSR1
        la a1, usr1
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall
${SPINNING_CHILD}
        li a7, SYS_getpid       # raise(SIGUSR1): pending, blocked
        ecall
        li a1, ${SIGUSR1}
        li a7, SYS_kill
        ecall
        la a0, none
        li a1, 8
        li a7, 133              # rt_sigsuspend(&empty mask, 8)
        ecall
        li t0, -4
        li s2, 1
        bne a0, t0, out
        la t0, seen
        lw t1, 0(t0)
        li s2, 2
        bne t1, zero, 3f
        j out
3:      li a0, 0
        li a1, 0
        la a2, old
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall
        la t0, old
        ld t1, 0(t0)
        li t2, 1 << 9
        li s2, 3
        bne t1, t2, out         # SIGUSR1 blocked again
        li s2, 0
out:    mv a0, s3               # kill the spinning child
        li a1, 9
        li a7, SYS_kill
        ecall
        mv a0, s2
        li a7, SYS_exit_group
        ecall
handler:
        la t0, seen
        li t1, 1
        sw t1, 0(t0)
        ret`, `
        .data
        .align 3
act:    .dword handler, 0, 0
usr1:   .dword 1 << 9
none:   .dword 0
old:    .dword -1
seen:   .word 0`),
      },
      { maxInsns: 200_000 },
    );
    expect(r.result.reason).toBe('exited');
    expect(r.result.exitCode).toBe(0);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });
});
