// The library against glibc: C programs in guest-programs/lib-tests are
// built twice with the Debian cross compiler, once against glibc (the
// oracle) and once by `vmlab cc -DVMLAB` against
// guest-programs/include/vmlab.h and the runtime library; both must print
// the same bytes and exit the same way under qemu-riscv64, and the vmlab
// build also under `vmlab run`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { describePeer } from '../support/peers';
import { GUEST_ENV, INCLUDE_DIR, LIB_TESTS } from './libc-programs';

const GCC = 'riscv64-linux-gnu-gcc';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}
const qemu = (elf: string, args: string[]): Run => {
  const r = spawnSync('qemu-riscv64', [elf, ...args], { encoding: 'utf8', env: GUEST_ENV });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

describePeer('guest libc against glibc', ['qemu', 'gcc', 'glibc', 'as'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-libc-oracle-'));
  it('vmlab.h compiles on its own, freestanding, without warnings', () => {
    const r = spawnSync(GCC, ['-march=rv64im', '-mabi=lp64', '-ffreestanding', '-nostdlib', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-x', 'c', join(INCLUDE_DIR, 'vmlab.h')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('vmlab.h and vmlab/signal.h agree on siginfo_t and compile together', () => {
    const probe = join(dir, 'headers.c');
    writeFileSync(
      probe,
      [
        '#include "vmlab.h"',
        '#include "vmlab/signal.h"',
        '_Static_assert(sizeof(siginfo_t) == VMLAB_SIGINFO_SIZE, "siginfo_t size");',
        '_Static_assert(__builtin_offsetof(siginfo_t, si_code) == VMLAB_SI_CODE, "si_code");',
        '_Static_assert(__builtin_offsetof(siginfo_t, si_addr) == VMLAB_SI_ADDR, "si_addr");',
        '_Static_assert(__builtin_offsetof(siginfo_t, si_pid) == VMLAB_SI_PID, "si_pid");',
        '_Static_assert(__builtin_offsetof(siginfo_t, si_status) == VMLAB_SI_STATUS, "si_status");',
        '_Static_assert(sizeof(struct sigaction) == 152, "glibc\'s struct sigaction (sigaction() converts to the kernel\'s)");',
        '_Static_assert(sizeof(jmp_buf) == 248, "glibc\'s lp64 jmp_buf");',
        '',
      ].join('\n'),
    );
    const r = spawnSync(GCC, ['-march=rv64im', '-mabi=lp64', '-ffreestanding', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-I', INCLUDE_DIR, probe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  // printf-oracle feeds printf the odd formats gcc's -Wformat rightly complains about.
  const cases: { program: string; args: string[]; warnings: string[] }[] = [
    { program: 'printf-oracle', args: [], warnings: ['-w'] },
    { program: 'c-smoke', args: ['x'], warnings: ['-Wall', '-Wextra', '-Werror'] },
  ];
  for (const { program, args, warnings } of cases) {
    describe(`${program}.c`, () => {
      const src = join(LIB_TESTS, `${program}.c`);
      const glibcElf = join(dir, `${program}-glibc`);
      const vmlabElf = join(dir, `${program}-vmlab`);
      let oracle: Run;

      beforeAll(() => {
        execFileSync(GCC, ['-O1', '-static', '-w', src, '-o', glibcElf]);
        const cc = vmlab(['cc', '-O1', '-DVMLAB', ...warnings, src, '-o', vmlabElf]);
        if (cc.status !== 0) throw new Error(`vmlab cc ${program}.c failed:\n${cc.stderr}`);
        oracle = qemu(glibcElf, args);
      });

      it('prints what the glibc build prints (stdout, stderr, status), under qemu', () => {
        expect(oracle.stdout.length).toBeGreaterThan(0);
        expect(qemu(vmlabElf, args)).toEqual(oracle);
      });

      it('and under vmlab run', () => {
        expect(vmlab(['run', vmlabElf, ...args], { env: { TERM: GUEST_ENV.TERM } })).toEqual(oracle);
      });
    });
  }
});
