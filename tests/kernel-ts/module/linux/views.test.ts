import { describe, expect, it } from 'vitest';
import { fileOf, fileView, inodeOf, mmOf, mmView, taskOf, taskView, vmaOf, vmaView } from '../../../../kernel-ts/module/linux/views';
import { PROT_READ, PROT_WRITE, MAP_PRIVATE, MAP_ANONYMOUS } from '../../../../kernel-ts/mm/mmap';
import { VM_IO, VM_WRITE } from '../../../../kernel-ts/mm/vma';
import { O_RDWR } from '../../../../kernel-ts/fs/file';
import { inProcess, linuxEnv } from './helpers';

describe('views of kernel objects', () => {
  it('task_struct and mm_struct read the task and its mm, bigint for 64-bit fields, one view per object', () => {
    const { k, env } = linuxEnv();
    inProcess(
      k,
      (t) => {
        const v = taskView(env, t);
        expect(v).toBe(taskView(env, t));
        expect(taskOf(v)).toBe(t);
        expect([v.pid, v.tgid, v.comm, v.__state, v.state, v.exit_state, v.flags, v.parent]).toEqual([t.pid, t.pid, 'viewer', 0, 0, 0, 0, null]);
        const mm = v.mm!;
        expect(mm).toBe(mmView(env, t.mm!));
        expect(mmOf(mm)).toBe(t.mm);
        expect(v.active_mm).toBe(mm);
        // The PGD through the direct map: PAGE_OFFSET (4-level) + its physical address.
        expect(mm.pgd).toBe(0xffff888000000000n + BigInt(t.mm!.pgd));
        expect([mm.map_count, mm.total_vm, mm.mm_users]).toEqual([0, 0n, 1]);
        const a = k.mm.doMmap(t.mm!, 0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
        expect(a).toBeGreaterThan(0);
        expect([mm.map_count, mm.total_vm, mm.data_vm, typeof mm.mmap_base]).toEqual([1, 3n, 3n, 'bigint']);
        expect(mm.mmap_base).toBe(BigInt(t.mm!.mmapBase));
      },
      'viewer',
    );
  });

  it('vm_area_struct reads the VMA and writes vm_flags, vm_pgoff and vm_private_data into it', () => {
    const { k, env } = linuxEnv();
    inProcess(k, (t) => {
      const a = k.mm.doMmap(t.mm!, 0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
      const kvma = t.mm!.vmas.vmaLookup(a)!;
      const v = vmaView(env, kvma);
      expect(v).toBe(vmaView(env, kvma));
      expect(vmaOf(v)).toBe(kvma);
      expect([v.vm_start, v.vm_end, v.vm_pgoff]).toEqual([BigInt(a), BigInt(a) + 8192n, BigInt(a) / 4096n]);
      // VM_READ|VM_WRITE|VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC|VM_ACCOUNT|VM_SOFTDIRTY
      expect(v.vm_flags).toBe(0x8100073n);
      // Private writable: P|US|A (read-only until the write fault), NX in bit 63.
      expect(v.vm_page_prot).toBe(0x8000000000000025n);
      expect(v.vm_mm).toBe(mmView(env, t.mm!));
      expect(v.vm_file).toBe(null);
      expect(v.vm_ops).toBe(null);
      v.vm_flags |= BigInt(VM_IO);
      expect(kvma.vmFlags).toBe(0x8100073 | VM_IO);
      v.vm_flags &= ~BigInt(VM_WRITE);
      expect(v.vm_page_prot).toBe(0x8000000000000025n);
      v.vm_pgoff = 7n;
      expect(kvma.vmPgoff).toBe(7);
      // A kernel address >> PAGE_SHIFT fits, as the mmap lab's fault-driven mapping keeps one there.
      v.vm_pgoff = 0xffffc90000000000n >> 12n;
      expect(v.vm_pgoff).toBe(0xffffc90000000n);
      expect(() => (v.vm_pgoff = -1n)).toThrow('vm_pgoff: -1 is out of range');
      v.vm_pgoff = 7n;
      const data = { n: 1 };
      v.vm_private_data = data;
      expect(kvma.vmPrivateData).toBe(data);
      // Kept across a split, as vm_area_dup copies it.
      const upper = t.mm!.vmas.splitVma(kvma, a + 4096);
      expect(vmaView(env, upper).vm_private_data).toBe(data);
      expect(vmaView(env, upper).vm_mm).toBe(v.vm_mm);
      expect(() => (v.vm_flags = -1n)).toThrow('vm_flags: 0x-1 is not a VM_* bit set');
    });
  });

  it('vm_ops keeps the driver object: the kernel calls its close with the same VMA view', () => {
    const { k, env } = linuxEnv();
    const closed: unknown[] = [];
    inProcess(k, (t) => {
      const a = k.mm.doMmap(t.mm!, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
      const kvma = t.mm!.vmas.vmaLookup(a)!;
      const v = vmaView(env, kvma);
      const ops = { close: (vma: unknown) => closed.push(vma) };
      v.vm_ops = ops;
      expect(v.vm_ops).toBe(ops);
      expect(kvma.vmOps!.close).toBeTypeOf('function');
      expect(k.mm.doMunmap(t.mm!, a, 4096)).toBe(0);
      expect(closed).toEqual([v]);
      expect(closed[0]).toBe(v);
    });
  });

  it('file and inode: f_pos as bigint, private_data and i_private written through', () => {
    const { k, env } = linuxEnv();
    const f = k.vfs.open('/dev/null', O_RDWR);
    if (typeof f === 'number') throw new Error(String(f));
    const v = fileView(env, f);
    expect(v).toBe(fileView(env, f));
    expect(fileOf(v)).toBe(f);
    expect([v.f_pos, v.f_flags, v.f_mode, v.private_data]).toEqual([0n, O_RDWR, 3, null]);
    v.f_pos = 12n;
    expect(f.pos).toBe(12);
    v.private_data = 'mine';
    expect(f.private).toBe('mine');
    const i = v.f_inode;
    expect(inodeOf(i)).toBe(f.inode);
    expect(i).toBe(v.f_inode);
    expect([i.i_ino, i.i_rdev, i.i_mode & 0o170000]).toEqual([BigInt(f.inode.ino), (1 << 20) | 3, 0o020000]);
  });
});
