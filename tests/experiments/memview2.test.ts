// The memview2 experiment (guest-programs/experiments/memview2.vmsh, COMP3000
// Tutorial 8): the whole transcript against a golden copy with the addresses,
// times and host paths masked, and the relations the lab teaches asserted
// exactly on the real addresses.
// Regenerate the golden copy with: npx vitest run tests/experiments/memview2.test.ts -u
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { commands, mask, report } from './memview2-support';

const SCRIPT = join(process.cwd(), 'guest-programs', 'experiments', 'memview2.vmsh');

const PAGE = 4096n;
const pageOf = (a: bigint): bigint => a / PAGE;

describe('memview2 experiment (vmlab shell memview2.vmsh)', () => {
  const r = vmlab(['shell', SCRIPT]);
  const cmds = commands(r.stdout);
  const runs = cmds.filter((c) => c.cmd.startsWith('memview2')).map((c) => report(c.out));
  const [first, second, afterDrop] = runs as [Map<string, [bigint, bigint]>, Map<string, [bigint, bigint]>, Map<string, [bigint, bigint]>];
  const virt = (run: Map<string, [bigint, bigint]>, k: string): bigint => run.get(k)![0];
  const phys = (run: Map<string, [bigint, bigint]>, k: string): bigint => run.get(k)![1];

  it('runs to the end without errors, and the transcript matches the golden copy (addresses masked)', async () => {
    // Only other helpers' programs that do not assemble (yet) may complain, at shell boot.
    const errs = r.stderr.split('\n').filter((l) => l !== '' && !/^vmlab shell: (?!memview2\.s)\S+\.s not installed: /.test(l));
    expect(errs).toEqual([]);
    expect(r.status).toBe(0);
    await expect(mask(r.stdout)).toMatchFileSnapshot('memview2.golden.txt');
  });

  it('loads the module: lsmod lists it, /dev/physicalview exists, rmmod removes it', () => {
    expect(cmds.find((c) => c.cmd === 'lsmod')!.out).toMatch(/^physicalview\s+\d+\s+0$/m);
    expect(cmds.find((c) => c.cmd === 'ls /dev')!.out.split('\n')).toContain('physicalview');
    expect(cmds.filter((c) => c.cmd === 'lsmod').at(-1)!.out).not.toContain('physicalview');
  });

  it('reports every label of 3000memview2, all mapped (no UNKNOWN), 30 buffers in a full run', () => {
    expect(runs.length).toBe(7);
    for (const run of [first, second, afterDrop]) {
      expect([...run.keys()].slice(0, 10)).toEqual(['argv', 'argv[0]', 'envp', 'envp[0]', 'lmsg', '&lmsg', 'gmsg', '&gmsg', 'main', '&buf']);
      expect(run.size).toBe(40);
      for (const [, p] of run.values()) expect(p).not.toBe(0n);
    }
  });

  it('each address maps to the same offset in its frame (phys = frame | virt & 0xfff)', () => {
    for (const run of runs) for (const [v, p] of run.values()) expect(p % PAGE).toBe(v % PAGE);
  });

  it('buf[i] virtual addresses are a constant stride apart: malloc(4096) plus the 16-byte header', () => {
    for (const run of [first, second, afterDrop]) {
      for (let i = 1; i < 30; i++) {
        const k = (n: number): string => `buf[${String(n).padStart(2, '0')}]`;
        expect(virt(run, k(i)) - virt(run, k(i - 1))).toBe(4112n);
      }
    }
  });

  it('buf[i] physical addresses are not: each page got whatever frame the allocator had when it was first touched', () => {
    for (const run of [first, second, afterDrop]) {
      const k = (n: number): string => `buf[${String(n).padStart(2, '0')}]`;
      const strides = new Set<bigint>();
      for (let i = 1; i < 30; i++) strides.add(phys(run, k(i)) - phys(run, k(i - 1)));
      expect(strides.size).toBeGreaterThan(20);
    }
  });

  it('between two runs ASLR moves the stack and the heap; the text (not PIE) stays', () => {
    for (const k of ['argv', 'envp', '&lmsg', '&buf']) expect(virt(second, k)).not.toBe(virt(first, k));
    expect(virt(second, 'buf[00]')).not.toBe(virt(first, 'buf[00]'));
    for (const k of ['main', 'lmsg', 'gmsg', '&gmsg']) expect(virt(second, k)).toBe(virt(first, k));
  });

  it('text and rodata keep their frames between runs: the page cache holds the program file', () => {
    for (const k of ['main', 'lmsg', 'gmsg']) expect(phys(second, k)).toBe(phys(first, k));
  });

  it('after drop_caches the text and rodata are read into new frames', () => {
    expect(cmds.some((c) => c.cmd === 'echo 3 > /proc/sys/vm/drop_caches')).toBe(true);
    for (const k of ['main', 'lmsg']) expect(pageOf(phys(afterDrop, k))).not.toBe(pageOf(phys(second, k)));
    // ...and stay there for the runs that follow.
    for (const run of runs.slice(3)) expect(phys(run, 'main')).toBe(phys(afterDrop, 'main'));
  });

  it('copy_to_user and copy_from_user are traced with their kernel stacks, through physicalview_ioctl', () => {
    const to = cmds[cmds.findIndex((c) => c.cmd === 'trace on uaccess:copy_to_user') + 1]!.out;
    const from = cmds[cmds.findIndex((c) => c.cmd === 'trace on uaccess:copy_from_user') + 1]!.out;
    const ioctlTo = to.split(/(?= +\S+-\d+ +\[000\])/).filter((e) => e.includes('copy_to_user: ') && e.includes('=> physicalview_ioctl'));
    const ioctlFrom = from.split(/(?= +\S+-\d+ +\[000\])/).filter((e) => e.includes('copy_from_user: ') && e.includes('=> physicalview_ioctl'));
    expect(ioctlTo.length).toBe(11); // 10 labels + 1 buffer
    expect(ioctlFrom.length).toBe(11);
    for (const e of [...ioctlTo, ...ioctlFrom]) {
      expect(e).toMatch(/len=16\n/);
      expect(e).toMatch(/=> sysIoctl\n/);
    }
    // printf's write(2) is the other copy_from_user: its stack goes through vfsWrite, not the driver.
    expect(from).toMatch(/copy_from_user: uaddr=0x[0-9a-f]+ len=\d+\n <stack trace>\n => Uaccess\.copyFromUser\n => KernelMm\.copyFromUser\n => vfsWrite\n/);
  });

  it('kmalloc returns direct-map kernel addresses (0xffff888...), 16 bytes for the driver\'s struct', () => {
    const out = cmds[cmds.findIndex((c) => c.cmd === 'trace on kmem:kmalloc') + 1]!.out;
    const ev = [...out.matchAll(/kmalloc: call_site=\S+ ptr=(0x[0-9a-f]+) bytes_req=(\d+) bytes_alloc=(\d+)/g)];
    expect(ev.length).toBeGreaterThanOrEqual(11);
    for (const e of ev) expect(e[1]).toMatch(/^0xffff888/);
    expect(ev.filter((e) => e[2] === '16' && e[3] === '16').length).toBeGreaterThanOrEqual(11);
  });

  it('page allocations are by pfn and order; the heap frames memview2 then reports are among them', () => {
    const c = cmds.findIndex((x) => x.cmd === 'trace on kmem:mm_page_alloc') + 1;
    const out = cmds[c]!.out;
    const pfns = [...out.matchAll(/mm_page_alloc: page=0xffffea[0-9a-f]+ pfn=(0x[0-9a-f]+) order=(\d+)/g)].map((m) => BigInt(m[1]!));
    expect(pfns.length).toBeGreaterThan(5);
    expect(pfns).toContain(pageOf(phys(runs.at(-1)!, 'buf[00]')));
  });

  it('dmesg shows the driver\'s open/release for each run and its cleanup at rmmod', () => {
    const d = cmds.at(-1)!;
    expect(d.cmd).toBe('dmesg');
    expect(d.out.match(/physicalview open\n/g)!.length).toBe(4);
    expect(d.out.match(/physicalview closed\n/g)!.length).toBe(4);
    expect(d.out).toMatch(/physicalview cleanup complete\n$/);
  });
});
