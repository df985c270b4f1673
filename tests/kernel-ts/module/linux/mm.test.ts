// <linux/mm.h> for mmap drivers in vmlab/linux: the mmapper lab's three ways
// (remap_pfn_range of a page-aligned buffer at mmap, remap_vmalloc_range,
// a vm_operations_struct.fault handing back vmf.page or vmf_insert_pfn),
// vm_insert_page, and misuse answered -EINVAL with the WARN naming the function.
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../../../kernel-ts/kernel';
import type { LinuxApi } from '../../../../kernel-ts/module/linux/index';
import type { file_operations } from '../../../../kernel-ts/module/linux/include/fs';
import { NR } from '../../../../kernel-ts/syscalls/numbers';
import { AT_FDCWD } from '../../../../kernel-ts/syscalls/fs';
import { O_RDWR } from '../../../../kernel-ts/fs/file';
import { MAP_FIXED, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../../kernel-ts/mm/mmap';
import { VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_MIXEDMAP, VM_PFNMAP } from '../../../../kernel-ts/mm/vma';
import { VM_FAULT_NOPAGE, VM_FAULT_SIGBUS } from '../../../../kernel-ts/mm/memory';
import { EINVAL } from '../../../../kernel-ts/errno';
import { inProcess } from './helpers';
import { graceMms, runInProcess } from '../../../../kernel-ts/module/process';
import { checkVm, formatViolations, vmBaseline } from '../../../../kernel-ts/mm/check';
import { boot, dmesg, loader, putString, sys, userBuf } from './support';

const LEN = 4 * 4096;
const pattern = (i: number): number => 0x30 + (i % 10);

/** mmap of /dev/NAME in a process: [address or -errno, the first `n` bytes read back through the user mapping, the VMA's flags]. */
function mapAndRead(k: Kernel, name: string, n = LEN): { addr: number; bytes: number[]; flags: number } {
  return inProcess(k, (t) => {
    const u = userBuf(k, t);
    const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, `/dev/${name}`), O_RDWR);
    const addr = sys(k, t, NR.mmap, 0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (addr < 0) return { addr, bytes: [], flags: 0 };
    const got = k.mm.copyFromUser(t.mm!, addr, n);
    const flags = t.mm!.vmas.vmaLookup(addr)?.vmFlags ?? 0;
    sys(k, t, NR.munmap, addr, LEN);
    sys(k, t, NR.close, fd);
    return { addr, bytes: typeof got === 'number' ? [got] : [...got], flags };
  });
}

/** A driver whose mmap is `mmap`, over a 4-page buffer filled with pattern() (kmalloc'd or vmalloc_user'd). */
function driver(L: LinuxApi, mmap: (L: LinuxApi, buf: bigint) => file_operations['mmap'], kind: 'kmalloc' | 'vmalloc'): { init: () => number; exit: () => void } {
  let buf = 0n;
  return {
    init: () => {
      buf = kind === 'kmalloc' ? L.kmalloc(LEN, L.GFP_KERNEL) : L.vmalloc_user(LEN);
      L.memcpy_toio(buf, Uint8Array.from({ length: LEN }, (_, i) => pattern(i)), LEN);
      return L.register_chrdev(0, 'mapper', { mmap: mmap(L, buf) }) > 0 ? 0 : -1;
    },
    exit: () => (kind === 'kmalloc' ? L.kfree(buf) : L.vfree(buf)),
  };
}

function load(k: Kernel, mmap: (L: LinuxApi, buf: bigint) => file_operations['mmap'], kind: 'kmalloc' | 'vmalloc') {
  let d: ReturnType<typeof driver> | null = null;
  const ld = loader(k, { mapper: { init: (L) => (d = driver(L, mmap, kind)).init(), exit: () => d!.exit() } });
  expect(ld.insmod('mapper')).toBe(0);
  return ld;
}

const expected = Array.from({ length: LEN }, (_, i) => pattern(i));

describe('mmap drivers', () => {
  it('remap_pfn_range maps a kmalloc buffer at mmap time, marking the VMA VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP', () => {
    const { k } = boot();
    const ld = load(k, (L, buf) => (_f, vma) => L.remap_pfn_range(vma, vma.vm_start, L.virt_to_phys(buf) >> L.PAGE_SHIFT, vma.vm_end - vma.vm_start, vma.vm_page_prot), 'kmalloc');
    const r = mapAndRead(k, 'mapper');
    expect(r.bytes).toEqual(expected);
    expect(r.flags & (VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP)).toBe(VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
    expect(ld.rmmod('mapper')).toBe(0);
  });

  it('a driver mmap that fails after mapping some pages leaves none of them mapped (mmap_region undoes the partial mapping)', () => {
    const { k } = boot();
    const ld = load(k, (L, buf) => (_f, vma) => {
      // The first page as the mmapper lab's page-by-page loop would, then a failure.
      expect(L.remap_pfn_range(vma, vma.vm_start, L.virt_to_phys(buf) >> L.PAGE_SHIFT, L.PAGE_SIZE, vma.vm_page_prot)).toBe(0);
      return -5;
    }, 'kmalloc');
    const at = 0x10000000;
    inProcess(k, (t) => {
      const u = userBuf(k, t);
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, u, '/dev/mapper'), O_RDWR);
      expect(sys(k, t, NR.mmap, at, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0)).toBe(-5);
      expect(t.mm!.vmas.vmaLookup(at)).toBe(null);
      expect(k.mm.followPte(t.mm!, at).present).toBe(false);
      sys(k, t, NR.close, fd);
    });
    expect(ld.rmmod('mapper')).toBe(0);
  });

  it('remap_vmalloc_range maps a vmalloc_user buffer page by page (VM_MIXEDMAP)', () => {
    const { k } = boot();
    const ld = load(k, (L, buf) => (_f, vma) => L.remap_vmalloc_range(vma, buf, vma.vm_pgoff), 'vmalloc');
    const r = mapAndRead(k, 'mapper');
    expect(r.bytes).toEqual(expected);
    expect(r.flags & (VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP)).toBe(VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);
    expect(ld.rmmod('mapper')).toBe(0);
  });

  it('a fault handler maps each page when first touched: vmf.page (with get_page) or vmf_insert_pfn; page counts come back', () => {
    const { k } = boot();
    const faults: string[] = [];
    let counts: number[] = [];
    const pages: bigint[] = [];
    let lin: LinuxApi | null = null;
    const ld = load(k, (L, buf) => (_f, vma) => {
      lin = L;
      vma.vm_flags |= BigInt(VM_PFNMAP | VM_DONTEXPAND);
      vma.vm_ops = {
        fault: (vmf) => {
          const kaddr = buf + (vmf.pgoff << L.PAGE_SHIFT);
          faults.push(`${vmf.pgoff} ${(vmf.address - vma.vm_start).toString(16)}`);
          if (vmf.pgoff === 3n) return L.VM_FAULT_SIGBUS;
          if (vmf.pgoff % 2n === 1n) return L.vmf_insert_pfn(vmf.vma, vmf.address, L.vmalloc_to_pfn(kaddr));
          const page = L.vmalloc_to_page(kaddr);
          L.get_page(page);
          vmf.page = page;
          pages.push(page);
          counts.push(L.page_count(page));
          return 0;
        },
      };
      return 0;
    }, 'vmalloc');
    const r = mapAndRead(k, 'mapper', 3 * 4096);
    expect(r.bytes).toEqual(expected.slice(0, 3 * 4096));
    expect(faults).toEqual(['0 0', '1 1000', '2 2000']);
    expect(counts).toEqual([2, 2]);
    // The handler's reference went to the (raw) mapping: dropped, the count is back to the vmalloc area's one.
    expect(pages.map((p) => lin!.page_count(p))).toEqual([1, 1]);
    // The fourth page's handler says SIGBUS: the kernel's read of it fails (-EFAULT).
    faults.length = 0;
    counts = [];
    expect(mapAndRead(k, 'mapper', 4 * 4096).bytes).toEqual([-14]);
    expect(faults.at(-1)).toBe('3 3000');
    expect(ld.rmmod('mapper')).toBe(0);
    expect([VM_FAULT_NOPAGE, VM_FAULT_SIGBUS]).toEqual([0x100, 0x2]);
  });

  it('vm_insert_page maps one page; an unaligned address or a range past the VMA is -EINVAL with the WARN', () => {
    const { k } = boot();
    const r: number[] = [];
    const ld = load(k, (L, buf) => (_f, vma) => {
      r.push(L.remap_pfn_range(vma, vma.vm_start + 1n, 0n, 4096, vma.vm_page_prot));
      r.push(L.remap_pfn_range(vma, vma.vm_start, 0n, vma.vm_end - vma.vm_start + 4096n, vma.vm_page_prot));
      for (let i = 0n; i < 4n; i++) r.push(L.vm_insert_page(vma, vma.vm_start + i * 4096n, L.vmalloc_to_page(buf + i * 4096n)));
      r.push(L.vm_insert_page(vma, vma.vm_start, L.vmalloc_to_page(buf)));
      return 0;
    }, 'vmalloc');
    const m = mapAndRead(k, 'mapper');
    expect(m.bytes).toEqual(expected);
    expect(r).toEqual([-EINVAL, -EINVAL, 0, 0, 0, 0, -16]);
    const log = dmesg(k);
    expect(log).toContain('remap_pfn_range: addr 0x' + (m.addr + 1).toString(16) + ' is not page aligned');
    expect(log.filter((l) => l.startsWith('WARNING: CPU: 0 PID: ') && l.endsWith(' at mm/memory.c remap_pfn_range [mapper]'))).toHaveLength(2);
    expect(log.filter((l) => l.endsWith(' at mm/memory.c vm_insert_page [mapper]'))).toHaveLength(1);
    expect(ld.rmmod('mapper')).toBe(0);
  });
});

describe('mmap of a driver that oopses after remap_pfn_range', () => {
  it("kills the caller once mmap has undone the driver's mapping: frames and page tables back to the baseline", () => {
    // module fuzzer, seed 2 case 241: an mmap that remapped its page, then returned 1.5 (an oops), left 3 page tables
    // allocated and linked nowhere: the oops tore the mm down while mmap_region was still to undo the remapped PTE.
    const { k } = boot();
    let page = 0n;
    const ld = loader(k, {
      oopsmap: {
        init: (L) => {
          page = L.alloc_page(L.GFP_KERNEL);
          const mmap: file_operations['mmap'] = (_f, vma) => {
            L.remap_pfn_range(vma, vma.vm_start, L.page_to_pfn(page), L.PAGE_SIZE, vma.vm_page_prot);
            return 1.5;
          };
          return L.register_chrdev(0, 'oopsmap', { mmap }) > 0 ? 0 : -1;
        },
        exit: (L) => L.__free_page(page),
      },
    });
    runInProcess(k, 'true', () => 0);
    runInProcess(k, 'true', () => 0);
    k.mm.slab.shrink();
    const base = vmBaseline(k.mm);
    expect(ld.insmod('oopsmap')).toBe(0);
    const r = runInProcess(k, 'mapper', (t) => {
      const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, userBuf(k, t), '/dev/oopsmap'), O_RDWR);
      return sys(k, t, NR.mmap, 0, 4096, PROT_READ, MAP_SHARED, fd, 0);
    });
    expect(r).toEqual({ killed: true, signal: 9 });
    expect(dmesg(k)).toContain('BUG: kernel exception in mmap [oopsmap]: TypeError: mmap returned 1.5, not a ssize_t (a count, or -errno from -1 to -4095)');
    expect(ld.rmmod('oopsmap')).toBe(0);
    runInProcess(k, 'true', () => 0);
    runInProcess(k, 'true', () => 0);
    k.mm.slab.shrink();
    expect(formatViolations(checkVm(k.mm, [...graceMms(k)], { baseline: base, quiescent: true }))).toBe('');
  });
});

describe('remap_pfn_range with a protection that is not the VMA\'s', () => {
  it('a protection beyond the VMA (present in PROT_NONE, writable without VM_WRITE), not a user page, or global: -EINVAL with the WARN, nothing mapped', () => {
    // module fuzzer, seed 5 case 119: remap_pfn_range(.., PAGE_READONLY) of a PROT_NONE mapping made a present PTE there.
    const { k } = boot();
    const got: number[] = [];
    let page = 0n;
    const prots: ((L: LinuxApi) => bigint)[] = [(L) => L.PAGE_READONLY, (L) => L.PAGE_SHARED, (L) => L.PAGE_KERNEL, (L) => L.__pgprot(0x7ff0000000000005n), (L) => L.PAGE_READONLY_EXEC];
    let which = 0;
    const ld = loader(k, {
      prot: {
        init: (L) => {
          page = L.alloc_page(L.GFP_KERNEL);
          const mmap: file_operations['mmap'] = (_f, vma) => {
            const r = L.remap_pfn_range(vma, vma.vm_start, L.page_to_pfn(page), L.PAGE_SIZE, prots[which]!(L));
            got.push(r);
            return r;
          };
          return L.register_chrdev(0, 'prot', { mmap }) > 0 ? 0 : -1;
        },
        exit: (L) => L.__free_page(page),
      },
    });
    expect(ld.insmod('prot')).toBe(0);
    const maps = [PROT_READ & 0, PROT_READ, PROT_READ, PROT_READ, PROT_READ];
    for (which = 0; which < prots.length; which++) {
      const r = inProcess(k, (t) => {
        const fd = sys(k, t, NR.openat, AT_FDCWD, putString(k, t, userBuf(k, t), '/dev/prot'), O_RDWR);
        return sys(k, t, NR.mmap, 0, 4096, maps[which]!, MAP_SHARED, fd, 0);
      });
      expect(r).toBe(-EINVAL);
    }
    expect(got).toEqual([-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL]);
    expect(dmesg(k).filter((l) => l.startsWith('remap_pfn_range: protection '))).toEqual([
      'remap_pfn_range: protection 0x8000000000000025 maps pages in a PROT_NONE VMA',
      'remap_pfn_range: protection 0x8000000000000027 is writable, the VMA is not (no VM_WRITE)',
      'remap_pfn_range: protection 0x8000000000000163 is not a present user page (_PAGE_PRESENT | _PAGE_USER)',
      'remap_pfn_range: protection 0x7ff0000000000005 has bits beyond the protection flags',
      'remap_pfn_range: protection 0x25 is executable, the VMA is not (no VM_EXEC)',
    ]);
    expect(ld.rmmod('prot')).toBe(0);
  });
});
