import { describe, expect, it } from 'vitest';
import { bootKernel, elfOf, framesAfter, logLines, prog, runPrograms } from './proc/helpers';

const EXIT42 = prog(`        li a0, 42\n        li a7, SYS_exit\n        ecall`);

describe('kernel: boot and run', () => {
  it('runs a program to its exit status and frees every frame', () => {
    const r = runPrograms({ '/bin/exit42': EXIT42 });
    expect(r.result).toMatchObject({ reason: 'exited', status: 42 << 8, exitCode: 42 });
    expect(logLines(r.k)[0]).toBe('Linux version 6.1.0-vmlab (vmlab kernel 0.1, riscv64 guest, x86-64 paging, 4-level) #1 SMP PREEMPT vmlab');
    expect(framesAfter(r.k)).toBe(r.baseline);
  });

  it('boots with 5-level paging', () => {
    const r = runPrograms({ '/bin/exit42': EXIT42 }, { paging: 5 });
    expect(r.result.exitCode).toBe(42);
    expect(logLines(r.k)[0]).toContain('5-level');
  });

  it('answers an unknown syscall with -ENOSYS and logs it once', () => {
    const r = runPrograms({
      '/bin/nosys': prog(`
        li a7, 999
        ecall
        mv s0, a0
        li a7, 999
        ecall
        add a0, a0, s0          # -38 * 2
        neg a0, a0
        li a7, SYS_exit
        ecall`),
    });
    expect(r.result.exitCode).toBe(76);
    expect(logLines(r.k).filter((l) => l.includes('unknown syscall'))).toEqual(['nosys[1]: unknown syscall 999']);
  });

  it('emits sys_enter/sys_exit and page_fault_user trace events when enabled', () => {
    const b = bootKernel();
    b.k.trace.enable('syscalls:sys_enter_getpid,syscalls:sys_exit_getpid,exceptions:page_fault_user');
    b.k.vfs.addExecutable('/bin/t', elfOf(prog(`
        li a7, SYS_getpid
        ecall
        la t0, v
        sd a0, 0(t0)
        li a7, SYS_exit
        ecall`, `        .data\nv:      .dword 0`)));
    b.k.spawn('/bin/t', ['t'], []);
    b.k.run();
    const recs = b.k.trace.records.map((r) => `${r.task?.comm}-${r.task?.pid} ${r.event}: ${r.text}`);
    expect(recs).toEqual([
      't-1 exceptions:page_fault_user: address=0x10000 ip=0x10000 error_code=0x14',
      't-1 syscalls:sys_enter_getpid: sys_getpid()',
      't-1 syscalls:sys_exit_getpid: sys_getpid -> 0x1',
      't-1 exceptions:page_fault_user: address=0x11000 ip=0x10010 error_code=0x6',
    ]);
  });

  it('runs tasks round robin: a sleeper does not hold up a spinner, and kill() from the host works', () => {
    const b = bootKernel({ sliceInsns: 1000 });
    b.k.vfs.addExecutable('/bin/spin', elfOf(prog('1:      j 1b')));
    b.k.vfs.addExecutable('/bin/exit42', elfOf(EXIT42));
    const spin = b.k.spawn('/bin/spin', ['spin'], []);
    const quick = b.k.spawn('/bin/exit42', ['exit42'], []);
    if (typeof spin === 'number' || typeof quick === 'number') throw new Error('spawn');
    const r = b.k.runUntil(() => b.k.hostStatus.has(quick.pid));
    expect(r.reason).toBe('stopped');
    expect(b.k.hostStatus.get(quick.pid)).toBe(42 << 8);
    expect(b.k.kill(spin.pid, 65)).toBe(-22);
    expect(r.instructions).toBeLessThan(5000);
    expect(b.k.kill(spin.pid, 15)).toBe(0);
    expect(b.k.kill(999, 15)).toBe(-3);
    const done = b.k.run();
    expect(done.reason).toBe('exited');
    expect(done.status).toBe(15); // the first spawned process (spin) died of SIGTERM
    expect(framesAfter(b.k)).toBe(b.baseline);
  });

  it('traces a blocking wait4 as one call, with Linux\'s argument names', () => {
    const b = bootKernel();
    b.k.trace.enable('syscalls:sys_enter_wait4,syscalls:sys_exit_wait4,syscalls:sys_enter_write');
    b.k.vfs.addExecutable('/bin/w', elfOf(prog(`
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        bnez a0, 1f
        li a0, 1
        li a1, -1
        li a2, 0
        li a7, SYS_write
        ecall
        li a7, SYS_exit
        ecall
1:      li a0, -1
        li a1, 0
        li a2, 0
        li a3, 0
        li a7, SYS_wait4
        ecall
        li a0, 0
        li a7, SYS_exit
        ecall`)));
    b.k.spawn('/bin/w', ['w'], []);
    b.k.run();
    expect(b.k.trace.records.map((r) => `${r.task?.pid} ${r.text}`)).toEqual([
      '1 sys_wait4(upid: ffffffffffffffff, stat_addr: 0, options: 0, ru: 0)',
      '2 sys_write(fd: 1, buf: ffffffffffffffff, count: 0)',
      '1 sys_wait4 -> 0x2',
    ]);
  });

  it('emits sched events: exec, fork, switch, exit', () => {
    const b = bootKernel();
    b.k.trace.enable('sched');
    b.k.vfs.addExecutable('/bin/f', elfOf(prog(`
        li a0, SIGCHLD
        li a1, 0
        li a2, 0
        li a3, 0
        li a4, 0
        li a7, SYS_clone
        ecall
        beqz a0, 1f
        li a1, 0
        li a2, 0
        li a3, 0
        li a7, SYS_wait4
        ecall
1:      li a0, 0
        li a7, SYS_exit
        ecall`)));
    b.k.spawn('/bin/f', ['f'], []);
    b.k.run();
    expect(b.k.trace.records.map((r) => `${r.event}: ${r.text}`)).toEqual([
      'sched:sched_process_exec: filename=/bin/f pid=1 old_pid=1',
      'sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=f next_pid=1 next_prio=120',
      'sched:sched_process_fork: comm=f pid=1 child_comm=f child_pid=2',
      'sched:sched_switch: prev_comm=f prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=f next_pid=2 next_prio=120',
      'sched:sched_process_exit: comm=f pid=2 prio=120',
      'sched:sched_switch: prev_comm=f prev_pid=2 prev_prio=120 prev_state=X ==> next_comm=f next_pid=1 next_prio=120',
      'sched:sched_process_exit: comm=f pid=1 prio=120',
    ]);
  });
});
