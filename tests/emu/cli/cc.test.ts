// `vmlab cc` (issue 14, item 2): its usage errors and the one line it says
// without a cross compiler need no cross compiler; the peer tier builds a
// program, shows the commands with -v, and checks the flags vmlab needs.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCcWords } from '../../../emu/cli/cc';
import { libraryKey } from '../../../emu/cli/cc-cache';
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
    // A cache of its own: the library is built here, so -v shows its commands.
    const r = vmlab(['cc', '-v', '-O2', hello, '-o', out], { env: { VMLAB_CACHE_DIR: join(dir, 'cache-1') } });
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

  it('builds the runtime library once: a second build uses the cached objects and links the same bytes; VMLAB_CACHE_DIR=off builds it every time', () => {
    const cache = join(dir, 'cache-2');
    const env = { VMLAB_CACHE_DIR: cache };
    const first = vmlab(['cc', '-v', hello, '-o', join(dir, 'h1')], { env });
    const again = vmlab(['cc', '-v', hello, '-o', join(dir, 'h2')], { env });
    const off = vmlab(['cc', '-v', hello, '-o', join(dir, 'h3')], { env: { VMLAB_CACHE_DIR: 'off' } });
    expect([first.status, again.status, off.status]).toEqual([0, 0, 0]);
    const compiles = (r: { stderr: string }): number => r.stderr.split('\n').filter((l) => / -c guest-programs\/libc\/stdio\.c /.test(l)).length;
    expect([compiles(first), compiles(again), compiles(off)]).toEqual([1, 0, 1]);
    const keys = readdirSync(join(cache, 'cc'));
    expect(keys).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    expect(again.stderr.split('\n')[0]).toBe(`# runtime library: the cached build in ${join(cache, 'cc', keys[0]!)}`);
    expect(readFileSync(join(dir, 'h2')).equals(readFileSync(join(dir, 'h1')))).toBe(true);
    expect(readFileSync(join(dir, 'h3')).equals(readFileSync(join(dir, 'h1')))).toBe(true);
  });

  it('the key covers every library source and the compiler\'s identity: a changed header or compiler version is a new key', () => {
    const root = join(__dirname, '..', '..', '..');
    const copy = mkdtempSync(join(tmpdir(), 'vmlab-cc-key-'));
    // The key of the library in the tree, and of a copy with one header changed.
    const dirs = (r: string): string[] => ['lib', 'libc', 'include'].map((d) => join(r, 'guest-programs', d));
    cpSync(join(root, 'guest-programs', 'lib'), join(copy, 'guest-programs', 'lib'), { recursive: true });
    cpSync(join(root, 'guest-programs', 'libc'), join(copy, 'guest-programs', 'libc'), { recursive: true });
    cpSync(join(root, 'guest-programs', 'include'), join(copy, 'guest-programs', 'include'), { recursive: true });
    const id = ['gcc', '12'];
    const k0 = libraryKey(id, root, dirs(root));
    expect(libraryKey(id, copy, dirs(copy))).toBe(k0);
    writeFileSync(join(copy, 'guest-programs', 'include', 'stdio.h'), '/* changed */\n', { flag: 'a' });
    expect(libraryKey(id, copy, dirs(copy))).not.toBe(k0);
    expect(libraryKey(['gcc', '13'], root, dirs(root))).not.toBe(k0);
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
