// The interactive prompt through a real pseudo-terminal (python3's pty module):
// Tab completes commands and symbols, Ctrl-C drops the line being typed or
// stops the running guest, quit leaves.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VMLAB } from '../../support/cli';
import { FIXTURES } from '../debugger/run-debug';

const DRIVER = join(__dirname, '..', '..', 'support', 'pty-drive.py');

/**
 * The terminal's output after typing each chunk separately (readline treats a
 * Tab inside a paste as text), 0.7 s apart, from the first prompt on; `raw`
 * keeps the escape sequences, `colour` leaves NO_COLOR unset.
 */
function prompt(chunks: string[], prog = 'pf.s', raw = false, colour = false): string {
  const steps = [['wait', '(vmlab) '], ...chunks.flatMap((c) => [['send', c], ['pause', '0.7']])];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  if (colour) delete env.NO_COLOR;
  const r = spawnSync('python3', [DRIVER, JSON.stringify(steps), '--', process.execPath, VMLAB, 'debug', '--no-aslr', prog], {
    cwd: FIXTURES,
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  if (raw) return r.stdout.replace(/\r/g, '');
  // Drop the terminal's cursor-movement escapes and carriage returns.
  return r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
}

describe('vmlab debug at a terminal', () => {
  it('completes, interrupts a line, runs commands and quits', () => {
    const out = prompt(['break add', '\t', '\n', 'xyz', '\x03', 'run\n', 'backt', '\t', '\n', 'quit\n']);
    expect(out).toContain('(vmlab) break add1\nBreakpoint 1 at VA 0x10044 <add1>: file pf.s, line 23.');
    expect(out).toContain('^C\n');
    expect(out).not.toContain('xyzrun');
    expect(out).toContain('\nBreakpoint 1, VA 0x10044 <add1>');
    expect(out).toContain('(vmlab) backtrace\n#0  VA 0x10044 in add1 () at pf.s:23\n#1  VA 0x1002c in main () at pf.s:14');
  });

  it('Ctrl-C stops a running guest and returns to the prompt: the fast loop, the stepping path and while recording', () => {
    const out = prompt(['run\n', '\x03', 'break never\n', 'continue\n', '\x03', 'record\n', 'continue\n', '\x03', 'reverse-stepi\n', 'quit\n'], 'spin.s');
    const stops = out.split('Program received signal SIGINT, Interrupt.').length - 1;
    expect(stops).toBe(3);
    expect(out).toMatch(/Program received signal SIGINT, Interrupt\.\nspin\.s:[67]\t.*\n=> VA 0x1000[04] <main\+0x[04]>:/);
    expect(out).toContain('Breakpoint 1 at VA 0x1000c <never>: file spin.s, line 9.');
    // Going back one instruction from inside the loop lands in the loop.
    expect(out).toMatch(/\(vmlab\) reverse-stepi\nspin\.s:[67]\t/);
  });

  it('history: the up arrow recalls the last command, an empty line repeats it (as in gdb)', () => {
    const out = prompt(['break add1\n', 'run\n', 'stepi\n', '\n', '\x1b[A', '\n', 'quit\n']);
    expect(out).toContain('=> VA 0x10048 <add1+0x4>:');
    expect(out).toContain('=> VA 0x1004c <add1+0x8>:'); // the empty line ran stepi again
    expect(out).toContain('(vmlab) stepi\npf.s:26'); // the recalled line, then its stop
    expect(out).toContain('=> VA 0x10050 <add1+0xc>:');
  });

  it('output is coloured on a terminal (stop headers bold, the current instruction green, the kernel cyan), plain with NO_COLOR', () => {
    const out = prompt(['break add1\n', 'run\n', 'quit\n'], 'pf.s', true, true);
    expect(out).toContain('\x1b[1mBreakpoint 1, VA 0x10044 <add1>\x1b[0m');
    expect(out).toContain('\x1b[32m=> VA 0x10044 <add1>:\tadd\tsp,sp,-16\x1b[0m');
    expect(out).toMatch(/\x1b\[36mkernel: #PF at VA 0x10068 /);
    const plain = prompt(['break add1\n', 'run\n', 'quit\n'], 'pf.s', true, false);
    expect(plain).toContain('\nBreakpoint 1, VA 0x10044 <add1>\n');
    expect(plain).not.toContain('\x1b[32m');
    expect(plain).not.toContain('\x1b[1mBreakpoint');
  });
});
