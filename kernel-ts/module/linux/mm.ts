// <linux/mm.h> for mmap drivers: remap_pfn_range, vm_insert_page,
// remap_vmalloc_range, vmf_insert_pfn/page, and the fault adapter that turns
// a driver's vm_operations_struct.fault(vmf) into the kernel's
// VmOperations.fault (registered with views.ts's vmOpsAdapters).
//
// The kernel maps a driver's frames raw (mm/memory.ts isRawPfnVma: no
// reference or mapcount is taken, munmap just clears the PTEs). So the
// reference a fault handler hands over with vmf.page (Linux: get_page, then
// the mapping owns it) is dropped at once here; the page's count afterwards
// is what Linux's would be once the mapping is gone.
import type { LinuxEnv } from './env';
import type * as Mm from './include/mm';
import type { vm_area_struct, vm_fault, vm_operations_struct } from './include/mm_types';
import { warn } from './fs';
import { pagePfn } from './page';
import { mmOf, vmOpsAdapters, vmaOf, vmaView } from './views';
import { kvaFromBigint } from '../../mm/kaddr';
import {
  VM_FAULT_COMPLETED, VM_FAULT_DONE_COW, VM_FAULT_ERROR, VM_FAULT_FALLBACK, VM_FAULT_HWPOISON, VM_FAULT_HWPOISON_LARGE,
  VM_FAULT_LOCKED, VM_FAULT_MAJOR, VM_FAULT_NEEDDSYNC, VM_FAULT_NOPAGE, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from '../../mm/memory';
import type { MmStruct } from '../../mm/mm-struct';
import { PAGE_SIZE } from '../../mm/page';
import { NO_ENTRY, PAGE_TABLE, allocEntry, lookupPte, setPte, vaHi, vaLo } from '../../mm/pgtable';
import { PTE_PRESENT_MASK, pfnPteHi, pfnPteLo } from '../../mm/prot';
import { STACK_GUARD_GAP, VM_DONTDUMP, VM_DONTEXPAND, VM_EXEC, VM_IO, VM_MIXEDMAP, VM_PFNMAP, VM_READ, VM_WRITE, vmStartGap } from '../../mm/vma';
import type { VmAreaStruct } from '../../mm/vma';
import { EBUSY, EINVAL, ENOMEM } from '../../errno';
import type { Kernel } from '../../kernel';
import { FAULT_FLAG_INSTRUCTION, FAULT_FLAG_USER, FAULT_FLAG_WRITE } from '../../mm/memory';

const PAGE = BigInt(PAGE_SIZE);
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** pgprot_t's flag bits as the two PTE halves (bits 11..0 and 63..52). */
function protHalves(prot: bigint): { lo: number; hi: number } {
  return { lo: Number(prot & 0xfffn), hi: Number((prot >> 32n) & 0xfff00000n) };
}

/**
 * Why a driver's protection cannot map user pages of a VMA with these
 * flags, or null. Linux maps what the driver gives; vmlab refuses what
 * would break the kernel's own rules for user PTEs (kernel-ts/mm/check.ts):
 * not a present user page, a global one (it would outlive its address space
 * in the TLB), bits beyond the flags, or more rights than the VMA has. The
 * VMA's own vm_page_prot is always right.
 */
function userProtProblem(prot: bigint, vmFlags: number): string | null {
  if (typeof prot !== 'bigint') return 'is not a pgprot_t';
  const p = BigInt.asUintN(64, prot);
  const lo = Number(p & 0xfffn);
  if ((p & 0x7ffffffffffff000n) !== 0n) return 'has bits beyond the protection flags';
  if ((lo & 0x5) !== 0x5) return 'is not a present user page (_PAGE_PRESENT | _PAGE_USER)';
  if (lo & 0x100) return 'is global (_PAGE_GLOBAL): a user mapping would outlive its address space in the TLB';
  if ((vmFlags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return 'maps pages in a PROT_NONE VMA';
  if (lo & 0x2 && (vmFlags & VM_WRITE) === 0) return 'is writable, the VMA is not (no VM_WRITE)';
  if ((p & (1n << 63n)) === 0n && (vmFlags & VM_EXEC) === 0) return 'is executable, the VMA is not (no VM_EXEC)';
  return null;
}

/** The pending insert of the fault being handled (vmf_insert_pfn at vmf.address): its pfn. */
interface FaultInProgress {
  readonly vma: VmAreaStruct;
  readonly address: number;
  pfn: number;
}
const inFault = new WeakMap<Kernel, FaultInProgress>();

export function mmApi(env: LinuxEnv): typeof Mm {
  const k = env.kernel;
  const kmm = k.mm;

  const kvma = (vma: vm_area_struct, fn: string): VmAreaStruct => {
    const v = vmaOf(vma);
    if (v === undefined) throw new TypeError(`${fn}: not a vm_area_struct the kernel gave`);
    return v;
  };
  const mmFor = (vma: vm_area_struct): MmStruct => {
    const mm = mmOf(vma.vm_mm);
    if (mm === undefined) throw new Error('vm_mm: no address space');
    return mm;
  };
  /** An address argument as the kernel's number inside [vm_start, vm_end), or null. */
  const inVma = (v: VmAreaStruct, addr: bigint, size: bigint): number | null =>
    typeof addr === 'bigint' && addr >= BigInt(v.vmStart) && addr + size <= BigInt(v.vmEnd) && addr + size > addr ? Number(addr) : null;

  /** Clears the PTEs [addr, addr + len) a failed remap had set (the frames are the driver's: no counts change). */
  const zap = (mm: MmStruct, addr: number, len: number): void => {
    for (let va = addr; va < addr + len; va += PAGE_SIZE) {
      const pte = lookupPte(kmm, mm.pgd, vaLo(va), vaHi(va));
      if (pte !== NO_ENTRY && kmm.mem.read32(pte) !== 0) setPte(kmm, mm, pte, vaLo(va), vaHi(va), 0, 0);
    }
  };

  /** Sets the PTE of one page: 0, -ENOMEM, -EBUSY (present already). */
  const insert = (mm: MmStruct, va: number, pfn: number, prot: { lo: number; hi: number }): number => {
    const pte = allocEntry(kmm, mm, mm.pgd, vaLo(va), vaHi(va), 1, PAGE_TABLE);
    if (pte < 0) return -ENOMEM;
    if ((kmm.mem.read32(pte) & PTE_PRESENT_MASK) !== 0) return -EBUSY;
    setPte(kmm, mm, pte, vaLo(va), vaHi(va), pfnPteLo(pfn, prot.lo), pfnPteHi(pfn, prot.hi));
    return 0;
  };

  /** Maps pfns(i) for pages i of [addr, addr + n pages): 0 or the first -errno (what was set is cleared). */
  const mapPages = (fn: string, vma: vm_area_struct, addr: number, n: number, pfnAt: (i: number) => number | null, prot: { lo: number; hi: number }): number => {
    const mm = mmFor(vma);
    for (let i = 0; i < n; i++) {
      const pfn = pfnAt(i);
      const r = pfn === null ? -EINVAL : insert(mm, addr + i * PAGE_SIZE, pfn, prot);
      if (r < 0) {
        if (r === -EBUSY) warn(env, 'mm/memory.c', fn, `${fn}: a PTE is already present at 0x${(addr + i * PAGE_SIZE).toString(16)}`);
        zap(mm, addr, i * PAGE_SIZE);
        return r;
      }
    }
    return 0;
  };

  const remapPfnRange = (fn: string) => (vma: vm_area_struct, addr: bigint, pfn: bigint, size: number | bigint, prot: bigint): number => {
    const v = kvma(vma, fn);
    const len = ((BigInt(size) + PAGE - 1n) / PAGE) * PAGE; // PAGE_ALIGN(size)
    if (typeof addr !== 'bigint' || addr % PAGE !== 0n) {
      warn(env, 'mm/memory.c', fn, `${fn}: addr 0x${BigInt(addr).toString(16)} is not page aligned`);
      return -EINVAL;
    }
    const start = len > 0n ? inVma(v, addr, len) : null;
    if (start === null || pfn < 0n || pfn > MAX) {
      warn(env, 'mm/memory.c', fn, `${fn}: [0x${addr.toString(16)}, +0x${len.toString(16)}) is not inside the VMA [0x${v.vmStart.toString(16)}, 0x${v.vmEnd.toString(16)})`);
      return -EINVAL;
    }
    const bad = prot === vma.vm_page_prot ? null : userProtProblem(prot, v.vmFlags);
    if (bad !== null) {
      warn(env, 'mm/memory.c', fn, `${fn}: protection 0x${BigInt.asUintN(64, BigInt(prot)).toString(16)} ${bad}`);
      return -EINVAL;
    }
    v.vmFlags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
    const first = Number(pfn);
    return mapPages(fn, vma, start, Number(len / PAGE), (i) => first + i, protHalves(prot));
  };

  /** The pfn of a struct page a driver may map (not free, not slab): or null, with the reason. */
  const mappablePfn = (page: bigint, fn: string): number | null => {
    const pfn = pagePfn(env, page, fn);
    const m = kmm.memMap;
    return m.refcount[pfn] === 0 ? null : pfn;
  };

  // The fault adapter: the kernel's fault(vma, address) -> pfn or -VM_FAULT_*.
  vmOpsAdapters(k).fault ??= (kk: Kernel, ops: vm_operations_struct, v: VmAreaStruct, address: number, flags: number): number => {
    const addr = address - (address % PAGE_SIZE);
    const pgoff = v.vmPgoff + (addr - v.vmStart) / PAGE_SIZE;
    const vmf: vm_fault = { vma: vmaView(env, v, kk.current?.mm ?? null), address: BigInt(addr), pgoff: BigInt(pgoff), flags, page: 0n };
    const prev = inFault.get(kk);
    const cur: FaultInProgress = { vma: v, address: addr, pfn: -1 };
    inFault.set(kk, cur);
    let r: number;
    try {
      r = ops.fault!(vmf);
    } finally {
      if (prev) inFault.set(kk, prev);
      else inFault.delete(kk);
    }
    if (typeof r !== 'number') throw new TypeError(`fault returned ${typeof r}, not a vm_fault_t`);
    if (r & VM_FAULT_ERROR) return r & VM_FAULT_OOM ? -VM_FAULT_OOM : r & VM_FAULT_SIGSEGV ? -VM_FAULT_SIGSEGV : -VM_FAULT_SIGBUS;
    if (cur.pfn >= 0) return cur.pfn;
    if (vmf.page !== 0n) {
      const pfn = pagePfn(env, vmf.page, 'fault');
      // The handler's reference would be the mapping's; the raw mapping holds none (file comment).
      if (kmm.memMap.refcount[pfn]! > 1) kmm.memMap.refcount[pfn]!--;
      return pfn;
    }
    warn(env, 'mm/memory.c', '__do_fault', 'fault handler returned no page and no VM_FAULT_NOPAGE');
    return -VM_FAULT_SIGBUS;
  };

  /** vmf_insert_pfn/page: the current fault's page is recorded (the kernel sets its PTE), another address mapped now. */
  const vmfInsert = (fn: string, vma: vm_area_struct, addr: bigint, pfn: number | null): number => {
    const v = kvma(vma, fn);
    if ((v.vmFlags & (VM_PFNMAP | VM_MIXEDMAP)) === 0 && fn === 'vmf_insert_pfn') {
      warn(env, 'mm/memory.c', fn, `${fn}: the VMA is neither VM_PFNMAP nor VM_MIXEDMAP`);
      return VM_FAULT_SIGBUS;
    }
    const a = typeof addr === 'bigint' && addr % PAGE === 0n ? inVma(v, addr, PAGE) : null;
    if (a === null || pfn === null) return VM_FAULT_SIGBUS;
    const cur = inFault.get(k);
    if (cur !== undefined && cur.vma === v && cur.address === a) {
      cur.pfn = pfn;
      return VM_FAULT_NOPAGE;
    }
    const r = insert(mmFor(vma), a, pfn, protHalves(vma.vm_page_prot));
    return r === -ENOMEM ? VM_FAULT_OOM : VM_FAULT_NOPAGE; // a PTE already there: nothing to do (insert_pfn)
  };

  return {
    VM_FAULT_OOM,
    VM_FAULT_SIGBUS,
    VM_FAULT_MAJOR,
    VM_FAULT_HWPOISON,
    VM_FAULT_HWPOISON_LARGE,
    VM_FAULT_SIGSEGV,
    VM_FAULT_NOPAGE,
    VM_FAULT_LOCKED,
    VM_FAULT_RETRY,
    VM_FAULT_FALLBACK,
    VM_FAULT_DONE_COW,
    VM_FAULT_NEEDDSYNC,
    VM_FAULT_COMPLETED,
    VM_FAULT_ERROR,
    FAULT_FLAG_WRITE,
    FAULT_FLAG_USER,
    FAULT_FLAG_INSTRUCTION,

    remap_pfn_range: remapPfnRange('remap_pfn_range'),
    io_remap_pfn_range: remapPfnRange('io_remap_pfn_range'),

    vm_insert_page(vma, addr, page) {
      const v = kvma(vma, 'vm_insert_page');
      const a = typeof addr === 'bigint' && addr % PAGE === 0n ? inVma(v, addr, PAGE) : null;
      if (a === null || (v.vmFlags & VM_PFNMAP) !== 0) return -EINVAL;
      const pfn = mappablePfn(page, 'vm_insert_page');
      if (pfn === null) return -EINVAL;
      v.vmFlags |= VM_MIXEDMAP;
      return mapPages('vm_insert_page', vma, a, 1, () => pfn, protHalves(vma.vm_page_prot));
    },

    remap_vmalloc_range(vma, addr, pgoff) {
      const v = kvma(vma, 'remap_vmalloc_range');
      const base = addr + BigInt(pgoff) * PAGE;
      if (typeof addr !== 'bigint' || base % PAGE !== 0n) {
        warn(env, 'mm/vmalloc.c', 'remap_vmalloc_range', `remap_vmalloc_range: 0x${BigInt(addr).toString(16)} is not page aligned`);
        return -EINVAL;
      }
      const n = (v.vmEnd - v.vmStart) / PAGE_SIZE;
      const pfns: number[] = [];
      for (let i = 0; i < n; i++) {
        const pfn = kmm.vmallocToPfn(kvaFromBigint(base + BigInt(i) * PAGE));
        if (pfn < 0) return -EINVAL; // not vmalloc memory, or the area is shorter than the VMA
        pfns.push(pfn);
      }
      v.vmFlags |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP;
      return mapPages('remap_vmalloc_range', vma, v.vmStart, n, (i) => pfns[i]!, protHalves(vma.vm_page_prot));
    },

    vmf_insert_pfn: (vma, addr, pfn) => vmfInsert('vmf_insert_pfn', vma, addr, pfn >= 0n && pfn <= MAX ? Number(pfn) : null),
    vmf_insert_page: (vma, addr, page) => vmfInsert('vmf_insert_page', vma, addr, mappablePfn(page, 'vmf_insert_page')),

    stack_guard_gap: BigInt(STACK_GUARD_GAP),
    vm_start_gap: (vma) => BigInt(vmStartGap(kvma(vma, 'vm_start_gap'))),
  };
}
