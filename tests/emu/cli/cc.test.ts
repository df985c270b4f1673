// `vmlab cc` (issue 14, item 2): its usage errors and the one line it says
// without a cross compiler need no cross compiler; the peer tier builds a
// program, shows the commands with -v, and checks the flags vmlab needs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCcWords } from '../../../emu/cli/cc';
import { vmlab } from '../../support/cli';
import { describePeer } from '../../support/peers';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-cc-'));
const hello = join(dir, 'hello.c');
writeFileSync(hello, '#include <stdio.h>\nint main(void) { printf("hello from C\\n"); return 7; }\n');

describe('vmlab cc without a compiler to run', () => {
  it('exits 2 with one line naming the Debian package and the apt-get line when there is no cross compiler', () => {
    const r = vmlab(['cc', hello, '-o', join(dir, 'never')], { env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'vmlab cc: no RISC-V cross compiler (riscv64-linux-gnu-gcc, Debian package gcc-riscv64-linux-gnu); install it: sudo apt-get install -y gcc-riscv64-linux-gnu\n',
    );
  });

  it('reads -o, -O, -g, -v, -I, -D and -W flags; anything else is a usage error (status 2)', () => {
    expect(parseCcWords(['a.c', 'b.c', '-o', 'prog', '-O2', '-g', '-v', '-Iinc', '-D', 'X=1', '-Wall', '-w'])).toEqual({
      sources: ['a.c', 'b.c'], output: 'prog', opt: '-O2', debug: true, verbose: true, extra: ['-I', 'inc', '-DX=1', '-Wall', '-w'],
    });
    expect(parseCcWords(['a.c', '-oprog']).output).toBe('prog');
    for (const [words, msg] of [
      [['a.c', '-o'], 'cc: option -o needs a value; see vmlab cc --help'],
      [['-O2'], 'cc: give at least one C source (.c); see vmlab cc --help'],
      [['a.s'], 'cc: a.s: not a C source (.c); see vmlab cc --help'],
      [['a.c', '-lm'], 'cc: unknown option -lm; see vmlab cc --help'],
    ] as [string[], string][]) {
      expect(() => parseCcWords(words)).toThrow(msg);
    }
    const r = vmlab(['cc', 'x.s']);
    expect([r.status, r.stderr]).toEqual([2, 'vmlab: cc: x.s: not a C source (.c); see vmlab cc --help\n']);
  });
});

describePeer('vmlab cc with the cross compiler', ['gcc', 'as'], () => {
  it('builds a program that runs on vmlab; -v shows each command with vmlab\'s flags', () => {
    const out = join(dir, 'hello');
    const r = vmlab(['cc', '-v', '-O2', hello, '-o', out]);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    const link = lines[lines.length - 1]!;
    for (const flag of ['-march=rv64im', '-mabi=lp64', '-mno-relax', '-nostdinc', '-static', '-nostdlib', '-Wl,--no-relax', '-O2', hello, '-o', out])
      expect(link.split(' ')).toContain(flag);
    expect(lines.filter((l) => l.includes('riscv64-linux-gnu-objcopy --weaken-symbol=printf')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => / -c guest-programs\/libc\/stdio\.c /.test(l)).length).toBe(1);
    expect(readFileSync(out).readUInt32LE(48)).toBe(0); // e_flags: lp64 soft-float, no RVC
    expect(vmlab(['run', out])).toEqual({ status: 7, stdout: 'hello from C\n', stderr: '' });
  });

  it('passes the compiler\'s diagnostics through and exits 1 without writing the output', () => {
    const bad = join(dir, 'bad.c');
    writeFileSync(bad, 'int main(void) { return undeclared; }\n');
    const r = vmlab(['cc', bad, '-o', join(dir, 'bad')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: .undeclared. undeclared/);
    expect(r.stderr).toContain(`vmlab cc: riscv64-linux-gnu-gcc failed (status 1); ${join(dir, 'bad')} not written\n`);
  });
});
