// The engine's reactions to the kernel (kernel-events.ts): a fork followed
// or not, catch fork and catch cr3 as typed stops, and the fault log that
// travelling back truncates and the replay fills again.
import { describe, expect, it } from 'vitest';
import { bootEngine as boot, sym } from '../../support/engine';

describe('kernel events', () => {
  it('follow-fork-mode child: the fork stop names the child, the engine follows it to its exit', async () => {
    const { e, out } = boot('tt.s');
    e.followForkMode = 'child';
    const c = e.addBreakpoint({ kind: 'catchpoint', mode: 'fork', what: '' });
    const ev = await e.cont();
    expect(ev).toEqual({ kind: 'event', bp: c, text: 'forked process 2' });
    expect(e.task.pid).toBe(2);
    expect(e.kernelNotes.slice(-2)).toEqual(['[Attaching after process 1 fork to child process 2]', '[Detaching after fork from parent process 1]']);
    expect(await e.cont()).toMatchObject({ kind: 'exited', exitCode: 13 });
    expect(out.join('')).toBe('child: wrote 50 pages\nparent: child exited with 13\n');
  });

  it('the parent by default: the child runs freely, the parent exits with 5', async () => {
    const { e } = boot('tt.s');
    e.addBreakpoint({ kind: 'catchpoint', mode: 'fork', what: '' });
    expect((await e.cont()).kind).toBe('event');
    expect(e.task.pid).toBe(1);
    expect(e.kernelNotes[e.kernelNotes.length - 1]).toBe('[Detaching after fork from child process 2]');
    expect(await e.cont()).toMatchObject({ kind: 'exited', exitCode: 5 });
  });

  it('catch cr3: the followed child first runs on its own page tables; the stop shows CR3 before and after', async () => {
    const { e } = boot('tt.s');
    e.followForkMode = 'child';
    const parentCr3 = e.k.machine.mmu.cr3;
    const c = e.addBreakpoint({ kind: 'catchpoint', mode: 'cr3', what: '' });
    const ev = await e.cont();
    expect(e.task.pid).toBe(2);
    const childCr3 = e.k.machine.mmu.cr3;
    expect(childCr3).not.toBe(parentCr3);
    expect(ev).toEqual({ kind: 'event', bp: c, text: `CR3 written by the kernel: 0x${parentCr3.toString(16)} -> 0x${childCr3.toString(16)}` });
  });

  it('the fault log: every handled fault with its pid, ip and outcome; travelling back drops the later ones, the replay logs them again', async () => {
    const { e } = boot('pf.s');
    e.setBreakpoint(sym(e, 'main'));
    await e.cont();
    e.record({ interval: 50, maxInsns: 1_000_000, maxBytes: 64 << 20 });
    const n = e.faults.length;
    e.setBreakpoint(sym(e, 'add1'));
    await e.cont();
    const store = e.faults[n]!;
    expect(store).toMatchObject({ pid: 1, ip: sym(e, 'main') + 0x1c, addr: BigInt(sym(e, 'buf')), error: 0x6, outcome: 'demand-zero' });
    const logged = e.faults.length;
    await e.reverseStepi(10);
    expect(e.faults.length).toBe(n);
    await e.cont();
    expect(e.faults.length).toBe(logged);
    expect(e.faults[n]).toEqual(store);
  });
});
