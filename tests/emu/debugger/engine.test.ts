// The run-control engine on its own, as a gdb stub or a DAP adapter drives
// it: typed stops for every reason, registers and memory, and an interrupt
// taken between slices that end by instruction count (so exactly where it
// lands is the same on every machine). Reverse execution and the mode:
// engine-reverse.test.ts.
import { describe, expect, it } from 'vitest';
import type { StopEvent } from '../../../emu/debugger/engine-types';
import { PF_U, PF_W } from '../../../emu/machine/trap';
import { bootEngine as boot, sym } from '../../support/engine';

describe('engine: stop reasons', () => {
  it('breakpoint: the stop names the breakpoint, pc is its address, not yet executed; continue steps over it to the exit', async () => {
    const { e } = boot('pf.s');
    const bp = e.setBreakpoint(sym(e, 'add1'));
    const ev = await e.cont();
    expect(ev).toEqual({ kind: 'breakpoint', bp });
    expect(bp.num).toBe(1);
    expect(e.pc).toBe(sym(e, 'add1'));
    expect(await e.cont()).toEqual({ kind: 'exited', status: 3 << 8, exitCode: 3, reason: 'exited' });
    expect(e.exited).not.toBeNull();
    expect(await e.stepi()).toBe(e.exited); // nothing runs after the end
  });

  it('watchpoint: the address accessed, the value before (not mapped: null) and after', async () => {
    const { e } = boot('pf.s');
    const buf = sym(e, 'buf');
    const w = e.setWatchpoint(buf, 8, 'write');
    const ev = await e.cont();
    expect(ev).toEqual({ kind: 'watch', bp: w, old: null, now: 42n, addr: buf });
    expect(e.pc).toBe(sym(e, 'main') + 0x20); // after the store
  });

  it('physical watchpoint: a store through the mapping of the watched frame', async () => {
    const { e } = boot('pf.s');
    const buf = sym(e, 'buf');
    e.setBreakpoint(sym(e, 'main') + 0x20);
    await e.cont(); // the page is mapped now
    const pa = e.virtToPhys(buf + 8);
    expect(typeof pa).toBe('number');
    const w = e.setWatchpoint(pa as number, 8, 'write', true);
    const ev = await e.cont();
    expect(ev).toEqual({ kind: 'watch', bp: w, old: 0n, now: BigInt(buf), addr: buf + 8 }); // sd a0, 8(a0): buf's address
  });

  it('catch pagefault: the error code and CR2, before the kernel handled it; the instruction has not run', async () => {
    const { e } = boot('pf.s');
    e.setBreakpoint(sym(e, 'main'));
    await e.cont();
    const c = e.catchPagefault(PF_W);
    const ev = await e.cont();
    const buf = sym(e, 'buf');
    expect(ev).toEqual({ kind: 'pagefault', bp: c, addr: BigInt(buf), error: PF_W | PF_U, ip: sym(e, 'main') + 0x1c });
    expect(e.pc).toBe(sym(e, 'main') + 0x1c);
    expect(typeof e.virtToPhys(buf)).toBe('string');
    e.deleteBreakpoint(c.num);
    expect((await e.stepi()).kind).toBe('step'); // the kernel handles the fault, the store runs
    expect(e.readVirt(buf, 8)).toBe(42n);
    expect(e.kernelNotes[0]).toMatch(/^kernel: #PF at VA 0x12000 \(error 0x6 not-present write user\) handled: demand-zero/);
  });

  it('catch signal: the signal before its delivery; continue delivers it and the program dies of it', async () => {
    const { e } = boot('segv.s');
    const c = e.addBreakpoint({ kind: 'catchpoint', mode: 'signal', what: 'SIGSEGV', signals: [11] });
    expect(await e.cont()).toEqual({ kind: 'signal', bp: c, signo: 11 });
    expect(e.atSignalStop).toBe(true);
    const end = await e.cont();
    expect(end.kind === 'exited' && end.status).toBe(11);
  });

  it('catch syscall: the ecall, not yet served', async () => {
    const { e } = boot('pf.s');
    const c = e.addBreakpoint({ kind: 'catchpoint', mode: 'syscall', what: '', syscalls: [] });
    const ev = await e.cont();
    expect(ev.kind === 'syscall' && ev.bp === c).toBe(true);
    const w = e.readVirt(e.pc, 4);
    expect(w).toBe(0x00000073n); // ecall
  });

  it('step done: stepi N retires exactly N instructions; nexti steps over a call; finish returns to the caller', async () => {
    const { e } = boot('pf.s');
    e.setBreakpoint(sym(e, 'main'));
    await e.cont();
    e.deleteBreakpoint(1);
    const before = e.taskInsns();
    expect(await e.stepi(5)).toEqual({ kind: 'step' });
    expect(e.taskInsns() - before).toBe(5);
    while (e.pc !== sym(e, 'main') + 0x28) await e.stepi(); // call add1: auipc ra at 0x24, jalr ra at 0x28
    expect(await e.nexti()).toEqual({ kind: 'step' });
    expect(e.pc).toBe(sym(e, 'main') + 0x2c);
    expect(e.reg(11)).toBe(43n); // a1 = 42 + 1
    expect(await e.finish()).toEqual({ kind: 'step' }); // main returns to crt0's _start
    expect(e.syms.name(e.pc)).toMatch(/^_start\+/);
    expect(e.reg(10)).toBe(3n);
  });

  it('until: runs to an address; registers and memory written at a stop reach the program', async () => {
    const { e } = boot('pf.s');
    expect(await e.until(sym(e, 'add1'))).toEqual({ kind: 'step' });
    e.setReg(11, 100n);
    const done = e.finish();
    expect(done).not.toBeNull();
    expect(await done).toEqual({ kind: 'step' });
    expect(e.pc).toBe(sym(e, 'main') + 0x2c);
    expect(e.reg(11)).toBe(101n);
    expect(e.writeVirtBytes(sym(e, 'buf'), new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(e.readVirtBytes(sym(e, 'buf'), 2)).toEqual(new Uint8Array([7, 0]));
    expect(e.readVirtBytes(0x7000_0000, 4)).toMatch(/^Cannot access memory at virtual address 0x70000000/);
  });
});

describe('engine: interrupt between slices', () => {
  /** spin.s with a breakpoint that never hits (the stepping path): interrupt() at the n-th look at the event loop. */
  async function interruptAt(n: number, slice: number): Promise<{ ev: StopEvent; ran: number; a0: bigint; slices: number }> {
    const { e } = boot('spin.s');
    e.setBreakpoint(sym(e, 'main'));
    await e.cont();
    e.setBreakpoint(sym(e, 'never'));
    e.sliceInsns = slice;
    let slices = 0;
    e.onSlice = () => {
      if (++slices === n) e.interrupt();
    };
    const start = e.k.machine.cpu.instret;
    const ev = await e.cont();
    return { ev, ran: e.k.machine.cpu.instret - start, a0: e.reg(10), slices };
  }

  it('stops at the end of the slice the interrupt arrived in, by instruction count: the same place every time', async () => {
    const a = await interruptAt(3, 10_000);
    expect(a.ev).toEqual({ kind: 'interrupted' });
    expect(a.slices).toBe(3);
    expect(a.ran).toBe(30_000);
    expect(a.a0).toBe(15_000n); // li a0, 0 ran before; then addi, j per iteration
    const b = await interruptAt(3, 10_000);
    expect(b).toEqual(a);
  });

  /** spin.s in the fast loop (no stop condition), the kernel's time slice 10^7 instructions: interrupt() at the n-th look at the event loop. */
  async function fastInterruptAt(n: number, jit: boolean): Promise<{ looks: number[]; ran: number; stepped: number; regionRuns: number }> {
    const { e } = boot('spin.s', { sliceInsns: 10_000_000, jit });
    e.sliceInsns = 1000;
    const start = e.k.machine.cpu.instret;
    const looks: number[] = [];
    e.onSlice = () => {
      looks.push(e.k.machine.cpu.instret - start);
      if (looks.length === n) e.interrupt();
    };
    expect(await e.cont()).toEqual({ kind: 'interrupted' });
    expect(e.k.userRun).toBeNull();
    return { looks, ran: e.k.machine.cpu.instret - start, stepped: e.stepped, regionRuns: e.k.tier1?.stats.regionRuns ?? 0 };
  }

  it('in the fast loop the run looks at the event loop every sliceInsns instructions, however long the kernel\'s time slice: an interrupt lands there', async () => {
    const a = await fastInterruptAt(3, false);
    // Not at the kernel's slice boundary (10^7 instructions on): exactly at the engine's.
    expect(a).toEqual({ looks: [1000, 2000, 3000], ran: 3000, stepped: 0, regionRuns: 0 });
    expect(await fastInterruptAt(3, false)).toEqual(a);
  });

  it('tier 1 (compiled code) stops at the same instruction counts as the interpreter', async () => {
    const j = await fastInterruptAt(5, true);
    expect(j.regionRuns).toBeGreaterThan(0); // the loop ran as compiled code
    expect({ ...j, regionRuns: 0 }).toEqual({ looks: [1000, 2000, 3000, 4000, 5000], ran: 5000, stepped: 0, regionRuns: 0 });
  });

  it('a second run while one is under way is refused before it changes anything; the first one is not disturbed', async () => {
    const { e } = boot('spin.s');
    e.sliceInsns = 1000;
    let second: Promise<string> | null = null;
    let looks = 0;
    e.onSlice = () => {
      if (++looks === 1) second = e.cont().then((ev) => `ran: ${ev.kind}`, (err: Error) => err.message);
      if (looks === 3) e.interrupt();
    };
    expect(await e.cont()).toEqual({ kind: 'interrupted' });
    expect(await second).toBe('the engine is already running (one run at a time: wait for its stop)');
    expect(looks).toBe(3);
    expect(e.isRunning).toBe(false);
  });

  it('an interrupt from outside (a socket\'s Ctrl-C: another task of the event loop) ends a run that would never end', async () => {
    const { e } = boot('spin.s');
    e.sliceInsns = 5000;
    setImmediate(() => e.interrupt());
    expect(await e.cont()).toEqual({ kind: 'interrupted' });
    expect(e.exited).toBeNull();
    expect(e.mode).toEqual({ kind: 'live' });
  });
});
