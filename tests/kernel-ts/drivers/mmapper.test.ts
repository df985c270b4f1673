// mmapper (kernel-ts/drivers/mmapper.ts, loaded by insmod) with its guest program
// (guest-programs/programs/mmapper-test.s): the three ways of mapping a kernel
// buffer, the driver's put_user into user memory, the log lines, the ioctl
// numbers, and rmmod (-EBUSY while open or mapped, memory back afterwards).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../kernel-ts/kernel';
import { VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_PFNMAP } from '../../../kernel-ts/mm/vma';
import { O_RDWR } from '../../../kernel-ts/fs/file';
import type { File } from '../../../kernel-ts/fs/file';
import { kvaFromBigint } from '../../../kernel-ts/mm/kaddr';
import { TEST_MEM, assembleGuest } from '../../support/kernel';
import { EBUSY, EFAULT, EINVAL, ENOTTY } from '../../../kernel-ts/errno';
import { builtinModules } from '../../../emu/cli/builtins';

const LIB = join(process.cwd(), 'guest-programs', 'lib');

function programElf(name: string): Uint8Array {
  const lib = readdirSync(LIB).filter((f) => f.endsWith('.s')).map((f) => join(LIB, f));
  return assembleGuest([join(process.cwd(), 'guest-programs', 'programs', `${name}.s`), ...lib]);
}
const MMAPPER_TEST = programElf('mmapper-test');

// The driver's interface, as the lab's header gives it to user programs (a test may not import the driver).
const LEN = 4 * 4096;
const MMAPPER_SET_MODE = 0x6d01;
const MMAPPER_FAULTS = 0x6d02;
const MMAPPER_PUT_USER = 0x40086d03;
const kmallocPattern = (i: number): number => 0x30 + (i % 10);
const vmallocPattern = (i: number): number => 0x61 + (i % 26);

interface Booted {
  k: Kernel;
  out: () => string;
}

function boot(): Booted {
  const out: Uint8Array[] = [];
  const k = Kernel.boot({ memSize: TEST_MEM, seed: 1, builtinModules: builtinModules(), stdout: (b) => out.push(b), stderr: (b) => out.push(b) });
  k.vfs.addExecutable('/bin/mmapper-test', MMAPPER_TEST);
  return { k, out: () => Buffer.concat(out).toString('utf8') };
}

function run(b: Booted): { exitCode: number | null; stdout: string } {
  const t = b.k.spawn('/bin/mmapper-test', ['mmapper-test'], ['PATH=/bin']);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  const r = b.k.run();
  return { exitCode: r.exitCode, stdout: b.out() };
}

function logText(k: Kernel): string[] {
  return k.printk.all().map((r) => r.text);
}

describe('mmapper ioctl numbers', () => {
  it('are _IO/_IOW(\'m\', ...) as asm-generic/ioctl.h encodes them', () => {
    expect(MMAPPER_SET_MODE).toBe((0x6d << 8) | 1);
    expect(MMAPPER_FAULTS).toBe((0x6d << 8) | 2);
    expect(MMAPPER_PUT_USER).toBe(((1 << 30) | (8 << 16) | (0x6d << 8) | 3) >>> 0);
  });
});

describe('mmapper with mmapper-test', () => {
  it('maps all three ways, sees the kernel\'s bytes, and survives put_user faults', () => {
    const b = boot();
    expect(b.k.modules.insmod('mmapper')).toBe(0);
    const r = run(b);
    expect(r.stdout).toMatch(/all checks passed\n$/);
    expect(r.exitCode).toBe(0);
    const out = r.stdout;
    expect(out).toContain("  mmap: '01234567890123456789012345678901'");
    expect(out).toContain("  mmap: 'abcdefghijklmnopqrstuvwxyzabcdef'");
    expect(out).toContain("  mmap: 'Xbcdefghijklmnopqrstuvwxyzabcdef'");
    const pfnLines = [...out.matchAll(/^ {2}pfns:(.*) \((contiguous|not contiguous)\)$/gm)];
    expect(pfnLines).toHaveLength(3);
    const pfns = pfnLines.map((m) => m[1]!.trim().split(' ').map((x) => Number(x)));
    // Mode 1: the kmalloc'd frames, one contiguous run, as remap_pfn_range maps them.
    expect(pfns[0]).toEqual([0, 1, 2, 3].map((i) => pfns[0]![0]! + i));
    // Modes 2 and 3 map the same vmalloc buffer: the same frames, the ones vmalloc_to_pfn names in the log.
    expect(pfns[1]).toEqual(pfns[2]);
    const log = logText(b.k);
    const viaVmallocToPfn = log.filter((l) => l.startsWith('mmap_vmalloc: vmalloc_to_pfn(')).map((l) => Number(/= (0x[0-9a-f]+)/.exec(l)![1]));
    expect(viaVmallocToPfn).toEqual(pfns[1]);
    const returned = log.filter((l) => l.startsWith('returning page ')).map((l) => Number(/pfn (0x[0-9a-f]+)/.exec(l)![1]));
    // Mode 3: one fault per page touched (4), then the put_user test's one.
    expect(returned).toEqual([...pfns[2]!, pfns[2]![0]]);
    expect(out).toContain('  faults before touching: 0\n  faults after reading page 0: 1\n');
    expect(out).toContain('  faults after reading every page: 4\n');
    expect(out).toMatch(/into an unmapped address \(0x[0-9a-f]+\): ret -1, errno 14 \(Bad address\)/);
    expect(out).toMatch(/into a kernel address \(0xffff888000000000\): ret -1, errno 14 \(Bad address\)/);
    expect(out).toMatch(/into an anonymous page never touched \(0x[0-9a-f]+\): ret 0, value 'X'/);
    // The slide's sequence: the fault is taken inside put_user and handled by the driver.
    const i = log.findIndex((l) => /^Testing fault handler: 0x[0-9a-f]+$/.test(l));
    expect(log[i + 1]).toMatch(/^In vmalloc fault for addr ffffc9[0-9a-f]{10}$/);
    expect(log[i + 2]).toMatch(/^returning page ffffea[0-9a-f]{10} \(pfn 0x[0-9a-f]+\)$/);
    expect(log[i + 3]).toBe('Testing fault handler: Ret is 0');
    expect(log).toContain('Testing fault handler: Ret is -14');
    // The kernel is fine: the program runs again, with the same result.
    const again = run(b);
    expect(again.exitCode).toBe(0);
  });

  it('logs as the lab\'s driver does at insmod and mmap', () => {
    const b = boot();
    expect(b.k.modules.insmod('mmapper')).toBe(0);
    run(b);
    const log = logText(b.k);
    expect(log).toEqual(expect.arrayContaining([
      expect.stringMatching(/^kmalloc_ptr at 0xffff888[0-9a-f]{9}$/),
      expect.stringMatching(/^kmalloc_area :0xffff888[0-9a-f]{9} \t physical Address 0x[0-9a-f]+$/),
      expect.stringMatching(/^vmalloc_ptr at 0xffffc9[0-9a-f]{10}$/),
      expect.stringMatching(/^mmap_kmalloc: remap_pfn_range\(0x[0-9a-f]+, pfn 0x[0-9a-f]+, 16384\) = 0$/),
      expect.stringMatching(/^will mmap [0-9a-f]+$/),
      expect.stringMatching(/^Mapping vmalloc_area_ptr: 0xffffc9[0-9a-f]{10}$/),
      expect.stringMatching(/^In mmapper ioctl cmd:0x6d01 - arg: 3$/),
    ]));
  });
});

/** An open of /dev/mmapper in process t's context, as the system calls would do it. */
function openDevice(k: Kernel): File {
  const f = k.vfs.open('/dev/mmapper', O_RDWR);
  if (typeof f === 'number') throw new Error(`open: ${f}`);
  return f;
}

describe('mmapper in the kernel', () => {
  function withTask(): { b: Booted; file: File; mmap: (len: number) => number } {
    const b = boot();
    expect(b.k.modules.insmod('mmapper')).toBe(0);
    const t = b.k.spawn('/bin/mmapper-test', ['mmapper-test'], []);
    if (typeof t === 'number') throw new Error(`spawn: ${t}`);
    b.k.current = t;
    const file = openDevice(b.k);
    const src = b.k.vfs.fileForMmap(t, t.files.installFd(file, false));
    if (typeof src === 'number') throw new Error(`fileForMmap: ${src}`);
    const mmap = (len: number): number => b.k.mm.doMmap(t.mm!, 0, len, 3, 1, src, 0);
    return { b, file, mmap };
  }

  it('ioctl: a bad mode is -EINVAL, an unknown command -ENOTTY; mmap beyond the buffer is -EIO', () => {
    const { file, mmap } = withTask();
    expect(file.fop.ioctl!(file, MMAPPER_SET_MODE, 4)).toBe(-EINVAL);
    expect(file.fop.ioctl!(file, MMAPPER_SET_MODE, 0)).toBe(-EINVAL);
    expect(file.fop.ioctl!(file, 0x6d09, 0)).toBe(-ENOTTY);
    expect(mmap(LEN + 4096)).toBe(-5);
    expect(file.fop.ioctl!(file, MMAPPER_PUT_USER, 0x10)).toBe(-EFAULT);
  });

  it('the buffers hold the patterns the program checks', () => {
    const b = boot();
    expect(b.k.modules.insmod('mmapper')).toBe(0);
    const log = logText(b.k);
    const area = Number(/physical Address (0x[0-9a-f]+)/.exec(log.find((l) => l.startsWith('kmalloc_area'))!)![1]);
    const vptr = BigInt(/at (0x[0-9a-f]+)/.exec(log.find((l) => l.startsWith('vmalloc_ptr'))!)![1]!);
    for (const i of [0, 9, 10, 4095, 4096, LEN - 1]) {
      expect(b.k.mm.mem.read8(area + i)).toBe(kmallocPattern(i));
      const pfn = b.k.mm.vmallocToPfn(kvaFromBigint(vptr + BigInt(i - (i % 4096))));
      expect(b.k.mm.mem.read8(pfn * 4096 + (i % 4096))).toBe(vmallocPattern(i));
    }
  });

  it('rmmod is -EBUSY while the device is open or mapped; memory is back after rmmod', () => {
    const b = boot();
    const cycle = (): void => {
      expect(b.k.modules.insmod('mmapper')).toBe(0);
      expect(b.k.modules.rmmod('mmapper')).toBe(0);
    };
    cycle(); // first use may leave vmalloc page tables and slab pages, as in Linux
    b.k.mm.purgeVmapAreaLazy();
    const base = b.k.mm.framesInUse();
    for (let i = 0; i < 3; i++) cycle();
    b.k.mm.purgeVmapAreaLazy();
    expect(b.k.mm.framesInUse()).toBe(base);

    const { b: b2, file, mmap } = withTask();
    expect(b2.k.modules.rmmod('mmapper')).toBe(-EBUSY); // open
    const t = b2.k.current!;
    for (const mode of [1, 2, 3]) {
      expect(file.fop.ioctl!(file, MMAPPER_SET_MODE, mode)).toBe(0);
      const addr = mmap(LEN);
      expect(addr).toBeGreaterThan(0);
      expect(b2.k.mm.doMunmap(t.mm!, addr, LEN)).toBe(0);
    }
    const addr = mmap(LEN);
    t.files.close(3);
    expect(b2.k.modules.rmmod('mmapper')).toBe(-EBUSY); // closed but still mapped
    expect(b2.k.mm.doMunmap(t.mm!, addr, LEN)).toBe(0);
    expect(b2.k.modules.rmmod('mmapper')).toBe(0);
  });
});

describe('mmapper mappings', () => {
  it('modes 1 and 2 are remap_pfn_range VMAs (VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP) mapped at mmap; mode 3 maps nothing until touched', () => {
    const b = boot();
    expect(b.k.modules.insmod('mmapper')).toBe(0);
    const t = b.k.spawn('/bin/mmapper-test', ['mmapper-test'], []);
    if (typeof t === 'number') throw new Error(`spawn: ${t}`);
    b.k.current = t;
    const file = openDevice(b.k);
    const src = b.k.vfs.fileForMmap(t, t.files.installFd(file, false));
    if (typeof src === 'number') throw new Error(`fileForMmap: ${src}`);
    const special = VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
    for (const mode of [1, 2, 3]) {
      expect(file.fop.ioctl!(file, MMAPPER_SET_MODE, mode)).toBe(0);
      const addr = b.k.mm.doMmap(t.mm!, 0, LEN, 3, 1, src, 0);
      expect(addr).toBeGreaterThan(0);
      const vma = t.mm!.vmas.vmaLookup(addr)!;
      expect(vma.vmFlags & special).toBe(mode === 3 ? VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP : special);
      for (let i = 0; i < 4; i++) expect(b.k.mm.followPte(t.mm!, addr + i * 4096).present, `mode ${mode} page ${i}`).toBe(mode !== 3);
      expect(b.k.mm.doMunmap(t.mm!, addr, LEN)).toBe(0);
    }
  });
});
