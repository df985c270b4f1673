// The interactive prompt through a real pseudo-terminal (python3's pty module):
// Tab completes commands and symbols, Ctrl-C drops the line being typed or
// stops the running guest, quit leaves. Every keystroke waits for the output
// it depends on (tests/support/pty.ts); nothing waits on a clock.
import { describe, expect, it } from 'vitest';
import { drivePty } from '../../support/pty';
import type { PtyStep } from '../../support/pty';
import { FIXTURES } from '../debugger/run-debug';

const PROMPT: PtyStep = ['wait', '(vmlab) '];
const send = (text: string): PtyStep => ['send', text];
const wait = (text: string): PtyStep => ['wait', text];

/**
 * The terminal's output of `vmlab debug --no-aslr PROG` driven by `steps`
 * (each waits for what the debugger prints before the next is typed, from
 * the first prompt on; a Tab is typed on its own, after the echo of what
 * precedes it, since readline treats a Tab inside a paste as text). `raw`
 * keeps the escape sequences, `colour` leaves NO_COLOR unset.
 */
function prompt(steps: PtyStep[], prog = 'pf.s', raw = false, colour = false): string {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  if (colour) delete env.NO_COLOR;
  return drivePty(['debug', '--no-aslr', prog], [PROMPT, ...steps], { cwd: FIXTURES, env, raw });
}

/** A command and its answer: typed, then its last line of output and the next prompt awaited. */
const command = (line: string, answer: string): PtyStep[] => [send(`${line}\n`), wait(answer), PROMPT];

describe('vmlab debug at a terminal', () => {
  it('completes, interrupts a line, runs commands and quits', () => {
    const out = prompt([
      send('break add'), wait('break add'), send('\t'), wait('1'), ...command('', 'Breakpoint 1 at'),
      send('xyz'), wait('xyz'), send('\x03'), wait('^C'), PROMPT,
      ...command('run', 'Breakpoint 1, '),
      send('backt'), wait('backt'), send('\t'), wait('race'), ...command('', '#1 '),
      send('quit\n'),
    ]);
    expect(out).toContain('(vmlab) break add1\nBreakpoint 1 at VA 0x10044 <add1>: file pf.s, line 23.');
    expect(out).toContain('^C\n');
    expect(out).not.toContain('xyzrun');
    expect(out).toContain('\nBreakpoint 1, VA 0x10044 <add1>');
    expect(out).toContain('(vmlab) backtrace\n#0  VA 0x10044 in add1 () at pf.s:23\n#1  VA 0x1002c in main () at pf.s:14');
  });

  it('Ctrl-C stops a running guest and returns to the prompt: the fast loop, the stepping path and while recording', () => {
    // spin.s never ends: whenever the Ctrl-C arrives after the command, the guest is running (or about to).
    const interrupt = (line: string): PtyStep[] => [send(`${line}\n`), send('\x03'), wait('Program received signal SIGINT, Interrupt.'), PROMPT];
    const out = prompt([
      ...interrupt('run'),
      ...command('break never', 'Breakpoint 1 at'),
      ...interrupt('continue'),
      send('record\n'), PROMPT,
      ...interrupt('continue'),
      ...command('reverse-stepi', 'spin.s:'),
      send('quit\n'),
    ], 'spin.s');
    const stops = out.split('Program received signal SIGINT, Interrupt.').length - 1;
    expect(stops).toBe(3);
    expect(out).toMatch(/Program received signal SIGINT, Interrupt\.\nspin\.s:[67]\t.*\n=> VA 0x1000[04] <main\+0x[04]>:/);
    expect(out).toContain('Breakpoint 1 at VA 0x1000c <never>: file spin.s, line 9.');
    // Going back one instruction from inside the loop lands in the loop.
    expect(out).toMatch(/\(vmlab\) reverse-stepi\nspin\.s:[67]\t/);
  });

  it('history: the up arrow recalls the last command, an empty line repeats it (as in gdb)', () => {
    const out = prompt([
      ...command('break add1', 'Breakpoint 1 at'),
      ...command('run', 'Breakpoint 1, '),
      ...command('stepi', '<add1+0x4>'),
      ...command('', '<add1+0x8>'),
      send('\x1b[A'), wait('stepi'), ...command('', '<add1+0xc>'),
      send('quit\n'),
    ]);
    expect(out).toContain('=> VA 0x10048 <add1+0x4>:');
    expect(out).toContain('=> VA 0x1004c <add1+0x8>:'); // the empty line ran stepi again
    expect(out).toContain('(vmlab) stepi\npf.s:26'); // the recalled line, then its stop
    expect(out).toContain('=> VA 0x10050 <add1+0xc>:');
  });

  it('output is coloured on a terminal (stop headers bold, the current instruction green, the kernel cyan), plain with NO_COLOR', () => {
    const steps = [...command('break add1', 'Breakpoint 1 at'), ...command('run', 'Breakpoint 1, '), send('quit\n')];
    const out = prompt(steps, 'pf.s', true, true);
    expect(out).toContain('\x1b[1mBreakpoint 1, VA 0x10044 <add1>\x1b[0m');
    expect(out).toContain('\x1b[32m=> VA 0x10044 <add1>:\tadd\tsp,sp,-16\x1b[0m');
    expect(out).toMatch(/\x1b\[36mkernel: #PF at VA 0x10068 /);
    const plain = prompt(steps, 'pf.s', true, false);
    expect(plain).toContain('\nBreakpoint 1, VA 0x10044 <add1>\n');
    expect(plain).not.toContain('\x1b[32m');
    expect(plain).not.toContain('\x1b[1mBreakpoint');
  });
});
