// memalloc and memaccess (kernel-ts/drivers/memalloc.ts, memaccess.ts, written
// against vmlab/linux): the kmalloc-vs-vmalloc lab's two modules, loaded with
// the module loader (each insmod its own process). The log lines, the
// relations the lab report observes, the exported symbol, parameter handling,
// and memory given back at rmmod.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../kernel-ts/kernel';
import type { KernelOptions } from '../../../kernel-ts/kernel';
import { kvaFromBigint } from '../../../kernel-ts/mm/kaddr';
import { guestTest } from '../../support/kernel';
import { EFAULT, EINVAL } from '../../../kernel-ts/errno';
import { builtinModules } from '../../../emu/cli/builtins';

const HELLO = guestTest('hello').elf;

const MiB = 1 << 20;

function boot(opts: KernelOptions = {}): Kernel {
  return Kernel.boot({ memSize: 256 * MiB, builtinModules: builtinModules(), ...opts });
}

/**
 * A process that comes and stays between the two insmods. The buddy allocator
 * hands out the frame freed last first, so without one, memaccess's insmod
 * process would get the very frame memalloc's insmod used for its top-level
 * table; on a real system other processes (sudo, the shell's fork) take it.
 */
function anotherProcess(k: Kernel): void {
  k.vfs.addExecutable('/bin/hello', HELLO);
  const t = k.spawn('/bin/hello', ['hello'], []);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
}

function insmod(k: Kernel, name: string, ...args: string[]): number {
  return k.modules.insmod(name, args);
}

/** The lines a module logged from its INSERTED banner on, without timestamps. */
function report(k: Kernel, module: string): string[] {
  const lines = k.printk.all().map((r) => r.text);
  const i = lines.lastIndexOf(`${module}: -----INSERTED-----`);
  if (i < 0) throw new Error(`no INSERTED line of ${module} in:\n${lines.join('\n')}`);
  return lines.slice(i, i + (module === 'memaccess' ? 6 : 5));
}

interface Parsed {
  va: bigint;
  walkLine: string;
  entries: Record<string, string>;
  virtToPhys: bigint;
  walk: bigint;
  value?: number;
}

function parse(lines: string[]): Parsed {
  const node = /^Node-P: ([0-9a-f]+) VA: (\d+)$/.exec(lines[1]!);
  if (!node) throw new Error(`Node-P line: ${lines[1]}`);
  expect(BigInt(`0x${node[1]}`)).toBe(BigInt(node[2]!));
  let rest = lines.slice(2);
  let value: number | undefined;
  if (rest[0]!.startsWith('Value at Node: ')) {
    value = Number(rest[0]!.slice('Value at Node: '.length));
    rest = rest.slice(1);
  }
  const entries: Record<string, string> = {};
  for (const m of rest[0]!.matchAll(/(\w+(?:-off)?):([0-9a-f]+)/g)) entries[m[1]!] = m[2]!;
  const v2p = /^Physical Address Obtained from virt_to_phys : ([0-9a-f]{16})$/.exec(rest[1]!);
  const sw = /^Physical Address Obtained from software walk: ([0-9a-f]{16})$/.exec(rest[2]!);
  if (!v2p || !sw) throw new Error(`PA lines: ${rest.slice(1).join(' | ')}`);
  return { va: BigInt(node[2]!), walkLine: rest[0]!, entries, virtToPhys: BigInt(`0x${v2p[1]}`), walk: BigInt(`0x${sw[1]}`), value };
}

describe('memalloc choice=0 (kmalloc)', () => {
  it('logs the report lines; virt_to_phys and the walk agree, in the direct map', () => {
    const k = boot();
    expect(insmod(k, 'memalloc', 'choice=0')).toBe(0);
    const lines = report(k, 'memalloc');
    const a = parse(lines);
    expect(a.va >> 40n).toBe(0xffff88n); // the direct map, PAGE_OFFSET = 0xffff888000000000
    expect(a.virtToPhys).toBe(a.walk);
    expect(a.virtToPhys).toBe(a.va - 0xffff888000000000n);
    // 256 MiB of RAM: the direct map is made of 2M pages, so the walk ends at the pmd.
    expect(a.walkLine).toMatch(/^pgd-off:ffff888[0-9a-f]{9} pud-off:ffff888[0-9a-f]{9} pmd-off:ffff888[0-9a-f]{9} pmd:[0-9a-f]+ \(2M page\)$/);
    // pgd index of PAGE_OFFSET is 273: the entry sits at offset 0x888 of the table.
    expect(a.entries['pgd-off']!.endsWith('888')).toBe(true);
    // The struct holds 10.
    expect(k.mm.mem.read32(Number(a.walk))).toBe(10);
  });

  it('with 1 GiB of RAM the direct map is one 1G page: the walk ends at the pud', () => {
    const k = boot({ memSize: 1024 * MiB });
    expect(insmod(k, 'memalloc')).toBe(0);
    const a = parse(report(k, 'memalloc'));
    expect(a.walkLine).toMatch(/^pgd-off:\S+ pud-off:\S+ pud:[0-9a-f]+ \(1G page\)$/);
    expect(a.entries['pud']).toBe('80000000000001e3'); // NX | G | PS | D | A | RW | P, frame 0
    expect(a.virtToPhys).toBe(a.walk);
  });

  for (const memSize of [256 * MiB, 1024 * MiB]) {
    it(`a struct that is not page aligned keeps its offset through a ${memSize / MiB} MiB direct map's large page`, () => {
      const k = boot({ memSize });
      const before = k.mm.kmalloc(16); // memalloc's struct is the next kmalloc-16 object
      expect(insmod(k, 'memalloc')).toBe(0);
      const a = parse(report(k, 'memalloc'));
      expect(a.va % 4096n).toBe(BigInt((before + 16) % 4096));
      expect(a.walk).toBe(a.virtToPhys);
      expect(k.mm.mem.read32(Number(a.walk))).toBe(10);
    });
  }

  it('publishes the address in /sys/kernel/memalloc/va until rmmod', () => {
    const k = boot();
    expect(insmod(k, 'memalloc')).toBe(0);
    const a = parse(report(k, 'memalloc'));
    expect(readFile(k, '/sys/kernel/memalloc/va')).toBe(`${a.va}\n`);
    expect(k.modules.rmmod('memalloc')).toBe(0);
    expect(k.vfs.lookup('/sys/kernel/memalloc/va')).toBe(-2);
    expect(k.printk.all().at(-1)!.text).toBe('memalloc: -----REMOVED-----');
  });
});

describe('memalloc choice=1 (vmalloc)', () => {
  it('virt_to_phys is wrong, the walk is right and agrees with vmalloc_to_pfn', () => {
    const k = boot();
    expect(insmod(k, 'memalloc', 'choice=1')).toBe(0);
    const a = parse(report(k, 'memalloc'));
    expect(a.va >> 40n).toBe(0xffffc9n); // VMALLOC_START = 0xffffc90000000000
    expect(a.va % 4096n).toBe(0n); // vmalloc returns whole pages
    expect(a.virtToPhys).toBe(a.va - 0xffff888000000000n); // __pa's subtraction: 0x0000408000000000 + offset
    expect(a.virtToPhys).not.toBe(a.walk);
    expect(a.walk).toBe(BigInt(k.mm.vmallocToPfn(kvaFromBigint(a.va))) * 4096n);
    expect(a.walkLine).toMatch(/^pgd-off:ffff888[0-9a-f]{6}c90 pud-off:\S+ pmd-off:\S+ pte:8000000[0-9a-f]{6}163$/);
    expect(k.mm.mem.read32(Number(a.walk))).toBe(10);
  });
});

describe('memaccess', () => {
  for (const choice of [0, 1]) {
    it(`choice=${choice}: reads 10 through the address; only the top-level entry differs from memalloc's walk`, () => {
      const k = boot();
      expect(insmod(k, 'memalloc', `choice=${choice}`)).toBe(0);
      const a = parse(report(k, 'memalloc'));
      anotherProcess(k);
      expect(insmod(k, 'memaccess', `va=${a.va}`)).toBe(0);
      const b = parse(report(k, 'memaccess'));
      expect(b.value).toBe(10);
      expect(b.va).toBe(a.va);
      expect(b.entries['pgd-off']).not.toBe(a.entries['pgd-off']);
      expect(b.entries['pgd-off']!.slice(-3)).toBe(a.entries['pgd-off']!.slice(-3)); // same index, another table
      const { 'pgd-off': _pa, ...lowerA } = a.entries;
      const { 'pgd-off': _pb, ...lowerB } = b.entries;
      expect(lowerB).toEqual(lowerA);
      expect(b.virtToPhys).toBe(a.virtToPhys);
      expect(b.walk).toBe(a.walk);
    });
  }

  it('without va= it uses the address memalloc exports (symbol_get, put back at once); without memalloc it refuses', () => {
    const k = boot();
    expect(insmod(k, 'memaccess')).toBe(-EINVAL);
    expect(k.printk.all().some((r) => r.text === 'memaccess: no va= given and memalloc is not loaded')).toBe(true);
    expect(insmod(k, 'memalloc', 'choice=1')).toBe(0);
    const a = parse(report(k, 'memalloc'));
    expect(insmod(k, 'memaccess')).toBe(0);
    const b = parse(report(k, 'memaccess'));
    expect(b.va).toBe(a.va);
    expect(b.value).toBe(10);
    // symbol_put dropped the reference: memalloc is not in use, and can go first.
    expect(k.modules.find('memalloc')!.refcount).toBe(0);
    expect(k.modules.rmmod('memalloc')).toBe(0);
    // The symbol went with its module.
    expect(k.modules.rmmod('memaccess')).toBe(0);
    expect(insmod(k, 'memaccess')).toBe(-EINVAL);
  });

  it('an address with no mapping is a kernel page fault: insmod is killed, the kernel goes on', () => {
    const k = boot();
    expect(insmod(k, 'memalloc', 'choice=1')).toBe(0);
    const a = parse(report(k, 'memalloc'));
    const guard = a.va + 4096n; // vmalloc's guard page after the struct's page
    const err: string[] = [];
    expect(k.modules.insmod('memaccess', [`va=${guard}`], (l) => err.push(l))).toBe(-EFAULT);
    expect(err).toEqual(['Killed']);
    // readl's kernel load faults: an oops of insmod, as Linux's.
    expect(k.printk.dmesg()).toMatch(/BUG: .*unable to handle page fault for address: ffffc9[0-9a-f]{10}\n/);
    expect(k.printk.dmesg()).not.toContain('Value at Node');
    expect(k.modules.find('memaccess')).toBeUndefined();
    expect(insmod(k, 'memaccess', `va=${a.va}`)).toBe(0);
    expect(parse(report(k, 'memaccess')).value).toBe(10);
  });

  it('walks four levels plus the p4d with 5-level paging', () => {
    const k = boot({ paging: 5 });
    expect(insmod(k, 'memalloc', 'choice=1')).toBe(0);
    const a = parse(report(k, 'memalloc'));
    expect(a.walkLine).toMatch(/^pgd-off:\S+ p4d-off:\S+ pud-off:\S+ pmd-off:\S+ pte:\S+$/);
    expect(a.va >> 48n).toBe(0xffa0n); // VMALLOC_START with LA57
    expect(a.walk).toBe(BigInt(k.mm.vmallocToPfn(kvaFromBigint(a.va))) * 4096n);
  });
});

describe('parameters and memory', () => {
  it('choice other than 0 or 1 is -EINVAL; a non-number is the loader\'s -EINVAL', () => {
    const k = boot();
    expect(insmod(k, 'memalloc', 'choice=2')).toBe(-EINVAL);
    expect(k.printk.all().at(-1)!.text).toBe('memalloc: choice=2: must be 0 (kmalloc) or 1 (vmalloc)');
    expect(insmod(k, 'memalloc', 'choice=x')).toBe(-EINVAL);
    expect(insmod(k, 'memaccess', 'va=-5')).toBe(-EINVAL);
    expect(k.modules.find('memalloc')).toBeUndefined();
  });

  for (const choice of [0, 1]) {
    it(`choice=${choice}: rmmod gives the memory back (frames at the baseline after a warm-up cycle)`, () => {
      const k = boot();
      const cycle = (): void => {
        expect(insmod(k, 'memalloc', `choice=${choice}`)).toBe(0);
        expect(insmod(k, 'memaccess')).toBe(0);
        expect(k.modules.rmmod('memaccess')).toBe(0);
        expect(k.modules.rmmod('memalloc')).toBe(0);
      };
      // The first cycle may leave a slab page (SLUB keeps empty slabs) or a vmalloc page table behind, as Linux does.
      cycle();
      k.mm.purgeVmapAreaLazy();
      const base = k.mm.framesInUse();
      for (let i = 0; i < 3; i++) cycle();
      k.mm.purgeVmapAreaLazy();
      expect(k.mm.framesInUse()).toBe(base);
    });
  }
});

function readFile(k: Kernel, path: string): string {
  const f = k.vfs.open(path, 0);
  if (typeof f === 'number') throw new Error(`open ${path}: ${f}`);
  const buf = new Uint8Array(4096);
  const n = f.fop.read!(f, buf, { pos: 0 });
  return new TextDecoder().decode(buf.subarray(0, n));
}
