// The /proc/mtest experiment (guest-programs/experiments/mtest.vmsh): the
// transcript against a golden copy (addresses and times masked) and the
// relations the lab rests on asserted exactly: listvma agrees with
// /proc/PID/maps, findpage with /proc/PID/pagemap and with writeval, the
// written byte is read back, and copy-on-write keeps a child's write its own.
// Regenerate the golden copy with: npx vitest run tests/experiments/mtest.test.ts -u
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { commands, mask } from './memview2-support';

const SCRIPT = join(process.cwd(), 'guest-programs', 'experiments', 'mtest.vmsh');

const after = (cmds: { cmd: string; out: string }[], cmd: string, n = 1): string => {
  const i = cmds.findIndex((c) => c.cmd === cmd);
  if (i < 0) throw new Error(`no command '${cmd}' in the transcript`);
  return cmds[i + n]!.out;
};
/** The [mtest...] log lines of a dmesg output, without timestamps. */
const mtestLines = (out: string): string[] => out.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '')).filter((l) => l.startsWith('[mtest'));
const paddrs = (lines: string[], vaddr: string): string[] =>
  lines.filter((l) => l.startsWith(`[mtest.findpage] vaddr = ${vaddr} -> paddr = `)).map((l) => l.split(' ').at(-1)!);

describe('mtest experiment (vmlab shell mtest.vmsh)', () => {
  const r = vmlab(['shell', SCRIPT]);
  const cmds = commands(r.stdout);
  const script = readFileSync(SCRIPT, 'utf8');
  const ready = /^Ready: pid (\d+), dummy at (0x[0-9a-f]+): AAAAAAAA$/m.exec(r.stdout);

  it('runs to the end, and the transcript matches the golden copy (addresses masked)', async () => {
    const errs = r.stderr.split('\n').filter((l) => l !== '' && !/^vmlab shell: (?!mtest-)\S+\.s not installed: /.test(l));
    expect(errs).toEqual(['sh: echo: write error: Invalid argument']);
    expect(r.status).toBe(0);
    await expect(mask(r.stdout)).toMatchFileSnapshot('mtest.golden.txt');
  });

  it('the script names the pid and buffer address mtest-hold really has (update the script if this fails)', () => {
    expect(ready).not.toBeNull();
    const [, pid, addr] = ready!;
    expect(script).toContain(`echo findpage ${addr} ${pid} > /proc/mtest`);
    expect(script).toContain(`echo writeval ${addr} 0x42 ${pid} > /proc/mtest`);
    expect(script).toContain(`cat /proc/${pid}/maps`);
  });

  it('listvma lists each process with its VMAs as `start end rwx`, the same ranges /proc/PID/maps shows', () => {
    const [, pid] = ready!;
    const all = mtestLines(after(cmds, 'echo listvma > /proc/mtest'));
    const lines = all.slice(all.indexOf('[mtest] Got command: listvma'));
    expect(lines.length).toBeGreaterThan(1);
    const i = lines.indexOf(`[mtest.listvma] Process = mtest-hold, PID = ${pid}`);
    expect(i).toBe(1);
    const end = lines.findIndex((l, j) => j > i && l.startsWith('[mtest.listvma] Process = '));
    const vmas = lines.slice(i + 1, end).map((l) => l.replace('[mtest.listvma] ', ''));
    const maps = cmds.find((c) => c.cmd === `cat /proc/${pid}/maps`)!.out.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(vmas).toEqual(maps.map((m) => {
      const [range, perms] = m.split(/\s+/) as [string, string];
      const [s, e] = range.split('-').map((x) => `0x${BigInt(`0x${x}`).toString(16)}`);
      return `${s} ${e} ${perms.slice(0, 3)}`;
    }));
    // The writer is the shell's transient `sh` (for echo): an address space with no VMAs.
    expect(lines[end]).toMatch(/^\[mtest\.listvma\] Process = sh, PID = \d+$/);
  });

  it('findpage without a PID walks the writer (sh): not mapped in pgd, translation not found', () => {
    const lines = mtestLines(after(cmds, 'echo findpage 0x10000 > /proc/mtest'));
    expect(lines.find((l) => l.includes('current = '))).toMatch(/current = sh, PID = \d+$/);
    expect(lines.slice(-2)).toEqual(['[mtest.findpage] not mapped in pgd', '[mtest.findpage] translation not found']);
  });

  it('findpage with the PID prints every level, and the address writeval then writes through', () => {
    const [, pid, addr] = ready!;
    const found = mtestLines(after(cmds, `echo findpage ${addr} ${pid} > /proc/mtest`));
    const levels = found.filter((l) => /_(val|index) = /.test(l)).map((l) => l.replace(/ = .*/, '').replace('[mtest.findpage] ', ''));
    expect(levels).toEqual(['pgd_val', 'pgd_index', 'p4d_val', 'p4d_index', 'pud_val', 'pud_index', 'pmd_val', 'pmd_index', 'pte_val', 'pte_index']);
    expect(found).toContain('[mtest.findpage] pgtable_l5_enabled = 0');
    const [paddr] = paddrs(found, addr!);
    expect(BigInt(paddr!) % 4096n).toBe(BigInt(addr!) % 4096n);
    const wrote = mtestLines(after(cmds, 'sleep 2'));
    expect(wrote).toContain(`[mtest.writeval] wrote 0x42 at vaddr = ${addr} -> paddr = ${paddr} (mtest-hold, PID = ${pid})`);
    // The process sees the byte: its own load of dummy[0].
    expect(after(cmds, `echo writeval ${addr} 0x42 ${pid} > /proc/mtest`)).toBe('dummy changed: BAAAAAAA\n');
  });

  it('writeval refuses a read-only VMA: logged, and the write(2) fails (echo status 1)', () => {
    expect(after(cmds, 'echo writeval 0x10000 0x42 3 > /proc/mtest')).toBe('1\n');
    expect(mtestLines(after(cmds, 'echo writeval 0x10000 0x42 3 > /proc/mtest', 2))).toContain('[mtest.writeval] vma has no write permission');
  });

  describe('mtest-test on itself', () => {
    const out = cmds.find((c) => c.cmd === 'mtest-test')!.out;
    const log = mtestLines(after(cmds, 'mtest-test'));
    const buf = /buffer at (0x[0-9a-f]+)/.exec(out)![1]!;
    const found = paddrs(log, buf);

    it('reads back the byte writeval wrote; the child sees its own write, the parent not', () => {
      expect(out).toContain('read back: BAAAAAAA\n');
      expect(out).toContain('child: CAAAAAAA\n');
      expect(out).toContain('parent: BAAAAAAA\n');
      expect(out).toContain('-> Invalid argument\n'); // writeval on main
    });

    it("findpage's physical address equals /proc/self/pagemap's PFN << 12 | offset", () => {
      const pm = new RegExp(`pagemap: ${buf} -> (0x[0-9a-f]+)`).exec(out)![1];
      expect(found[0]).toBe(pm);
    });

    it('copy-on-write: the child got a new frame, the parent kept its frame (still write-protected)', () => {
      expect(found.length).toBe(3);
      expect(found[1]).not.toBe(found[0]);
      expect(found[2]).toBe(found[0]);
      const cow = log.find((l) => l.startsWith('[mtest.writeval] copy-on-write: '))!;
      const page = (a: string): string => `0x${(BigInt(a) & ~0xfffn).toString(16)}`;
      expect(cow).toBe(`[mtest.writeval] copy-on-write: the page at paddr ${page(found[0]!)} was shared; the write went to a private copy at ${page(found[1]!)}`);
      const parentPte = log.filter((l) => l.startsWith('[mtest.findpage] pte_val = ')).at(-1)!;
      expect(BigInt(parentPte.split(' = ')[1]!) & 2n).toBe(0n); // RW clear until the parent writes
    });
  });

  it('rmmod removes /proc/mtest', () => {
    expect(cmds.at(-1)!.cmd).toBe('lsmod');
    expect(cmds.at(-1)!.out).not.toContain('mtest');
  });
});

describe('mtest with 5-level paging (vmlab shell --paging 5)', () => {
  it('findpage says pgtable_l5_enabled = 1 and walks five levels; mtest-test still passes', () => {
    const r = vmlab(['shell', '--paging', '5', '-c', 'insmod mtest; mtest-test; dmesg']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('read back: BAAAAAAA\n');
    expect(r.stdout).toContain('parent: BAAAAAAA\n');
    expect(r.stdout).toContain('[mtest.findpage] pgtable_l5_enabled = 1\n');
    expect(r.stdout).toMatch(/\[mtest\.findpage\] p4d_val = 0x[0-9a-f]+\n.*\[mtest\.findpage\] p4d_index = 0\n/);
  });
});
