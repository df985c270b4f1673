// Special host files given to every vmlab front end (issue 12, finding 6):
// `vmlab run /dev/zero` grew to 14.7 GB in 120 s, asm/disasm/debug/shell on
// /dev/zero or /dev/urandom, `.include "/dev/zero"`, `insmod /dev/zero` and
// a FIFO hung or ate memory. Each is now one line naming the file and what
// was expected. Each run has a timeout, so a regression fails instead of
// hanging the suite.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VMLAB } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-hostfiles-'));
const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo]);
const hello = join(process.cwd(), 'guest-programs/samples/hello.s');

function vmlab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [VMLAB, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('special host files as input', () => {
  it('vmlab run, disasm, asm and debug refuse a device or a FIFO as the program', () => {
    expect(vmlab(['run', '/dev/zero'])).toEqual({ status: 1, stdout: '', stderr: 'vmlab: /dev/zero: is a character device, not an ELF executable or an assembly source (.s)\n' });
    expect(vmlab(['run', fifo]).stderr).toBe(`vmlab: ${fifo}: is a FIFO, not an ELF executable or an assembly source (.s)\n`);
    expect(vmlab(['disasm', '/dev/urandom'])).toEqual({ status: 1, stdout: '', stderr: 'vmlab: /dev/urandom: is a character device, not an ELF64 RISC-V file\n' });
    expect(vmlab(['asm', '/dev/zero', '-o', join(dir, 'out')])).toEqual({ status: 1, stdout: '', stderr: 'vmlab: /dev/zero: is a character device, not an assembly source\n' });
    expect(vmlab(['debug', '--batch', '/dev/urandom'])).toEqual({ status: 1, stdout: '', stderr: 'vmlab: /dev/urandom: is a character device, not an ELF executable or an assembly source (.s)\n' });
  });

  it('scripts and case files: debug -x, shell SCRIPT, conform', () => {
    expect(vmlab(['debug', '-x', fifo, '--batch', hello]).stderr).toBe(`vmlab: ${fifo}: cannot read the command file: is a FIFO, not a file of debugger commands\n`);
    expect(vmlab(['shell', '/dev/zero'])).toEqual({ status: 1, stdout: '', stderr: 'vmlab: /dev/zero: is a character device, not a shell script\n' });
    expect(vmlab(['conform', fifo])).toEqual({ status: 2, stdout: '', stderr: `vmlab: cannot read ${fifo}: is a FIFO, not a file of conformance cases (JSONL)\n` });
  });

  it('.include "/dev/zero" is an assembler error at the directive', () => {
    writeFileSync(join(dir, 'inc.s'), '.include "/dev/zero"\n_start: nop\n');
    const r = vmlab(['asm', 'inc.s', '-o', 'inc']);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("inc.s:1:10: error: cannot read included file '/dev/zero': is a character device, not an assembly source to include");
  });

  it('insmod /dev/zero and insmod of a FIFO are refused before esbuild reads them', () => {
    const r = vmlab(['shell', '-c', `insmod /dev/zero\ninsmod ${fifo}`]);
    expect(r.stderr).toContain('/dev/zero: is a character device, not a kernel module (.ts or .js)\n');
    expect(r.stderr).toContain(`${fifo}: is a FIFO, not a kernel module (.ts or .js)\n`);
    expect(r.status).not.toBeNull(); // it ended
  });

  it('vmlab shell < /dev/zero: one endless line is cut at 1 MiB with one line of error, not buffered whole', () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      const r = spawnSync(process.execPath, [VMLAB, 'shell'], { stdio: [zero, 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
      expect([r.status, r.stdout, r.stderr]).toEqual([1, '', 'vmlab: standard input: a line is longer than 1 MiB, too long for shell commands\n']);
    } finally {
      closeSync(zero);
    }
  });
});
