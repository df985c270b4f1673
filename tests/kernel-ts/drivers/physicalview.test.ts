// /dev/3000physicalview and /dev/physicalview (kernel-ts/drivers/physicalview.ts,
// loaded by insmod as any vmlab/linux module): the device nodes, the ioctl
// number, the struct's round trip through copy_from_user/copy_to_user, the
// walk at every level (4- and 5-level paging, 2M and 1G leaves), and the
// errors a user program can provoke without hurting the kernel.
import { describe, expect, it } from 'vitest';
import { PAGE_TABLE, allocEntry, vaHi, vaLo } from '../../../kernel-ts/mm/pgtable';
import { S_IFCHR } from '../../../kernel-ts/fs/stat';
import { PTE_P, PTE_PS, PTE_RW, PTE_US } from '../../../emu/machine/mmu/paging';
import type { Task } from '../../../kernel-ts/proc/task';
import type { File } from '../../../kernel-ts/fs/file';
import { bootWith, programElf, runProgram } from './physicalview-support';
import type { Booted } from './physicalview-support';
import { EFAULT, ENOENT, ENOTTY } from '../../../kernel-ts/errno';

const REG_SP = 2;
/** _IOWR('k', 1, struct physicalview_memory): the driver's command, as 3000physicalview.h defines it. */
const PHYSICALVIEW_WALK = 0xc0106b01;
const PMD_SIZE = 2 * 1024 * 1024;
const PUD_SIZE = 1024 * 1024 * 1024;
const MEMVIEW2 = programElf('memview2');

/** A memview2 process, exec'd but not run, as `current`; and the driver's ioctl. */
function setup(paging: 4 | 5 = 4): { b: Booted; t: Task; ioctl: (cmd: number, arg: number) => number } {
  const b = bootWith(['physicalview'], { paging });
  b.k.vfs.addExecutable('/bin/memview2', MEMVIEW2);
  const t = b.k.spawn('/bin/memview2', ['memview2'], ['HOME=/']);
  if (typeof t === 'number') throw new Error(`spawn: ${t}`);
  b.k.current = t;
  const inode = b.k.vfs.lookup('/dev/physicalview');
  if (typeof inode === 'number') throw new Error('no /dev/physicalview');
  const file = { inode } as File;
  return { b, t, ioctl: (cmd, arg) => inode.fop.ioctl!(file, cmd, arg) };
}

/** Writes {virt, phys} at user address `at`; reads it back after the call. */
function putStruct(b: Booted, t: Task, at: number, virt: number, phys = 0xdead): void {
  const bytes = new Uint8Array(16);
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(0, BigInt(virt), true);
  dv.setBigUint64(8, BigInt(phys), true);
  expect(b.k.mm.copyToUser(t.mm!, at, bytes)).toBe(0);
}
function getStruct(b: Booted, t: Task, at: number): { virt: number; phys: number } {
  const r = b.k.mm.copyFromUser(t.mm!, at, 16);
  if (typeof r === 'number') throw new Error(`copyFromUser: ${r}`);
  const dv = new DataView(r.buffer, r.byteOffset, 16);
  return { virt: Number(dv.getBigUint64(0, true)), phys: Number(dv.getBigUint64(8, true)) };
}

describe('physicalview', () => {
  it('PHYSICALVIEW_WALK is _IOWR(\'k\', 1, 16 bytes) as Linux encodes it; another command is -ENOTTY', () => {
    expect(PHYSICALVIEW_WALK).toBe(((3 << 30) | (16 << 16) | (0x6b << 8) | 1) >>> 0);
    const { t, ioctl } = setup();
    expect(ioctl(PHYSICALVIEW_WALK - 1, t.reg(REG_SP) - 64)).toBe(-ENOTTY);
  });

  it('init creates /dev/3000physicalview (class COMP3000, devnode 0666) and /dev/physicalview, a dynamic major, logging as the original; rmmod removes them', () => {
    const { b } = setup();
    for (const path of ['/dev/3000physicalview', '/dev/physicalview']) {
      const inode = b.k.vfs.lookup(path);
      if (typeof inode === 'number') throw new Error(`no ${path}`);
      expect(inode.mode).toBe(S_IFCHR | 0o666);
    }
    expect(typeof b.k.vfs.lookup('/sys/class/COMP3000')).not.toBe('number');
    expect(b.k.printk.dmesg()).toMatch(/physicalview initializing\n.*physicalview is loaded and registered with major number 254!\n/);
    b.k.current = null;
    expect(b.k.modules.rmmod('physicalview')).toBe(0);
    expect(b.k.vfs.lookup('/dev/3000physicalview')).toBe(-ENOENT);
    expect(b.k.vfs.lookup('/dev/physicalview')).toBe(-ENOENT);
    expect(b.k.vfs.lookup('/sys/class/COMP3000')).toBe(-ENOENT);
    expect(b.k.printk.all().at(-1)!.text).toBe('physicalview cleanup complete');
  });

  for (const paging of [4, 5] as const) {
    it(`${paging}-level: the struct goes in and comes back with phys = pfn << 12 | offset`, () => {
      const { b, t, ioctl } = setup(paging);
      const sp = t.reg(REG_SP);
      const at = sp - 64;
      const virt = sp + 3; // argc's page: mapped by exec
      putStruct(b, t, at, virt);
      expect(ioctl(PHYSICALVIEW_WALK, at)).toBe(0);
      const pte = b.k.mm.followPte(t.mm!, virt);
      expect(pte.present).toBe(true);
      expect(getStruct(b, t, at)).toEqual({ virt, phys: pte.pfn * 4096 + (virt % 4096) });
    });

    it(`${paging}-level: an unmapped address comes back as phys 0 and the level that is missing is logged`, () => {
      const { b, t, ioctl } = setup(paging);
      const at = t.reg(REG_SP) - 64;
      // No table anywhere near. With 4 levels the pgd is the folded p4d (pgd_none is
      // always false): the empty entry is the p4d's, as on Linux; with 5 the PML5
      // entry 0 covers all of user space and the PML4 entry is the empty one.
      const virt = 0x5555_0000_0000;
      putStruct(b, t, at, virt);
      expect(ioctl(PHYSICALVIEW_WALK, at)).toBe(0);
      expect(getStruct(b, t, at)).toEqual({ virt, phys: 0 });
      expect(b.k.printk.dmesg()).toContain('Invalid p4d for address 0x0000555500000000\n');
      // Inside the stack VMA but below what exec touched: the PTE is none.
      const below = t.reg(REG_SP) - 32 * 4096;
      putStruct(b, t, at, below);
      expect(ioctl(PHYSICALVIEW_WALK, at)).toBe(0);
      expect(getStruct(b, t, at).phys).toBe(0);
      expect(b.k.printk.dmesg()).toContain(`Invalid pte for address 0x${below.toString(16).padStart(16, '0')}\n`);
      // A kernel address is not walked: 0, nothing logged.
      const lines = b.k.printk.all().length;
      putStruct(b, t, at, 0);
      const bytes = new Uint8Array(16);
      new DataView(bytes.buffer).setBigUint64(0, 0xffff888000100000n, true);
      expect(b.k.mm.copyToUser(t.mm!, at, bytes)).toBe(0);
      expect(ioctl(PHYSICALVIEW_WALK, at)).toBe(0);
      expect(getStruct(b, t, at).phys).toBe(0);
      expect(b.k.printk.all().length).toBe(lines);
    });
  }

  it('bad pointers are -EFAULT and the caller carries on; an unknown command is -ENOTTY', () => {
    const { b, t, ioctl } = setup();
    expect(ioctl(PHYSICALVIEW_WALK, 0)).toBe(-EFAULT);
    expect(ioctl(PHYSICALVIEW_WALK, 0xffff_8880_0000_0000)).toBe(-EFAULT);
    expect(ioctl(PHYSICALVIEW_WALK, 2 ** 47 - 8)).toBe(-EFAULT); // straddles TASK_SIZE
    expect(b.k.printk.dmesg()).toContain('Unable to copy struct from user');
    // Readable but not writable (the text): copy_from_user works, copy_to_user does not.
    expect(ioctl(PHYSICALVIEW_WALK, t.mm!.startCode)).toBe(-EFAULT);
    expect(b.k.printk.dmesg()).toContain('Unable to copy struct to user');
    expect(ioctl(PHYSICALVIEW_WALK + 1, t.reg(REG_SP) - 64)).toBe(-ENOTTY);
    expect(ioctl(0x6b01, t.reg(REG_SP) - 64)).toBe(-ENOTTY);
    expect(t.isAlive).toBe(true);
  });

  it('the struct goes through a kmalloc\'d buffer that is freed again', () => {
    const { b, t, ioctl } = setup();
    const at = t.reg(REG_SP) - 64;
    putStruct(b, t, at, at);
    ioctl(PHYSICALVIEW_WALK, at);
    const before = b.k.mm.framesInUse();
    for (let i = 0; i < 1000; i++) ioctl(PHYSICALVIEW_WALK, at);
    expect(b.k.mm.framesInUse()).toBe(before);
  });

  for (const [name, size, level] of [['2M (pmd leaf)', PMD_SIZE, 2], ['1G (pud leaf)', PUD_SIZE, 3]] as const) {
    it(`a ${name} page: phys = the page's frame | the offset inside it`, () => {
      const { b, t, ioctl } = setup();
      const kmm = b.k.mm;
      const mm = t.mm!;
      const va = 0x4000_0000 * 3 + size; // aligned to the page size, nothing mapped there
      const entry = allocEntry(kmm, mm, mm.pgd, vaLo(va), vaHi(va), level, PAGE_TABLE);
      const frame = size; // any aligned physical address: the walk only reads
      kmm.mem.write32(entry, (frame | PTE_P | PTE_RW | PTE_US | PTE_PS) >>> 0);
      kmm.mem.write32(entry + 4, 0);
      const off = 0x12345;
      const at = t.reg(REG_SP) - 64;
      putStruct(b, t, at, va + off);
      expect(ioctl(PHYSICALVIEW_WALK, at)).toBe(0);
      expect(getStruct(b, t, at)).toEqual({ virt: va + off, phys: frame + off });
      kmm.mem.write32(entry, 0); // the process's exit must not free the made-up leaf
    });
  }
});

describe('memview2 with physicalview', () => {
  it('prints the report in 3000memview2\'s format, every address mapped, text as the page cache holds it', () => {
    const b = bootWith(['physicalview']);
    const t = runProgram(b, 'memview2', MEMVIEW2);
    expect(t.exitCode).toBe(0);
    expect(b.err()).toBe('');
    const lines = b.out().trimEnd().split('\n');
    expect(lines[0]).toBe('Memory map report (virtual -> physical)');
    const labels = ['argv:    ', 'argv[0]: ', 'envp:    ', 'envp[0]: ', 'lmsg:    ', '&lmsg:   ', 'gmsg:    ', '&gmsg:   ', 'main:    ', '&buf:    '];
    for (let i = 0; i < 30; i++) labels.push(`buf[${String(i).padStart(2, '0')}]: `);
    expect(lines.length).toBe(1 + labels.length);
    labels.forEach((l, i) => expect(lines[i + 1]).toMatch(new RegExp(`^${l.replace(/[[\]]/g, '\\$&')} 0x[0-9a-f]{16} -> 0x[0-9a-f]{16}$`)));
    // Each buf is malloc(4096): 4112 bytes apart (16-byte header).
    const virt = lines.slice(11).map((l) => parseInt(l.split(' ').at(-3)!, 16));
    for (let i = 1; i < 30; i++) expect(virt[i]! - virt[i - 1]!).toBe(4112);
    expect(b.k.printk.dmesg()).toMatch(/physicalview open\n.*physicalview closed\n/);
  });
});
