// Whole guest programs (guest-programs/tests/*.s) on the kernel: output,
// exit status, kernel log, and no leaked frames (checked by runGuest).
import { describe, expect, it } from 'vitest';
import { guestTest, runGuest } from '../support/kernel';

describe('system: basic programs', () => {
  it('hello writes to stdout and exits 0', () => {
    const r = runGuest(guestTest('hello'));
    expect(r.stdout).toBe('hello, world\n');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.status).toBe(0);
  });

  it('passes argv as given', () => {
    const r = runGuest(guestTest('args'), { args: ['one', 'two words', ''] });
    expect(r.stdout).toBe('4\nargs\none\ntwo words\n\n');
  });

  it('reads stdin through the console until EOF', () => {
    const r = runGuest(guestTest('cat'), { stdin: 'line 1\nline 2\n' });
    expect(r.stdout).toBe('line 1\nline 2\n');
    expect(r.exitCode).toBe(0);
  });

  it('grows, uses and shrinks the heap with brk', () => {
    const r = runGuest(guestTest('brk'));
    expect(r.stdout).toBe(
      'ok brk grows by 1 MiB\nok heap pages keep their values\nok brk shrinks back\nok brk below the heap start is refused\n',
    );
    expect(r.exitCode).toBe(0);
  });

  it('forks, waits and keeps the parent memory private', () => {
    const r = runGuest(guestTest('fork'));
    expect(r.stdout).toBe(
      "child: hello\nok fork\nok wait4 returns the child's pid\nok the child exited with 42\nok the parent's copy is unchanged\n",
    );
    expect(r.exitCode).toBe(0);
  });

  it('dies of SIGSEGV on a store to address 0: status 139 and the segfault line in dmesg', () => {
    const r = runGuest(guestTest('segv'));
    expect(r.stdout).toBe('about to segfault\n');
    expect(r.exitCode).toBe(139);
    expect(r.status).toBe(11);
    expect(r.dmesg).toMatch(/\] segv\[1\]: segfault at 0 ip [0-9a-f]{16} sp [0-9a-f]{16} error 6 in segv\[10000\+1000\]\n/);
  });
});
