// User traps reported with every bit of their 64-bit values (kernel-ts/proc/traps.ts):
// a fault address above 2^53 reaches si_addr, CR2 and the log unrounded, and
// pc and sp print as Linux's %016lx / %lx of the unsigned value.
import { describe, expect, it } from 'vitest';
import { logLines, prog, runPrograms } from './helpers';

const SIGSEGV = 11;

/** What the SIGSEGV handler must see. */
interface Seen {
  code: number;
  addr: string;
  trapno: number;
  cr2: string;
}

/**
 * A program whose SIGSEGV handler checks si_signo, si_code, si_addr and the
 * vmlab context's trapno and CR2 against `want`, exiting with 0 when all
 * match and with 1..5 at the first that does not; `fault` is the faulting code.
 */
const catchSegv = (fault: string, want: Seen): string =>
  prog(
    `
        li a0, ${SIGSEGV}
        la a1, act
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigaction
        ecall
${fault}
        li a0, 99               # not reached: the handler exits
        li a7, SYS_exit
        ecall
handler:
        mv s2, a0
        li a0, 1
        li t2, ${SIGSEGV}
        bne s2, t2, out         # si_signo
        li a0, 2
        lw t1, 8(a1)
        li t2, ${want.code}
        bne t1, t2, out         # si_code
        li a0, 3
        ld t1, 16(a1)
        li t2, ${want.addr}
        bne t1, t2, out         # si_addr
        li a0, 4
        ld t1, 440(a2)
        li t2, ${want.trapno}
        bne t1, t2, out         # uc + 440: vmlab trapno
        li a0, 5
        ld t1, 456(a2)
        li t2, ${want.cr2}
        bne t1, t2, out         # uc + 456: vmlab cr2
        li a0, 0
out:    li a7, SYS_exit
        ecall`,
    `
        .data
        .align 3
act:    .dword handler, SA_SIGINFO, 0`,
  );

const SEGV_MAPERR = 1;
const SI_KERNEL = 0x80;

describe('fault addresses above 2^53', () => {
  it('a read of 0xffff88803ffffff8 logs "segfault at ffff88803ffffff8", not the rounded ffff888040000000', () => {
    const r = runPrograms({ '/bin/hi': prog('        li t0, 0xffff88803ffffff8\n        ld a0, 0(t0)') });
    expect(r.result.status).toBe(SIGSEGV);
    // Error 4 (U, not present): the test kernel's 64 MiB direct map ends below this address.
    expect(logLines(r.k)).toContain('hi[1]: segfault at ffff88803ffffff8 ip 0000000000010010 sp 00007fffffffeea0 error 4 in hi[10000+1000]');
  });

  it('si_addr and CR2 of that fault carry all 64 bits to a handler', () => {
    const addr = '0xffff88803ffffff8';
    const r = runPrograms({ '/bin/hi': catchSegv(`        li t0, ${addr}\n        ld a0, 0(t0)`, { code: SEGV_MAPERR, addr, trapno: 14, cr2: addr }) });
    expect(r.result.exitCode).toBe(0);
  });
});

describe("the log lines' registers", () => {
  it('an sp in the kernel half prints as 16 hex digits of the unsigned value (not 000-777ffffffec0)', () => {
    const r = runPrograms({ '/bin/ksp': prog('        li sp, 0xffff888000000140\n        sd zero, 0(sp)') });
    expect(r.result.status).toBe(SIGSEGV);
    expect(logLines(r.k)).toContain('ksp[1]: segfault at ffff888000000140 ip 000000000001000c sp ffff888000000140 error 7 in ksp[10000+1000]');
  });

  it("the traps: line prints ip and sp as %lx of the unsigned value", () => {
    const r = runPrograms({ '/bin/ksp': prog('        li sp, 0xffff888000000140\n        li t0, 1\n        slli t0, t0, 47\n        jr t0') });
    expect(r.result.status).toBe(SIGSEGV);
    expect(logLines(r.k)).toContain('traps: ksp[1] general protection fault ip:10014 sp:ffff888000000140 error:0 in ksp[10000+1000]');
  });
});

describe('an access that straddles the canonical boundary', () => {
  it('an 8-byte load at 0x7ffffffffffc is #GP (SIGSEGV, SI_KERNEL, si_addr 0), not a #PF at its first byte', () => {
    const r = runPrograms({ '/bin/gp': catchSegv('        li t0, 0x7ffffffffffc\n        ld a0, 0(t0)', { code: SI_KERNEL, addr: '0', trapno: 13, cr2: '0' }) });
    expect(r.result.exitCode).toBe(0);
    const die = runPrograms({ '/bin/gp': prog('        li t0, 0x7ffffffffffc\n        sd zero, 0(t0)') });
    expect(die.result.status).toBe(SIGSEGV);
    expect(logLines(die.k).filter((l) => l.includes('gp[1]'))).toEqual([
      'traps: gp[1] general protection fault ip:1000c sp:7fffffffeea0 error:0 in gp[10000+1000]',
    ]);
  });
});
