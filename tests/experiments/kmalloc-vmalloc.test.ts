// The kmalloc-vs-vmalloc experiment (guest-programs/experiments/kmalloc-vmalloc.vmsh,
// docs/experiments/kmalloc-vmalloc.md): the transcript against a golden copy
// with addresses and times masked, and the lab report's observations asserted
// exactly on the real numbers.
// Regenerate the golden copy with: npx vitest run tests/experiments/kmalloc-vmalloc.test.ts -u
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { ShellSession } from '../../emu/cli/shell-session';
import { kvaFromBigint } from '../../kernel-ts/mm/kaddr';
import { commands } from './transcript';

const SCRIPT = join(process.cwd(), 'guest-programs', 'experiments', 'kmalloc-vmalloc.vmsh');
const PAGE_OFFSET = 0xffff888000000000n;

/** Times and addresses masked: kernel addresses keep their region (ffff888 direct map, ffffc90 vmalloc). */
function mask(text: string): string {
  return text
    .replace(/^\[\s*\d+\.\d+\]/gm, '[    T]')
    .replace(/\b[0-9a-f]{9,16}\b/g, (h) => (h.startsWith('ffff') ? h.slice(0, 7) + 'X'.repeat(h.length - 7) : 'X'.repeat(h.length)))
    .replace(/\b\d{12,20}\b/g, (d) => 'N'.repeat(d.length));
}

interface Report {
  va: bigint;
  value: number | null;
  /** Entry name -> value as printed (pgd-off, pud-off, pmd-off, pte, or a leaf's pud/pmd). */
  entries: Map<string, string>;
  virtToPhys: bigint;
  walk: bigint;
}

/** The INSERTED block of `module` in a dmesg output, parsed. */
function block(dmesg: string, module: string): Report {
  const lines = dmesg.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
  const i = lines.indexOf(`${module}: -----INSERTED-----`);
  expect(i, `${module}'s INSERTED line`).toBeGreaterThanOrEqual(0);
  const b = lines.slice(i + 1, i + (module === 'memaccess' ? 6 : 5));
  const node = /^Node-P: ([0-9a-f]{16}) VA: (\d+)$/.exec(b[0]!)!;
  expect(BigInt(`0x${node[1]}`)).toBe(BigInt(node[2]!));
  const value = module === 'memaccess' ? Number(/^Value at Node: (-?\d+)$/.exec(b[1]!)![1]) : null;
  const rest = b.slice(module === 'memaccess' ? 2 : 1);
  const entries = new Map([...rest[0]!.matchAll(/([a-z0-9-]+):([0-9a-f]+)/g)].map((m) => [m[1]!, m[2]!]));
  const v2p = /^Physical Address Obtained from virt_to_phys : ([0-9a-f]{16})$/.exec(rest[1]!)!;
  const sw = /^Physical Address Obtained from software walk: ([0-9a-f]{16})$/.exec(rest[2]!)!;
  return { va: BigInt(node[2]!), value, entries, virtToPhys: BigInt(`0x${v2p[1]}`), walk: BigInt(`0x${sw[1]}`) };
}

/** Everything but the top-level entry. */
function lower(r: Report): [string, string][] {
  return [...r.entries].filter(([k]) => k !== 'pgd-off');
}

describe('kmalloc-vmalloc experiment (vmlab shell kmalloc-vmalloc.vmsh)', () => {
  const r = vmlab(['shell', SCRIPT]);
  const cmds = commands(r.stdout);
  const dmesgs = cmds.filter((c) => c.cmd === 'dmesg -c').map((c) => c.out);
  const [kmallocLog, vmallocLog] = dmesgs as [string, string];
  const km = { a: block(kmallocLog, 'memalloc'), b: block(kmallocLog, 'memaccess') };
  const vm = { a: block(vmallocLog, 'memalloc'), b: block(vmallocLog, 'memaccess') };
  const published = cmds.filter((c) => c.cmd === 'cat /sys/kernel/memalloc/va').map((c) => BigInt(c.out.trim()));

  it('runs to the end without errors, and the transcript matches the golden copy (addresses masked)', async () => {
    const errs = r.stderr.split('\n').filter((l) => l !== '' && !/^vmlab shell: \S+\.s not installed: /.test(l));
    expect(errs).toEqual([]);
    expect(r.status).toBe(0);
    expect(dmesgs).toHaveLength(2);
    await expect(mask(r.stdout)).toMatchFileSnapshot('kmalloc-vmalloc.golden.txt');
  });

  it('both modules load, unload, and log INSERTED/REMOVED in order', () => {
    expect(cmds.find((c) => c.cmd === 'lsmod')!.out).toMatch(/^memaccess\s+\d+\s+0\nmemalloc\s+\d+\s+0\n$/m);
    for (const log of dmesgs) {
      const banners = log.split('\n').filter((l) => /-----(INSERTED|REMOVED)-----$/.test(l)).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
      expect(banners).toEqual(['memalloc: -----INSERTED-----', 'memaccess: -----INSERTED-----', 'memaccess: -----REMOVED-----', 'memalloc: -----REMOVED-----']);
    }
  });

  it('memaccess reads the value 10 at the address memalloc published', () => {
    expect(published).toEqual([km.a.va, vm.a.va]);
    for (const x of [km, vm]) {
      expect(x.b.va).toBe(x.a.va);
      expect(x.b.value).toBe(10);
    }
  });

  it('kmalloc: a direct-map address; virt_to_phys and the walk give the same PA in both modules', () => {
    expect(km.a.va >= PAGE_OFFSET && km.a.va < PAGE_OFFSET + (1n << 40n)).toBe(true);
    const pa = km.a.va - PAGE_OFFSET;
    for (const x of [km.a, km.b]) {
      expect(x.virtToPhys).toBe(pa);
      expect(x.walk).toBe(pa);
    }
  });

  it('vmalloc: virt_to_phys is wrong (just va - PAGE_OFFSET), the walk is right and agrees in both modules', () => {
    expect(vm.a.va >> 40n).toBe(0xffffc9n);
    expect(vm.a.va % 4096n).toBe(0n);
    for (const x of [vm.a, vm.b]) {
      expect(x.virtToPhys).toBe(x.va - PAGE_OFFSET);
      expect(x.virtToPhys).not.toBe(x.walk);
      // The walk's PA is the frame in its pte, with the address's offset.
      expect(x.walk).toBe(((BigInt(`0x${x.entries.get('pte')!}`) & 0x000ffffffffff000n) | (x.va & 0xfffn)));
    }
    expect(vm.b.walk).toBe(vm.a.walk);
  });

  it('vmalloc: the walk of current->mm finds the frame vmalloc_to_pfn (a walk of init_mm) finds', async () => {
    // The same script in-process (same options, so the same kernel state): ask the kernel before rmmod.
    const io = { out: (): void => {}, err: (): void => {} };
    const sh = new ShellSession({ memSize: 1 << 30 }, io);
    const lines = readFileSync(SCRIPT, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const stop = lines.lastIndexOf('rmmod memaccess');
    for (const l of lines.slice(0, stop)) await sh.execLine(l);
    expect(BigInt(sh.k.mm.vmallocToPfn(kvaFromBigint(vm.a.va))) * 4096n).toBe(vm.a.walk);
    expect(sh.k.mm.virtToPhys(kvaFromBigint(km.a.va))).toBe(Number(km.a.walk));
  });

  it('below the top-level table the two walks use the same entries (the kernel half is shared)', () => {
    for (const x of [km, vm]) {
      expect(lower(x.b)).toEqual(lower(x.a));
      expect(lower(x.a).length).toBeGreaterThan(0);
      // Same index in the top-level table (the entry's offset in its page) ...
      expect(BigInt(`0x${x.a.entries.get('pgd-off')!}`) % 4096n).toBe(BigInt(`0x${x.b.entries.get('pgd-off')!}`) % 4096n);
    }
  });

  // ... but another table: each insmod is a process with its own pgd.
  it('the top-level entry addresses differ between the two modules (each insmod has its own pgd)', () => {
    for (const x of [km, vm]) expect(x.b.entries.get('pgd-off')).not.toBe(x.a.entries.get('pgd-off'));
  });

  it('the explicit form `insmod memaccess va=NUMBER` gives the same lines as the va-less one', () => {
    const again = vmlab(['shell', '-q', '-c', `insmod memalloc choice=0; insmod memaccess va=${km.a.va}; dmesg`]);
    expect(again.status).toBe(0);
    const b = block(again.stdout, 'memaccess');
    // The same object, value and translations; only the top-level entry (in
    // whichever frame this session's insmod process got for its pgd) may differ.
    expect({ ...b, entries: lower(b) }).toEqual({ ...km.b, entries: lower(km.b) });
  });
});
