// Peer tier: the same static RV64IM binaries under vmlab and qemu-riscv64
// give the same stdout and exit status. C programs are built by the Debian
// cross compiler with guest-programs/tests/c/rt.c as their only runtime;
// assembly programs are assembled by vmlab. Both through runGuest (with its
// frame-leak check) and, for a few, through the built `vmlab run` CLI.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describePeer, PEER_TOOLS } from '../support/peers';
import { vmlab } from '../support/cli';
import { GUEST_TESTS, guestElf, guestTest, runGuest } from '../support/kernel';

const C_DIR = join(GUEST_TESTS, 'c');
const C_PROGRAMS = ['hello', 'heap', 'bigmap', 'forks', 'sieve', 'devices'];
const ASM_PROGRAMS = ['hello', 'args', 'brk', 'mmap64', 'fork', 'segv', 'badptr', 'cat', 'vec'];
const GUEST_ARGS = ['first', 'second arg'];
const STDIN = 'some input\nfor cat\n';

interface Outcome {
  stdout: string;
  exitCode: number | null;
}

/** qemu-riscv64 PROG ARGS, stdin given; a signal death as 128 + signal (a shell's $?). */
function underQemu(path: string, args: string[]): Outcome {
  const r = spawnSync(PEER_TOOLS.qemu, [path, ...args], { input: STDIN, encoding: 'utf8', timeout: 60_000 });
  const sig = r.signal ? constants.signals[r.signal] : undefined;
  return { stdout: r.stdout, exitCode: sig !== undefined ? 128 + sig : r.status };
}

function underVmlab(path: string, name: string, args: string[]): Outcome {
  const r = runGuest(guestElf(path, name), { args, stdin: STDIN });
  return { stdout: r.stdout, exitCode: r.exitCode };
}

describePeer('vmlab vs qemu-riscv64: C programs (gcc -march=rv64im -static -nostdlib)', ['gcc', 'qemu'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-c-'));
  beforeAll(() => {
    for (const p of C_PROGRAMS) {
      const r = spawnSync(
        PEER_TOOLS.gcc,
        ['-march=rv64im', '-mabi=lp64', '-static', '-nostdlib', '-O2', `-I${C_DIR}`, join(C_DIR, 'rt.c'), join(C_DIR, `${p}.c`), '-o', join(dir, p)],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`gcc ${p}.c failed:\n${r.stderr}`);
    }
  });

  for (const p of C_PROGRAMS) {
    it(`${p}: same stdout and exit status`, () => {
      const q = underQemu(join(dir, p), GUEST_ARGS);
      const v = underVmlab(join(dir, p), p, GUEST_ARGS);
      expect(v).toEqual(q);
      expect(q.stdout).not.toContain('FAIL');
    });
  }

  it('the built CLI agrees too (vmlab run ELF -- ARGS)', () => {
    const q = underQemu(join(dir, 'hello'), GUEST_ARGS);
    const c = vmlab(['run', join(dir, 'hello'), '--', ...GUEST_ARGS], { input: STDIN });
    expect({ stdout: c.stdout, exitCode: c.status }).toEqual(q);
    expect(c.stderr).toBe('');
  });
});

describePeer('vmlab vs qemu-riscv64: assembly programs (assembled by vmlab)', ['qemu'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-peer-s-'));

  for (const p of ASM_PROGRAMS) {
    it(`${p}.s: same stdout and exit status`, () => {
      const prog = guestTest(p);
      const path = join(dir, p);
      writeFileSync(path, prog.elf, { mode: 0o755 });
      // With arguments mmap64 prints /proc/self/maps, which differ by design.
      const args = p === 'mmap64' ? [] : GUEST_ARGS;
      const q = underQemu(path, args);
      const v = underVmlab(path, p, args);
      // argv[0] is the path under qemu and the name under vmlab.
      if (p === 'args') q.stdout = q.stdout.replace(path, p);
      expect(v).toEqual(q);
    });
  }

  it('segv.s through the CLI: exit status 139', () => {
    const c = vmlab(['run', join(GUEST_TESTS, 'segv.s')]);
    expect(c.status).toBe(139);
    expect(c.stdout).toBe('about to segfault\n');
  });
});
