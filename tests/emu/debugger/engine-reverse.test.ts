// Reverse execution on the engine (engine-reverse.ts) and the mode it runs
// in: reverse-stepi across a page fault, reverse-continue to breakpoints and
// the history's start, and the mode going live -> scan -> replay -> live.
import { describe, expect, it } from 'vitest';
import { NOT_RECORDING } from '../../../emu/debugger/engine';
import { bootEngine as boot, sym } from '../../support/engine';

const RECORD = { interval: 50, maxInsns: 1_000_000, maxBytes: 64 << 20 };

describe('engine: record and reverse execution', () => {
  it('reverse-stepi across a page fault: first to the retry (page mapped, still 0), then to before the fault (page not present)', async () => {
    const { e } = boot('pf.s');
    const store = sym(e, 'main') + 0x1c, buf = sym(e, 'buf');
    expect(await e.reverseStepi()).toBe(NOT_RECORDING);
    e.setBreakpoint(store);
    await e.cont();
    e.deleteBreakpoint(1);
    expect(e.record(RECORD)).toBeNull();
    const faultsBefore = e.faults.length;
    expect(await e.stepi()).toEqual({ kind: 'step' });
    expect(e.pc).toBe(store + 4);
    expect(e.readVirt(buf, 8)).toBe(42n);
    expect(e.faults.length).toBe(faultsBefore + 1);
    // Back once: the store's second attempt, after the kernel mapped the page.
    expect(await e.reverseStepi()).toEqual({ kind: 'step' });
    expect(e.pc).toBe(store);
    expect(e.readVirt(buf, 8)).toBe(0n);
    expect(e.faults.length).toBe(faultsBefore + 1);
    // Back again: the first attempt, the page not yet there and the fault not in the log.
    expect(await e.reverseStepi()).toEqual({ kind: 'step' });
    expect(e.pc).toBe(store);
    expect(e.virtToPhys(buf)).toMatch(/^Cannot access memory/);
    expect(e.faults.length).toBe(faultsBefore);
    // Once more: recording started here, there is no more history.
    expect(await e.reverseStepi()).toEqual({ kind: 'history-end' });
    expect(e.pc).toBe(store);
    // Forward again: the same fault, the same result.
    expect(await e.stepi()).toEqual({ kind: 'step' });
    expect(e.pc).toBe(store + 4);
    expect(e.readVirt(buf, 8)).toBe(42n);
    expect(e.faults.length).toBe(faultsBefore + 1);
  });

  it('reverse-continue: back to the last breakpoint hit, then the one where recording started, then the start of the history', async () => {
    const { e } = boot('pf.s');
    const atMain = e.setBreakpoint(sym(e, 'main'));
    await e.cont();
    e.record(RECORD);
    const bp = e.setBreakpoint(sym(e, 'add1'));
    await e.cont();
    expect(await e.cont()).toMatchObject({ kind: 'exited', exitCode: 3 });
    expect(await e.reverseContinue()).toEqual({ kind: 'breakpoint', bp });
    expect(e.pc).toBe(sym(e, 'add1'));
    expect(e.exited).toBeNull();
    expect(await e.reverseContinue()).toEqual({ kind: 'breakpoint', bp: atMain });
    expect(e.pc).toBe(sym(e, 'main'));
    expect(await e.reverseContinue()).toEqual({ kind: 'history-end' });
    expect(e.pc).toBe(sym(e, 'main'));
  });

  it('the mode: live at rest; scan then replay while going back; live again after', async () => {
    const { e } = boot('pf.s');
    e.setBreakpoint(sym(e, 'main'));
    await e.cont();
    e.record(RECORD);
    await e.stepi(20);
    e.sliceInsns = 1; // a look at the event loop at every chance
    const seen: string[] = [];
    e.onSlice = (x) => {
      const m = x.mode;
      const name = m.kind === 'scan' ? (m.visits !== null ? 'scan visits' : 'scan events') : m.kind;
      if (seen[seen.length - 1] !== name) seen.push(name);
    };
    expect(e.mode).toEqual({ kind: 'live' });
    await e.reverseStepi(3);
    expect(seen).toEqual(['scan visits', 'replay']);
    expect(e.mode).toEqual({ kind: 'live' });
    expect(e.silent).toBe(false);
    seen.length = 0;
    await e.reverseContinue();
    expect(seen[0]).toBe('scan events');
    expect(e.mode).toEqual({ kind: 'live' });
    seen.length = 0;
    await e.stepi(2);
    expect(seen.every((m) => m === 'live')).toBe(true);
    expect(e.recordStop()).toBe(true);
    expect(e.recorder).toBeNull();
  });
});
