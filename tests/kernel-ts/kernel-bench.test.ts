import { describe, expect, it } from 'vitest';
import { kernelBench } from '../../emu/cli/bench';

describe('kernel benchmarks (tiny runs)', () => {
  it('kfaults: one round is 16,384 demand-zero faults and leaks nothing', () => {
    const r = kernelBench('kfaults', 1);
    expect(r).toMatchObject({ events: 16_384, unit: 'faults', leakedFrames: 0 });
    expect(r.apart?.syscall).toBe('munmap');
  });
  it('kfork: fork + exit + wait, nothing leaked', () => {
    expect(kernelBench('kfork', 20)).toMatchObject({ events: 20, unit: 'forks', leakedFrames: 0 });
  });
  it('kgetpid: 4 instructions and one syscall per iteration', () => {
    const r = kernelBench('kgetpid', 1000);
    expect(r).toMatchObject({ events: 1000, leakedFrames: 0 });
    expect(r.instructions).toBe(4000 + 41); // ecall does not retire; 41 for start-up, atoi of "1000" and exit
  });
});
