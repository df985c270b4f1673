import { describe, expect, it } from 'vitest';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { SIGFRAME_SIZE, decodeSigframe, encodeSigframe } from '../../../kernel-ts/proc/sigframe';
import { SIGSEGV, SIGUSR1, siginfo } from '../../../kernel-ts/proc/signal-defs';
import { bootKernel, call, elfOf, framesAfter, get, logLines, prog, put, runPrograms, spawned } from './helpers';

const KILL_SELF = (sig: number) => `
        li a7, SYS_getpid
        ecall
        li a1, ${sig}
        li a7, SYS_kill
        ecall`;
const SIGACTION = (sig: number, act: string) => `
        li a0, ${sig}
        la a1, ${act}
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigaction
        ecall`;
const WRITE = (label: string, len: number) => `
        li a0, 1
        la a1, ${label}
        li a2, ${len}
        li a7, SYS_write
        ecall`;

describe('the rt_sigframe', () => {
  it('has siginfo at 0, the registers at 304 and the vmlab trap context at 560', () => {
    const regs = new Int32Array(64);
    for (let r = 1; r < 32; r++) regs[2 * r] = r * 0x100;
    regs[2 * 2 + 1] = 0x7fff; // sp's high half
    const info = siginfo(SIGSEGV, 2, { addr: 0xdead008n, trapno: 14, errorCode: 6, cr2: 0xdead008n });
    const f = encodeSigframe(info, { regs, pcLo: 0x10074, pcHi: 0, mask: 1n << 9n, altSp: 0, altSize: 0 });
    const dv = new DataView(f.buffer);
    expect(f.length).toBe(SIGFRAME_SIZE);
    expect([dv.getInt32(0, true), dv.getInt32(4, true), dv.getInt32(8, true)]).toEqual([11, 0, 2]);
    expect(dv.getBigUint64(16, true)).toBe(0xdead008n);
    expect(dv.getInt32(152, true)).toBe(2); // uc_stack.ss_flags = SS_DISABLE
    expect(dv.getBigUint64(168, true)).toBe(0x200n); // uc_sigmask
    expect(dv.getBigUint64(304, true)).toBe(0x10074n); // sc_regs.pc
    expect(dv.getBigUint64(304 + 8, true)).toBe(0x100n); // ra
    expect(dv.getBigUint64(304 + 16, true)).toBe(0x7fff00000200n); // sp
    expect(dv.getBigUint64(304 + 8 * 31, true)).toBe(0x1f00n); // t6
    expect([dv.getUint32(560, true), dv.getUint32(564, true)]).toEqual([0x564d4c42, 32]);
    expect([dv.getBigInt64(568, true), dv.getBigUint64(576, true), dv.getBigUint64(584, true)]).toEqual([14n, 6n, 0xdead008n]);
    const back = decodeSigframe(f);
    expect([...back.regs]).toEqual([...regs]);
    expect([back.pcLo, back.mask]).toEqual([0x10074, 0x200n]);
  });
});

describe('fault signals', () => {
  it('a SIGSEGV handler reads si_addr, the error code and CR2, and resumes by editing the saved pc', () => {
    const r = runPrograms({
      '/bin/catch': prog(`
${SIGACTION(SIGSEGV, 'act')}
        li s0, 0xdead000
        li s1, 77
        ld t1, 8(s0)            # faults: nothing mapped there
        li a0, 50               # skipped: the handler moves pc to resume
        li a7, SYS_exit
        ecall
resume: la t0, got
        li a0, 1
        lw t1, 0(t0)
        li t2, 11
        bne t1, t2, out         # signo
        li a0, 2
        lw t1, 4(t0)
        li t2, 1
        bne t1, t2, out         # si_code SEGV_MAPERR
        li a0, 3
        ld t1, 8(t0)
        addi t2, s0, 8
        bne t1, t2, out         # si_addr
        li a0, 4
        ld t1, 16(t0)
        li t2, 4
        bne t1, t2, out         # error code: PF_U (a read of a not-present page)
        li a0, 5
        ld t1, 24(t0)
        addi t2, s0, 8
        bne t1, t2, out         # CR2
        li a0, 6
        ld t1, 32(t0)
        li t2, 14
        bne t1, t2, out         # trapno #PF
        li a0, 7
        li t2, 77
        bne s1, t2, out         # registers restored by rt_sigreturn
        li a0, 8
        ld t1, 40(t0)
        andi t1, t1, 15
        bnez t1, out            # the handler's sp was 16-byte aligned
        li a0, 0
out:    li a7, SYS_exit
        ecall
handler:
        la t0, got
        sw a0, 0(t0)
        lw t1, 8(a1)
        sw t1, 4(t0)
        ld t1, 16(a1)
        sd t1, 8(t0)
        ld t1, 448(a2)          # uc + 448: vmlab err
        sd t1, 16(t0)
        ld t1, 456(a2)          # uc + 456: vmlab cr2
        sd t1, 24(t0)
        ld t1, 440(a2)          # uc + 440: vmlab trapno
        sd t1, 32(t0)
        sd sp, 40(t0)
        la t1, resume
        sd t1, 176(a2)          # uc + 176: sc_regs.pc
        ret`, `
        .data
        .align 3
act:    .dword handler, SA_SIGINFO, 0
got:    .zero 48`),
    });
    expect(r.result.exitCode).toBe(0);
    expect(logLines(r.k).filter((l) => l.includes("segfault"))).toEqual([]);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('logs Linux\'s segfault line when the task dies of it', () => {
    const r = runPrograms({ '/bin/memview2': prog('        li t0, 0\n        sd t0, 0(t0)') });
    expect(r.result.status).toBe(11);
    expect(logLines(r.k)).toContain(
      'memview2[1]: segfault at 0 ip 0000000000010004 sp 00007fffffffeea0 error 6 in memview2[10000+1000]',
    );
  });

  it('#UD is SIGILL, ebreak SIGTRAP, a misaligned jump #GP -> SIGSEGV, each with its traps: line', () => {
    const ill = runPrograms({ '/bin/ill': prog('        .word 0') });
    expect(ill.result.status).toBe(4);
    expect(logLines(ill.k)).toContain('traps: ill[1] trap invalid opcode ip:10000 sp:7fffffffeea0 error:0 in ill[10000+1000]');
    const brk = runPrograms({ '/bin/brk': prog('        ebreak') });
    expect(brk.result.status).toBe(5);
    expect(logLines(brk.k)).toContain('traps: brk[1] trap int3 ip:10000 sp:7fffffffeea0 error:0 in brk[10000+1000]');
    const gp = runPrograms({ '/bin/gp': prog('        li t0, 0x10002\n        jr t0') });
    expect(gp.result.status).toBe(11);
    expect(logLines(gp.k)).toContain('traps: gp[1] general protection fault ip:10008 sp:7fffffffeea0 error:0 in gp[10000+1000]');
  });

  it('a fault inside the SIGSEGV handler kills with SIGSEGV', () => {
    const r = runPrograms({
      '/bin/nested': prog(`
${SIGACTION(SIGSEGV, 'act')}
        ld t0, 0(zero)
        li a0, 0
        li a7, SYS_exit
        ecall
handler:
        ld t0, 8(zero)          # faults again while SIGSEGV is blocked
        ret`, `
        .data
        .align 3
act:    .dword handler, SA_SIGINFO, 0`),
    });
    expect(r.result.status).toBe(11);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('a blocked SIGSEGV still kills on a fault (force_sig)', () => {
    const r = runPrograms({
      '/bin/blocked': prog(`
        li a0, 0                # SIG_BLOCK
        la a1, set
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall
        ld t0, 0(zero)`, `
        .data
        .align 3
set:    .dword 1 << 10`),
    });
    expect(r.result.status).toBe(11);
    expect(logLines(r.k).some((l) => l.startsWith('blocked[1]: segfault at 0 '))).toBe(true);
  });

  it('an ignored SIGSEGV still kills on a fault', () => {
    const r = runPrograms({
      '/bin/ign': prog(`
${SIGACTION(SIGSEGV, 'ign')}
        ld t0, 0(zero)`, `
        .data
        .align 3
ign:    .dword 1, 0, 0`),
    });
    expect(r.result.status).toBe(11);
    expect(logLines(r.k).some((l) => l.startsWith('ign[1]: segfault at 0 '))).toBe(true);
  });

  it('a signal frame that cannot be written is a SIGSEGV', () => {
    const r = runPrograms({
      '/bin/badsp': prog(`
${SIGACTION(SIGUSR1, 'act')}
        li sp, 0x1000
${KILL_SELF(SIGUSR1)}
        li a0, 0
        li a7, SYS_exit
        ecall
handler: ret`, `
        .data
        .align 3
act:    .dword handler, 0, 0`),
    });
    expect(r.result.status).toBe(11);
  });
});

describe('signal actions', () => {
  it('SA_RESETHAND: the first SIGUSR1 runs the handler, the second kills', () => {
    const r = runPrograms({
      '/bin/once': prog(`
${SIGACTION(SIGUSR1, 'act')}
${KILL_SELF(SIGUSR1)}
${WRITE('after', 6)}
${KILL_SELF(SIGUSR1)}
${WRITE('never', 6)}
        li a0, 0
        li a7, SYS_exit
        ecall
handler:
${WRITE('inh', 8)}
        ret`, `
        .data
        .align 3
act:    .dword handler, 0x80000000, 0
inh:    .ascii "handler\\n"
after:  .ascii "after\\n"
never:  .ascii "never\\n"`),
    });
    expect(r.out()).toBe('handler\nafter\n');
    expect(r.result.status).toBe(SIGUSR1);
    expect(r.result.exitCode).toBe(138);
  });

  it('SIG_IGN discards, and a pending blocked signal arrives when unblocked', () => {
    const r = runPrograms({
      '/bin/mask': prog(`
${SIGACTION(SIGUSR1, 'ign')}
${KILL_SELF(SIGUSR1)}
${WRITE('one', 4)}
        li a0, 0
        la a1, set
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall                   # block SIGUSR2
${KILL_SELF(12)}
${WRITE('two', 4)}
        li a0, 1                # SIG_UNBLOCK: SIGUSR2 is delivered now and kills
        la a1, set
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall
${WRITE('never', 6)}`, `
        .data
        .align 3
ign:    .dword 1, 0, 0
set:    .dword 1 << 11
one:    .ascii "one\\n"
two:    .ascii "two\\n"
never:  .ascii "never\\n"`),
    });
    expect(r.out()).toBe('one\ntwo\n');
    expect(r.result.status).toBe(12);
  });

  it('rt_sigsuspend waits for a blocked signal, runs its handler, returns -EINTR and restores the mask', () => {
    const r = runPrograms({
      '/bin/suspend': prog(`
${SIGACTION(SIGUSR1, 'act')}
        li a0, 0                # SIG_BLOCK SIGUSR1
        la a1, usr1
        li a2, 0
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        bnez a0, parent
        li a7, SYS_getppid
        ecall
        li a1, ${SIGUSR1}
        li a7, SYS_kill
        ecall
        li a0, 0
        li a7, SYS_exit
        ecall
parent: la a0, none
        li a1, 8
        li a7, 133              # rt_sigsuspend(&empty mask, 8)
        ecall
        li t0, -4
        li s2, 1
        bne a0, t0, out
        la t0, seen
        lw t1, 0(t0)
        li s2, 2
        beqz t1, out            # the handler ran first
        li a0, 0                # the old mask is back: SIGUSR1 blocked
        li a1, 0
        la a2, old
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall
        la t0, old
        ld t1, 0(t0)
        la t0, usr1
        ld t2, 0(t0)
        li s2, 3
        bne t1, t2, out
        la t0, hmask            # during the handler: SIGUSR1 blocked as well
        ld t1, 0(t0)
        li s2, 4
        bne t1, t2, out
        li s2, 0
out:    mv a0, s2
        li a7, SYS_exit
        ecall
handler:
        la t0, seen
        li t1, 1
        sw t1, 0(t0)
        li a0, 0
        li a1, 0
        la a2, hmask
        li a3, 8
        li a7, SYS_rt_sigprocmask
        ecall
        ret`, `
        .data
        .align 3
act:    .dword handler, 0, 0
usr1:   .dword 1 << 9
none:   .dword 0
old:    .dword -1
hmask:  .dword -1
seen:   .word 0`),
    });
    expect(r.result.exitCode).toBe(0);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('a child killed by a signal is reported to wait4 as that signal, and SIGCHLD reaches the parent', () => {
    const r = runPrograms({
      '/bin/parent': prog(`
${SIGACTION(17, 'chld')}
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        bnez a0, parent
        ld t0, 0(zero)          # the child segfaults
parent: mv s1, a0
        mv a0, s1
        la a1, status
        li a2, 0
        li a3, 0
        li a7, SYS_wait4
        ecall
        la t0, status
        lw a0, 0(t0)
        la t0, seen
        lw t1, 0(t0)
        slli t1, t1, 7
        add a0, a0, t1          # 11 + 128 if the SIGCHLD handler ran
        li a7, SYS_exit
        ecall
handler:
        la t0, seen
        li t1, 1
        sw t1, 0(t0)
        ret`, `
        .data
        .align 3
chld:   .dword handler, 0x10000000, 0
status: .word 0
seen:   .word 0`),
    });
    expect(r.result.exitCode).toBe(139);
    expect(logLines(r.k).some((l) => l.startsWith('parent[2]: segfault at 0 ip '))).toBe(true);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });
});

describe('rt_sigaction and rt_sigprocmask validation', () => {
  it('rejects bad sizes, signals and pointers as Linux does', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [0x10000n, 4n | 0x04000000n, ~0n]);
    expect(call(k, t, NR.rt_sigaction, 10, scratch, 0, 4)).toBe(-22);
    expect(call(k, t, NR.rt_sigaction, 9, scratch, 0, 8)).toBe(-22);
    expect(call(k, t, NR.rt_sigaction, 19, scratch, 0, 8)).toBe(-22);
    expect(call(k, t, NR.rt_sigaction, 0, 0, 0, 8)).toBe(-22);
    expect(call(k, t, NR.rt_sigaction, 65, 0, 0, 8)).toBe(-22);
    expect(call(k, t, NR.rt_sigaction, 10, 0x1000, 0, 8)).toBe(-14);
    expect(call(k, t, NR.rt_sigaction, 9, 0, scratch + 64, 8)).toBe(0);
    expect(call(k, t, NR.rt_sigaction, 10, scratch, 0, 8)).toBe(0);
    expect(call(k, t, NR.rt_sigaction, 10, 0, scratch + 64, 8)).toBe(0);
    // SA_RESTORER is not a riscv flag (cleared); SIGKILL and SIGSTOP leave the mask.
    expect(get(k, t, scratch + 64, 3)).toEqual([0x10000n, 4n, ~((1n << 8n) | (1n << 18n)) & 0xffffffffffffffffn]);
    expect(call(k, t, NR.rt_sigaction, 10, 0, 0x1000, 8)).toBe(-14);
  });

  it('rt_sigprocmask: how, size, unblockable signals, old mask', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [~0n]);
    expect(call(k, t, NR.rt_sigprocmask, 0, scratch, 0, 16)).toBe(-22);
    expect(call(k, t, NR.rt_sigprocmask, 3, scratch, 0, 8)).toBe(-22);
    expect(call(k, t, NR.rt_sigprocmask, 0, scratch, scratch + 8, 8)).toBe(0);
    expect(get(k, t, scratch + 8, 1)).toEqual([0n]);
    expect(t.blocked).toBe(~((1n << 8n) | (1n << 18n)) & 0xffffffffffffffffn);
    put(k, t, scratch, [1n << 9n]);
    expect(call(k, t, NR.rt_sigprocmask, 1, scratch, 0, 8)).toBe(0);
    expect(t.blocked & (1n << 9n)).toBe(0n);
    expect(call(k, t, NR.rt_sigprocmask, 2, 0x1000, 0, 8)).toBe(-14);
  });

  it('rt_sigpending reports pending signals that are blocked', () => {
    const { k, t, scratch } = spawned();
    put(k, t, scratch, [1n << 9n]);
    expect(call(k, t, NR.rt_sigprocmask, 0, scratch, 0, 8)).toBe(0);
    expect(call(k, t, NR.kill, t.pid, 10)).toBe(0);
    expect(call(k, t, 136, scratch + 8, 8)).toBe(0);
    expect(get(k, t, scratch + 8, 1)).toEqual([1n << 9n]);
    expect(call(k, t, 136, scratch + 8, 16)).toBe(-22);
  });

  it('kill: -ESRCH for no such pid, 0 for an existence check, -EINVAL for a bad signal', () => {
    const { k, t } = spawned();
    expect(call(k, t, NR.kill, 9999, 0)).toBe(-3);
    expect(call(k, t, NR.kill, t.pid, 0)).toBe(0);
    expect(call(k, t, NR.kill, t.pid, 65)).toBe(-22);
    expect(call(k, t, NR.kill, -9999, 1)).toBe(-3);
  });
});

describe('oops', () => {
  it('a host exception in a syscall kills only that task, with BUG/Oops/Call Trace in the log', () => {
    const b = bootKernel();
    b.k.syscalls[500] = () => {
      throw new Error('boom');
    };
    b.k.vfs.addExecutable('/bin/oops', elfOf(prog(`
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        bnez a0, parent
        li a7, 500
        ecall
        li a0, 1
        li a7, SYS_exit
        ecall
parent: la a1, status
        li a2, 0
        li a3, 0
        li a7, SYS_wait4
        ecall
        la t0, status
        lw a0, 0(t0)
        li a7, SYS_exit
        ecall`, `
        .data
status: .word 0`)));
    const t = b.k.spawn('/bin/oops', ['oops'], []);
    expect(typeof t).not.toBe('number');
    const r = b.k.run();
    expect(r.exitCode).toBe(9); // the parent exits with the child's wait status: killed by SIGKILL
    const log = logLines(b.k);
    expect(log).toContain('BUG: kernel exception in syscall: Error: boom');
    expect(log).toContain('Oops: 0000 [#1] PREEMPT SMP NOPTI');
    expect(log).toContain('CPU: 0 PID: 2 Comm: oops Not tainted 6.1.0-vmlab #1');
    // The kernel functions from the throw to the scheduler, as symbols (the anonymous handler has none), no host
    // paths: the innermost is RIP, the rest the Call Trace.
    expect(log).toContain('RIP: 0010:Kernel.syscall');
    const i = log.indexOf('Call Trace:');
    expect(log.slice(i, log.indexOf(' </TASK>', i))).toEqual(['Call Trace:', ' <TASK>', ' Kernel.runSlice']);
    expect(framesAfter(b.k)).toBe(b.baseline);
  });
});

describe('page-fault error codes in the segfault line', () => {
  it('a write to the text is error 7; a jump into data is error 14, or 15 once the page is present', () => {
    const w = runPrograms({ '/bin/wtext': prog('        la t0, _start\n        sd zero, 0(t0)') });
    expect(w.result.status).toBe(11);
    expect(logLines(w.k)).toContain('wtext[1]: segfault at 10000 ip 0000000000010008 sp 00007fffffffeea0 error 7 in wtext[10000+1000]');
    const x = runPrograms({ '/bin/xdata': prog('        la t0, d\n        jr t0', '        .data\nd:      .dword 0') });
    expect(x.result.status).toBe(11);
    expect(logLines(x.k)).toContain('xdata[1]: segfault at 11000 ip 0000000000011000 sp 00007fffffffeea0 error 14 in xdata[11000+1000]');
    const p = runPrograms({ '/bin/xdata': prog('        la t0, d\n        ld t1, 0(t0)\n        jr t0', '        .data\nd:      .dword 0') });
    expect(logLines(p.k)).toContain('xdata[1]: segfault at 11000 ip 0000000000011000 sp 00007fffffffeea0 error 15 in xdata[11000+1000]');
  });
});
