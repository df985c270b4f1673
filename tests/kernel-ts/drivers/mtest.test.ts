// /proc/mtest (kernel-ts/drivers/mtest.ts, loaded by insmod as a student's
// module is): command parsing, the three commands' log output in the
// report's format, and writeval going through the fault path (copy-on-write
// respected), driven from a guest program (mtest-test.s) and from transient
// processes as the shell's echo is.
import { describe, expect, it } from 'vitest';
import type { KernelOptions } from '../../../kernel-ts/kernel';
import { O_WRONLY, fput } from '../../../kernel-ts/fs/file';
import { runInProcess } from '../../../kernel-ts/module/process';
import type { Kernel } from '../../../kernel-ts/kernel';
import { bootWith, programElf, runProgram } from './physicalview-support';
import type { Booted } from './physicalview-support';
import { EINVAL, ESRCH } from '../../../kernel-ts/errno';

const MTEST_TEST = programElf('mtest-test');

/** A booted kernel (seed 1) with `insmod mtest` done. */
function bootMtest(opts: KernelOptions = {}): Booted {
  const b = bootWith([], opts);
  expect(b.k.modules.insmod('mtest')).toBe(0);
  return b;
}

/** Writes `text` to /proc/mtest from a transient `echo` process (as the shell's `echo TEXT > /proc/mtest`): write's result. */
function echo(k: Kernel, text: string): number {
  const out = runInProcess(k, 'echo', () => {
    const f = k.vfs.open('/proc/mtest', O_WRONLY);
    if (typeof f === 'number') return f;
    const r = f.fop.write!(f, new TextEncoder().encode(`${text}\n`), { pos: 0 });
    fput(f);
    return r;
  });
  if (typeof out === 'number' || out.killed) throw new Error('echo died');
  return out.value;
}

/** The [mtest...] lines logged since `from` records, without timestamps. */
function mtestLog(k: Kernel, from = 0): string[] {
  return k.printk.all().slice(from).map((r) => r.text).filter((t) => t.startsWith('[mtest'));
}

describe('mtest command parsing', () => {
  it('reads numbers as kstrtoul(s, 0): hex, octal, decimal, up to 64 bits; nothing else', () => {
    const { k } = bootMtest();
    const read: [string, string][] = [['0x7f0bb470a000', '0x7f0bb470a000'], ['0X1F', '0x1f'], ['010', '0x8'], ['0', '0x0'], ['4096', '0x1000'], ['0xffffffffffffffff', '0xffffffffffffffff']];
    for (const [arg, vaddr] of read) {
      const from = k.printk.length;
      expect(echo(k, `findpage ${arg}`), arg).toBeGreaterThan(0);
      expect(mtestLog(k, from)[1]).toBe(`[mtest.findpage] vaddr = ${vaddr}`);
    }
    for (const bad of ['-1', '0x', '12a', '08', 'abc', '0x10000000000000000']) {
      const from = k.printk.length;
      expect(echo(k, `findpage ${bad}`), bad).toBe(-EINVAL);
      expect(mtestLog(k, from)[1]).toBe(`[mtest.findpage] bad address '${bad}'`);
    }
  });

  it('prints a VMA\'s permissions as rwx', () => {
    const { k } = bootMtest();
    k.vfs.addExecutable('/bin/mtest-test', MTEST_TEST);
    const t = k.spawn('/bin/mtest-test', ['mtest-test'], []);
    if (typeof t === 'number') throw new Error(`spawn: ${t}`);
    const from = k.printk.length;
    expect(echo(k, `listvma ${t.pid}`)).toBeGreaterThan(0);
    const perms = mtestLog(k, from).slice(2).map((l) => l.split(' ').at(-1));
    expect(perms.length).toBeGreaterThan(2);
    expect(perms).toContain('r-x');
    expect(perms).toContain('rw-');
    for (const p of perms) expect(p).toMatch(/^[r-][w-][x-]$/);
  });

  it('bad input is logged and -EINVAL; an unknown pid -ESRCH; nothing else happens', () => {
    const { k } = bootMtest();
    const cases: [string, number, string][] = [
      ['frobnicate', -EINVAL, '[mtest] unknown command or wrong arguments'],
      ['findpage', -EINVAL, '[mtest] unknown command or wrong arguments'],
      ['findpage zz', -EINVAL, "[mtest.findpage] bad address 'zz'"],
      ['writeval 0x1000', -EINVAL, '[mtest] unknown command or wrong arguments'],
      ['writeval 0x1000 256', -EINVAL, "[mtest.writeval] bad value '256' (one byte: 0..0xff)"],
      ['findpage 0x1000 999', -ESRCH, '[mtest.findpage] no process with PID = 999'],
      ['listvma x', -EINVAL, "[mtest.listvma] bad pid 'x'"],
      ['writeval 0x1000 1', -EINVAL, '[mtest.writeval] vma not found'],
    ];
    for (const [cmd, err, line] of cases) {
      const from = k.printk.length;
      expect(echo(k, cmd), cmd).toBe(err);
      const log = mtestLog(k, from);
      expect(log[0]).toBe(`[mtest] Got command: ${cmd}`);
      expect(log.some((l) => l.startsWith(line)), `${cmd}: ${log.join(' / ')}`).toBe(true);
    }
  });

  it('findpage without a pid looks in the writer: echo\'s empty mm has nothing (the report\'s "current = sh" surprise)', () => {
    const { k } = bootMtest();
    const from = k.printk.length;
    expect(echo(k, 'findpage 0x10000')).toBe('findpage 0x10000\n'.length);
    const log = mtestLog(k, from);
    expect(log).toContain(`[mtest.findpage] pgtable_l5_enabled = 0`);
    expect(log.find((l) => l.startsWith('[mtest.findpage] current = '))).toMatch(/^\[mtest\.findpage\] current = echo, PID = \d+$/);
    expect(log.slice(-3)).toEqual(['[mtest.findpage] pgd_index = 0', '[mtest.findpage] not mapped in pgd', '[mtest.findpage] translation not found']);
  });

  it('writeval into a page not yet present faults it in (the report would say "pte not found")', () => {
    const b = bootMtest();
    b.k.vfs.addExecutable('/bin/mtest-test', MTEST_TEST);
    const t = b.k.spawn('/bin/mtest-test', ['mtest-test'], []);
    if (typeof t === 'number') throw new Error(`spawn: ${t}`);
    const va = t.reg(2) - 32 * 4096; // in the stack VMA, below what exec touched
    expect(b.k.mm.followPte(t.mm!, va).present).toBe(false);
    const from = b.k.printk.length;
    expect(echo(b.k, `writeval ${va} 0x5a ${t.pid}`)).toBeGreaterThan(0);
    expect(mtestLog(b.k, from).at(-1)).toMatch(/^\[mtest\.writeval\] the page was not present: faulted in at 0x[0-9a-f]+$/);
    expect(b.k.mm.copyFromUser(t.mm!, va, 1)).toEqual(Uint8Array.of(0x5a));
  });

  it('with --paging 5 findpage says so and walks a real p4d', () => {
    const b = bootMtest({ paging: 5 });
    runProgram(b, 'mtest-test', MTEST_TEST);
    const log = mtestLog(b.k);
    expect(log).toContain('[mtest.findpage] pgtable_l5_enabled = 1');
    expect(b.out()).toContain('read back: BAAAAAAA\n');
  });
});

describe('mtest-test driving /proc/mtest', () => {
  const b = bootMtest();
  const t = runProgram(b, 'mtest-test', MTEST_TEST);
  const out = b.out();
  const log = mtestLog(b.k);
  const pid = t.pid;

  it('runs to the end with every command answered as expected', () => {
    expect(t.exitCode).toBe(0);
    expect(b.err()).toBe('');
    const lines = out.trimEnd().split('\n').map((l) => l.replace(/0x[0-9a-f]+/g, 'ADDR').replace(/pid \d+/, 'pid N'));
    expect(lines).toEqual([
      'mtest-test: pid N, buffer at ADDR: AAAAAAAA',
      'mtest: listvma N -> ok'.replace('N', String(pid)),
      'mtest: findpage ADDR -> ok',
      'pagemap: ADDR -> ADDR',
      'mtest: writeval ADDR ADDR -> ok',
      'read back: BAAAAAAA',
      'mtest: writeval ADDR ADDR -> Invalid argument',
      'mtest: findpage ADDR -> ok',
      'mtest: writeval ADDR ADDR -> ok',
      'mtest: findpage ADDR -> ok',
      'child: CAAAAAAA',
      'mtest: findpage ADDR -> ok',
      'parent: BAAAAAAA',
    ]);
  });

  it('listvma prints the process header and its VMAs as `start end rwx`, as /proc/PID/maps has them', () => {
    const i = log.indexOf(`[mtest.listvma] Process = mtest-test, PID = ${pid}`);
    expect(i).toBeGreaterThan(0);
    const vmas = log.slice(i + 1, log.findIndex((l, j) => j > i && l.startsWith('[mtest] Got command: findpage'))).map((l) => l.replace('[mtest.listvma] ', ''));
    expect(vmas.length).toBe(5); // text, data, heap, vdso, stack
    for (const v of vmas) expect(v).toMatch(/^0x[0-9a-f]+ 0x[0-9a-f]+ [r-][w-][x-]$/);
    expect(vmas[0]).toMatch(/ r-x$/);
  });

  it("findpage's physical address is /proc/self/pagemap's PFN for the page, with the byte's offset", () => {
    const buf = /buffer at (0x[0-9a-f]+)/.exec(out)![1]!;
    const pm = /pagemap: 0x[0-9a-f]+ -> (0x[0-9a-f]+)/.exec(out)![1]!;
    const first = log.find((l) => l.startsWith(`[mtest.findpage] vaddr = ${buf} -> paddr = `))!;
    expect(first).toBe(`[mtest.findpage] vaddr = ${buf} -> paddr = ${pm}`);
  });

  it('writeval refuses a VMA without write permission and logs why', () => {
    expect(log).toContain('[mtest.writeval] vma has no write permission');
  });

  it('findpage of an unmapped address: translation not found', () => {
    const i = log.indexOf('[mtest] Got command: findpage 0x10');
    expect(log.slice(i).indexOf('[mtest.findpage] translation not found')).toBeGreaterThan(0);
  });

  it("the child's writeval breaks copy-on-write: a private copy for the child, the parent's frame untouched", () => {
    const buf = /buffer at (0x[0-9a-f]+)/.exec(out)![1]!;
    const paddrs = log.filter((l) => l.startsWith(`[mtest.findpage] vaddr = ${buf} -> paddr = `)).map((l) => l.split(' ').at(-1));
    expect(paddrs.length).toBe(3); // parent before fork, child after its write, parent after the child exited
    expect(paddrs[1]).not.toBe(paddrs[0]);
    expect(paddrs[2]).toBe(paddrs[0]);
    expect(log.some((l) => l.startsWith('[mtest.writeval] copy-on-write: the page at paddr'))).toBe(true);
  });

  it('findpage prints every level: pgd, p4d (folded: the pgd entry, index 0), pud, pmd, pte', () => {
    const i = log.indexOf(`[mtest.findpage] current = mtest-test, PID = ${pid}`);
    const levels = log.slice(i + 1, i + 11).map((l) => l.replace(/ = .*/, ''));
    expect(levels).toEqual(['pgd_val', 'pgd_index', 'p4d_val', 'p4d_index', 'pud_val', 'pud_index', 'pmd_val', 'pmd_index', 'pte_val', 'pte_index'].map((s) => `[mtest.findpage] ${s}`));
    expect(log[i + 3]!.replace('p4d', 'pgd')).toBe(log[i + 1]);
    expect(log[i + 4]).toBe('[mtest.findpage] p4d_index = 0');
  });
});
