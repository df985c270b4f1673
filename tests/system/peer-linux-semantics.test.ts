// Linux semantics vmlab once got wrong (three of them hung it): brk
// refusals, wait4's options and statuses, blocked and pending signals with
// rt_sigsuspend, copy-on-write under later mprotect/munmap/brk, wait4 under
// a SIGCHLD handler, mremap of an unmapped range or of one past TASK_SIZE;
// and the resource limits (getrlimit/setrlimit/prlimit64, RLIMIT_NOFILE,
// AS, DATA, STACK, MEMLOCK, NPROC, vm.max_map_count, overcommit). Each C
// program in guest-programs/tests/c prints one line per check; the expected
// text (what Linux prints) is tests/system/linux-semantics/NAME.out. vmlab
// must print it and exit 0; so must qemu-riscv64, except where qemu differs
// from Linux (see `qemu` below and the comments in the programs). The checks
// qemu cannot make were run natively on Linux 6.18 x86-64 as uid 1000 when
// written (the programs build there against a host stand-in for rt.h). The
// kernel-level tests in tests/kernel-ts (mm/mmap, mm/mremap, mm/limits,
// proc/sched, proc/exit, proc/fork, resource) cover the same without the
// peer tools.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describePeer, PEER_TOOLS } from '../support/peers';
import { vmlab } from '../support/cli';
import { GUEST_TESTS, guestElf, runGuest } from '../support/kernel';

const C_DIR = join(GUEST_TESTS, 'c');
const EXPECTED_DIR = join(process.cwd(), 'tests', 'system', 'linux-semantics');
/** Far beyond what any of them needs: a regression that hangs ends as a failure. */
const MAX_INSNS = 50_000_000;

interface Program {
  name: string;
  /** Arguments for vmlab's run (and Linux's). */
  args?: string[];
  /**
   * Where qemu-riscv64 (7.2) differs from Linux: it is run with these
   * arguments, which make the program stop before those checks, and must
   * print the expected text up to and including `upTo`; or, with a reason,
   * not at all.
   */
  qemu?: { args: string[]; upTo: string } | { never: string };
}

const PROGRAMS: Program[] = [
  // qemu's brk never unmaps on a shrink and lets the heap run into the next mapping.
  { name: 'brkfail', qemu: { args: ['qemu'], upTo: 'ok brk(cur) shrinks it back\n' } },
  { name: 'waitopts' },
  // (sigmask compares signals 1..32 only: qemu cannot block the top two real-time signals.)
  { name: 'sigmask' },
  { name: 'cowlater' },
  { name: 'waitchld' },
  { name: 'mremapfault' },
  // qemu's mremap answers -ENOMEM for an old length of 2^64 - 4096 (Linux: -EINVAL, past TASK_SIZE).
  { name: 'mremaptop', qemu: { args: ['qemu'], upTo: 'ok a child forks, reads the page and exits 7\n' } },
  // Resource limits (issue 12). qemu runs as root here and has the host's limits, and it does not apply
  // RLIMIT_AS/DATA/STACK (they would bind qemu itself); each program says how far it agrees.
  { name: 'rlimits', qemu: { args: ['qemu'], upTo: 'ok fork: the child has the same limit (exits with 16)\n' } },
  { name: 'memlimits', qemu: { args: ['qemu'], upTo: 'ok mmap of 2^46 private writable bytes: -ENOMEM\n' } },
  { name: 'mapcount', args: ['set'], qemu: { never: "/proc/self/maps under qemu is qemu's own, and `set` would change the host's vm.max_map_count" } },
  { name: 'nproc', qemu: { never: 'qemu runs as root here (RLIMIT_NPROC does not bind root) among the host user\'s other processes' } },
];

function expected(name: string): string {
  return readFileSync(join(EXPECTED_DIR, `${name}.out`), 'utf8');
}

describePeer('Linux semantics: vmlab and qemu-riscv64 print what Linux prints', ['gcc', 'qemu'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-linux-'));
  beforeAll(() => {
    for (const { name } of PROGRAMS) {
      const r = spawnSync(
        PEER_TOOLS.gcc,
        ['-march=rv64im', '-mabi=lp64', '-static', '-nostdlib', '-O2', `-I${C_DIR}`, join(C_DIR, 'rt.c'), join(C_DIR, `${name}.c`), '-o', join(dir, name)],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`gcc ${name}.c failed:\n${r.stderr}`);
    }
  });

  for (const { name, args, qemu } of PROGRAMS) {
    it(`${name}: vmlab prints Linux's lines and exits 0`, () => {
      const want = expected(name);
      expect(want).not.toContain('FAIL');
      const v = runGuest(guestElf(join(dir, name), name), { args, kernel: { maxInsns: MAX_INSNS } });
      expect({ stdout: v.stdout, exitCode: v.exitCode, reason: v.reason }).toEqual({ stdout: want, exitCode: 0, reason: 'exited' });
    });

    if (qemu !== undefined && 'never' in qemu) continue;
    it(`${name}: qemu-riscv64 agrees${qemu ? ` up to where it differs from Linux` : ''}`, () => {
      const want = expected(name);
      const upTo = qemu ? want.indexOf(qemu.upTo) : -1;
      if (qemu) expect(upTo).toBeGreaterThanOrEqual(0);
      const r = spawnSync(PEER_TOOLS.qemu, [join(dir, name), ...(qemu?.args ?? [])], { encoding: 'utf8', timeout: 60_000 });
      expect({ stdout: r.stdout, status: r.status }).toEqual({ stdout: qemu ? want.slice(0, upTo + qemu.upTo.length) : want, status: 0 });
    });
  }

  // The address-space checks again with 5-level paging (TASK_SIZE 2^56 - 4096, a 57-bit kernel half).
  for (const name of ['mremaptop', 'memlimits', 'mapcount']) {
    it(`${name}: the same lines with 5-level paging`, () => {
      const args = PROGRAMS.find((p) => p.name === name)!.args;
      const v = runGuest(guestElf(join(dir, name), name), { args, kernel: { maxInsns: MAX_INSNS, paging: 5 } });
      expect({ stdout: v.stdout, exitCode: v.exitCode }).toEqual({ stdout: expected(name), exitCode: 0 });
    });
  }

  it('the built CLI runs one of them the same (vmlab run --max-insns)', () => {
    const c = vmlab(['run', '--max-insns', String(MAX_INSNS), join(dir, 'waitchld')]);
    expect({ stdout: c.stdout, status: c.status, stderr: c.stderr }).toEqual({ stdout: expected('waitchld'), status: 0, stderr: '' });
  });
});
