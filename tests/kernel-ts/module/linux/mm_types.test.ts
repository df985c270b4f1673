import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import { lockdepCallEnd } from '../../../../kernel-ts/module/linux/mm_types';
import { vmaOf } from '../../../../kernel-ts/module/linux/views';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../../kernel-ts/mm/mmap';
import { EFAULT } from '../../../../kernel-ts/errno';
import { inProcess, linuxEnv } from './helpers';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('mm_types: VMAs of current\'s mm', () => {
  it('VM_* are Linux\'s values as bigint', () => {
    const L = makeLinux(linuxEnv().env);
    expect([L.VM_READ, L.VM_WRITE, L.VM_EXEC, L.VM_SHARED, L.VM_MAYREAD, L.VM_IO, L.VM_PFNMAP, L.VM_DONTEXPAND, L.VM_DONTDUMP, L.VM_HUGEPAGE]).toEqual([
      0x1n, 0x2n, 0x4n, 0x8n, 0x10n, 0x4000n, 0x400n, 0x40000n, 0x4000000n, 0x20000000n,
    ]);
    expect(L.VM_SPECIAL).toBe(0x10044400n);
  });

  it('find_vma, vma_lookup, find_vma_intersection and the VMA iterator', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(k, (t) => {
      const a = k.mm.doMmap(t.mm!, 0x10000000, 2 * 4096, PROT_READ, ANON | 0x10 /* MAP_FIXED */);
      const b = k.mm.doMmap(t.mm!, 0x10004000, 4096, RW, ANON | 0x10);
      expect([a, b]).toEqual([0x10000000, 0x10004000]);
      const mm = L.current.mm!;
      const va = L.find_vma(mm, 0x10002000n)!;
      expect([va.vm_start, va.vm_end]).toEqual([0x10004000n, 0x10005000n]);
      expect(L.vma_lookup(mm, 0x10002000n)).toBe(null);
      expect(L.vma_lookup(mm, 0x10001fffn)!.vm_start).toBe(0x10000000n);
      expect(L.find_vma(mm, 0x10000000n)).toBe(L.vma_lookup(mm, 0x10000000n));
      expect(L.find_vma_intersection(mm, 0x10002000n, 0x10004000n)).toBe(null);
      expect(L.find_vma_intersection(mm, 0x10002000n, 0x10004001n)).toBe(va);
      expect(L.vma_pages(va)).toBe(1n);
      const seen: bigint[] = [];
      for (const v of L.for_each_vma(L.VMA_ITERATOR(mm, 0n))) seen.push(v.vm_start);
      expect(seen).toEqual([0x10000000n, 0x10004000n]);
      // The iterator survives the VMA it stands on being unmapped.
      const vmi = L.VMA_ITERATOR(mm, 0n);
      const first = L.vma_next(vmi)!;
      expect(k.mm.doMunmap(t.mm!, Number(first.vm_start), 8192)).toBe(0);
      expect(L.vma_next(vmi)).toBe(va);
      expect(L.vma_next(vmi)).toBe(null);
      expect(L.vma_find(L.VMA_ITERATOR(mm, 0n), 0x10004000n)).toBe(null);
      expect(vmaOf(va)).toBe(t.mm!.vmas.findVma(0x10004000));
    });
  });

  it('mmap locks: balanced is silent; a bad unlock and a lock held at the end of the call are lockdep warnings', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(k, (t) => {
      const mm = L.current.mm!;
      const n = k.printk.length;
      L.mmap_read_lock(mm);
      L.mmap_read_unlock(mm);
      L.mmap_write_lock(mm);
      L.mmap_write_downgrade(mm);
      expect(L.mmap_read_trylock(mm)).toBe(true); // recursive read: reported below
      L.mmap_read_unlock(mm);
      expect(lockdepCallEnd(env)).toBe(0);
      L.mmap_read_unlock(mm);
      L.mmap_write_lock(mm);
      expect(lockdepCallEnd(env)).toBe(1);
      const out = k.printk.all().slice(n).map((r) => r.text);
      expect(out.filter((l) => l.startsWith('WARNING'))).toEqual([
        'WARNING: possible recursive locking detected',
        'WARNING: bad unlock balance detected!',
        'WARNING: lock held when returning to user space!',
      ]);
      expect(out).toContain(`tproc/${t.pid} is leaving the kernel with locks still held!`);
      expect(out).toContain(`1 lock held by tproc/${t.pid}:`);
      expect(out).toContain('but there are no more locks to release!');
    });
  });

  it('get_task_mm/mmput count users; access_process_vm and get_user_pages_remote reach another task\'s memory', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(k, (t) => {
      const a = BigInt(k.mm.doMmap(t.mm!, 0, 3 * 4096, RW, ANON));
      expect(k.mm.doMunmap(t.mm!, Number(a) + 8192, 4096)).toBe(0);
      const task = L.find_task_by_vpid(t.pid)!;
      const mm = L.get_task_mm(task)!;
      expect(mm).toBe(task.mm);
      expect(mm.mm_users).toBe(2);
      L.mmput(mm);
      expect(mm.mm_users).toBe(1);
      const buf = new TextEncoder().encode('remote!');
      expect(L.access_process_vm(task, a + 8190n, buf, 7, L.FOLL_WRITE)).toBe(2);
      expect(L.access_process_vm(task, a + 100n, buf, 7, L.FOLL_WRITE)).toBe(7);
      const back = new Uint8Array(7);
      expect(L.access_process_vm(task, a + 100n, back, 7, 0)).toBe(7);
      expect(new TextDecoder().decode(back)).toBe('remote!');
      const pages: bigint[] = [];
      const rss = t.mm!.rss;
      expect(L.get_user_pages_remote(mm, a, 3, L.FOLL_WRITE, pages)).toBe(2);
      expect(t.mm!.rss).toBe(rss); // both were touched above
      const c = BigInt(k.mm.doMmap(t.mm!, 0, 2 * 4096, RW, ANON));
      const fresh: bigint[] = [];
      expect(L.get_user_pages_remote(mm, c, 2, 0, fresh)).toBe(2);
      expect(t.mm!.rss).toBe(rss + 2); // faulted in by the pin
      for (const p of fresh) k.mm.buddy.putPage(Number((p - 0xffffea0000000000n) / 64n));
      expect(pages.length).toBe(2);
      for (const p of pages) expect((p - 0xffffea0000000000n) % 64n).toBe(0n);
      expect(L.get_user_pages_remote(mm, a + 8192n, 1, 0, null)).toBe(-EFAULT);
      // The pins are references: drop them.
      for (const p of pages) k.mm.buddy.putPage(Number((p - 0xffffea0000000000n) / 64n));
    });
  });

  it('get_user_pages_remote with no pages array faults the pages in and takes no reference (nothing to put_page, nothing leaked)', () => {
    // module fuzzer, seed 601 case 2278: get_user_pages_remote(mm, buf, 1, 0, null) in a read took a reference
    // nobody could drop; the page outlived its process (refcount 1, no PTE).
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(k, (t) => {
      const a = BigInt(k.mm.doMmap(t.mm!, 0, 2 * 4096, RW, ANON));
      const mm = L.get_current().mm!;
      expect(L.get_user_pages_remote(mm, a, 2, L.FOLL_WRITE, null)).toBe(2);
      for (const va of [a, a + 4096n]) {
        const p = L.follow_pte(mm, va);
        const pfn = Number(L.pte_pfn(L.ptep_get(p)));
        expect([k.mm.memMap.refcount[pfn], k.mm.memMap.pageMapcount(pfn)]).toEqual([1, 1]);
      }
    });
  });
});
