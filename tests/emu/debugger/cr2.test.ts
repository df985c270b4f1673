// The debugger shows a fault address above 2^53 with all its bits: the
// catchpoint's CR2 line, $cr2 and info faults (a double would round
// 0xffff88803ffffff8 to 0xffff888040000000).
import { describe, expect, it } from 'vitest';
import { debugScript } from './run-debug';

describe('CR2 above 2^53', () => {
  it('catch pagefault, $cr2 and info faults show 0xffff88803ffffff8 exactly', () => {
    const r = debugScript('khalf.s', 'catch pagefault p\nrun\np/x $cr2\ncontinue\ninfo faults\n');
    const lines = r.stdout.split('\n');
    expect(lines).toContain('CR2   = VA 0xffff88803ffffff8');
    expect(lines).toContain('$1 = 0xffff88803ffffff8');
    expect(lines).toContain('kernel: #PF at VA 0xffff88803ffffff8 (error 0x5 protection read user) handled: segv');
    expect(lines.at(-2)).toBe('3    1     0x10010       0xffff88803ffffff8 0x5 protection read user         segv');
  });
});
