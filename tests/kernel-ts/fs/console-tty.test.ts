// The console is a terminal exactly when the host stream behind it is one
// (KernelOptions.ttys): TCGETS then fills a struct termios as a fresh Linux
// tty has it, and answers -ENOTTY otherwise, so a guest C library buffers
// the way glibc would on the host (line by line on a terminal).
import { describe, expect, it } from 'vitest';
import { prog, runPrograms } from '../proc/helpers';

/** Exit status: TCGETS on fd `fd` -> result in the low byte (negated errno or 0); c_lflag's low byte (0x3b on a tty) above it. */
const TCGETS_PROG = (fd: number): string =>
  prog(`
        li a0, ${fd}
        li a1, 0x5401
        la a2, termios
        li a7, 29               # ioctl
        ecall
        neg a0, a0
        la t0, termios
        lbu t1, 12(t0)          # c_lflag's low byte
        slli t1, t1, 8
        or a0, a0, t1
        andi a0, a0, 0xff
        bnez a0, out
        srli a0, t1, 8
out:    li a7, 93
        ecall`, `
        .data
        .align 3
termios: .zero 64`);

describe('TCGETS on the console', () => {
  it('is -ENOTTY when the host streams are no terminals (the default)', () => {
    expect(runPrograms({ '/bin/t': TCGETS_PROG(1) }).result.exitCode).toBe(25);
  });

  it('fills the termios (c_lflag ISIG|ICANON|ECHO|...) on fd 0, 1 and 2 when stdout and stderr are terminals', () => {
    for (const fd of [0, 1, 2]) expect(runPrograms({ '/bin/t': TCGETS_PROG(fd) }, { ttys: { stdout: true, stderr: true } }).result.exitCode).toBe(0x3b);
  });

  it('answers for each stream: stderr a terminal, stdout a pipe', () => {
    const opts = { ttys: { stdout: false, stderr: true } };
    expect(runPrograms({ '/bin/t': TCGETS_PROG(1) }, opts).result.exitCode).toBe(25);
    expect(runPrograms({ '/bin/t': TCGETS_PROG(2) }, opts).result.exitCode).toBe(0x3b);
  });
});
