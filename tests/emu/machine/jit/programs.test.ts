// Every guest program the suite runs, under both tiers through the kernel
// (KernelOptions.jit): identical stdout, stderr, exit status, reason,
// instruction count, final registers, TLB contents and statistics, frames.
// A low hot threshold makes tier 1 compile nearly everything that repeats,
// so short programs exercise it too. Includes the fault-heavy ones: demand
// paging (kfaults, mmap64), copy-on-write (fork, kfork), mprotect and
// signals (segv, badptr), exec (new code in reused frames).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUEST_TESTS, assembleGuest, guestElf, guestTest, runGuest } from '../../../support/kernel';
import type { GuestProgram, GuestRun, RunOptions } from '../../../support/kernel';
import { LIB_SOURCES, LIB_TESTS } from '../../../guest/libc-programs';

const MAX_INSNS = 20_000_000;

interface Case {
  prog: GuestProgram;
  args?: string[];
  others?: GuestProgram[];
}

function lazy(name: string, make: () => GuestProgram, args?: string[], others?: () => GuestProgram[]): { name: string; make: () => Case } {
  return { name, make: () => ({ prog: make(), args, others: others?.() }) };
}

// gnu-ehdr.s is GNU as input (the peer tier links it with GNU ld), not vmlab's.
const asmTests = readdirSync(GUEST_TESTS).filter((f) => f.endsWith('.s') && f !== 'gnu-ehdr.s').map((f) => f.slice(0, -2));
const libTests = readdirSync(LIB_TESTS).filter((f) => f.endsWith('.s') && f !== 'tap.inc').map((f) => f.slice(0, -2));
const prebuilt = [
  ...readdirSync('guest-programs/labs/bin').map((f) => join('guest-programs/labs/bin', f)),
  ...readdirSync('guest-programs/libc-tests/bin').map((f) => join('guest-programs/libc-tests/bin', f)),
];
const bench = (name: string): GuestProgram => ({
  name,
  elf: assembleGuest([join('guest-programs/bench', `${name}.s`)]),
});

const CASES = [
  ...asmTests.map((n) => lazy(`tests/${n}.s`, () => guestTest(n), undefined, n === 'exec' ? () => [guestTest('hello')] : undefined)),
  ...libTests.map((n) => lazy(`lib-tests/${n}.s`, () => ({ name: n, elf: assembleGuest([join(LIB_TESTS, `${n}.s`), ...LIB_SOURCES]) }))),
  ...prebuilt.map((p) => lazy(p, () => guestElf(p))),
  lazy('bench/kfaults.s 1', () => bench('kfaults'), ['1']),
  lazy('bench/kfork.s 40', () => bench('kfork'), ['40']),
  lazy('bench/kgetpid.s 3000', () => bench('kgetpid'), ['3000']),
];

function state(r: GuestRun): unknown {
  const m = r.k.machine;
  return {
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: r.exitCode,
    reason: r.reason,
    instructions: r.instructions,
    regs: Array.from(m.cpu.x64.subarray(0, 32)),
    pc: m.cpu.pc,
    tlb: m.mmu.entries(),
    stats: m.mmu.stats(),
    frames: r.k.mm.framesInUse(),
  };
}

describe('guest programs under tier 0 and tier 1', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const k = c.make();
      const run = (jit: RunOptions['kernel']): GuestRun =>
        runGuest(k.prog, { args: k.args, others: k.others, kernel: { maxInsns: MAX_INSNS, ...jit }, allowLeaks: true });
      const t0 = run({ jit: false });
      const t1 = run({ jit: { hotThreshold: 3 } });
      expect(state(t1)).toEqual(state(t0));
      // Compiled code ran in every program long enough to have a hot loop.
      if (t0.instructions > 200_000) expect(t1.k.tier1!.stats.regionRetired).toBeGreaterThan(0);
    }, 120_000);
  }
});
