// The shell's `exit` (and `quit`) as bash 5's: N & 255 for a 64-bit decimal
// N (blanks and a sign allowed), `$?` without one; an N that is not a
// number says "numeric argument required" and leaves with 2, two of them
// "too many arguments" and leave with 1. Every case leaves the shell.
// `exit abc` used to leave with 0. One session in process for the table
// (exitStatus is reset between lines), then the built CLI end to end.
import { describe, expect, it } from 'vitest';
import { ShellSession } from '../../../emu/cli/shell-session';
import { vmlab } from '../../support/cli';

/** Runs `line` in a session and returns the status the shell leaves with and what it wrote to stderr. */
function exiter(): (line: string) => Promise<{ exit: number | null; err: string }> {
  let err = '';
  const s = new ShellSession({ memSize: 64 << 20 }, { out: () => {}, err: (t) => void (err += t) });
  return async (line) => {
    err = '';
    s.exitStatus = null;
    await s.execLine(line);
    return { exit: s.exitStatus, err };
  };
}

describe('vmlab shell: exit N', () => {
  it('a number: N & 255, as bash (exit -1 is 255, exit 256 is 0); none: $?', async () => {
    const run = exiter();
    const cases: [string, number][] = [
      ['exit 7', 7], ['exit -1', 255], ['exit 256', 0], ['exit +3', 3], ['exit 010', 10], ["exit ' 7 '", 7],
      ['exit 9223372036854775807', 255], ['exit -9223372036854775808', 0], ['exit -- 5', 5], ['quit 4', 4],
      ['echo; exit', 0], ['cat /nonexistent; exit', 1], ['echo; exit --', 0], ['cat /nonexistent; exit --', 1],
    ];
    for (const [line, exit] of cases) expect(await run(line), line).toEqual({ exit, err: line.startsWith('cat') ? 'cat: /nonexistent: No such file or directory\n' : '' });
  });

  it('not a number: "numeric argument required", status 2; more than one: "too many arguments", status 1', async () => {
    const run = exiter();
    for (const arg of ['abc', '0x10', '1e3', '3x', '-x', '9223372036854775808', '-9223372036854775809'])
      expect(await run(`exit ${arg}`), arg).toEqual({ exit: 2, err: `exit: ${arg}: numeric argument required\n` });
    expect(await run("exit ''")).toEqual({ exit: 2, err: 'exit: : numeric argument required\n' });
    expect(await run('quit abc')).toEqual({ exit: 2, err: 'quit: abc: numeric argument required\n' });
    expect(await run('exit 1 2')).toEqual({ exit: 1, err: 'exit: too many arguments\n' });
  });

  it('through the CLI: the shell leaves with that status, nothing after exit runs', () => {
    expect(vmlab(['shell', '-q', '-c', 'exit abc; echo after'])).toEqual({ status: 2, stdout: '', stderr: 'exit: abc: numeric argument required\n' });
    expect(vmlab(['shell', '-q', '-c', 'exit 1 2; echo after'])).toEqual({ status: 1, stdout: '', stderr: 'exit: too many arguments\n' });
    expect(vmlab(['shell', '-q'], { input: 'echo before\nexit -1\necho after\n' })).toEqual({ status: 255, stdout: 'before\n', stderr: '' });
  });
});
