// Runs a linked program on a bare machine, before (and without) the kernel:
// the image's sections and a stack are mapped with 4K user pages in 4-level
// page tables built here, paging is turned on and the CPU enters CPL 3 at the
// entry point. Used by `vmlab bench` and `vmlab demo`; the kernel (kernel-ts/)
// does all of this properly, with demand paging.
import type { LinkedImage } from '../../asm/image';
import { Machine } from '../machine/machine';
import type { MachineOptions } from '../machine/machine';
import { PageSize, PageTableBuilder } from '../machine/pagetable-builder';
import { PAGE_SIZE, PTE_NX, PTE_RW, PTE_US } from '../machine/mmu/paging';

const MiB = 1024 * 1024;
/** Physical layout: page tables in [1 MiB, 4 MiB), program and stack frames from 4 MiB up. */
export const BARE_TABLES_AT = 1 * MiB;
export const BARE_TABLES_END = 4 * MiB;
export const BARE_FRAMES_AT = 4 * MiB;
/** The user stack: STACK_PAGES pages below STACK_TOP. */
export const BARE_STACK_TOP = 0x7fff_f000;
export const BARE_STACK_PAGES = 16;

export const USER_RX = BigInt(PTE_US);
export const USER_RW = BigInt(PTE_US | PTE_RW) | PTE_NX;

export interface BareMachine {
  m: Machine;
  pt: PageTableBuilder;
}

/**
 * A machine with `image` loaded at its link addresses (rx sections read-only
 * and executable, rw sections writable and NX), a stack, paging on, CPL 3,
 * pc at the entry point and sp at the stack top. `memSize` must leave room
 * above BARE_FRAMES_AT for the program's pages.
 */
export function bootBare(image: LinkedImage, opts: MachineOptions = {}): BareMachine {
  const m = new Machine({ memSize: 16 * MiB, ...opts });
  const pt = new PageTableBuilder(m.mem, { tablesAt: BARE_TABLES_AT, tablesEnd: BARE_TABLES_END });
  let frame = BARE_FRAMES_AT;
  const mapped = new Map<number, number>();
  /** The frame of page va, mapped on first use (sections such as .text and .rodata share pages). */
  const pageFrame = (va: number, flags: bigint): number => {
    let pa = mapped.get(va);
    if (pa === undefined) {
      pa = frame;
      frame += PAGE_SIZE;
      pt.map(va, pa, PageSize.Size4K, flags);
      mapped.set(va, pa);
    }
    return pa;
  };
  for (const s of image.sections) {
    const flags = s.perms === 'rx' ? USER_RX : USER_RW;
    for (let va = s.addr - (s.addr % PAGE_SIZE); va < s.addr + s.size; va += PAGE_SIZE) {
      const pa = pageFrame(va, flags);
      if (s.kind === 'progbits') {
        const from = Math.max(va, s.addr);
        const to = Math.min(va + PAGE_SIZE, s.addr + s.size);
        m.mem.writeBytes(pa + (from - va), s.bytes.subarray(from - s.addr, to - s.addr));
      }
    }
  }
  for (let i = 1; i <= BARE_STACK_PAGES; i++) pageFrame(BARE_STACK_TOP - i * PAGE_SIZE, USER_RW);
  m.enablePaging(pt.root);
  m.mmu.setCpl(3);
  m.cpu.pc = BigInt(image.entry);
  m.cpu.setReg(2, BigInt(BARE_STACK_TOP));
  return { m, pt };
}
