// What the memory half of vmlab/linux shares (not part of the surface):
// bigint <-> the kernel's {hi, lo} addresses, kernel loads and stores through
// the MMU at CPL 0 (a fault becomes a KernelPageFault), and the kernel's own
// mm / VMA objects behind the mm_struct / vm_area_struct views a module
// hands in (views.ts).
import type { Kernel } from '../../kernel';
import { Access, TRAP_PENDING, Vector } from '../../../emu/machine/trap';
import type { KernelVa } from '../../mm/slab';
import type { MmStruct } from '../../mm/mm-struct';
import type { VmAreaStruct } from '../../mm/vma';
import { PAGE_SIZE } from '../../mm/page';
import { KernelGeneralProtection, KernelPageFault } from './fault';
import type { mm_struct, vm_area_struct } from './include/mm_types';
import { mmOf, vmaOf } from './views';

export const MASK64 = (1n << 64n) - 1n;

export function toKva(v: bigint): KernelVa {
  return { hi: Number((v >> 32n) & 0xffffffffn), lo: Number(v & 0xffffffffn) };
}

export function fromKva(v: KernelVa): bigint {
  return (BigInt(v.hi >>> 0) << 32n) | BigInt(v.lo >>> 0);
}

/** A size or count argument (number | bigint) as a safe non-negative number, or throws naming fn. */
export function sizeArg(n: number | bigint, fn: string): number {
  const v = typeof n === 'bigint' ? Number(n) : n;
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${fn}: bad size ${String(n)}`);
  return v;
}

/** PAGE_OFFSET of the running paging mode, as a bigint. */
export function pageOffset(k: Kernel): bigint {
  return fromKva(k.mm.kspace.pageOffset);
}

/**
 * Linux VMALLOC_START and VMALLOC_END + 1 (32 TiB, 12.5 PiB with 5-level
 * paging; vmlab maps areas in the first 512 GiB of it).
 */
export function vmallocRange(k: Kernel): { start: bigint; end: bigint } {
  const start = fromKva(k.mm.kspace.vmallocStart);
  return { start, end: start + (k.mm.levels === 5 ? 12800n << 40n : 32n << 40n) };
}

/** Linux __va(): the direct-map address of pa. */
export function va(k: Kernel, pa: bigint | number): bigint {
  return (pageOffset(k) + BigInt(pa)) & MASK64;
}

/** Linux __pa() (x86-64 __phys_addr_nodebug for a direct-map address): x - PAGE_OFFSET modulo 2^64. */
export function pa(k: Kernel, x: bigint): bigint {
  return (x - pageOffset(k)) & MASK64;
}

/** The user half ends at TASK_SIZE_MAX (2^47 - 4K, 2^56 - 4K with LA57). */
export function isUserAddress(k: Kernel, x: bigint): boolean {
  return x < BigInt(k.mm.kspace.taskSize) + BigInt(PAGE_SIZE);
}

/**
 * The physical address a kernel instruction would reach at x: CPL 0, EFLAGS.AC
 * clear (no stac: SMAP applies), the loaded CR3, A and D set as the walk sets
 * them, the TLB filled. A fault throws KernelPageFault (#PF, CR2 set as the
 * MMU sets it) or KernelGeneralProtection (non-canonical), naming fn.
 */
export function kernelTranslate(k: Kernel, x: bigint, access: Access, fn: string): number {
  const mmu = k.mm.mmu;
  const cpl = mmu.cpl;
  const ac = mmu.ac;
  mmu.setCpl(0);
  mmu.setAc(0);
  let r: number;
  try {
    r = mmu.tryTranslate(Number(x & 0xffffffffn) | 0, Number((x >> 32n) & 0xffffffffn) | 0, access);
  } finally {
    mmu.setCpl(cpl);
    mmu.setAc(ac);
  }
  if (r !== TRAP_PENDING) return r;
  const addr = x & MASK64;
  if (mmu.trap.vector === Vector.GP) throw new KernelGeneralProtection(addr, fn);
  throw new KernelPageFault(addr, mmu.trap.error, fn, isUserAddress(k, addr));
}

/** n bytes at kernel address x, page by page through the MMU (every page is translated before any byte is read). */
export function kernelRead(k: Kernel, x: bigint, n: number, fn: string): Uint8Array {
  const out = new Uint8Array(n);
  const pas = translateRange(k, x, n, Access.Read, fn);
  const mem = k.mm.mem;
  let done = 0;
  for (const [p, len] of pas) {
    out.set(mem.readBytes(p, len), done);
    done += len;
  }
  return out;
}

/** Stores bytes at kernel address x through the MMU; a fault on any page stores nothing. */
export function kernelWrite(k: Kernel, x: bigint, bytes: Uint8Array, fn: string): void {
  const pas = translateRange(k, x, bytes.length, Access.Write, fn);
  const mem = k.mm.mem;
  let done = 0;
  for (const [p, len] of pas) {
    mem.writeBytes(p, bytes.subarray(done, done + len));
    done += len;
  }
}

function translateRange(k: Kernel, x: bigint, n: number, access: Access, fn: string): [number, number][] {
  const out: [number, number][] = [];
  let done = 0;
  while (done < n) {
    const at = (x + BigInt(done)) & MASK64;
    const len = Math.min(n - done, PAGE_SIZE - Number(at & 0xfffn));
    out.push([kernelTranslate(k, at, access, fn), len]);
    done += len;
  }
  return out;
}

export function readU64(k: Kernel, x: bigint, fn: string): bigint {
  const b = kernelRead(k, x, 8, fn);
  return new DataView(b.buffer).getBigUint64(0, true);
}

export function writeU64(k: Kernel, x: bigint, v: bigint, fn: string): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v & MASK64, true);
  kernelWrite(k, x, b, fn);
}

/** The kernel's mm behind a mm_struct view (or, for any object with mm->pgd, the live mm using that pgd); throws naming fn. */
export function internalMm(k: Kernel, mm: mm_struct, fn: string): MmStruct {
  const viewed = mmOf(mm);
  if (viewed !== undefined && !viewed.dead) return viewed;
  const pgd = Number(pa(k, mm.pgd));
  for (const t of k.tasks.values()) if (t.mm !== null && t.mm.pgd === pgd && !t.mm.dead) return t.mm;
  throw new Error(`${fn}: mm with pgd 0x${mm.pgd.toString(16)} is no live mm_struct`);
}

/** The kernel's VMA behind a vm_area_struct view and its mm; throws naming fn. */
export function internalVma(k: Kernel, vma: vm_area_struct, fn: string): { mm: MmStruct; vma: VmAreaStruct } {
  const mm = internalMm(k, vma.vm_mm, fn);
  const v = vmaOf(vma) ?? mm.vmas.vmaLookup(Number(vma.vm_start));
  if (v === null || BigInt(v.vmStart) !== vma.vm_start || mm.vmas.vmaLookup(v.vmStart) !== v) throw new Error(`${fn}: no VMA [0x${vma.vm_start.toString(16)}, 0x${vma.vm_end.toString(16)}) in its mm`);
  return { mm, vma: v };
}
