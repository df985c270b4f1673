// <linux/huge_mm.h> and VMA surgery over the kernel's own operations
// (mm/huge_memory.ts, mm/mremap.ts, mm/vma.ts).
import type { LinuxEnv } from './env';
import type * as Decl from './include/huge_mm';
import { EAGAIN, EINVAL, ENOMEM } from '../../errno';
import { Access } from '../../../emu/machine/trap';
import { HPAGE_PMD_ORDER, HPAGE_PMD_SIZE, collapseHugePmd, pmdEntryFor, pmdHuge, splitHugePmd } from '../../mm/huge_memory';
import { NO_ENTRY } from '../../mm/pgtable';
import { VM_SPECIAL } from '../../mm/vma';
import { MASK64, internalMm, internalVma, kernelTranslate } from './kmem';

const SIZE = BigInt(HPAGE_PMD_SIZE);

export function hugeMmApi(env: LinuxEnv): typeof Decl {
  const k = env.kernel;
  const kmm = k.mm;

  /** Splits the huge PMD entry at physical address pmd mapping haddr, if it is one: 0 or -ENOMEM. */
  const splitAt = (mm: Parameters<typeof splitHugePmd>[1], pmd: number, haddr: number): number =>
    pmd === NO_ENTRY || !pmdHuge(kmm, pmd) || splitHugePmd(kmm, mm, pmd, haddr) ? 0 : -ENOMEM;

  return {
    HPAGE_PMD_SHIFT: 21n,
    HPAGE_PMD_ORDER,
    HPAGE_PMD_NR: 1 << HPAGE_PMD_ORDER,
    HPAGE_PMD_SIZE: SIZE,
    HPAGE_PMD_MASK: MASK64 & ~(SIZE - 1n),
    transhuge_vma_suitable: (vma, addr) => {
      const haddr = addr & ~(SIZE - 1n);
      return haddr >= vma.vm_start && haddr + SIZE <= vma.vm_end;
    },
    split_huge_pmd: (vma, pmd, address) => {
      const { mm } = internalVma(k, vma, 'split_huge_pmd');
      const pa = kernelTranslate(k, pmd & MASK64, Access.Write, 'split_huge_pmd');
      return splitAt(mm, pa, Number(address & ~(SIZE - 1n)));
    },
    split_huge_pmd_address: (vma, address) => {
      const { mm } = internalVma(k, vma, 'split_huge_pmd_address');
      const haddr = Number(address & ~(SIZE - 1n));
      return splitAt(mm, pmdEntryFor(kmm, mm, haddr), haddr);
    },
    collapse_huge_page: (mm, address) => {
      const m = internalMm(k, mm, 'collapse_huge_page');
      if (address % SIZE !== 0n || address >= BigInt(m.taskSize)) return -EINVAL;
      const haddr = Number(address);
      const vma = m.vmas.vmaLookup(haddr);
      if (vma === null || vma.vmEnd < haddr + HPAGE_PMD_SIZE || vma.vmFile !== null || (vma.vmFlags & VM_SPECIAL) !== 0) return -EINVAL;
      return collapseHugePmd(kmm, m, haddr) ? 0 : -EAGAIN;
    },
    move_vma: (vma, new_addr) => {
      const { mm, vma: v } = internalVma(k, vma, 'move_vma');
      if (new_addr % 4096n !== 0n || new_addr >= BigInt(mm.taskSize)) return -EINVAL;
      const r = kmm.moveVma(mm, v, Number(new_addr));
      return typeof r === 'number' ? r : 0;
    },
    split_vma: (vma, addr) => {
      const { mm, vma: v } = internalVma(k, vma, 'split_vma');
      if (addr % 4096n !== 0n || addr <= vma.vm_start || addr >= vma.vm_end) return -EINVAL;
      if (mm.vmas.length >= kmm.maxMapCount) return -ENOMEM;
      const a = Number(addr);
      if (a % HPAGE_PMD_SIZE !== 0) {
        const haddr = a - (a % HPAGE_PMD_SIZE);
        if (splitAt(mm, pmdEntryFor(kmm, mm, haddr), haddr) < 0) return -ENOMEM;
      }
      mm.vmas.splitVma(v, a);
      return 0;
    },
  };
}
