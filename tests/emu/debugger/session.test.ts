// The session in-process: the fast loop is used when nothing needs stepping (STYLE 14), the stepping path otherwise.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../kernel-ts/kernel';
import type { Vfs } from '../../../kernel-ts/fs/vfs';
import { loadProgram } from '../../../emu/cli/run';
import { Session } from '../../../emu/debugger/session';
import { Symbols } from '../../../emu/debugger/symbols';
import { Debugger } from '../../../emu/debugger/commands';
import { FIXTURES } from './run-debug';

function session(): Debugger {
  const prog = loadProgram(join(FIXTURES, 'pf.s'), [], () => {});
  const k = Kernel.boot({ memSize: 64 << 20, aslr: false, stdout: () => {} });
  (k.vfs as unknown as Vfs).addExecutable('/bin/pf', prog.elf);
  const t = k.spawn('/bin/pf', ['pf'], []);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  return new Debugger(new Session(k, t, new Symbols(prog.elf)));
}

describe('debug session', () => {
  it('continue with no stop condition runs the fast loop: nothing is stepped', async () => {
    const d = session();
    expect(await d.execute('continue')).toContain('exited with code 03');
    expect(d.s.stepped).toBe(0);
    expect(d.s.k.userRun).toBeNull();
  });

  it('a breakpoint uses the stepping path only while it exists, and uninstalls it at the stop', async () => {
    const d = session();
    await d.execute('break add1');
    expect(await d.execute('run')).toContain('Breakpoint 1, VA 0x');
    expect(d.s.stepped).toBeGreaterThan(0);
    expect(d.s.k.userRun).toBeNull();
    await d.execute('delete');
    const before = d.s.stepped;
    expect(await d.execute('continue')).toContain('exited with code 03');
    expect(d.s.stepped).toBe(before);
  });

  it('registers changed with set var reach the program', async () => {
    const d = session();
    await d.execute('break pf.s:15');
    await d.execute('run');
    await d.execute('set var $a1 = 7');
    expect(await d.execute('p $a1')).toBe('$1 = 7');
    expect(await d.execute('p $a1 + $mem64(buf)')).toBe('$2 = 49');
  });
});
