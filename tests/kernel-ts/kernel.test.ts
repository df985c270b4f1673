import { describe, expect, it } from 'vitest';
import { framesAfter, logLines, runPrograms } from './proc/helpers';

const EXIT42 = `
        .text
        .globl _start
_start: li a0, 42
        li a7, 93
        ecall
`;

describe('kernel: boot and run', () => {
  it('runs a program to its exit status and frees every frame', () => {
    const r = runPrograms({ '/bin/exit42': EXIT42 });
    expect(r.result).toMatchObject({ reason: 'exited', status: 42 << 8, exitCode: 42 });
    expect(logLines(r.k)[0]).toMatch(/^Linux version 6\.1\.0-vmlab \(vmlab kernel 0\.1, riscv64 guest, x86-64 paging, 4-level\)/);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });
});
