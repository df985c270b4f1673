// include/security.d.ts (security_mmap_addr: vm.mmap_min_addr, read live)
// and include/mm.d.ts's vm_start_gap/stack_guard_gap: what a driver that
// places a mapping itself (btplus moving a VMA to a hole) checks, as
// get_unmapped_area and unmapped_area check it.
import { describe, expect, it } from 'vitest';
import { EPERM } from '../../../../kernel-ts/errno';
import { VM_GROWSDOWN } from '../../../../kernel-ts/mm/vma';
import { mmView } from '../../../../kernel-ts/module/linux/views';
import { bootWithProcess } from './mm-support';

describe('security_mmap_addr', () => {
  it('is -EPERM below vm.mmap_min_addr (65536 at boot), 0 from it up; a changed sysctl is seen at once', () => {
    const s = bootWithProcess();
    const L = s.L;
    expect([0n, 0x1000n, 0xffffn, 0x10000n, 0x7fff00000000n].map((a) => L.security_mmap_addr(a))).toEqual([-EPERM, -EPERM, -EPERM, 0, 0]);
    s.k.mm.mmapMinAddr = 4096;
    expect([0n, 0xfffn, 0x1000n].map((a) => L.security_mmap_addr(a))).toEqual([-EPERM, -EPERM, 0]);
  });
});

describe('vm_start_gap', () => {
  it('is vm_start for an ordinary VMA, vm_start - stack_guard_gap (1 MiB) for the stack', () => {
    const s = bootWithProcess();
    const L = s.L;
    const mm = mmView({ kernel: s.k, module: s.lm }, s.t.mm!);
    expect(L.stack_guard_gap).toBe(256n * 4096n);
    const vmas = [...L.for_each_vma(L.VMA_ITERATOR(mm, 0n))];
    const stack = vmas.find((v) => (v.vm_flags & BigInt(VM_GROWSDOWN)) !== 0n)!;
    const plain = vmas.find((v) => (v.vm_flags & BigInt(VM_GROWSDOWN)) === 0n)!;
    expect(L.vm_start_gap(plain)).toBe(plain.vm_start);
    expect(L.vm_start_gap(stack)).toBe(stack.vm_start - L.stack_guard_gap);
  });
});
