// `vmlab asm`: writes an ELF on success; on errors prints every diagnostic
// with its source line and caret, exits 1 and writes nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { describePeer, PEER_TOOLS } from '../../support/peers';

const HELLO = resolve('guest-programs/samples/hello.s');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'vmlab-asm-'));

describe('vmlab asm', () => {
  it('assembles hello.s into an executable ELF', () => {
    const dir = tmp();
    const out = join(dir, 'hello');
    const r = vmlab(['asm', HELLO, '-o', out]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    const elf = readFileSync(out);
    expect(Array.from(elf.subarray(0, 4))).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(elf.readBigUInt64LE(24)).toBe(0x10000n); // e_entry = _start
  });

  it('writes a.out by default and honours --text-base', () => {
    const dir = tmp();
    expect(vmlab(['asm', HELLO, '--text-base', '0x400000'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, 'a.out')).readBigUInt64LE(24)).toBe(0x400000n);
  });

  it('prints all diagnostics, exits 1 and writes no output on errors', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.s'), '_start:\n\taddi a0, a0, 5000\n\tfrob a1\n');
    const r = vmlab(['asm', 'bad.s', '-o', 'out'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe([
      'bad.s:2:15: error: immediate out of range: 5000 is not in -2048..2047',
      '\taddi a0, a0, 5000',
      '\t             ^',
      "bad.s:3:2: error: unknown instruction 'frob'",
      '\tfrob a1',
      '\t^',
      'vmlab asm: 2 errors; out not written',
      '',
    ].join('\n'));
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('links several files into one program', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.s'), '.globl _start\n_start: call f\n');
    writeFileSync(join(dir, 'b.s'), '.globl f\nf: ret\n');
    expect(vmlab(['asm', 'a.s', 'b.s', '-o', 'ab'], { cwd: dir }).status).toBe(0);
    writeFileSync(join(dir, 'c.s'), '.globl _start\n_start: call g\n');
    const r = vmlab(['asm', 'c.s', 'b.s', '-o', 'cb'], { cwd: dir });
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([1, "c.s:2:14: error: undefined symbol 'g'"]);
  });

  it('reports unreadable inputs and bad options in one line, without a stack trace', () => {
    const dir = tmp();
    expect(vmlab(['asm', 'nope.s'], { cwd: dir })).toMatchObject({ status: 1, stderr: 'vmlab: nope.s: no such file\n' });
    // A bad value is a usage error (status 2); every case: tests/emu/cli/option-values.test.ts.
    expect(vmlab(['asm', HELLO, '--text-base', '0x10001'], { cwd: dir }))
      .toMatchObject({ status: 2, stderr: "vmlab: --text-base: '0x10001' is not an address below 2^47, a multiple of 4096 (e.g. 0x10000)\n" });
    writeFileSync(join(dir, 'junk.s'), Buffer.from([0, 1, 2, 0xff, 0x0a, 0x22]));
    const j = vmlab(['asm', 'junk.s'], { cwd: dir });
    expect(j.status).toBe(1);
    expect(j.stderr).not.toMatch(/at .*\.(m?js|ts):\d+/);
  });
});

describePeer('vmlab asm output runs under qemu', ['qemu'], () => {
  it('hello prints its message and exits with status 7', () => {
    const out = join(tmp(), 'hello');
    expect(vmlab(['asm', HELLO, '-o', out]).status).toBe(0);
    let status = 0;
    let stdout = '';
    try {
      stdout = execFileSync(PEER_TOOLS.qemu, [out], { encoding: 'utf8' });
    } catch (e) {
      const err = e as { status: number; stdout: string };
      status = err.status;
      stdout = err.stdout;
    }
    expect([stdout, status]).toEqual(['hello, vmlab\n', 7]);
  });
});
