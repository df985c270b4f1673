// `vmlab run` through the built CLI: exit statuses, options, and user
// mistakes as one-line diagnostics (never a stack trace).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { VMLAB, vmlab } from '../support/cli';
import { GUEST_TESTS } from '../support/kernel';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-run-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const test = (name: string): string => join(GUEST_TESTS, `${name}.s`);

describe('vmlab run', () => {
  it('runs a .s program and exits with its status', () => {
    const r = vmlab(['run', join(process.cwd(), 'guest-programs/samples/hello.s')]);
    expect(r).toEqual({ status: 7, stdout: 'hello, vmlab\n', stderr: '' });
  });

  it('gives the guest every argument after PROG, options included, and after --', () => {
    const r = vmlab(['run', test('args'), 'a', '--stats', '-x', '--', '--dmesg', 'b c']);
    expect(r.stdout).toBe('7\nargs\na\n--stats\n-x\n--\n--dmesg\nb c\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('takes options before PROG only; a -- right after PROG is dropped', () => {
    const r = vmlab(['run', '--mem=64M', '--seed', '3', test('args'), '--', '--seed']);
    expect(r.stdout).toBe('2\nargs\n--seed\n');
  });

  it('passes the host stdin to the console', () => {
    expect(vmlab(['run', test('cat')], { input: 'from the host\n' }).stdout).toBe('from the host\n');
  });

  it('exits 128 + signal for a killed guest and prints dmesg with --dmesg', () => {
    const r = vmlab(['run', '--dmesg', test('segv')]);
    expect(r.status).toBe(139);
    expect(r.stdout).toBe('about to segfault\n');
    expect(r.stderr).toMatch(/^\[    0\.000000\] Linux version /);
    expect(r.stderr).toMatch(/segv\[1\]: segfault at 0 ip [0-9a-f]{16} sp [0-9a-f]{16} error 6 in segv\[10000\+1000\]\n/);
  });

  it('stops a runaway guest at --max-insns with status 124', () => {
    const r = vmlab(['run', '--max-insns', '50000', file('loop.s', '.globl _start\n_start: j _start\n')]);
    expect(r.status).toBe(124);
    expect(r.stderr).toBe('vmlab: stopped after 50000 instructions (--max-insns)\n');
  });

  it('ends with 128 + SIGPIPE when the reader of its output goes away', () => {
    const yes = file('yes.s', '.globl _start\n_start:\n la a1, m\n li a2, 2\n1: li a0, 1\n li a7, 64\n ecall\n j 1b\n .section .rodata\nm: .ascii "y\\n"\n');
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${VMLAB}" run --max-insns 100000000 "${yes}" | head -3`], { encoding: 'utf8' });
    expect(r.stdout).toBe('y\ny\ny\n');
    expect(r.status).toBe(141);
  });

  it('reports statistics to stderr with --stats', () => {
    const r = vmlab(['run', '--stats', test('hello')]);
    expect(r.stdout).toBe('hello, world\n');
    expect(r.stderr).toMatch(/^--- vmlab stats ---\ninstructions: \d+\nseconds: [\d.]+\nMIPS: /);
    expect(r.stderr).toMatch(/\npage faults: \d+\n  error 0x14 \(not-present fetch user\): 1\n/);
    expect(r.stderr).toMatch(/\nDTLB: \d+ lookups, [\d.]+% hits, \d+ misses, \d+ walks\n/);
    expect(r.stderr).toMatch(/\nframes in use: \d+ after boot, \d+ at exit\n$/);
  });

  it('prints trace events in trace_pipe format with --trace', () => {
    const r = vmlab(['run', '--trace', 'syscalls:sys_enter_write', test('hello')]);
    // One event, in trace_pipe's layout (the event's text is the syscall layer's).
    expect(r.stderr).toMatch(new RegExp(`^${'hello-1'.padStart(16)} \\[000\\] \\.{5} +\\d+\\.\\d{6}: sys_enter_write: [^\\n]+\\n$`));
  });

  it('runs with 5-level paging, no TLB, a small memory and no ASLR', () => {
    const r = vmlab(['run', '--paging', '5', '--tlb', 'none', '--mem', '32M', '--no-aslr', test('procself')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n');
  });

  it('is deterministic for a seed and varies the layout with it', () => {
    const a = vmlab(['run', '--seed', '5', test('procself')]).stdout;
    expect(vmlab(['run', '--seed', '5', test('procself')]).stdout).toBe(a);
    expect(vmlab(['run', '--seed', '6', test('procself')]).stdout).not.toBe(a);
  });
});

describe('vmlab run: user mistakes', () => {
  it('a missing file', () => {
    expect(vmlab(['run', join(dir, 'none.s')])).toEqual({ status: 1, stdout: '', stderr: `vmlab: ${join(dir, 'none.s')}: no such file\n` });
    expect(vmlab(['run', join(dir, 'none')]).stderr).toBe(`vmlab: ${join(dir, 'none')}: no such file\n`);
  });

  it('a file that is neither ELF nor assembly', () => {
    const p = file('notes.txt', 'hello');
    expect(vmlab(['run', p])).toEqual({ status: 1, stdout: '', stderr: `vmlab: ${p}: not an ELF executable or an assembly source (.s)\n` });
  });

  it('a broken ELF', () => {
    const p = file('broken', '\x7fELF\x02\x01\x01');
    const r = vmlab(['run', p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^vmlab: ${p}: cannot execute \\(ENOEXEC\\)\\n$`));
  });

  it('assembler errors as FILE:LINE:COL', () => {
    const p = file('bad.s', '.globl _start\n_start:\n  addi a0, a0\n');
    const r = vmlab(['run', p]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${p}:3:\\d+: error: `));
    expect(r.stderr).toMatch(new RegExp(`\\nvmlab: ${p}: assembly failed\\n$`));
  });

  it('sources without _start', () => {
    const p = file('nostart.s', 'main:\n  ret\n');
    const r = vmlab(['run', p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vmlab: .*nostart\.s: (no global _start|defines neither a global _start nor main)/);
  });

  it('no program, unknown options, bad option values', () => {
    expect(vmlab(['run'])).toEqual({ status: 2, stdout: '', stderr: 'vmlab: run: give a program (an ELF file or .s sources); see vmlab run --help\n' });
    expect(vmlab(['run', '--bogus', test('hello')]).stderr).toBe('vmlab: run: Unknown argument: bogus\n');
    // Every bad value: tests/emu/cli/option-values.test.ts.
    expect(vmlab(['run', '--mem', '4M', test('hello')])).toEqual({ status: 2, stdout: '', stderr: "vmlab: --mem: '4M' is not a size from 16M to 16G, a multiple of 4K (e.g. 64M or 1G)\n" });
    expect(vmlab(['run', '--max-insns', '0', test('hello')])).toEqual({ status: 2, stdout: '', stderr: "vmlab: --max-insns: '0' is not an integer from 1 to 9007199254740991\n" });
    expect(vmlab(['run', '--tmpfs-size', 'lots', test('hello')])).toEqual({ status: 2, stdout: '', stderr: "vmlab: --tmpfs-size: 'lots' is not a size from 4K to 16G, or a percentage of RAM (e.g. 16M or 25%)\n" });
    expect(vmlab(['run', '--tmpfs-size', '0', test('hello')]).stderr).toBe("vmlab: --tmpfs-size: '0' is not a size from 4K to 16G, or a percentage of RAM (e.g. 16M or 25%)\n");
  });

  it('--tmpfs-size bounds /tmp: statfs shows it, a write past it is ENOSPC, a sparse file costs no block', () => {
    const r = vmlab(['run', '--mem', '64M', '--tmpfs-size', '16K', test('tmpfs')]);
    expect(r.stdout).toBe(
      [
        '/tmp: 4 blocks of 4096, 4 free; 8192 inodes, 8191 free',
        'wrote 16384 bytes, then -28',
        '/tmp: 4 blocks of 4096, 0 free; 8192 inodes, 8190 free',
        'ftruncate(2^40) = 0: st_size 1099511627776, st_blocks 0',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    // The default is half of RAM; a percentage is of RAM.
    expect(vmlab(['run', '--mem', '64M', test('tmpfs')]).stdout.split('\n')[0]).toBe('/tmp: 8192 blocks of 4096, 8192 free; 8192 inodes, 8191 free');
    expect(vmlab(['run', '--mem', '64M', '--tmpfs-size', '25%', test('tmpfs')]).stdout.split('\n')[1]).toBe('wrote 16777216 bytes, then -28');
  });

  it('--trace with an event that does not exist is a usage error naming the known events', () => {
    const r = vmlab(['run', '--trace', 'kmem:kmalloc,bogus', test('hello')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2); // one line
    expect(r.stderr).toMatch(/^vmlab: run: --trace: unknown trace event 'bogus'; the events are exceptions:page_fault_kernel .* kmem:kmalloc .*syscalls:sys_enter_NAME/);
  });
});
