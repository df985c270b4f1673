// The fuzz harness itself: cases reproducible from (seed, index), failures
// sorted into new and known, inputs a known finding must avoid generated
// again, shrinking; and the kernel watch failing a kernel that breaks what
// it checks (an oops, a clobbered register, a return that is no value, a
// leaked page, a run past its budget).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/assembler';
import { writeElf } from '../../asm/elf-write';
import { Owner } from '../../kernel-ts/mm/page';
import { generateCase, runInput, runTarget, shrink } from './harness/runner';
import { Rng, caseSeed } from './harness/rng';
import { KernelWatch, bootKernel } from './harness/kernel';
import type { CaseContext, Failure, FailureKind, FuzzTarget } from './harness/target';

/** A toy target: lists of numbers; 13 fails, 666 throws, 7 is a known finding, 999 must be avoided. */
const toy: FuzzTarget<number[]> = {
  name: 'toy',
  about: 'numbers',
  batch: { seed: 1, count: 10 },
  known: [
    { name: 'seven', about: 'sevens fail', explains: (f) => f.message.includes('7') },
    { name: 'boom', about: '999 would hurt', avoid: (xs) => xs.includes(999) },
  ],
  generate: (r) => Array.from({ length: r.range(1, 12) }, () => r.pick([1, 2, 3, 7, 13, 666, 999])),
  run: (xs, ctx) => {
    if (xs.includes(999)) throw new Error('ran an input it should have avoided');
    if (xs.includes(666)) throw new Error('the devil');
    for (const x of xs) if (x === 13 || x === 7) ctx.fail('check', `saw ${x}`);
  },
  show: (xs) => xs.join(' '),
  parts: (xs) => xs.length,
  without: (xs, i) => xs.filter((_, j) => j !== i),
};

describe('fuzz runner', () => {
  it('derives each case from (seed, index) alone', () => {
    expect(caseSeed(1, 5)).toBe(caseSeed(1, 5));
    expect(new Set([caseSeed(1, 0), caseSeed(1, 1), caseSeed(2, 0), caseSeed(2, 1)]).size).toBe(4);
    const r = new Rng(caseSeed(7, 3));
    expect(toy.generate(r)).toEqual(toy.generate(new Rng(caseSeed(7, 3))));
  });

  it('reports new failures by index, counts known ones, regenerates avoided inputs', async () => {
    const rep = await runTarget(toy, { seed: 3, count: 60, minimize: false });
    expect(rep.cases).toBe(60);
    const expected: number[] = [];
    let sevens = 0, avoided = 0;
    for (let i = 0; i < 60; i++) {
      const g = generateCase(toy, 3, i);
      avoided += g.avoided.length;
      const xs = g.input as number[];
      expect(xs).not.toContain(999);
      if (xs.includes(666) || xs.includes(13) && xs.indexOf(13) < (xs.includes(7) ? xs.indexOf(7) : Infinity)) expected.push(i);
      if (!xs.includes(666) && xs.includes(7)) sevens++;
    }
    expect(rep.failed.map((f) => f.index)).toEqual(expected);
    expect(rep.known.get('seven')?.cases ?? 0).toBe(sevens);
    expect(rep.avoided.get('boom')).toBe(avoided);
    expect(avoided).toBeGreaterThan(0);
    expect(rep.failed.find((f) => (f.input as number[]).includes(666))!.failure.kind).toBe('exception');
  });

  it('puts what follows a known failure down to it', async () => {
    const fs = await runInput(toy, [7, 13]);
    expect(fs.map((f) => f.message)).toEqual(['saw 7', 'saw 13']);
    const rep = await runTarget({ ...toy, generate: () => [7, 13] }, { seed: 1, count: 1 });
    expect(rep.failed).toEqual([]);
    expect(rep.known.get('seven')?.cases).toBe(1);
  });

  it('shrinks a failing input to the part that fails', async () => {
    const failure: Failure = { kind: 'check', message: 'saw 13' };
    expect(await shrink(toy, [1, 2, 3, 13, 2, 1], failure)).toEqual([13]);
    const rep = await runTarget({ ...toy, generate: () => [1, 13, 2, 3] }, { seed: 1, count: 1 });
    expect(rep.failed[0]!.minimal).toEqual([13]);
  });
});

/** A context collecting failures. */
function collect(): CaseContext & { kinds: () => FailureKind[] } {
  const failures: Failure[] = [];
  return {
    failures,
    fail: (kind, message, detail) => failures.push(detail === undefined ? { kind, message } : { kind, message, detail }),
    kinds: () => failures.map((f) => f.kind),
  };
}

/** Boots a kernel with a program that makes system call 4001 (a0 = 5), then exits 0; `h` serves 4001. */
function withCall(h: Parameters<KernelWatch['addSyscall']>[1], maxSteps = 100): ReturnType<typeof collect> {
  const ctx = collect();
  const k = bootKernel({ memSize: 8 << 20, paging: 4, aslr: false, seed: 1, sliceInsns: 1000, maxInsns: 100_000 });
  const r = assemble([{ path: 'p.s', text: '.globl _start\n_start:\n li a0, 5\n li a7, 4001\n ecall\n li a0, 0\n li a7, 94\n ecall\n' }]);
  if (!r.ok) throw new Error('assembly failed');
  k.vfs.addExecutable('/bin/p', writeElf(r.image));
  const watch = new KernelWatch(k, ctx, { check: 'syscall', maxSteps, insnBudgetFails: true });
  watch.addSyscall(4001, h);
  const t = k.spawn('/bin/p', ['p'], []);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  watch.run();
  return ctx;
}

describe('kernel watch', () => {
  it('passes a program whose calls behave', () => {
    expect(withCall((_k, _t, a) => a.int(0)).failures).toEqual([]);
  });

  it('fails an oops, with the call that raised it', () => {
    const ctx = withCall(() => {
      throw new Error('kaboom');
    });
    expect(ctx.failures[0]!.kind).toBe('oops');
    expect(ctx.failures[0]!.message).toMatch(/^kernel exception in syscall: Error: kaboom \(in syscall_4001\(0x5, /);
  });

  it('fails a call that clobbers a register, or returns what is neither a value nor -errno', () => {
    expect(withCall((_k, t) => {
      t.regs[2 * 9] = 1234; // s1
      return 0;
    }).failures.map((f) => f.message)).toEqual([expect.stringMatching(/^syscall_4001 changed the caller's registers/)]);
    expect(withCall(() => Number.NaN).failures.map((f) => f.message)).toEqual([expect.stringMatching(/^syscall_4001 returned NaN, neither a value nor -errno/)]);
    expect(withCall(() => -5000).kinds()).toEqual(['check']);
    expect(withCall(() => 2 ** 53 + 2).kinds()).toEqual(['check']);
  });

  it('fails a call that leaks a page, at once and after the exit', () => {
    const ctx = withCall((k) => {
      k.mm.buddy.allocPages(0, Owner.Anon);
      return 0;
    });
    expect(ctx.failures.map((f) => f.message)).toEqual([expect.stringMatching(/^refcount: .* an anonymous page no PTE maps \(leaked\) \(after syscall_4001/)]);
  });

  it('fails a run past its step budget', () => {
    const ctx = withCall((k, t) => {
      k.needResched = true;
      t.pcLo -= 4; // the ecall again, forever
      return 0;
    }, 50);
    expect(ctx.kinds()).toContain('budget');
  });
});
