import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import { KernelBug } from '../../../../kernel-ts/module/linux/bug';
import { inProcess, linuxEnv } from './helpers';

/** The line V8 reports for the caller of this function (in the test file as it runs, transformed: call it in the same expression as the BUG/WARN). */
function lineHere(): number {
  const saved = Error.prepareStackTrace;
  let line = 0;
  Error.prepareStackTrace = (_e, s) => {
    line = s[1]!.getLineNumber() ?? 0;
    return '';
  };
  try {
    void new Error().stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  return line;
}

function setup() {
  const { k, env } = linuxEnv('bugmod');
  const L = makeLinux(env);
  const n = k.printk.length;
  const since = () => k.printk.all().slice(n).map((r) => r.text);
  return { k, L, since };
}

describe('BUG and WARN', () => {
  it('BUG_ON(false) does nothing; BUG_ON(true) logs report_bug\'s lines and throws KernelBug for the oops', () => {
    const { L, since } = setup();
    L.BUG_ON(false);
    L.BUG_ON(0);
    let line = 0;
    let thrown: unknown = null;
    try {
      L.BUG_ON((line = lineHere()) > 0);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KernelBug);
    expect((thrown as KernelBug).message).toBe(`kernel BUG at bug.test.ts:${line}!`);
    expect(since()).toEqual(['------------[ cut here ]------------', `kernel BUG at bug.test.ts:${line}!`]);
  });

  it('BUG() inside a process is that process\'s oops; the kernel goes on', () => {
    const { k, L } = setup();
    const before = k.printk.length;
    expect(() => inProcess(k, () => L.BUG())).toThrow(KernelBug);
    expect(k.printk.all().slice(before).map((r) => r.text)[0]).toBe('------------[ cut here ]------------');
  });

  it('WARN_ON returns cond and logs the cut-here warning with PID, FILE:LINE, the CPU line and the registers (the oops printer\'s warnReport)', () => {
    const { k, L, since } = setup();
    expect(L.WARN_ON(false)).toBe(false);
    expect(since()).toEqual([]);
    const { line, pid } = inProcess(k, (t) => {
      let line = 0;
      expect(L.WARN_ON({ line: (line = lineHere()) })).toBe(true);
      return { line, pid: t.pid };
    }, 'warner');
    const out = since();
    expect(out[0]).toBe('------------[ cut here ]------------');
    expect(out[1]).toMatch(new RegExp(`^WARNING: CPU: 0 PID: ${pid} at bug\\.test\\.ts:${line} `));
    // __warn's order (Linux 6.1): Modules linked in, the task, the machine, the registers, the Call Trace.
    expect(out.slice(2, 5)).toEqual(['Modules linked in:', `CPU: 0 PID: ${pid} Comm: warner Not tainted 6.1.0-vmlab #1`, 'Hardware name: vmlab']);
    expect(out[5]).toMatch(/^RIP: 0010:/);
    expect(out).toContain('Call Trace:');
    expect(out.at(-2)).toBe(' </TASK>');
    expect(out.at(-1)).toBe('---[ end trace 0000000000000000 ]---');
  });

  it('WARN prints its message after the cut-here line; WARN_ONCE/WARN_ON_ONCE print once per call site', () => {
    const { L, since } = setup();
    expect(L.WARN(true, 'bad value %d\n', 7)).toBe(true);
    expect(since().slice(0, 2)).toEqual(['------------[ cut here ]------------', 'bad value 7']);
    const n1 = since().length;
    for (let i = 0; i < 3; i++) L.WARN_ONCE(true, 'once %d', i);
    const onceLines = since().slice(n1);
    expect(onceLines.filter((l) => l.startsWith('once'))).toEqual(['once 0']);
    const n2 = since().length;
    for (let i = 0; i < 3; i++) expect(L.WARN_ON_ONCE(i >= 0)).toBe(true);
    expect(since().slice(n2).filter((l) => l.startsWith('WARNING:')).length).toBe(1);
  });

  it('dump_stack logs the CPU line and a Call Trace, no cut-here', () => {
    const { L, since } = setup();
    L.dump_stack();
    const out = since();
    expect(out.slice(0, 4)).toEqual(['CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-vmlab #1', 'Hardware name: vmlab', 'Call Trace:', ' <TASK>']);
    expect(out.at(-1)).toBe(' </TASK>');
  });
});
