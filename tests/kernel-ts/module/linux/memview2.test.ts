// The guest side of the fs area: COMP3000's 3000memview2 (guest-programs/
// programs/memview2.s, a real guest making open/ioctl/close ecalls) against
// 3000physicalview written with vmlab/linux as the lab's C reads —
// register_chrdev, class_create with a devnode giving 0666, device_create,
// _IOWR, unlocked_ioctl with copy_from_user/copy_to_user and a pgd..pte walk —
// gives the very report the built-in driver gives, line for line.
import { describe, expect, it } from 'vitest';
import type { LinuxApi } from '../../../../kernel-ts/module/linux/index';
import type { class_ } from '../../../../kernel-ts/module/linux/linux';
import { mmView } from '../../../../kernel-ts/module/linux/views';
import { S_IFCHR } from '../../../../kernel-ts/fs/stat';
import { ENOENT } from '../../../../kernel-ts/errno';
import { bootWith, programElf, runProgram } from '../../drivers/physicalview-support';
import { loader } from './support';

const MEMVIEW2 = programElf('memview2');

/** 3000physicalview.c, line by line (get_physical, physicalview_ioctl, init_module, cleanup_module). */
function port(k: import('../../../../kernel-ts/kernel').Kernel) {
  let major = 0;
  let cls: class_ | null = null;
  let L!: LinuxApi;
  const PHYSICALVIEW_WALK = (): number => L._IOWR('k', 1, 16);
  const getPhysical = (addr: bigint): bigint => {
    const mm = mmView({ kernel: k, module: null as never }, k.current!.mm!); // current->mm
    const pgd = L.pgd_offset(mm, addr);
    if (L.pgd_none(L.pgdp_get(pgd))) return 0n;
    const p4d = L.p4d_offset(pgd, addr);
    const pud = L.pud_offset(p4d, addr);
    const pudv = L.pudp_get(pud);
    if (L.pud_none(pudv)) return 0n;
    if (L.pud_leaf(pudv)) return (L.pud_pfn(pudv) << L.PAGE_SHIFT) + (addr & ((1n << 30n) - 1n));
    const pmd = L.pmd_offset(pud, addr);
    const pmdv = L.pmdp_get(pmd);
    if (L.pmd_none(pmdv)) return 0n;
    if (L.pmd_leaf(pmdv)) return (L.pmd_pfn(pmdv) << L.PAGE_SHIFT) + (addr & ((1n << 21n) - 1n));
    const pte = L.ptep_get(L.pte_offset_map(pmd, addr));
    if (L.pte_none(pte)) return 0n;
    return (L.pte_pfn(pte) << L.PAGE_SHIFT) + (addr % L.PAGE_SIZE);
  };
  return {
    init: (lin: LinuxApi): number => {
      L = lin;
      major = L.register_chrdev(0, 'physicalview', {
        open: () => (L.printk('\x016physicalview open\n'), 0),
        release: () => (L.printk('\x016physicalview closed\n'), 0),
        unlocked_ioctl: (_f, cmd, arg) => {
          if (cmd !== PHYSICALVIEW_WALK()) return -25; // -ENOTTY
          // The struct goes through a kmalloc'd buffer, as the lab's does.
          const mem = L.kmalloc(16, L.GFP_KERNEL);
          if (mem === 0n) return -12;
          const tmp = new Uint8Array(16);
          if (L.copy_from_user(tmp, arg, 16)) return (L.kfree(mem), -14);
          L.memcpy_toio(mem, tmp, 16);
          L.writeq(getPhysical(L.readq(mem)), mem + 8n);
          L.memcpy_fromio(tmp, mem, 16);
          const r = L.copy_to_user(arg, tmp, 16) ? -14 : 0;
          L.kfree(mem);
          return r;
        },
      });
      if (major < 0) return major;
      const c = L.class_create('COMP3000');
      if (L.IS_ERR(c)) return L.PTR_ERR(c);
      cls = c;
      c.devnode = (_d, mode) => {
        if (mode) mode.mode = 0o666;
        return null;
      };
      const d = L.device_create(c, null, L.MKDEV(major, 0), null, 'physicalview');
      return L.IS_ERR(d) ? L.PTR_ERR(d) : 0;
    },
    exit: (lin: LinuxApi): void => {
      lin.device_destroy(cls!, lin.MKDEV(major, 0));
      lin.class_unregister(cls);
      lin.class_destroy(cls);
      lin.unregister_chrdev(major, 'physicalview');
    },
  };
}

describe('3000memview2 against a vmlab/linux 3000physicalview', () => {
  it('reports what the built-in driver reports, through open/ioctl/close ecalls; rmmod removes /dev/physicalview', () => {
    const builtin = bootWith(['physicalview']);
    expect(runProgram(builtin, 'memview2', MEMVIEW2).exitCode).toBe(0);

    const b = bootWith([]);
    const p = port(b.k);
    const ld = loader(b.k, { physicalview: { init: (L) => p.init(L), exit: (L) => p.exit(L) } });
    expect(ld.insmod('physicalview')).toBe(0);
    const node = b.k.vfs.lookup('/dev/physicalview');
    expect(typeof node !== 'number' && node.mode).toBe(S_IFCHR | 0o666);
    const t = runProgram(b, 'memview2', MEMVIEW2);
    expect(t.exitCode).toBe(0);
    expect(b.err()).toBe('');
    const lines = b.out().trimEnd().split('\n');
    expect(lines.length).toBe(41);
    expect(lines.filter((l) => l.includes('UNKNOWN'))).toEqual([]);
    const diff = lines.map((l, i) => [l, builtin.out().trimEnd().split("\n")[i]]).filter(([a, c]) => a !== c);
    expect(diff).toEqual([]);
    expect(b.k.printk.dmesg()).toMatch(/physicalview open\n.*physicalview closed\n/);
    expect(ld.rmmod('physicalview')).toBe(0);
    expect(b.k.vfs.lookup('/dev/physicalview')).toBe(-ENOENT);
  });
});
