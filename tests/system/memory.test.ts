// Memory-management programs seen from user space: a 64 MiB anonymous
// mapping in /proc/self/maps, pagemap, and no frame leaked afterwards.
import { describe, expect, it } from 'vitest';
import { guestTest, runGuest } from '../support/kernel';

const MAP_LEN = 64 * 1024 * 1024;

/** Splits mmap64's "--- stage 0xADDR" sections into {stage: {addr, lines}}. */
function stages(stdout: string): Record<string, { addr: number; lines: string[] }> {
  const out: Record<string, { addr: number; lines: string[] }> = {};
  let cur: { addr: number; lines: string[] } | null = null;
  for (const line of stdout.split('\n')) {
    const m = /^--- (\w+) 0x([0-9a-f]+)$/.exec(line);
    if (m) out[m[1]!] = cur = { addr: parseInt(m[2]!, 16), lines: [] };
    else if (cur && /^[0-9a-f]+-[0-9a-f]+ /.test(line)) cur.lines.push(line);
  }
  return out;
}

describe('system: memory', () => {
  it('maps 64 MiB, touches every page, and unmaps it; /proc/self/maps shows exactly that', () => {
    const r = runGuest(guestTest('mmap64'), { args: ['maps'] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('ok mmap 64 MiB\nok every page holds its offset\n');
    expect(r.stdout).toContain('ok munmap 64 MiB\n');
    const s = stages(r.stdout);
    const addr = s.mapped!.addr;
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    const added = s.mapped!.lines.filter((l) => !s.before!.lines.includes(l));
    expect(added).toEqual([`${hex(addr)}-${hex(addr + MAP_LEN)} rw-p 00000000 00:00 0 `]);
    expect(s.unmapped!.lines).toEqual(s.before!.lines);
    expect(s.before!.lines.some((l) => l.endsWith(' [stack]'))).toBe(true);
    expect(s.before!.lines[0]).toMatch(/^00010000-00011000 r-xp 00001000 00:02 \d+ +\/bin\/mmap64$/);
    expect(s.before!.lines[0]!.indexOf('/bin/mmap64')).toBe(73);
  });

  it('runs the same mapping without printing (the peer-comparable form)', () => {
    const r = runGuest(guestTest('mmap64'));
    expect(r.stdout).toBe('ok mmap 64 MiB\nok every page holds its offset\nok munmap 64 MiB\n');
    expect(r.exitCode).toBe(0);
  });

  it('reads its own /proc/self/maps and /proc/self/status', () => {
    const r = runGuest(guestTest('procself'));
    expect(r.exitCode).toBe(0);
    const [maps, status] = r.stdout.split('---\n') as [string, string];
    expect(maps).toMatch(/^00010000-00011000 r-xp 00001000 00:02 \d+ {20,}\/bin\/procself\n/);
    expect(maps).toMatch(/ rw-p 00000000 00:00 0 {26}\[stack\]\n$/);
    expect(maps).toMatch(/ r-xp 00000000 00:00 0 {26}\[vdso\]\n/);
    expect(status.startsWith('Name:\tprocself\nUmask:\t0022\nState:\tR (running)\nTgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\n')).toBe(true);
    expect(status).toMatch(/\nVmSize:\t +\d+ kB\nVmLck:\t +0 kB\n/);
    expect(status).toMatch(/\nVmRSS:\t +\d+ kB\n/);
    expect(status).toMatch(/\nVmStk:\t +\d+ kB\nVmExe:\t +4 kB\n/);
  });
});
