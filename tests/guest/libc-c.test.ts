// The C half of the runtime library (guest-programs/libc: FILE streams and
// their buffering, atexit, the <stdlib.h>/<string.h>/<ctype.h> functions,
// the scanf family, the file and memory system calls' wrappers)
// against glibc. Each program in guest-programs/libc-tests prints what
// tests/guest/libc-c/NAME.stdout and .stderr hold, which is what the
// program built against glibc prints under qemu-riscv64:
// - peer tier: the glibc build prints exactly the expected text (so the
//   files are glibc's behaviour), and so does the `vmlab cc` build, under
//   qemu-riscv64 and under `vmlab run`;
// - always (no cross compiler needed): the prebuilt ELF the repository
//   carries (guest-programs/libc-tests/bin, kept equal to its source by
//   tests/guest/prebuilt-peer.test.ts) prints it under `vmlab run`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { describePeer, PEER_TOOLS } from '../support/peers';
import { GUEST_ENV } from './libc-programs';

const SRC = join(process.cwd(), 'guest-programs', 'libc-tests');
const EXPECTED = join(process.cwd(), 'tests', 'guest', 'libc-c');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}
const PROGRAMS: { name: string; status: number }[] = [
  // FILE streams, every printf format C programs use, buffering across fork/_exit/exit, atexit order; main returns 5.
  { name: 'stdio', status: 5 },
  // strtol & co., div, rand after srand, stable qsort, bsearch, string and ctype functions, time, getenv.
  { name: 'stdlib', status: 0 },
  // mkdir/rmdir/unlink/access/truncate with their errors, chdir/fchdir/getcwd across fork, umask, pipes, msync, mlock and VmLck.
  { name: 'files', status: 0 },
  // sscanf/vsscanf/fscanf/scanf: integer conversions and lengths, widths, %s %c %[ %n %%, *, the EOF and matching-failure returns.
  { name: 'scanf', status: 0 },
];

const expected = (name: string, status: number): Run => ({
  status,
  stdout: readFileSync(join(EXPECTED, `${name}.stdout`), 'utf8'),
  stderr: readFileSync(join(EXPECTED, `${name}.stderr`), 'utf8'),
});
const vmlabRun = (elf: string): Run => vmlab(['run', elf], { env: { TERM: GUEST_ENV.TERM } });

describe('the C library\'s prebuilt test programs under vmlab run', () => {
  for (const { name, status } of PROGRAMS)
    it(`${name}: prints what glibc's build prints`, () => {
      expect(vmlabRun(join(SRC, 'bin', name))).toEqual(expected(name, status));
    });
});

describePeer('the C library against glibc', ['gcc', 'glibc', 'qemu'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-libc-c-'));
  const qemu = (elf: string): Run => {
    const r = spawnSync(PEER_TOOLS.qemu, [elf], { encoding: 'utf8', env: GUEST_ENV });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  beforeAll(() => {
    for (const { name } of PROGRAMS) {
      execFileSync(PEER_TOOLS.gcc, ['-static', '-O2', '-w', join(SRC, `${name}.c`), '-o', join(dir, `${name}-glibc`)]);
      const r = vmlab(['cc', join(SRC, `${name}.c`), '-O2', '-o', join(dir, `${name}-vmlab`)]);
      if (r.status !== 0) throw new Error(`vmlab cc ${name}.c failed:\n${r.stderr}`);
    }
  });
  for (const { name, status } of PROGRAMS) {
    it(`${name}: the glibc build prints the expected text under qemu`, () => {
      expect(qemu(join(dir, `${name}-glibc`))).toEqual(expected(name, status));
    });
    it(`${name}: the vmlab cc build prints it too, under qemu and under vmlab run`, () => {
      expect(qemu(join(dir, `${name}-vmlab`))).toEqual(expected(name, status));
      expect(vmlabRun(join(dir, `${name}-vmlab`))).toEqual(expected(name, status));
    });
  }
});
