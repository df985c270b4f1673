// The soft-lockup watchdog's bounds by work (module/watchdog.ts): exact call
// counts and guest time, never the host's clock.
import { describe, expect, it } from 'vitest';
import { Watchdog } from '../../../kernel-ts/module/watchdog';
import { SoftLockup } from '../../../kernel-ts/proc/oops';

/** Runs fn bounded; what it threw (a SoftLockup's message and seconds) or its value. */
function run<T>(w: Watchdog, fn: () => T): T | string {
  try {
    return w.bounded('test', fn);
  } catch (e) {
    return e instanceof SoftLockup ? `${e.message} ${e.seconds}s` : `other: ${String(e)}`;
  }
}

describe('Watchdog', () => {
  it('the bound is the number of API calls: `calls` of them pass, the next throws', () => {
    const w = new Watchdog({ calls: 5 });
    let n = 0;
    expect(run(w, () => { for (let i = 0; i < 5; i++) { w.tick(); n++; } return 'done'; })).toBe('done');
    expect(run(w, () => { for (;;) { w.tick(); n++; } })).toBe('soft lockup in test 20s');
    expect(n).toBe(10);
  });

  it('each bounded call starts from zero; ticks outside any call are not counted', () => {
    const w = new Watchdog({ calls: 3 });
    for (let i = 0; i < 100; i++) w.tick();
    for (let i = 0; i < 4; i++) expect(run(w, () => { w.tick(); w.tick(); w.tick(); return i; })).toBe(i);
  });

  it("a nested call's work counts for the call around it too", () => {
    const w = new Watchdog({ calls: 4 });
    const inner = (): string | number => run(w, () => { w.tick(); w.tick(); w.tick(); return 3; });
    expect(run(w, () => { inner(); inner(); return 'outer ok'; })).toBe('outer ok');
    // 3 + 3 = 6 > 4: the outer call's next tick finds it stuck.
    expect(run(w, () => { inner(); inner(); w.tick(); return 'not reached'; })).toBe('soft lockup in test 20s');
  });

  it('guest time slept: past `ms` the call is stuck, and says how long it slept in whole seconds', () => {
    const w = new Watchdog({ ms: 20_000 });
    let sleeps = 0;
    expect(run(w, () => { for (;;) { w.slept(1e9); sleeps++; } })).toBe('soft lockup in test 21s');
    expect(sleeps).toBe(20);
    expect(run(w, () => { w.slept(20_000 * 1e6); return 'exactly the threshold is not past it'; })).toBe('exactly the threshold is not past it');
  });

  it('once stuck, every tick throws again, and a caught lockup is thrown when the call returns', () => {
    const w = new Watchdog({ calls: 1 });
    const seen: string[] = [];
    const r = run(w, () => {
      try { w.tick(); w.tick(); } catch { seen.push('caught'); }
      try { w.tick(); } catch { seen.push('again'); }
      try { w.slept(1); } catch { seen.push('sleep too'); }
      return 'returned';
    });
    expect(r).toBe('soft lockup in test 20s');
    expect(seen).toEqual(['caught', 'again', 'sleep too']);
  });

  it('what the call throws itself passes through', () => {
    const w = new Watchdog();
    expect(run(w, () => { throw new Error('mine'); })).toBe('other: Error: mine');
  });

  it('loop iterations count toward the same bound: max(calls x 64, 65536) per call, a nested call\'s adding to its caller\'s; loop.of counts each element', () => {
    const w = new Watchdog({ calls: 2000 }); // 128000 iterations
    let n = 0;
    expect(run(w, () => { for (;;) { w.loop(); n++; } })).toBe('soft lockup in test 20s');
    expect(n).toBe(128_000);
    const small = new Watchdog({ calls: 1 }); // the floor: 65536
    const inner = (): string | number => run(small, () => { for (let i = 0; i < 40_000; i++) small.loop(); return 1; });
    // 40000 + 40000 > 65536: the outer call's next iteration finds it stuck.
    expect(run(small, () => [inner(), inner(), small.loop()])).toBe('soft lockup in test 20s');
    expect(run(small, () => { let k = 0; for (const x of small.loop.of(Array.from({ length: 70_000 }, () => 1))) k += x; return k; })).toBe('soft lockup in test 20s');
    expect(run(small, () => { let k = 0; for (const x of small.loop.of([1, 2, 3])) k += x; return k; })).toBe(6);
    // Outside any bounded call nothing is counted.
    for (let i = 0; i < 70_000; i++) small.loop();
  });
});
