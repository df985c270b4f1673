// Bounds on foreground programs in `vmlab shell`: --max-insns (a runaway
// program cannot hang a script) and coreutils' `timeout`, both counted in
// guest time (instructions, the kernel clock), so where a program is stopped
// is the same on every run and on every machine.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShellSession } from '../../../emu/cli/shell-session';
import { shell } from '../../support/shell';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-limits-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** The seed's while (1). */
const SPIN = file('spin.s', '        .globl main\nmain:\n1:      j 1b\n');
/** Sleeps 2 s of guest time, says so, exits 3. */
const NAPPER = file('napper.s', `        .globl main
main:
        addi sp, sp, -16
        sd ra, 8(sp)
        li a0, 2
        call sleep
        la a0, msg
        call puts
        li a0, 3
        ld ra, 8(sp)
        addi sp, sp, 16
        ret
        .section .rodata
msg:    .asciz "napper woke up"
`);
/** Ignores SIGTERM, then sleeps 5 s and exits 3. */
const STUBBORN = file('stubborn.s', `        .globl main
main:
        addi sp, sp, -16
        sd ra, 8(sp)
        li a0, 15
        li a1, 1
        call signal
        li a0, 5
        call sleep
        la a0, msg
        call puts
        li a0, 3
        ld ra, 8(sp)
        addi sp, sp, 16
        ret
        .section .rodata
msg:    .asciz "stubborn done"
`);
const HELLO = join(process.cwd(), 'guest-programs', 'samples', 'hello.s');

/** A session in this process, quiet, on 64 MiB. */
function session(maxInsns: number | null = null): { s: ShellSession; err: string[] } {
  const err: string[] = [];
  const s = new ShellSession({ memSize: 64 << 20 }, { out: () => {}, err: (t) => err.push(t) });
  s.maxInsns = maxInsns;
  return { s, err };
}

describe('vmlab shell --max-insns', () => {
  it('kills a runaway foreground program after N instructions (status 124) and the script goes on', () => {
    const r = shell(['--mem', '64M', '--max-insns', '2000000', '-c', `run ${SPIN}; echo $?; run ${HELLO}; echo $?`]);
    expect(r.output).toBe([
      `vmlab# run ${SPIN}`,
      'vmlab: spin: stopped after 2000000 instructions (--max-insns)',
      'vmlab# echo $?',
      '124',
      `vmlab# run ${HELLO}`,
      'hello, vmlab',
      'vmlab# echo $?',
      '7',
      '',
    ].join('\n'));
    expect(r.status).toBe(0);
  });

  it('the bound is exact and per foreground program; background jobs run on', async () => {
    const { s, err } = session(1_234_567);
    const cpu = s.k.machine.cpu;
    for (let i = 0; i < 2; i++) {
      const before = cpu.instret;
      expect(await s.execLine(`run ${SPIN}`)).toBe(124);
      expect(cpu.instret - before).toBe(1_234_567);
    }
    expect(await s.execLine(`run ${SPIN} &`)).toBe(0);
    expect(await s.execLine(`run ${SPIN}`)).toBe(124);
    expect(err).toEqual(Array(3).fill('vmlab: spin: stopped after 1234567 instructions (--max-insns)\n'));
    expect(s.jobs.map((j) => j.task.isAlive)).toEqual([true]);
  });

  it('is a positive integer', () => {
    expect(shell(['--max-insns', '0', '-c', 'echo hi'])).toEqual({ status: 2, output: "vmlab: --max-insns: '0' is not an integer from 1 to 9007199254740991\n" });
  });
});

describe('timeout', () => {
  it('coreutils statuses: 124 when the time ran out, the program\'s own when it did not, 137 when it died of SIGKILL', () => {
    const r = shell(['--mem', '64M', '-c', [
      `timeout 0.02 ${SPIN}`, 'echo $?',
      `timeout 1 ${NAPPER}`, 'echo $?',
      `timeout 3 ${NAPPER}`, 'echo $?',
      `timeout 1 ${STUBBORN}`, 'echo $?', // SIGTERM is ignored: it runs to its end, but the time did run out
      `timeout -k 1 1 ${STUBBORN}`, 'echo $?',
      `timeout -s KILL 0.01 ${SPIN}`, 'echo $?',
      `timeout 0 ${NAPPER}`, 'echo $?',
    ].join('; ')]);
    expect(r.output).toBe([
      `vmlab# timeout 0.02 ${SPIN}`, 'vmlab# echo $?', '124',
      `vmlab# timeout 1 ${NAPPER}`, 'vmlab# echo $?', '124',
      `vmlab# timeout 3 ${NAPPER}`, 'napper woke up', 'vmlab# echo $?', '3',
      `vmlab# timeout 1 ${STUBBORN}`, 'stubborn done', 'vmlab# echo $?', '124',
      `vmlab# timeout -k 1 1 ${STUBBORN}`, 'vmlab# echo $?', '137',
      `vmlab# timeout -s KILL 0.01 ${SPIN}`, 'vmlab# echo $?', '137',
      `vmlab# timeout 0 ${NAPPER}`, 'napper woke up', 'vmlab# echo $?', '3',
      '',
    ].join('\n'));
  });

  it('measures guest time: the signal lands at the same instruction on every run, and a sleeper is woken at the deadline', async () => {
    const stops: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { s } = session();
      const t0 = s.k.clockNs();
      expect(await s.execLine(`timeout 0.03 ${SPIN}`)).toBe(124);
      stops.push(s.k.clockNs() - t0);
    }
    expect(stops[1]).toBe(stops[0]);
    // Signalled at the first time-slice boundary (1M instructions) at or after 30 ms of guest time.
    expect(stops[0]).toBeGreaterThanOrEqual(30_000_000);
    expect(stops[0]).toBeLessThan(30_000_000 + 2_000_000);
    const { s } = session();
    const t0 = s.k.clockNs();
    expect(await s.execLine(`timeout 1.5 ${NAPPER}`)).toBe(124);
    // Asleep until 2 s: the idle clock stops at the deadline, the signal kills it there.
    expect(s.k.clockNs() - t0).toBeGreaterThanOrEqual(1_500_000_000);
    expect(s.k.clockNs() - t0).toBeLessThan(1_500_000_000 + 1_000_000);
  });

  it('has its help: the short form in the list, every option in help timeout', () => {
    const r = shell(['-q', '-c', 'help; help timeout']);
    expect(r.output).toContain('\n  timeout DURATION PROG [ARGS]  run a program, signalled (TERM) once DURATION of guest time has passed\n');
    expect(r.output).toContain('\ntimeout DURATION PROG [ARGS]\n    run a program, signalled (TERM) once DURATION of guest time has passed\n    timeout [-s SIG] [-k DURATION] DURATION PROG [ARGS...]\n');
  });

  it('bad usage is status 125 with one line; a missing program 127', () => {
    const r = shell(['-c', `timeout x ${SPIN}; echo $?; timeout; echo $?; timeout 1; echo $?; timeout -s NOPE 1 ${SPIN}; echo $?; timeout -q 1 x; echo $?; timeout 1 nosuch; echo $?`]);
    expect(r.output).toBe([
      `vmlab# timeout x ${SPIN}`, "timeout: invalid time interval 'x'", 'vmlab# echo $?', '125',
      'vmlab# timeout', 'timeout: missing operand', 'vmlab# echo $?', '125',
      'vmlab# timeout 1', "timeout: missing operand after '1'", 'vmlab# echo $?', '125',
      `vmlab# timeout -s NOPE 1 ${SPIN}`, 'timeout: NOPE: invalid signal', 'vmlab# echo $?', '125',
      'vmlab# timeout -q 1 x', "timeout: invalid option -- 'q'", 'vmlab# echo $?', '125',
      'vmlab# timeout 1 nosuch', 'nosuch: command not found', 'vmlab# echo $?', '127',
      '',
    ].join('\n'));
  });
});
