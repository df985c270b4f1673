// Modules that misbehave (issue 12, finding 9): whatever they throw, return
// or loop on, the kernel reports it and keeps running.
import { describe, expect, it } from 'vitest';
import { bootKernel, logLines } from '../proc/helpers';
import { catFile, insmod, moduleFile } from './helpers';
import { runKthreads } from '../../../kernel-ts/kthread';

type K = ReturnType<typeof bootKernel>['k'];
const logSince = (k: K, n: number): string[] => logLines(k).slice(n);

/** A module file named `name` whose init body is `body` (a string of TypeScript). */
function initModule(name: string, body: string, top = ''): string {
  return moduleFile(`import type { KernelModule } from 'vmlab/module';
${top}
const mod: KernelModule = {
  name: ${JSON.stringify(name)},
  init(m) { ${body} },
};
export default mod;
`);
}

/** After the kernel's own work: an insmod and rmmod of a plain module still work. */
function stillRunning(k: K): void {
  expect(insmod(k, initModule('after', 'return 0;'))).toEqual({ r: 0, err: [] });
  expect(k.modules.rmmod('after')).toBe(0);
}

describe('modules: any thrown value is an oops, described safely', () => {
  const cases: [string, string, string][] = [
    ['tostr', 'throw { toString() { throw new Error("no"); } };', 'thrown value: (an object that cannot be printed)'],
    ['proxy', 'throw new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 2; } });', 'thrown value: (an object that cannot be printed)'],
    ['sym', 'throw Symbol("s");', 'thrown value: Symbol(s)'],
    ['nul', 'throw null;', 'thrown value: null'],
    ['undef', 'throw undefined;', 'thrown value: undefined'],
    ['getter', 'const e = new Error("x"); Object.defineProperty(e, "message", { get() { throw e; } }); throw e;', 'Error: (unprintable message)'],
    ['num', 'throw 42;', 'Error: 42'],
  ];
  for (const [name, body, text] of cases) {
    it(`init that throws: ${name}`, () => {
      const { k } = bootKernel();
      const n = logLines(k).length;
      expect(insmod(k, initModule(name, body))).toEqual({ r: -14, err: ['Killed'] });
      expect(logSince(k, n)).toContain(`BUG: kernel exception in init [${name}]: ${text}`);
      expect(k.modules.names()).toEqual([]);
      stillRunning(k);
    });
  }
});

describe('modules: async code', () => {
  it('an async init is refused with one line, and its rejection is handled (not Node unhandledRejection)', async () => {
    const { k } = bootKernel();
    const n = logLines(k).length;
    const p = moduleFile(`import type { KernelModule } from 'vmlab/module';
const mod = {
  name: 'asyncinit',
  async init(m: any) { m.procCreate('early', {}); await null; m.procCreate('late', {}); throw new Error('later'); },
};
export default mod as unknown as KernelModule;
`);
    expect(insmod(k, p)).toEqual({ r: -8, err: [`insmod: ERROR: could not insert module ${p}: Invalid module format`] });
    expect(logSince(k, n).slice(1)).toEqual(['asyncinit: init returned a Promise; module init must be synchronous (not an async function)']);
    // What init registered before its await is gone; what it registers after is refused.
    expect(catFile(k, '/proc/early')).toBe(-2);
    await new Promise((r) => setImmediate(r));
    expect(catFile(k, '/proc/late')).toBe(-2);
    expect(logSince(k, n).at(-1)).toBe('asyncinit: a Promise of init rejected: Error: later');
    expect(k.modules.names()).toEqual([]);
    stillRunning(k);
  });

  it('a thrown rejected Promise is an oops described safely, and its rejection is handled (not Node unhandledRejection)', async () => {
    // module fuzzer, seed 3 case 39: `throw Promise.reject(...)` in init; the rejection reached Node.
    const { k } = bootKernel();
    const n = logLines(k).length;
    expect(insmod(k, initModule('thrownp', "throw Promise.reject(new Error('nobody waits'));"))).toEqual({ r: -14, err: ['Killed'] });
    expect(logSince(k, n)).toContain('BUG: kernel exception in init [thrownp]: thrown value: [object Promise]');
    await new Promise((r) => setImmediate(r));
    expect(logSince(k, n).at(-1)).toBe('a thrown Promise rejected: Error: nobody waits');
    stillRunning(k);
  });

  it('BUG cannot be caught: a BUG_ON in an async init, or one the module catches itself, is still the oops of the call (module fuzzer, seed 601 case 20035: a dangling kernel BUG at)', async () => {
    const { k } = bootKernel();
    for (const [name, body] of [
      ['bugasync', 'module_init((async () => { BUG_ON(1); return 0; }) as never);'],
      ['bugcaught', 'module_init(() => { try { BUG_ON(1); } catch { /* a module cannot undo a BUG */ } return 0; });'],
    ] as const) {
      const n = logLines(k).length;
      const p = moduleFile(`import { BUG_ON, module_init, MODULE_LICENSE } from 'vmlab/linux';\n${body}\nMODULE_LICENSE('GPL');\n`, `${name}.ts`);
      expect(insmod(k, p)).toEqual({ r: -14, err: ['Killed'] });
      const log = logSince(k, n);
      const at = log.indexOf(`kernel BUG at ${name}.ts:2!`);
      expect(at).toBeGreaterThan(0);
      expect(log[at + 1]).toMatch(/^invalid opcode: 0000 \[#\d+\] PREEMPT SMP NOPTI$/);
      expect(log.at(-1)).toMatch(/^CR2: 0{16} CR3: /);
      expect(k.modules.names()).toEqual([]);
    }
    // The async init's rejection is handled, and says nothing more.
    const n = logLines(k).length;
    await new Promise((r) => setImmediate(r));
    expect(logSince(k, n)).toEqual([]);
    stillRunning(k);
  });

  it('an async read is an oops of the reader', async () => {
    const { k } = bootKernel();
    expect(insmod(k, initModule('asyncread', "return m.procCreate('ar', { read: (async () => { throw new Error('no'); }) as any }) as any < 0 ? -1 : 0;")).r).toBe(0);
    const n = logLines(k).length;
    expect(catFile(k, '/proc/ar')).toBe(-9);
    expect(logSince(k, n)[0]).toBe('BUG: kernel exception in read [asyncread]: Error: read returned a Promise: module callbacks must be synchronous (not async functions)');
    await new Promise((r) => setImmediate(r));
    expect(logSince(k, n).at(-1)).toBe('asyncread: a Promise of read rejected: Error: no');
  });
});

describe('modules: the soft-lockup watchdog (bounded by work: API calls and guest time)', () => {
  const LINUX = "import * as L from 'vmlab/linux';";
  const seen = (): Record<string, unknown> => (globalThis as unknown as { wdSeen: Record<string, unknown> }).wdSeen;
  const SEEN = 'const wdSeen: Record<string, unknown> = ((globalThis as any).wdSeen = {});';

  it('a loop calling the API in init: stopped at exactly its 101st call (bound 100), the soft-lockup oops, the module not loaded', () => {
    const { k } = bootKernel({ softLockupCalls: 100 });
    const n = logLines(k).length;
    const body = 'let i = 0; try { for (;;) { m.current(); i++; } } finally { wdSeen.calls = i; }';
    expect(insmod(k, initModule('spin', body, SEEN))).toEqual({ r: -14, err: ['Killed'] });
    expect(seen().calls).toBe(100);
    const lines = logSince(k, n);
    const i = lines.findIndex((l) => l.startsWith('watchdog:'));
    // The threshold in whole seconds (Linux's 2 * watchdog_thresh): the stuck call slept no guest time.
    expect(lines.slice(i, i + 6)).toEqual([
      'watchdog: BUG: soft lockup - CPU#0 stuck for 20s! [insmod:1]',
      'Modules linked in: spin(O+)',
      'CPU: 0 PID: 1 Comm: insmod Tainted: G           O       6.1.0-vmlab #1',
      'Hardware name: vmlab',
      'RIP: 0010:init [spin]',
      'RSP: 0018:0000000000000000 EFLAGS: 00000002',
    ]);
    expect(k.modules.names()).toEqual([]);
    stillRunning(k);
  });

  it('vmlab/linux calls count too: a loop of L.ERR_PTR stops at the same call, whatever the machine', () => {
    for (const bound of [1, 7, 1000]) {
      const { k } = bootKernel({ softLockupCalls: bound });
      const body = 'let i = 0; try { for (;;) { L.ERR_PTR(-1); i++; } } finally { wdSeen.calls = i; }';
      expect(insmod(k, initModule('spinl', body, `${LINUX}\n${SEEN}`))).toEqual({ r: -14, err: ['Killed'] });
      expect(seen().calls).toBe(bound);
    }
  });

  it('a module that catches the lockup gains nothing: every API call after it throws it again, and so does the return', () => {
    const { k } = bootKernel({ softLockupCalls: 10 });
    const n = logLines(k).length;
    const body = 'try { for (;;) m.current(); } catch (e) { wdSeen.caught = String(e); } try { m.printk("after"); } catch { wdSeen.again = true; } return 0;';
    expect(insmod(k, initModule('catcher', body, SEEN))).toEqual({ r: -14, err: ['Killed'] });
    expect(seen()).toEqual({ caught: 'SoftLockup: soft lockup in init [catcher]', again: true });
    expect(logSince(k, n)).not.toContain('after');
    expect(logSince(k, n)).toContain('watchdog: BUG: soft lockup - CPU#0 stuck for 20s! [insmod:1]');
    stillRunning(k);
  });

  it('msleep in a read: the guest time slept is the bound (21 sleeps of 1 s > 20 s), the reader killed, the module stays', () => {
    const { k } = bootKernel();
    // msleep advances the guest clock (linux/delay.ts: k.idle), no host time passes: the bound is a count of guest seconds.
    const init = "return m.procCreate('sr', { read: () => { for (;;) { L.msleep(1000); wdSeen.sleeps = (wdSeen.sleeps as number ?? 0) + 1; } } }) as any < 0 ? -1 : 0;";
    expect(insmod(k, initModule('sleepread', init, `${LINUX}\n${SEEN}`)).r).toBe(0);
    const n = logLines(k).length;
    expect(catFile(k, '/proc/sr')).toBe(-9);
    // The 21st msleep is the one that finds 21 s slept: 20 returned.
    expect(seen().sleeps).toBe(20);
    expect(logSince(k, n)[0]).toMatch(/^watchdog: BUG: soft lockup - CPU#0 stuck for 21s! \[cat:\d+\]$/);
    expect(k.modules.rmmod('sleepread')).toBe(0);
    stillRunning(k);
  });

  it('a kernel thread that loops on msleep without yielding: stopped by guest time, reported for swapper', () => {
    const { k } = bootKernel({ softLockupMs: 50 });
    // softLockupMs is guest time: 50 sleeps of 1 guest ms, counted, whatever the host's speed.
    const top = `${LINUX}\n${SEEN}\nfunction* spinner(): Generator<L.kthread_wait, number, void> { for (;;) { L.msleep(1); wdSeen.sleeps = (wdSeen.sleeps as number ?? 0) + 1; } }`;
    expect(insmod(k, initModule('kspin', "L.kthread_run(spinner, null, 'kspin'); return 0;", top)).r).toBe(0);
    const n = logLines(k).length;
    runKthreads(k);
    expect(seen().sleeps).toBe(50);
    expect(logSince(k, n)[0]).toBe('watchdog: BUG: soft lockup - CPU#0 stuck for 1s! [swapper/0:0]');
  });

  it("a loop at a module file's top level: insmod fails with -ENOEXEC", () => {
    const { k } = bootKernel({ softLockupCalls: 100 });
    const p = initModule('spintop', 'return 0;', `${LINUX}\nfor (;;) L.ERR_PTR(-1);`);
    const r = insmod(k, p);
    expect(r.r).toBe(-8);
    expect(r.err[0]).toMatch(/: SoftLockup: soft lockup in load \[m\d+\.ts\]$/);
    stillRunning(k);
  });

  it('a loop that calls nothing is counted too: for(;;){} stops after exactly max(calls x 64, 65536) iterations, whatever the machine, with the same oops', () => {
    // The backstop set far beyond the test's time limit: only the count can stop the loop.
    const { k } = bootKernel({ softLockupCalls: 10, softLockupWallMs: 600_000 });
    const n = logLines(k).length;
    const body = 'let i = 0; try { for (;;) { i++; } } finally { wdSeen.iterations = i; }';
    expect(insmod(k, initModule('spinfree', body, SEEN))).toEqual({ r: -14, err: ['Killed'] });
    expect(seen().iterations).toBe(65536);
    expect(logSince(k, n)).toContain('watchdog: BUG: soft lockup - CPU#0 stuck for 20s! [insmod:1]');
    // while, do-while and a for-of over an endless generator, in a read callback: the reader is killed, the module stays.
    const init = "return m.procCreate('loops', { read: () => { let j = 0; function* ever() { for (;;) yield j; } for (const x of ever()) j += x + 1; return 0; } }) as any < 0 ? -1 : 0;";
    expect(insmod(k, initModule('loopread', init)).r).toBe(0);
    const n2 = logLines(k).length;
    expect(catFile(k, '/proc/loops')).toBe(-9);
    expect(logSince(k, n2)[0]).toMatch(/^watchdog: BUG: soft lockup - CPU#0 stuck for 20s! \[cat:\d+\]$/);
    expect(k.modules.rmmod('loopread')).toBe(0);
    stillRunning(k);
  });

  it('the wall-clock backstop, only for code no loop counter reaches: a loop made at run time with Function is terminated, its finally does not run', () => {
    // What is asserted does not depend on when the backstop fires (50 ms of host time here), only that it does.
    const { k } = bootKernel({ softLockupWallMs: 50 });
    const n = logLines(k).length;
    expect(insmod(k, initModule('spintry', 'try { new Function("for (;;) {}")(); } catch { return 0; } finally { m.printk("finally"); } return 0;'))).toEqual({ r: -14, err: ['Killed'] });
    expect(logSince(k, n)).not.toContain('finally');
    expect(logSince(k, n)).toContain('watchdog: BUG: soft lockup - CPU#0 stuck for 20s! [insmod:1]');
    stillRunning(k);
  });
});

describe('modules: names', () => {
  it("a module named '' or with other characters than [A-Za-z0-9_-], or longer than 55, is refused", () => {
    const { k } = bootKernel();
    for (const name of ['', 'a b', 'x/y', 'a'.repeat(56)]) {
      const p = initModule(name, 'return 0;');
      expect(insmod(k, p)).toEqual({
        r: -8,
        err: [
          `${p}: module name ${JSON.stringify(name)} is not valid: 1 to 55 characters of A-Z a-z 0-9 _ -`,
          `insmod: ERROR: could not insert module ${p}: Invalid module format`,
        ],
      });
    }
    expect(k.modules.names()).toEqual([]);
  });

  it("'-' becomes '_' (KBUILD_MODNAME); 55 characters are enough", () => {
    const { k } = bootKernel();
    expect(insmod(k, initModule('my-mod', 'return 0;')).r).toBe(0);
    expect(insmod(k, initModule('b'.repeat(55), 'return 0;')).r).toBe(0);
    expect(k.modules.names()).toEqual(['b'.repeat(55), 'my_mod']);
    expect(k.modules.rmmod('my_mod')).toBe(0);
  });
});

describe('modules: /proc and /sys entry names', () => {
  const bad: [string, string, string][] = [
    ["procCreate('../../../tmp/evil', {})", "name '..'", 'fs/proc/generic.c __proc_create'],
    ["procCreate('', {})", 'empty name', 'fs/proc/generic.c __proc_create'],
    ["procCreate('a//b', {})", "name 'a//b' has an empty component", 'fs/proc/generic.c __proc_create'],
    ["procCreate('1', {})", "create '/proc/1' by hand", 'fs/proc/generic.c __proc_create'],
    ["sysfsCreate('/abs', {})", "name '/abs' is an absolute path outside /sys", 'fs/sysfs/file.c sysfs_create_file_ns'],
    ["sysfsCreate('kernel/./x', {})", "name '.'", 'fs/sysfs/file.c sysfs_create_file_ns'],
    ["registerChrdev('..', {})", "name '..'", 'fs/char_dev.c __register_chrdev'],
  ];
  for (const [call, why, at] of bad) {
    it(`${call} is -EINVAL with a WARN`, () => {
      const { k } = bootKernel();
      const n = logLines(k).length;
      expect(insmod(k, initModule('names', `const r = m.${call}; m.printk('r=' + r); return 0;`)).r).toBe(0);
      const lines = logSince(k, n).slice(1);
      expect(lines.slice(0, 4)).toEqual(['------------[ cut here ]------------', why, `WARNING: CPU: 0 PID: 1 at ${at} [names]`, 'Modules linked in: names(O+)']);
      // __warn()'s whole report: the task, the registers, the Call Trace from the module's init, the end marker.
      expect(lines[6]).toBe(`RIP: 0010:${at.split(' ')[1]} [names]`);
      expect(lines.slice(-2)).toEqual(['---[ end trace 0000000000000000 ]---', 'r=-22']);
      expect(catFile(k, '/tmp/evil')).toBe(-2);
    });
  }

  it("names under /proc and /sys with subdirectories still work ('driver/x', '/proc/y', 'kernel/z/a')", () => {
    const { k } = bootKernel();
    const body = `const show = () => 'ok\\n';
      for (const p of ['driver/x', '/proc/y']) if (typeof m.procCreate(p, { read: (_f, buf, ppos) => { if (ppos.pos > 0) return 0; buf.set([111, 107, 10]); ppos.pos = 3; return 3; } }) === 'number') return -1;
      if (typeof m.sysfsCreate('kernel/z/a', { show }) === 'number') return -1;
      return 0;`;
    expect(insmod(k, initModule('okname', body)).r).toBe(0);
    expect([catFile(k, '/proc/driver/x'), catFile(k, '/proc/y'), catFile(k, '/sys/kernel/z/a')]).toEqual(['ok\n', 'ok\n', 'ok\n']);
  });
});
