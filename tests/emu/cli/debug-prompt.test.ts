// The interactive prompt through a real pseudo-terminal (python3's pty module):
// Tab completes commands and symbols, Ctrl-C drops the line being typed or
// stops the running guest, quit leaves.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VMLAB } from '../../support/cli';
import { FIXTURES } from '../debugger/run-debug';

/** Writes each chunk to the terminal separately (readline treats a Tab inside a paste as text), then prints everything read. */
const DRIVER = `
import os, pty, sys, time, select, json
chunks = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    if os.environ.get('KEEP_COLOUR') != '1':
        os.environ['NO_COLOR'] = '1'
    os.execvp(sys.argv[2], sys.argv[2:])
out = b''
def read(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return
            if not data:
                return
            out += data
read(3)
for c in chunks:
    os.write(fd, c.encode())
    read(0.7)
sys.stdout.write(out.decode('utf8', 'replace'))
`;

/** The terminal's output; `raw` keeps its escape sequences, `colour` leaves NO_COLOR unset. */
function prompt(chunks: string[], prog = 'pf.s', raw = false, colour = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-tty-'));
  const driver = join(dir, 'drive_tty.py');
  writeFileSync(driver, DRIVER);
  const r = spawnSync('python3', [driver, JSON.stringify(chunks), process.execPath, VMLAB, 'debug', '--no-aslr', prog], {
    cwd: FIXTURES,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, KEEP_COLOUR: colour ? '1' : '0' },
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
