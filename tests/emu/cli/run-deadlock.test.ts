// `vmlab run` of a program that can never go on (every task asleep with
// nothing to wake it): one line on stderr naming each sleeper and where it
// sleeps, and exit status 124 (as a timeout), not the 137 of the SIGKILL the
// kernel ends the tasks with; the reason used to be only in the kernel log.
// Also docs/run.md's examples of it and of a bad option value, replayed.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VMLAB, vmlab } from '../../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-deadlock-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const DEADLOCK = join(process.cwd(), 'guest-programs', 'tests', 'deadlock.s');

/** rt_sigsuspend(&nothing blocked, 8): sleeps until a signal comes. */
const SUSPEND = 'la a0, mask\n li a1, 8\n li a7, 133\n ecall\n';
const MASK = '.data\n.p2align 3\nmask: .dword 0\n';
const FORK = 'li a0, 17\n li a1, 0\n li a2, 0\n li a3, 0\n li a4, 0\n li a7, 220\n ecall\n';

describe('vmlab run: a deadlocked guest', () => {
  it('a parent waiting for a child that waits for a signal: both named, status 124', () => {
    expect(vmlab(['run', DEADLOCK])).toEqual({
      status: 124,
      stdout: 'parent: waiting for my child; child: waiting for a signal\n',
      stderr: 'vmlab: deadlock: every task is asleep with nothing to wake it (deadlock[1] in wait4, deadlock[2] in rt_sigsuspend); killed after 261 instructions\n',
    });
  });

  it('one process waiting for a signal nobody can send', () => {
    const p = file('pause.s', `.globl _start\n_start: ${SUSPEND} li a7, 94\n ecall\n${MASK}`);
    expect(vmlab(['run', p])).toEqual({
      status: 124,
      stdout: '',
      stderr: 'vmlab: deadlock: every task is asleep with nothing to wake it (pause[1] in rt_sigsuspend); killed after 4 instructions\n',
    });
  });

  it('a child left asleep after PROG exited: the line says so, the status is PROG\'s own', () => {
    const p = file('orphan.s', `.globl _start\n_start: ${FORK} beqz a0, child\n li a0, 3\n li a7, 94\n ecall\nchild: ${SUSPEND} li a7, 94\n ecall\n${MASK}`);
    expect(vmlab(['run', p])).toEqual({
      status: 3,
      stdout: '',
      stderr: 'vmlab: deadlock: every task is asleep with nothing to wake it (orphan[2] in rt_sigsuspend); killed after 14 instructions\n',
    });
  });

  it('names four sleepers and counts the rest', () => {
    // Five forks: six processes; each child and the parent end up in rt_sigsuspend.
    const forks = Array.from({ length: 5 }, () => FORK).join(' ');
    const p = file('many.s', `.globl _start\n_start: ${forks} ${SUSPEND} li a7, 94\n ecall\n${MASK}`);
    const r = vmlab(['run', p]);
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/^vmlab: deadlock: every task is asleep with nothing to wake it \(many\[1\] in rt_sigsuspend, many\[2\] in rt_sigsuspend, many\[3\] in rt_sigsuspend, many\[4\] in rt_sigsuspend, 28 more\); killed after \d+ instructions\n$/);
  });

  it('--dmesg still shows the kernel\'s own line', () => {
    const r = vmlab(['run', '--dmesg', DEADLOCK]);
    expect(r.stderr).toContain('] vmlab: every task is asleep with nothing to wake it; killing 2 task(s)\n');
    expect(r.stderr.endsWith('killed after 261 instructions\n')).toBe(true);
  });
});

/** The block after `<!-- marker -->` in docs/run.md. */
function docBlock(marker: string): string {
  const text = readFileSync(join(process.cwd(), 'docs', 'run.md'), 'utf8');
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!m) throw new Error(`docs/run.md: no block after <!-- ${marker} -->`);
  return m[1]!;
}

/** Each `$ COMMAND` of a block run by bash in the repository, with `vmlab` the built CLI: the transcript a terminal shows. */
function replay(block: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'vmlab'), `#!/bin/sh\nexec "${process.execPath}" "${VMLAB}" "$@"\n`);
  chmodSync(join(bin, 'vmlab'), 0o755);
  let out = '';
  for (const cmd of block.split('\n').filter((l) => l.startsWith('$ ')).map((l) => l.slice(2))) {
    const r = spawnSync('bash', ['-c', `exec 2>&1; ${cmd}`], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' } });
    out += `$ ${cmd}\n${r.stdout}`;
  }
  return out;
}

describe('docs/run.md', () => {
  it('shows what a deadlock and a bad option value print', () => {
    for (const marker of ['deadlock-run', 'bad-value-run']) expect(replay(docBlock(marker)), marker).toBe(docBlock(marker));
  });
});
