// --mmap-min-addr and /proc/sys/vm/mmap_min_addr through the built CLI (run,
// debug, shell), with a program linked below 64 KiB by vmlab's own linker
// (--text-base 0x8000): the one-line reason when exec refuses it, the ways
// to let it run, and bad values as usage errors. The GNU-linked layouts are
// in the peer tier (tests/system/peer-ld-layouts.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostic } from '../../../asm/assembler';
import { writeElf } from '../../../asm/elf-write';
import { vmlab } from '../../support/cli';
import { shell } from '../../support/shell';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-minaddr-'));

/** Writes an ELF assembled from `text` with .text at `base` to dir/name; its path. */
function elfFile(name: string, text: string, base: number): string {
  const r = assemble([{ path: `${name}.s`, text }], { textBase: base });
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  const p = join(dir, name);
  writeFileSync(p, writeElf(r.image), { mode: 0o755 });
  return p;
}

/** Writes "low\n" and exits 7; linked at 0x8000. */
const LOW = elfFile('low', `
        .globl _start
_start: li a0, 1
        la a1, msg
        li a2, 4
        li a7, 64
        ecall
        li a0, 7
        li a7, 94
        ecall
        .section .rodata
msg:    .ascii "low\\n"
`, 0x8000);

/** execve("/bin/low"); exits 99 if that returns. Linked at the usual 0x10000. */
const EXECER = elfFile('execer', `
        .globl _start
_start: la a0, path
        la a1, argv
        li a2, 0
        li a7, 221
        ecall
        li a0, 99
        li a7, 94
        ecall
        .data
        .align 3
argv:   .dword path, 0
        .section .rodata
path:   .asciz "/bin/low"
`, 0x10000);

const WHY = (limit: number): string =>
  `segment 01 (LOAD at 0x8000) is below vm.mmap_min_addr (${limit}): link without -Ttext or above 0x${(Math.ceil(limit / 4096) * 4096).toString(16)}, ` +
  'or set vm.mmap_min_addr to 4096 (--mmap-min-addr 4096)';

describe('vmlab run --mmap-min-addr', () => {
  it('refuses a program with a segment below 64 KiB in one line that says why and what to do, exit 1', () => {
    expect(vmlab(['run', LOW])).toEqual({ status: 1, stdout: '', stderr: `vmlab: ${LOW}: cannot execute (EPERM): ${WHY(65536)}\n` });
  });

  it('runs it with the limit lowered to the segment or below, in decimal or hex', () => {
    for (const v of ['4096', '0x8000', '0']) expect(vmlab(['run', '--mmap-min-addr', v, LOW])).toEqual({ status: 7, stdout: 'low\n', stderr: '' });
    expect(vmlab(['run', '--mmap-min-addr=32768', LOW]).status).toBe(7);
    expect(vmlab(['run', '--mmap-min-addr', '32769', LOW]).stderr).toBe(`vmlab: ${LOW}: cannot execute (EPERM): ${WHY(32769)}\n`);
  });

  it('takes bad values as usage errors: one line, exit 2', () => {
    for (const v of ['lots', '-1', '4k', '0123', '0x', '9007199254740992', ''])
      expect(vmlab(['run', `--mmap-min-addr=${v}`, LOW]), v).toEqual({
        status: 2, stdout: '', stderr: `vmlab: --mmap-min-addr: '${v}' is not a byte count (e.g. 4096 or 0x1000)\n`,
      });
    expect(vmlab(['run', LOW, '--mmap-min-addr', '4096']).stderr).toContain('cannot execute (EPERM)'); // after PROG: the guest's
    expect(vmlab(['run', '--mmap-min-addr'])).toEqual({ status: 2, stdout: '', stderr: 'vmlab: option --mmap-min-addr needs a value\n' });
  });
});

describe('vmlab debug --mmap-min-addr', () => {
  it('refuses as run does, and debugs the program with the limit lowered', () => {
    expect(vmlab(['debug', '--batch', LOW])).toEqual({ status: 1, stdout: '', stderr: `vmlab: ${LOW}: cannot execute (EPERM): ${WHY(65536)}\n` });
    const r = vmlab(['debug', '--no-aslr', '--mmap-min-addr', '4096', '--ex', 'info maps', '--ex', 'continue', '--batch', LOW]);
    expect(r.status).toBe(7);
    expect(r.stdout).toMatch(/^00008000-00009000 r-xp 00001000 .* \/bin\/low$/m);
    expect(r.stdout).toContain('low\n');
    expect(vmlab(['debug', '--mmap-min-addr', 'x', LOW])).toEqual({ status: 2, stdout: '', stderr: "vmlab: --mmap-min-addr: 'x' is not a byte count (e.g. 4096 or 0x1000)\n" });
  });
});

describe('vmlab shell: --mmap-min-addr and /proc/sys/vm/mmap_min_addr', () => {
  it('shows the exec error with the reason, and runs the program once the sysctl is lowered', () => {
    const r = shell(['--mem', '64M', '-c', `cat /proc/sys/vm/mmap_min_addr; ${LOW}; echo $?; echo 4096 > /proc/sys/vm/mmap_min_addr; cat /proc/sys/vm/mmap_min_addr; ${LOW}; echo $?; echo -1 > /proc/sys/vm/mmap_min_addr; echo $?`]);
    expect(r.output).toBe([
      'vmlab# cat /proc/sys/vm/mmap_min_addr', '65536',
      `vmlab# ${LOW}`, `${LOW}: Operation not permitted: ${WHY(65536)}`,
      'vmlab# echo $?', '126',
      'vmlab# echo 4096 > /proc/sys/vm/mmap_min_addr',
      'vmlab# cat /proc/sys/vm/mmap_min_addr', '4096',
      `vmlab# ${LOW}`, 'low',
      'vmlab# echo $?', '7',
      'vmlab# echo -1 > /proc/sys/vm/mmap_min_addr', 'sh: echo: write error: Invalid argument',
      'vmlab# echo $?', '1',
      '',
    ].join('\n'));
    expect(r.status).toBe(0);
  });

  it('boots with the value of --mmap-min-addr; a bad one is a usage error', () => {
    expect(shell(['--mem', '64M', '--mmap-min-addr', '0x1000', '-q', '-c', `cat /proc/sys/vm/mmap_min_addr; ${LOW}`])).toEqual({ status: 0, output: '4096\nlow\n' });
    expect(shell(['--mmap-min-addr', 'x', '-c', 'true'])).toEqual({ status: 2, output: "vmlab: --mmap-min-addr: 'x' is not a byte count (e.g. 4096 or 0x1000)\n" });
  });

  it('a guest whose execve meets the limit dies of SIGSEGV, as on Linux, and the kernel log says why', () => {
    // Running LOW once installs it as /bin/low (and fails); EXECER then execve's it.
    const r = shell(['--mem', '64M', '-q', '-c', `${LOW}; ${EXECER}; echo $?; dmesg`]);
    const lines = r.output.split('\n');
    expect(lines.slice(1, 3)).toEqual(['Segmentation fault', '139']);
    const logged = lines.filter((l) => l.startsWith('[') && l.includes('mmap_min_addr'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^\[ *\d+\.\d{6}\] execer\[\d+\]: execve \/bin\/low: /);
    expect(logged[0]!.replace(/^\[[^\]]*\] execer\[\d+\]: /, '')).toBe(`execve /bin/low: ${WHY(65536)}; killed by SIGSEGV`);
  });
});
