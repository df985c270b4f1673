import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import { runKthreads, kthreads } from '../../../../kernel-ts/kthread';
import { EINTR } from '../../../../kernel-ts/errno';
import { linuxEnv } from './helpers';

describe('kthreads: generator thread functions', () => {
  it('the Linux loop with `yield msleep`: one pass per turn once the sleep is over; kthread_stop ends it and returns its value', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    const seen: string[] = [];
    const t = L.kthread_run(
      function* (data: { n: number }) {
        while (!L.kthread_should_stop()) {
          data.n++;
          seen.push(`${L.current.comm}:${L.get_current().pid}:${L.current.mm}`);
          yield L.msleep(100);
        }
        return 7;
      },
      { n: 0 },
      'worker/%d',
      3,
    );
    expect([t.comm, t.flags, t.mm]).toEqual(['worker/3', L.PF_KTHREAD, null]);
    expect(L.find_task_by_vpid(t.pid)).toBe(t);
    expect([...L.for_each_process()]).toContain(t);
    runKthreads(k);
    expect(seen).toEqual([`worker/3:${t.pid}:null`]);
    expect(t.__state).toBe(L.TASK_UNINTERRUPTIBLE);
    // Asleep: turns before 100 ms do nothing.
    runKthreads(k);
    k.idle(99_999_999);
    runKthreads(k);
    expect(seen.length).toBe(1);
    k.idle(1);
    runKthreads(k);
    expect(seen.length).toBe(2);
    expect(L.kthread_stop(t)).toBe(7);
    expect(seen.length).toBe(2);
    expect(t.__state).toBe(L.TASK_DEAD);
    expect(kthreads(k)).toEqual([]);
    expect(L.find_task_by_vpid(t.pid)).toBe(null);
  });

  it('set_current_state(TASK_INTERRUPTIBLE) + yield schedule() sleeps until wake_up_process', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    let rounds = 0;
    const t = L.kthread_create(
      function* () {
        for (;;) {
          L.set_current_state(L.TASK_INTERRUPTIBLE);
          if (L.kthread_should_stop()) break;
          yield L.schedule();
          rounds++;
        }
        return 0;
      },
      null,
      'waiter',
    );
    runKthreads(k);
    expect(rounds).toBe(0); // created, not woken
    expect(L.wake_up_process(t)).toBe(1);
    runKthreads(k);
    runKthreads(k);
    expect([rounds, t.__state]).toEqual([0, L.TASK_INTERRUPTIBLE]);
    expect(L.wake_up_process(t)).toBe(1);
    runKthreads(k);
    expect(rounds).toBe(1);
    expect(L.kthread_stop(t)).toBe(0);
  });

  it('kthread_stop of a thread never woken is -EINTR; a plain function runs once', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    const t = L.kthread_create(() => 5, null, 'never');
    expect(L.kthread_stop(t)).toBe(-EINTR);
    let runs = 0;
    const p = L.kthread_run(() => { runs++; return 3; }, null, 'once');
    runKthreads(k);
    runKthreads(k);
    expect(runs).toBe(1);
    expect(p.__state).toBe(L.TASK_DEAD);
    expect(L.kthread_stop(p)).toBe(3);
  });

  it('a thread that ignores kthread_should_stop is reported hung and stopped', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    const t = L.kthread_run(function* () { for (;;) yield L.cond_resched(); }, null, 'stubborn');
    runKthreads(k);
    const n = k.printk.length;
    expect(L.kthread_stop(t)).toBe(-EINTR);
    expect(k.printk.all().slice(n).map((r) => r.text)[0]).toBe(`INFO: task stubborn:${t.pid} blocked for more than 120 seconds.`);
  });

  it('yielding something that is not a wait is an oops of the thread', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    const t = L.kthread_run(function* () { yield 42 as never; }, null, 'bad');
    runKthreads(k);
    expect(t.__state).toBe(L.TASK_DEAD);
    expect(k.printk.all().map((r) => r.text).some((l) => l.includes('kthread bad yielded 42'))).toBe(true);
  });
});

describe('sched and delay outside kernel threads', () => {
  it('current is swapper/0 with no task; msleep in a process call advances the clock; jiffies at HZ=250', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    expect([L.current.pid, L.current.comm, L.get_current().mm]).toEqual([0, 'swapper/0', null]);
    const j0 = L.get_jiffies_64();
    const c0 = k.clockNs();
    L.msleep(20);
    expect(k.clockNs() - c0).toBe(20_000_000);
    expect(L.get_jiffies_64() - j0).toBe(5n);
    expect([L.HZ, L.msecs_to_jiffies(10), L.msecs_to_jiffies(1), L.jiffies_to_msecs(25)]).toEqual([250, 3, 1, 100]);
    L.udelay(5);
    expect(k.clockNs() - c0).toBe(20_005_000);
  });
});

describe('kthreads: misuse (the module fuzzer)', () => {
  it('kthread_stop on itself is a hung task in Linux: logged, the thread told to stop, no exception of the kernel', () => {
    // module fuzzer, seed 1 case 2: the inner kthread_stop stepped the running generator again
    // ("TypeError: Generator is already running", an oops inside the kernel's own code).
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    const got: number[] = [];
    const t = L.kthread_run(function* () {
      while (!L.kthread_should_stop()) {
        got.push(L.kthread_stop(L.get_current()));
        yield L.msleep(10);
      }
      return 5;
    }, null, 'selfstop');
    runKthreads(k);
    expect(got).toEqual([-EINTR]);
    const log = k.printk.all().map((r) => r.text);
    expect(log.slice(-2)).toEqual([
      `INFO: task selfstop:${t.pid} blocked for more than 120 seconds.`,
      'kthread_stop: selfstop called kthread_stop on itself (a deadlock in Linux); it is told to stop',
    ]);
    expect(log.some((l) => l.startsWith('BUG:'))).toBe(false);
    k.idle(10_000_000);
    runKthreads(k);
    expect(t.__state).toBe(L.TASK_DEAD);
    expect(kthreads(k)).toEqual([]);
  });

  it('an async thread function, or a yielded Promise, is an oops of the thread; the rejection is handled, never reaching Node', async () => {
    // module fuzzer, seed 4 case 170: kthread_run(async () => { throw ... }) left a rejected Promise no one handled.
    const { k, env } = linuxEnv('asyth');
    const L = makeLinux(env);
    L.kthread_run((async () => {
      throw new Error('async thread');
    }) as never, null, 'asyth');
    L.kthread_run(function* () {
      yield Promise.reject(new Error('yielded')) as never;
    }, null, 'yielder');
    runKthreads(k);
    await new Promise((r) => setImmediate(r));
    const log = k.printk.all().map((r) => r.text);
    expect(log).toContain('BUG: kernel exception in kthread asyth: TypeError: kthread asyth returned a Promise: a thread function is a generator or a plain function (not async)');
    expect(log).toContain('asyth: a Promise of kthread asyth rejected: Error: async thread');
    expect(log).toContain('asyth: a Promise kthread yielder yielded rejected: Error: yielded');
    expect(kthreads(k)).toEqual([]);
  });

  it("a module's kernel thread still running when the module goes is stopped, and the log says so", () => {
    // module fuzzer, seed 1 case 9: a thread its exit never stopped ran the unloaded module's code.
    const { k, env } = linuxEnv('leaver');
    const L = makeLinux(env);
    let turns = 0;
    const t = L.kthread_run(function* () {
      for (;;) {
        turns++;
        yield L.msleep(1);
      }
    }, null, 'leaver/%d', 0);
    runKthreads(k);
    env.module.retire();
    expect(k.printk.all().map((r) => r.text)).toContain(`leaver: kernel thread leaver/0:${t.pid} still running at unload; stopped (its code goes with the module)`);
    expect(kthreads(k)).toEqual([]);
    k.idle(10_000_000);
    runKthreads(k);
    expect([turns, t.__state]).toEqual([1, L.TASK_DEAD]);
  });
});
