// RLIMIT_STACK at execve (kernel-ts/proc/exec.ts, mm/aslr.ts): Linux's
// mmap_base() leaves room for the stack's soft limit below the stack (at
// least 128 MiB, at most 5/6 of the address space), and setup_arg_pages()
// makes the initial stack VMA at most that big. The limits survive execve.
import { describe, expect, it } from 'vitest';
import { mmapBase } from '../../../kernel-ts/mm/aslr';
import { DEFAULT_MAP_WINDOW, STACK_GUARD_GAP } from '../../../kernel-ts/mm/vma';
import { execTask } from '../../../kernel-ts/proc/execve';
import { STACK_TOP } from '../../../kernel-ts/proc/exec';
import { RLIMIT_NOFILE, RLIMIT_STACK, RLIM_INFINITY } from '../../../kernel-ts/resource';
import { spawned } from './helpers';

const MiB = 1 << 20;

describe('mmap_base and RLIMIT_STACK', () => {
  it('keeps the stack limit plus the guard gap below the stack, between 128 MiB and 5/6 of the window', () => {
    const w = DEFAULT_MAP_WINDOW;
    expect(mmapBase(0, false, w, 8 * MiB)).toBe(w - 128 * MiB);
    expect(mmapBase(0, false, w, 1024 * MiB)).toBe(w - 1024 * MiB - STACK_GUARD_GAP);
    const capped = Math.ceil((w - Math.floor(w / 6) * 5) / 4096) * 4096;
    expect(mmapBase(0, false, w, 2 ** 50)).toBe(capped);
    expect(mmapBase(0, false, w, Infinity)).toBe(capped);
  });

  it("execve lays the new image out for the task's own limit, which it keeps", () => {
    const { k, t } = spawned();
    expect(t.mm!.mmapBase).toBe(DEFAULT_MAP_WINDOW - 128 * MiB);
    t.rlim.set(RLIMIT_STACK, { cur: BigInt(1024 * MiB), max: RLIM_INFINITY });
    t.rlim.set(RLIMIT_NOFILE, { cur: 16n, max: 64n });
    expect(execTask(k, t, '/bin/p', ['p'], [])).toBe(0);
    expect(t.mm!.mmapBase).toBe(DEFAULT_MAP_WINDOW - 1024 * MiB - STACK_GUARD_GAP);
    expect(t.mm!.rlim).toBe(t.rlim);
    expect(t.rlim.get(RLIMIT_NOFILE)).toEqual({ cur: 16n, max: 64n });
  });

  it('the initial stack VMA is 128 KiB below the arguments, or the stack limit if smaller', () => {
    const { k, t } = spawned();
    const stack = (): { start: number; end: number } => {
      const v = t.mm!.vmas.findVma(STACK_TOP - 1)!;
      return { start: v.vmStart, end: v.vmEnd };
    };
    const big = stack();
    expect(big.end).toBe(STACK_TOP);
    expect(big.end - big.start).toBe(4096 + 128 * 1024);
    t.rlim.set(RLIMIT_STACK, { cur: BigInt(64 * 1024 + 100), max: RLIM_INFINITY });
    expect(execTask(k, t, '/bin/p', ['p'], [])).toBe(0);
    expect(stack()).toEqual({ start: STACK_TOP - 64 * 1024, end: STACK_TOP });
  });
});
