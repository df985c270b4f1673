import { describe, expect, it } from 'vitest';
import { exitStatus, shellExitCode } from '../../../kernel-ts/proc/exit';
import { framesAfter, logLines, prog, runPrograms } from './helpers';

// fork(): clone(SIGCHLD, 0, 0, 0, 0); a0 = 0 in the child, the child's pid in the parent.
const FORK = `
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall`;
// wait4(a0 = pid, &status, options in a2, NULL)
const WAIT = (pid: string, options = 0) => `
        mv a0, ${pid}
        la a1, status
        li a2, ${options}
        li a3, 0
        li a7, SYS_wait4
        ecall`;
const EXIT = (reg: string) => `
        mv a0, ${reg}
        li a7, SYS_exit
        ecall`;
const DATA = `
        .data
        .align 3
var:    .dword 0
status: .word 0
        .align 3
ts:     .dword 0, 1000000`;

describe('wait status encoding', () => {
  it('is (code & 0xff) << 8 for exit and the bare signal for a kill', () => {
    expect(exitStatus(42)).toBe(0x2a00);
    expect(exitStatus(300)).toBe(44 << 8);
    expect(exitStatus(-1)).toBe(0xff00);
    expect(shellExitCode(0x2a00)).toBe(42);
    expect(shellExitCode(11)).toBe(139);
    expect(shellExitCode(9)).toBe(137);
  });
});

describe('fork, exit, wait4', () => {
  it('gives parent and child their own copy-on-write memory', () => {
    const r = runPrograms({
      '/bin/cow': prog(`
        la s0, var
        li t0, 1
        sd t0, 0(s0)
${FORK}
        bnez a0, parent
        li t0, 2
        sd t0, 0(s0)
        ld a0, 0(s0)
        li a7, SYS_exit
        ecall
parent: mv s1, a0
${WAIT('s1')}
        li s2, 100
        bne a0, s1, fail        # wait4 returns the child's pid
        la t0, status
        lw t1, 0(t0)
        li t2, 0x200            # exited with 2
        li s2, 101
        bne t1, t2, fail
        ld s2, 0(s0)            # still 1 in the parent
fail:
${EXIT('s2')}`, DATA),
    });
    expect(r.result.exitCode).toBe(1);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('reports exit(300) as 44 and the child pid as 2', () => {
    const r = runPrograms({
      '/bin/w': prog(`
${FORK}
        bnez a0, parent
        li a0, 300
        li a7, SYS_exit
        ecall
parent: mv s1, a0
${WAIT('s1')}
        la t0, status
        lw t1, 0(t0)
        srli t1, t1, 8
        slli s1, s1, 6          # pid 2 -> 128
        add a0, t1, s1          # 44 + 128
        li a7, SYS_exit
        ecall`, DATA),
    });
    expect(r.result.exitCode).toBe(172);
  });

  it('answers -ECHILD with no children and 0 for WNOHANG while the child runs', () => {
    const r = runPrograms({
      '/bin/w': prog(`
        li s3, -1
${WAIT('s3')}
        li t0, -10
        li s2, 1
        bne a0, t0, fail
${FORK}
        bnez a0, parent
        la a0, ts               # the child sleeps 1 ms, then exits 5
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li a0, 5
        li a7, SYS_exit
        ecall
parent: mv s1, a0
${WAIT('s1', 1)}
        li s2, 2
        bnez a0, fail
${WAIT('s1')}
        li s2, 3
        bne a0, s1, fail
        la t0, status
        lw s2, 0(t0)
        srli s2, s2, 8
fail:
${EXIT('s2')}`, DATA),
    });
    expect(r.result.exitCode).toBe(5);
    // The parent slept in wait4 until the child's nanosleep ended: the clock passed 1 ms.
    expect(r.k.clockNs()).toBeGreaterThanOrEqual(1_000_000);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('reparents orphans to init and reaps them', () => {
    const r = runPrograms({
      '/bin/orphans': prog(`
${FORK}
        bnez a0, parent
${FORK}
        bnez a0, middle
        la a0, ts               # grandchild: outlives its parent
        li a1, 0
        li a7, SYS_nanosleep
        ecall
        li a7, SYS_getppid
        ecall
        li a7, SYS_exit
        ecall                   # exits with its new ppid, 1
middle: li a0, 0
        li a7, SYS_exit
        ecall
parent: li s3, -1
${WAIT('s3')}
${WAIT('s3')}
        la t0, status
        lw s2, 0(t0)
        srli s2, s2, 8
${EXIT('s2')}`, DATA),
    });
    expect(r.result.exitCode).toBe(1);
    expect(r.k.tasks.size).toBe(0);
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('execve replaces the image and keeps the pid; a failed execve returns -errno', () => {
    const r = runPrograms({
      '/bin/execer': prog(`
        la a0, nopath
        la a1, argv
        li a2, 0
        li a7, SYS_execve
        ecall
        li t0, -2               # -ENOENT, and we are still here
        mv s0, a0
        li a0, 99
        bne s0, t0, 1f
        la a0, path
        la a1, argv
        la a2, envp
        li a7, SYS_execve
        ecall
1:      li a7, SYS_exit
        ecall`, `
        .data
        .align 3
argv:   .dword arg0, arg1, 0
envp:   .dword env0, 0
path:   .asciz "/bin/target"
nopath: .asciz "/bin/missing"
arg0:   .asciz "target"
arg1:   .asciz "xyz"
env0:   .asciz "K=V"`),
      // Exits with argc * 10 + strlen(argv[1]) + (envp[0][0] == 'K').
      '/bin/target': prog(`
        ld t0, 0(sp)            # argc
        li t1, 10
        mul s0, t0, t1
        ld t2, 16(sp)           # argv[1]
        li t3, 0
1:      lbu t4, 0(t2)
        beqz t4, 2f
        addi t3, t3, 1
        addi t2, t2, 1
        j 1b
2:      add s0, s0, t3
        ld t2, 32(sp)           # envp[0]
        lbu t4, 0(t2)
        li t5, 'K'
        bne t4, t5, 3f
        addi s0, s0, 1
3:      li a7, SYS_getpid
        ecall
        slli a0, a0, 7          # pid 1 -> 128
        add a0, a0, s0
        li a7, SYS_exit
        ecall`),
    });
    expect(r.result.exitCode).toBe(128 + 24);
    expect(r.task.comm).toBe('target');
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('stops at maxInsns, killing what still runs', () => {
    const r = runPrograms({ '/bin/spin': prog('1:      j 1b') }, { maxInsns: 50_000 });
    expect(r.result.reason).toBe('maxInsns');
    expect(r.result.status).toBe(9);
    expect(logLines(r.k)).toContain('vmlab: instruction limit 50000 reached, killing 1 task(s)');
    expect(framesAfter(r.k)).toBe(r.baseline);
  });
});

describe('clone flags', () => {
  it('refuses thread-making and sharing flags with -EINVAL', async () => {
    const { call, spawned } = await import('./helpers');
    const { NR } = await import('../../../kernel-ts/syscalls/numbers');
    const { k, t } = spawned();
    const before = k.mm.framesInUse();
    for (const flags of [0x100 | 17, 0x4000 | 0x100 | 17, 0x10000 | 17, 0x800 | 17, 0x400 | 17, 65]) {
      expect(call(k, t, NR.clone, flags, 0, 0, 0, 0)).toBe(-22);
    }
    expect(k.mm.framesInUse()).toBe(before);
    expect(call(k, t, NR.clone, 17, 0, 0, 0, 0)).toBe(2);
    expect(k.tasks.get(2)!.reg(10)).toBe(0);
    expect(k.tasks.get(2)!.pc).toBe(t.pc + 4);
  });

  // clone(flags, 0, 0, 0, 0), the child exits 7, the parent waits and exits with the child's code.
  const cloneExit7 = (flags: string): string =>
    prog(`
        li a0, ${flags}
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        bltz a0, fail
        bnez a0, parent
        li a0, 7
        li a7, SYS_exit
        ecall
parent: mv s1, a0
${WAIT('s1')}
        la t0, status
        lw a0, 0(t0)
        srli a0, a0, 8
        li a7, SYS_exit
        ecall
fail:   li a0, 99
        li a7, SYS_exit
        ecall`, DATA);

  it('only the low 32 bits of the flags count (lower_32_bits): SIGCHLD with high bits set stays SIGCHLD, the parent lives', () => {
    // As a double, 0x0020000000000011 is 0x0020000000000010: the exit signal would be 16 (SIGSTKFLT) and kill the parent.
    for (const flags of ['0x0020000000000011', '0xffffffff00000011', '0x0000000300000011']) {
      const r = runPrograms({ '/bin/hiflags': cloneExit7(flags) });
      expect([flags, r.result.exitCode]).toEqual([flags, 7]);
    }
  });

  it('CLONE_SETTLS and a new sp keep all 64 bits of their values', () => {
    const r = runPrograms({
      '/bin/tls': prog(`
        li a0, 0x80000 | SIGCHLD     # CLONE_SETTLS
        li a1, 0xffff888000000128    # newsp
        li a2, 0
        li a3, 0xffff888000000123    # tls
        li a4, 0
        li a7, SYS_clone
        ecall
        bnez a0, parent
        li a0, 1
        li t0, 0xffff888000000123
        bne tp, t0, out
        li a0, 2
        li t0, 0xffff888000000128
        bne sp, t0, out
        li a0, 0
out:    li a7, SYS_exit
        ecall
parent: mv s1, a0
${WAIT('s1')}
        la t0, status
        lw a0, 0(t0)
        srli a0, a0, 8
        li a7, SYS_exit
        ecall`, DATA),
    });
    expect(r.result.exitCode).toBe(0);
  });
});
