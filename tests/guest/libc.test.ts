// The guest runtime library (guest-programs/lib) through its self-checking
// guest programs (guest-programs/lib-tests, TAP-style "ok N - what" lines):
// each is assembled by vmlab's assembler with the library, then run under
// qemu-riscv64 (Linux's behaviour, the reference) and under `vmlab run`, and
// must print exactly the text in libc-programs.ts and exit 0.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { describePeer } from '../support/peers';
import { GUEST_ENV, PROGRAMS, buildLibProgram } from './libc-programs';

function runQemu(elf: string, args: string[]): { status: number; stdout: string } {
  const r = spawnSync('qemu-riscv64', [elf, ...args], { encoding: 'utf8', env: GUEST_ENV });
  return { status: r.status ?? -1, stdout: r.stdout };
}

function runVmlab(elf: string, args: string[]): { status: number; stdout: string } {
  const r = vmlab(['run', elf, ...args], { env: { TERM: GUEST_ENV.TERM } });
  return { status: r.status, stdout: r.stdout };
}

describePeer('guest libc under qemu', ['qemu'], () => {
  for (const p of PROGRAMS) {
    it(`${p.name}: prints the expected lines and exits 0`, () => {
      expect(runQemu(buildLibProgram(p.name), p.args)).toEqual({ status: 0, stdout: p.stdout });
    });
  }
});

describe('guest libc under vmlab run', () => {
  for (const p of PROGRAMS) {
    it(`${p.name}: prints the expected lines and exits 0`, () => {
      expect(runVmlab(buildLibProgram(p.name), p.args)).toEqual({ status: 0, stdout: p.stdout });
    });
  }
});

// `vmlab run prog.s` adds the library when prog.s defines main but no _start,
// also when the program calls into it (docs/guest-libc.md).
const dir = mkdtempSync(join(tmpdir(), 'vmlab-libc-run-'));
const HELLO = join(dir, 'hello.s');
writeFileSync(
  HELLO,
  [
    '        .globl  main',
    'main:   addi    sp, sp, -16',
    '        sd      ra, 8(sp)',
    '        la      a0, fmt',
    '        li      a1, 42',
    '        call    printf',
    '        li      a0, 3',
    '        ld      ra, 8(sp)',
    '        addi    sp, sp, 16',
    '        ret',
    '        .section .rodata',
    'fmt:    .asciz  "main says %d\\n"',
    '',
  ].join('\n'),
);
describe('vmlab run PROG.s with main and no _start', () => {
  it('links the runtime library: crt0 calls main and exits with its value', () => {
    expect(vmlab(['run', HELLO])).toEqual({ status: 3, stdout: 'main says 42\n', stderr: '' });
  });
});

describe('vmlab run PROG.s: what the runtime library cannot fix', () => {
  it("reports the program's own undefined symbols when it has a _start", () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-run-'));
    const prog = join(dir, 'nosuch.s');
    writeFileSync(prog, '        .globl _start\n_start: call nosuch\n');
    const r = vmlab(['run', prog]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${prog}:2:14: error: undefined symbol 'nosuch'\n_start: call nosuch\n             ^\nvmlab: ${prog}: assembly failed\n`);
  });

  it('says that neither _start nor main is defined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-run-'));
    const prog = join(dir, 'nomain.s');
    writeFileSync(prog, '        .globl foo\nfoo: ret\n');
    const r = vmlab(['run', prog]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`vmlab: ${prog}: defines neither a global _start nor main (the runtime library's _start calls main)\n`);
  });
});

describe('vmlab run PROG.s calling more library functions than the assembler reports errors for', () => {
  it('still links the runtime library (the "too many errors" note is not a real error)', () => {
    const calls = ['strlen', 'strcmp', 'memset', 'memcpy', 'puts', 'malloc', 'free', 'getpid', 'getppid', 'atoi',
      'strtoul', 'memcmp', 'strcpy', 'strncmp', 'putchar', 'calloc', 'realloc', 'memmove', 'sbrk', 'sleep',
      'close', 'write', 'read', 'lseek', 'printf'];
    const src = ['        .globl main', 'main:', '        addi sp, sp, -16', '        sd ra, 8(sp)', '        j 9f',
      ...calls.map((c) => `        call ${c}`),
      '9:      la a0, msg', '        call puts', '        li a0, 0', '        ld ra, 8(sp)', '        addi sp, sp, 16', '        ret',
      '        .section .rodata', 'msg:    .asciz "linked"', ''].join('\n');
    const prog = join(mkdtempSync(join(tmpdir(), 'vmlab-run-')), 'many.s');
    writeFileSync(prog, src);
    expect(vmlab(['run', prog])).toEqual({ status: 0, stdout: 'linked\n', stderr: '' });
  });
});
