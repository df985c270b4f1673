// vm_operations_struct in vmlab/linux beyond fault: open is called for each
// VMA copied from a driver's (the split-off part of munmap/mprotect, the
// child's copy at fork, mremap's moved VMA), balanced by close; and
// vmf.flags carries FAULT_FLAG_WRITE / FAULT_FLAG_USER from the fault's
// error code; vm_page_prot's cache mode (pgprot_noncached) reaches the PTEs.
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../../../kernel-ts/kernel';
import type { LinuxApi } from '../../../../kernel-ts/module/linux/index';
import type { vm_area_struct } from '../../../../kernel-ts/module/linux/linux';
import { NR } from '../../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../../kernel-ts/syscalls/fs';
import { O_RDWR } from '../../../../kernel-ts/fs/file';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../../kernel-ts/mm/mmap';
import { MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../../kernel-ts/mm/mremap';
import { VM_DONTEXPAND, VM_PFNMAP } from '../../../../kernel-ts/mm/vma';
import { VM_FAULT_OK, handleMmFault } from '../../../../kernel-ts/mm/memory';
import { PF_U, PF_W } from '../../../../emu/machine/trap';
import { TWO32 } from '../../../../emu/machine/cpu/int64';
import { kernelClone } from '../../../../kernel-ts/proc/fork';
import { doExit, exitStatus } from '../../../../kernel-ts/proc/exit';
import { inProcess } from './helpers';
import { boot, dmesg, loader, putString, sys, userBuf } from './support';

const LEN = 4 * 4096;

/** A driver over a vmalloc buffer whose mmap installs `ops(L, buf)` (a fault handler mapping the buffer's pages). */
function load(k: Kernel, record: (what: string) => void, atMmap?: (L: LinuxApi, vma: vm_area_struct) => void): ReturnType<typeof loader> {
  let buf = 0n;
  const range = (vma: vm_area_struct): string => `[${(vma.vm_start & 0xfffffn).toString(16)}, +${((vma.vm_end - vma.vm_start) / 4096n).toString()}p)`;
  const ld = loader(k, {
    drv: {
      init: (L: LinuxApi) => {
        buf = L.vmalloc_user(LEN);
        return L.register_chrdev(0, 'drv', {
          mmap: (_f, vma) => {
            vma.vm_flags |= BigInt(VM_PFNMAP | VM_DONTEXPAND);
            atMmap?.(L, vma);
            vma.vm_ops = {
              open: (v) => record(`open ${range(v)}`),
              close: (v) => record(`close ${range(v)}`),
              fault: (vmf) => {
                record(`fault ${vmf.pgoff} flags 0x${vmf.flags.toString(16)}`);
                const page = L.vmalloc_to_page(buf + (vmf.pgoff << L.PAGE_SHIFT));
                L.get_page(page);
                vmf.page = page;
                return 0;
              },
            };
            return 0;
          },
        }) > 0 ? 0 : -1;
      },
      exit: (L: LinuxApi) => L.vfree(buf),
    },
  });
  expect(ld.insmod('drv')).toBe(0);
  return ld;
}

describe('vm_operations_struct.open', () => {
  it('munmap of the middle splits the VMA: open for the part split off, close for what goes and for each part at the end', () => {
    const { k } = boot();
    const log: string[] = [];
    const ld = load(k, (w) => log.push(w));
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/drv'), O_RDWR);
      const a = sys(k, t, NR.mmap, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      expect(a).toBeGreaterThan(0);
      const at = (off: number): string => `[${((a + off) & 0xfffff).toString(16)}`;
      expect(sys(k, t, NR.munmap, a + 4096, 4096)).toBe(0);
      // __split_vma at a + 4096 (the new upper part opens), then at a + 8192 (again), then the middle closes.
      expect(log).toEqual([`open ${at(4096)}, +3p)`, `open ${at(8192)}, +2p)`, `close ${at(4096)}, +1p)`]);
      log.length = 0;
      expect(sys(k, t, NR.munmap, a, LEN)).toBe(0);
      expect(log).toEqual([`close ${at(0)}, +1p)`, `close ${at(8192)}, +2p)`]);
      sys(k, t, NR.close, fd);
    });
    expect(ld.rmmod('drv')).toBe(0);
  });

  it("mremap moving the VMA: open for the moved copy, close for the old; mprotect of a part splits it (open)", () => {
    const { k } = boot();
    const log: string[] = [];
    const ld = load(k, (w) => log.push(w));
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/drv'), O_RDWR);
      const a = sys(k, t, NR.mmap, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      const b = sys(k, t, NR.mremap, a, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED, a + 64 * 4096);
      expect(b).toBe(a + 64 * 4096);
      expect(log.map((l) => l.split(' [')[0])).toEqual(['close', 'open']);
      log.length = 0;
      expect(sys(k, t, NR.mprotect, b, 4096, PROT_READ)).toBe(0);
      expect(log).toEqual([`open [${((b + 4096) & 0xfffff).toString(16)}, +3p)`]);
      log.length = 0;
      expect(sys(k, t, NR.munmap, b, LEN)).toBe(0);
      expect(log.length).toBe(2); // both parts close
      sys(k, t, NR.close, fd);
    });
    expect(ld.rmmod('drv')).toBe(0);
  });
});

describe('vm_operations_struct.open at fork', () => {
  it("fork: open for the child's copy (the driver sees a second user); the child's exit closes it", () => {
    const { k } = boot();
    const log: string[] = [];
    const ld = load(k, (w) => log.push(w.split(' [')[0]!));
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/drv'), O_RDWR);
      const a = sys(k, t, NR.mmap, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      expect(a).toBeGreaterThan(0);
      const pid = kernelClone(k, t, { flags: 0, exitSignal: 17, newspLo: 0, newspHi: 0, tlsLo: 0, tlsHi: 0, parentTid: 0, childTid: 0 });
      expect(log).toEqual(['open']);
      doExit(k, k.tasks.get(pid)!, exitStatus(0));
      expect(log).toEqual(['open', 'close']);
      sys(k, t, NR.munmap, a, LEN);
      expect(log).toEqual(['open', 'close', 'close']);
      sys(k, t, NR.close, fd);
    });
    expect(ld.rmmod('drv')).toBe(0);
  });
});

describe('vm_fault.flags', () => {
  it('FAULT_FLAG_USER for a user-mode access, FAULT_FLAG_WRITE for a write; a kernel access (put_user) has no USER', () => {
    const { k } = boot();
    const log: string[] = [];
    const ld = load(k, (w) => {
      if (w.startsWith('fault')) log.push(w);
    });
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/drv'), O_RDWR);
      const a = sys(k, t, NR.mmap, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      const mm = t.mm!;
      // The CPU's #PF of a user load, then of a user store (the error codes the MMU pushes).
      expect(handleMmFault(k.mm, mm, a >>> 0, Math.floor(a / TWO32), PF_U)).toBe(VM_FAULT_OK);
      expect(handleMmFault(k.mm, mm, (a + 4096) >>> 0, Math.floor(a / TWO32), PF_U | PF_W)).toBe(VM_FAULT_OK);
      // The kernel's own accesses to user memory: copy_from_user reads, put_user writes.
      expect(k.mm.copyFromUser(mm, a + 2 * 4096, 1)).toBeInstanceOf(Uint8Array);
      expect(k.mm.copyToUser(mm, a + 3 * 4096, Uint8Array.of(1))).toBe(0);
      sys(k, t, NR.munmap, a, LEN);
      sys(k, t, NR.close, fd);
    });
    expect(log).toEqual(['fault 0 flags 0x40', 'fault 1 flags 0x41', 'fault 2 flags 0x0', 'fault 3 flags 0x1']);
    expect(ld.rmmod('drv')).toBe(0);
  });
});

describe('vm_page_prot', () => {
  it("pgprot_noncached in mmap: the faults' PTEs carry _PAGE_PCD, mprotect keeps it; other bits set otherwise are a WARN and follow vm_flags", () => {
    const { k } = boot();
    let lin: LinuxApi | null = null;
    const seen: bigint[] = [];
    const ld = load(k, () => {}, (L, vma) => {
      lin = L;
      const before = vma.vm_page_prot;
      vma.vm_page_prot = L.pgprot_noncached(vma.vm_page_prot);
      seen.push(before, vma.vm_page_prot, L.vm_get_page_prot(vma.vm_flags));
      vma.vm_page_prot = vma.vm_page_prot | L._PAGE_RW | L._PAGE_DIRTY; // not kept: RW follows vm_flags
      seen.push(vma.vm_page_prot);
    });
    inProcess(k, (t) => {
      const L = (): LinuxApi => lin!;
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/drv'), O_RDWR);
      const a = sys(k, t, NR.mmap, 0, LEN, PROT_READ, MAP_SHARED, fd, 0);
      expect(k.mm.copyFromUser(t.mm!, a, 1)).toBeInstanceOf(Uint8Array);
      const pte = (): bigint => L().ptep_get(L().follow_pte(L().get_current().mm!, BigInt(a)));
      expect(pte() & L()._PAGE_PCD).toBe(L()._PAGE_PCD);
      expect(pte() & (L()._PAGE_PWT | L()._PAGE_RW)).toBe(0n);
      expect(sys(k, t, NR.mprotect, a, LEN, PROT_READ | PROT_WRITE)).toBe(0);
      expect(k.mm.copyFromUser(t.mm!, a + 4096, 1)).toBeInstanceOf(Uint8Array);
      const pte2 = L().ptep_get(L().follow_pte(L().get_current().mm!, BigInt(a + 4096)));
      expect(pte2 & (L()._PAGE_PCD | L()._PAGE_RW)).toBe(L()._PAGE_PCD | L()._PAGE_RW);
      sys(k, t, NR.munmap, a, LEN);
      sys(k, t, NR.close, fd);
    });
    const [before, noncached, flagsProt, afterRw] = seen;
    expect(noncached).toBe(before! | lin!._PAGE_PCD);
    expect(flagsProt).toBe(before);
    expect(afterRw).toBe(noncached);
    expect(dmesg(k).filter((l) => l.startsWith('vm_page_prot = '))).toEqual([
      `vm_page_prot = 0x${(noncached! | 0x42n).toString(16)}: only the cache-mode bits (_PAGE_PWT, _PAGE_PCD, _PAGE_PAT) are kept; the others follow vm_flags (0x${before!.toString(16)})`,
    ]);
    expect(lin!.pgprot_writecombine(noncached!)).toBe(before! | lin!._PAGE_PWT);
    expect(ld.rmmod('drv')).toBe(0);
  });
});
