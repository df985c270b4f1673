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

// The resume point: a breakpoint there is stepped over (gdb's rule), but a
// page fault is an event, caught whenever it happens, the first instruction
// after a resume included; only the very attempt a `catch pagefault` stop
// reported goes through to the kernel when the program resumes.
describe('debug session: what the first instruction after a resume may stop on', () => {
  /** The stop header of an answer (its first line after the kernel's notes). */
  const header = (out: string): string => out.split('\n').find((l) => /^(Breakpoint|Catchpoint|\[Inferior)/.test(l)) ?? out;

  it('catch pagefault, run: stops at the fault of the very first instruction (the entry fetch); continue hands that attempt to the kernel', async () => {
    const d = session();
    await d.execute('catch pagefault');
    const first = await d.execute('run');
    expect(header(first)).toBe('Catchpoint 1 (pagefault), page fault at VA 0x10068 <_start>');
    expect(first).toContain('CR2   = VA 0x10068\nerror = 0x14 (not-present fetch user)\n');
    expect(d.s.faults).toEqual([]);
    const next = await d.execute('continue');
    expect(next.split('\n')[0]).toBe('kernel: #PF at VA 0x10068 (error 0x14 not-present fetch user) handled: file-read; now VA 0x10068 -> PA 0x102068');
    expect(header(next)).toBe('Catchpoint 1 (pagefault), page fault at VA 0x1008c <_start+0x24>');
    expect(d.s.faults.map((f) => f.ip)).toEqual([0x10068]);
  });

  it('a fault raised by the instruction a breakpoint stopped at is caught on continue', async () => {
    const d = session();
    await d.execute('break *0x1001c'); // main's sd t0,0(a0): the first store into .bss
    expect(header(await d.execute('run'))).toBe('Breakpoint 1, VA 0x1001c <main+0x1c>');
    await d.execute('catch pagefault');
    const out = await d.execute('continue');
    expect(header(out)).toBe('Catchpoint 2 (pagefault), page fault at VA 0x1001c <main+0x1c>');
    expect(out).toContain('CR2   = VA 0x12000\nerror = 0x6 (not-present write user)\n');
    expect(header(await d.execute('continue'))).toBe('Catchpoint 2 (pagefault), page fault at VA 0x117c4 <_Exit>');
  });

  it('a breakpoint at the entry stops run, as gdb\'s run does; continue steps over it', async () => {
    const d = session();
    await d.execute('break *0x10068');
    expect(header(await d.execute('run'))).toBe('Breakpoint 1, VA 0x10068 <_start>');
    expect(header(await d.execute('continue'))).toBe('[Inferior 1 (process 1) exited with code 03]');
  });

  it('recording: reverse-continue back to a caught fault, then continue: that fault is not caught twice, the next one is', async () => {
    const d = session();
    await d.execute('catch pagefault w');
    await d.execute('record');
    expect(header(await d.execute('run'))).toBe('Catchpoint 1 (pagefault w), page fault at VA 0x1008c <_start+0x24>');
    expect(header(await d.execute('continue'))).toBe('Catchpoint 1 (pagefault w), page fault at VA 0x1001c <main+0x1c>');
    expect(header(await d.execute('reverse-continue'))).toBe('Catchpoint 1 (pagefault w), page fault at VA 0x1008c <_start+0x24>');
    expect(header(await d.execute('continue'))).toBe('Catchpoint 1 (pagefault w), page fault at VA 0x1001c <main+0x1c>');
    expect(header(await d.execute('continue'))).toBe('[Inferior 1 (process 1) exited with code 03]');
  });
});
