// The btplus test programs (guest-programs/programs/btplus-*.s) run in
// `vmlab shell` after `insmod btplus`, as a student runs them: every check
// passes and each program exits 0 (docs/experiments/btplus.md).
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';

/** `insmod btplus; PROGRAM; echo $?` in one shell: the program's output and its exit status. */
function runProgram(name: string): { out: string; status: string } {
  const r = vmlab(['shell', '-c', `insmod btplus; ${name}; echo status=$?`]);
  const status = /status=(\d+)/.exec(r.stdout)?.[1] ?? 'none';
  return { out: r.stdout, status };
}

describe('btplus test programs under vmlab shell', () => {
  for (const name of ['btplus-part1_1', 'btplus-part1_2']) {
    it(`${name}: every check passes`, () => {
      const r = runProgram(name);
      expect(r.out).not.toContain('FAIL');
      expect(r.out).toMatch(/\d+ check\(s\), 0 failed/);
      expect(r.out).toContain('PASS: read of the old range faults, error code 0x4');
      expect(r.out).toContain('PASS: write to the old range faults, error code 0x6');
      expect(r.status).toBe('0');
    });
  }

  it('btplus-part2: promotion by the kernel thread, and both cases of Figure 2', () => {
    const r = runProgram('btplus-part2');
    expect(r.out).not.toContain('FAIL');
    expect(r.out).toMatch(/17 check\(s\), 0 failed/);
    expect(r.out).toContain('PASS: pagemap: a\'s 512 pages are consecutive frames of one 2MB-aligned block');
    expect(r.out).toContain('PASS: case a: the remaining 2MB-aligned 2MB part keeps its huge page');
    expect(r.out).toContain('PASS: case b: the upper 1MB part is demoted to 4KB PTEs');
    expect(r.status).toBe('0');
  });

  it('btplus-part3: compaction, the <old, new> table, and the promotion after it', () => {
    const r = runProgram('btplus-part3');
    expect(r.out).not.toContain('FAIL');
    expect(r.out).toMatch(/10 check\(s\), 0 failed/);
    expect(r.out).toContain('PASS: the fully present first 2MB is promoted (PS=1 PMD)');
    expect(r.status).toBe('0');
  });
});
