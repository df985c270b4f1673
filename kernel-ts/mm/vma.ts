// Virtual memory areas (Linux include/linux/mm_types.h vm_area_struct) and the
// per-mm set of them (Linux mm->mm_mt, a maple tree; here a sorted array with
// binary search, which is O(log n) for lookups and plenty for a lab's few
// hundred VMAs). The operations mirror mm/vma.c and mm/mmap.c: find_vma,
// __split_vma, vma_merge's compatibility rules, the munmap range removal,
// mprotect's split-set-merge, and x86-64's get_unmapped_area.
//
// Addresses are plain numbers: user addresses are below 2^56, exact in a double.
// Ranges handed in must be page aligned with start < end; the syscall layer
// checks user input and answers -EINVAL, so a bad range here is a broken
// invariant and throws. Outcomes Linux reports as errors return -errno.

import { PAGE_SIZE } from './page';
import { EACCES, ENOMEM } from '../errno';

/** vm_flags bits, values as Linux include/linux/mm.h. */
export const VM_NONE = 0;
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_PFNMAP = 0x400;
export const VM_LOCKED = 0x2000;
export const VM_IO = 0x4000;
export const VM_DONTCOPY = 0x20000;
export const VM_DONTEXPAND = 0x40000;
export const VM_LOCKONFAULT = 0x80000;
export const VM_ACCOUNT = 0x100000;
export const VM_NORESERVE = 0x200000;
export const VM_DONTDUMP = 0x4000000;
export const VM_SOFTDIRTY = 0x8000000;
export const VM_MIXEDMAP = 0x10000000;
export const VM_HUGEPAGE = 0x20000000;
export const VM_NOHUGEPAGE = 0x40000000;

export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
/** The mlock bits (Linux VM_LOCKED_MASK): fork's copy drops them. */
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
/** Mappings that vma_merge never touches (Linux VM_SPECIAL). */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;

/**
 * Linux's CONFIG_DEFAULT_MMAP_MIN_ADDR on x86-64: vm.mmap_min_addr at boot
 * (the live value is KernelMm.mmapMinAddr, /proc/sys/vm/mmap_min_addr).
 */
export const DEFAULT_MMAP_MIN_ADDR = 65536;
/** stack_guard_gap: 256 pages. */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** x86-64 DEFAULT_MAP_WINDOW with 4-level paging: the top of user space minus a guard page. */
export const DEFAULT_MAP_WINDOW = 2 ** 47 - PAGE_SIZE;

/** What the maps line needs from a mapped file; the fs layer's file objects implement it. */
export interface VmFile {
  readonly path: string;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly ino: number;
  /**
   * Optional reference count of the VMAs using the file (Linux get_file/fput on
   * vm_file): +1 when a VMA is created with it (including splits and dups),
   * -1 when a merge swallows one or the mm layer closes one (vmaClose).
   */
  mapRef?(delta: 1 | -1): void;
}

/**
 * Linux vm_operations_struct, reduced to what mm needs to know. fault(vma,
 * address, flags) is called for a not-present page of a device mapping
 * (address is page aligned; flags the FAULT_FLAG_* bits of memory.ts
 * faultFlags) and returns the pfn to map (>= 0; the driver owns the frame,
 * mm takes no reference: VM_PFNMAP semantics) or minus a VM_FAULT_* outcome of
 * kernel-ts/mm/memory.ts (e.g. -VM_FAULT_SIGBUS).
 */
export interface VmOperations {
  readonly name: string;
  readonly fault?: (vma: VmAreaStruct, address: number, flags: number) => number;
  /**
   * Called for a VMA made as a copy of one with these ops (Linux calls
   * vm_ops->open there): the new part of a split (__split_vma), the child's
   * copy at fork (dup_mmap), the moved VMA of mremap (copy_vma). Each is
   * closed in turn when it goes.
   */
  readonly open?: (vma: VmAreaStruct) => void;
  /** Linux refuses to merge VMAs whose ops have a close hook. */
  readonly close?: (vma: VmAreaStruct) => void;
}

export interface VmaInit {
  readonly vmStart: number;
  readonly vmEnd: number;
  readonly vmFlags: number;
  /** Defaults to vmStart / PAGE_SIZE for anonymous VMAs, as do_mmap sets it; 0 for files. */
  readonly vmPgoff?: number;
  readonly vmFile?: VmFile | null;
  /** Pseudo name shown in maps: '[heap]', '[stack]', '[vdso]', '[anon:name]'. */
  readonly name?: string | null;
  readonly vmOps?: VmOperations | null;
  /** A driver's vm_private_data (kept across split and dup, as vm_area_dup copies it). */
  readonly vmPrivateData?: unknown;
  /**
   * The open file (fs/file.ts File) whose mmap made the VMA, for a module's
   * vma->vm_file: vmFile is what mm needs of the mapped object (an inode).
   */
  readonly vmOpenFile?: object | null;
  /** A driver's cache-mode bits of vm_page_prot (VmAreaStruct.vmPageProtCache). */
  readonly vmPageProtCache?: number;
}

export class VmAreaStruct {
  vmStart: number;
  vmEnd: number;
  vmFlags: number;
  vmPgoff: number;
  vmFile: VmFile | null;
  name: string | null;
  vmOps: VmOperations | null;
  vmPrivateData: unknown;
  vmOpenFile: object | null;
  /**
   * The cache-mode bits (PTE_PWT, PTE_PCD, PTE_PAT) a driver put in
   * vm_page_prot (pgprot_noncached, pgprot_writecombine): every PTE the
   * VMA's faults make carries them. The rest of vm_page_prot follows vmFlags
   * (vmPageProtLo/Hi), and keeps these bits through mprotect, as Linux's
   * vma_set_page_prot -> pgprot_modify keeps _PAGE_CACHE_MASK.
   */
  vmPageProtCache: number;

  constructor(init: VmaInit) {
    checkRange(init.vmStart, init.vmEnd);
    this.vmStart = init.vmStart;
    this.vmEnd = init.vmEnd;
    this.vmFlags = init.vmFlags;
    this.vmFile = init.vmFile ?? null;
    this.vmPgoff = init.vmPgoff ?? (this.vmFile ? 0 : init.vmStart / PAGE_SIZE);
    this.name = init.name ?? null;
    this.vmOps = init.vmOps ?? null;
    this.vmPrivateData = init.vmPrivateData ?? null;
    this.vmOpenFile = init.vmOpenFile ?? null;
    this.vmPageProtCache = init.vmPageProtCache ?? 0;
    this.vmFile?.mapRef?.(1);
  }

  /** Linux vma_is_anonymous(): no file and no special ops. */
  get isAnonymous(): boolean {
    return this.vmFile === null && this.vmOps === null;
  }

  /** Linux vma_pages(). */
  get pages(): number {
    return (this.vmEnd - this.vmStart) / PAGE_SIZE;
  }

  /** Linux vm_area_dup(): same attributes, new identity. */
  dup(): VmAreaStruct {
    return new VmAreaStruct(this);
  }
}

function checkRange(start: number, end: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end))
    throw new Error(`bad VMA range [0x${start.toString(16)}, 0x${end.toString(16)})`);
  if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0)
    throw new Error(`VMA range [0x${start.toString(16)}, 0x${end.toString(16)}) not page aligned`);
}

/** Linux vm_start_gap(): where the gap below vma begins, counting the stack guard gap. */
export function vmStartGap(vma: VmAreaStruct): number {
  if (!(vma.vmFlags & VM_GROWSDOWN)) return vma.vmStart;
  return Math.max(0, vma.vmStart - STACK_GUARD_GAP);
}

/** What canMerge reads of a VMA: a real one, or a slice of one with other flags (VmaSet.modifyFlags). */
export type MergeView = Pick<VmAreaStruct, 'vmStart' | 'vmEnd' | 'vmFlags' | 'vmPgoff' | 'vmFile' | 'vmOps' | 'name' | 'pages'>;

/**
 * Whether b can be folded into a, b directly above a. Linux is_mergeable_vma +
 * can_vma_merge_after: same flags (VM_SOFTDIRTY aside), same file and ops (no
 * close hook), same name, contiguous pgoff (anonymous pgoff is the page index of
 * the address, so mremap-moved anonymous VMAs do not merge), not VM_SPECIAL.
 */
export function canMerge(a: MergeView, b: MergeView): boolean {
  return (
    a.vmEnd === b.vmStart &&
    ((a.vmFlags ^ b.vmFlags) & ~VM_SOFTDIRTY) === 0 &&
    (a.vmFlags & VM_SPECIAL) === 0 &&
    a.vmFile === b.vmFile &&
    a.vmOps === b.vmOps &&
    !a.vmOps?.close &&
    a.name === b.name &&
    a.vmPgoff + a.pages === b.vmPgoff
  );
}

/** [start, end) of vma (within it) as it would be with vm_flags `flags`, for canMerge. */
function sliceView(vma: VmAreaStruct, start: number, end: number, flags: number): MergeView {
  return {
    vmStart: start,
    vmEnd: end,
    vmFlags: flags,
    vmPgoff: vma.vmPgoff + (start - vma.vmStart) / PAGE_SIZE,
    vmFile: vma.vmFile,
    vmOps: vma.vmOps,
    name: vma.name,
    pages: (end - start) / PAGE_SIZE,
  };
}

export interface UnmappedAreaOptions {
  /** mm->mmap_base: the top-down search starts below it. */
  readonly mmapBase: number;
  /** TASK_SIZE: the end of the user address space for this task. */
  readonly taskSize: number;
  /** Non-MAP_FIXED address hint (0 for none). */
  readonly hint?: number;
  /** Result alignment minus one (e.g. 2 MiB - 1 for THP-aligned anonymous maps). */
  readonly alignMask?: number;
  /** Bottom of the fallback bottom-up search (mm->mmap_legacy_base). */
  readonly legacyBase?: number;
  /** vm.mmap_min_addr (default DEFAULT_MMAP_MIN_ADDR): nothing is found below it. */
  readonly mmapMinAddr?: number;
}

/**
 * Linux round_hint_to_min(): a non-MAP_FIXED hint goes down to its page; a
 * hint that is not 0 then but lies below vm.mmap_min_addr becomes
 * PAGE_ALIGN(mmap_min_addr). 0 (no hint) stays 0.
 */
export function roundHintToMin(hint: number, minAddr: number): number {
  hint -= hint % PAGE_SIZE;
  return hint !== 0 && hint < minAddr ? Math.ceil(minAddr / PAGE_SIZE) * PAGE_SIZE : hint;
}

/** The VMAs of one mm, sorted by address and never overlapping. */
export class VmaSet {
  private readonly vmas: VmAreaStruct[] = [];

  get length(): number {
    return this.vmas.length;
  }

  [Symbol.iterator](): Iterator<VmAreaStruct> {
    return this.vmas[Symbol.iterator]();
  }

  toArray(): VmAreaStruct[] {
    return this.vmas.slice();
  }

  // Index of the first VMA with vmEnd > addr (vmas.length if none).
  private indexAfter(addr: number): number {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.vmas[mid]!.vmEnd > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private indexOf(vma: VmAreaStruct): number {
    const i = this.indexAfter(vma.vmStart);
    if (this.vmas[i] !== vma) throw new Error(`VMA [0x${vma.vmStart.toString(16)}, 0x${vma.vmEnd.toString(16)}) not in this mm`);
    return i;
  }

  /** Linux find_vma(): the first VMA with vmEnd > addr, which may start above addr. */
  findVma(addr: number): VmAreaStruct | null {
    return this.vmas[this.indexAfter(addr)] ?? null;
  }

  /** Linux vma_lookup(): the VMA containing addr. */
  vmaLookup(addr: number): VmAreaStruct | null {
    const vma = this.findVma(addr);
    return vma && vma.vmStart <= addr ? vma : null;
  }

  /** Linux find_vma_intersection(): the first VMA overlapping [start, end). */
  findVmaIntersection(start: number, end: number): VmAreaStruct | null {
    const vma = this.findVma(start);
    return vma && vma.vmStart < end ? vma : null;
  }

  /** Linux vma_prev()/vma_next() relative to a VMA in this set. */
  vmaPrev(vma: VmAreaStruct): VmAreaStruct | null {
    return this.vmas[this.indexOf(vma) - 1] ?? null;
  }

  vmaNext(vma: VmAreaStruct): VmAreaStruct | null {
    return this.vmas[this.indexOf(vma) + 1] ?? null;
  }

  /** Linux insert_vm_struct(): 0, or -ENOMEM if the range is already (partly) mapped. */
  insertVma(vma: VmAreaStruct): number {
    checkRange(vma.vmStart, vma.vmEnd);
    if (this.findVmaIntersection(vma.vmStart, vma.vmEnd)) return -ENOMEM;
    this.vmas.splice(this.indexAfter(vma.vmStart), 0, vma);
    return 0;
  }

  /**
   * Linux __split_vma(): cut vma at addr (strictly inside, page aligned). vma keeps
   * [vmStart, addr); the returned new VMA covers [addr, vmEnd) with vmPgoff advanced.
   */
  splitVma(vma: VmAreaStruct, addr: number): VmAreaStruct {
    const i = this.indexOf(vma);
    if (!(addr > vma.vmStart && addr < vma.vmEnd) || addr % PAGE_SIZE !== 0)
      throw new Error(`split of [0x${vma.vmStart.toString(16)}, 0x${vma.vmEnd.toString(16)}) at bad address 0x${addr.toString(16)}`);
    const upper = vma.dup();
    upper.vmStart = addr;
    upper.vmPgoff += (addr - vma.vmStart) / PAGE_SIZE;
    vma.vmEnd = addr;
    this.vmas.splice(i + 1, 0, upper);
    upper.vmOps?.open?.(upper);
    return upper;
  }

  /**
   * Merge vma with its neighbours where canMerge allows (Linux vma_merge: the lower
   * VMA is expanded, the upper removed). Returns the VMA that now covers vma's range.
   */
  vmaMerge(vma: VmAreaStruct): VmAreaStruct {
    return this.mergeAt(this.indexOf(vma));
  }

  private mergeAt(i: number): VmAreaStruct {
    const v = this.vmas;
    const next = v[i + 1];
    if (next && canMerge(v[i]!, next)) {
      v[i]!.vmEnd = next.vmEnd;
      v.splice(i + 1, 1);
      next.vmFile?.mapRef?.(-1);
    }
    const prev = v[i - 1];
    if (prev && canMerge(prev, v[i]!)) {
      const gone = v[i]!;
      prev.vmEnd = gone.vmEnd;
      v.splice(i, 1);
      gone.vmFile?.mapRef?.(-1);
      return prev;
    }
    return v[i]!;
  }

  /**
   * The VMA surgery of munmap (Linux do_vmi_align_munmap): split VMAs straddling
   * start or end, take every VMA inside [start, end) out of the set and return
   * those pieces, lowest first, so the caller can unmap their pages.
   */
  removeRange(start: number, end: number): VmAreaStruct[] {
    checkRange(start, end);
    let i = this.indexAfter(start);
    const first = this.vmas[i];
    if (!first || first.vmStart >= end) return [];
    if (first.vmStart < start) {
      this.splitVma(first, start);
      i++;
    }
    let j = i;
    while (j < this.vmas.length && this.vmas[j]!.vmStart < end) j++;
    const last = this.vmas[j - 1]!;
    if (last.vmEnd > end) this.splitVma(last, end);
    return this.vmas.splice(i, j - i);
  }

  /**
   * Linux do_mprotect_pkey() over the VMAs: set the access bits of [start, end)
   * to prot (a VM_READ|VM_WRITE|VM_EXEC subset), splitting and re-merging. Returns
   * 0; -ENOMEM if the range has a hole, or a split would take the set past
   * maxMapCount VMAs (vm.max_map_count); -EACCES if prot asks for a right the
   * VMA's VM_MAY* bits deny. As in Linux, VMAs before the failing one stay changed.
   */
  mprotectRange(start: number, end: number, prot: number, maxMapCount = Infinity): number {
    checkRange(start, end);
    if (prot & ~VM_ACCESS_FLAGS) throw new Error(`mprotectRange: prot 0x${prot.toString(16)} has non-access bits`);
    let i = this.indexAfter(start);
    if (i >= this.vmas.length || this.vmas[i]!.vmStart > start) return -ENOMEM;
    let nstart = start;
    for (;;) {
      const vma = this.vmas[i]!;
      const newflags = (prot | (vma.vmFlags & ~VM_ACCESS_FLAGS)) >>> 0;
      // Each access bit needs its VM_MAY* twin, four bits up.
      if ((newflags & ~(newflags >>> 4)) & VM_ACCESS_FLAGS) return -EACCES;
      const tmp = Math.min(vma.vmEnd, end);
      const r = this.modifyFlags(vma, nstart, tmp, newflags, maxMapCount);
      if (typeof r === 'number') return r;
      nstart = tmp;
      if (nstart >= end) return 0;
      i = this.indexAfter(nstart);
      // A merge with the next VMA may already cover nstart; only a gap is a hole.
      if (i >= this.vmas.length || this.vmas[i]!.vmStart > nstart) return -ENOMEM;
    }
  }

  /**
   * Linux vma_modify_flags() (mprotect_fixup, madvise_update_vma): give
   * [start, end) of vma (within it) the flags `newflags`. As vma_modify, a
   * neighbour that can take the range merges it first; otherwise vma is split
   * (split_vma: -ENOMEM when the set already holds maxMapCount VMAs) and the
   * piece merged where it can be. Returns the VMA now covering [start, end).
   */
  modifyFlags(vma: VmAreaStruct, start: number, end: number, newflags: number, maxMapCount = Infinity): VmAreaStruct | number {
    let i = this.indexOf(vma);
    if (vma.vmFlags === newflags) return vma;
    const piece = sliceView(vma, start, end, newflags);
    const prev = this.vmas[i - 1];
    const next = this.vmas[i + 1];
    const mergesPrev = start === vma.vmStart && prev !== undefined && canMerge(prev, piece);
    const mergesNext = end === vma.vmEnd && next !== undefined && canMerge(piece, next);
    // A piece that merges into a neighbour only moves a boundary (no VMA is
    // added); otherwise each split_vma is checked, and one that is refused
    // leaves the split before it in place, as in Linux.
    let v = vma;
    if (v.vmStart < start) {
      if (!mergesNext && this.vmas.length >= maxMapCount) return -ENOMEM;
      v = this.splitVma(v, start);
      i++;
    }
    if (v.vmEnd > end) {
      if (!mergesPrev && this.vmas.length >= maxMapCount) return -ENOMEM;
      this.splitVma(v, end);
    }
    v.vmFlags = newflags;
    return this.mergeAt(i);
  }

  /**
   * x86-64 arch_get_unmapped_area_topdown() for a non-MAP_FIXED mmap of len bytes:
   * the hint if it is free (raised to mmap_min_addr as do_mmap's round_hint_to_min
   * does), else the highest fitting gap below mmapBase, else bottom-up from
   * legacyBase. Returns the address or -ENOMEM.
   */
  getUnmappedArea(len: number, opts: UnmappedAreaOptions): number {
    const minAddr = opts.mmapMinAddr ?? DEFAULT_MMAP_MIN_ADDR;
    const alignMask = opts.alignMask ?? 0;
    if (len <= 0 || len % PAGE_SIZE !== 0) throw new Error(`getUnmappedArea: bad length 0x${len.toString(16)}`);
    if (len > opts.taskSize) return -ENOMEM;
    let hint = roundHintToMin(opts.hint ?? 0, minAddr);
    if (hint) {
      // mmap_address_hint_valid(): inside the task, not straddling the 47-bit window.
      if (opts.taskSize - len >= hint && (hint > DEFAULT_MAP_WINDOW) === (hint + len > DEFAULT_MAP_WINDOW)) {
        const vma = this.findVma(hint);
        if (!vma || hint + len <= vmStartGap(vma)) return hint;
      }
    }
    let high = opts.mmapBase;
    if (hint > DEFAULT_MAP_WINDOW) high += opts.taskSize - DEFAULT_MAP_WINDOW;
    const addr = this.unmappedAreaTopdown(len, Math.max(PAGE_SIZE, minAddr), high, alignMask);
    if (addr >= 0) return addr;
    const legacyBase = opts.legacyBase ?? Math.ceil(DEFAULT_MAP_WINDOW / 3 / PAGE_SIZE) * PAGE_SIZE;
    const end = hint > DEFAULT_MAP_WINDOW ? opts.taskSize : Math.min(opts.taskSize, DEFAULT_MAP_WINDOW);
    return this.unmappedArea(len, Math.max(legacyBase, minAddr), end, alignMask);
  }

  /**
   * Bottom-up search (Linux unmapped_area): the lowest aligned address >= addr at
   * which len bytes fit below limit, keeping stack guard gaps. -ENOMEM if none.
   */
  firstHoleAfter(addr: number, len: number, limit: number = DEFAULT_MAP_WINDOW, alignMask = 0): number {
    return this.unmappedArea(len, addr, limit, alignMask);
  }

  private unmappedArea(len: number, low: number, high: number, alignMask: number): number {
    const align = alignMask + 1;
    let prevEnd = 0;
    for (let k = this.indexAfter(low); k <= this.vmas.length; k++) {
      if (k > 0) prevEnd = this.vmas[k - 1]!.vmEnd;
      const next = this.vmas[k];
      const gapEnd = Math.min(next ? vmStartGap(next) : Infinity, high);
      let a = Math.max(prevEnd, low);
      a = Math.ceil(a / align) * align;
      if (a + len <= gapEnd) return a;
      if (gapEnd >= high) break;
    }
    return -ENOMEM;
  }

  private unmappedAreaTopdown(len: number, low: number, high: number, alignMask: number): number {
    const align = alignMask + 1;
    for (let k = this.indexAfter(high); k >= 0; k--) {
      const next = this.vmas[k];
      const prevEnd = k > 0 ? this.vmas[k - 1]!.vmEnd : 0;
      const gapEnd = Math.min(next ? vmStartGap(next) : Infinity, high);
      const gapStart = Math.max(prevEnd, low);
      if (gapEnd - gapStart >= len) {
        const a = Math.floor((gapEnd - len) / align) * align;
        if (a >= gapStart) return a;
      }
      if (prevEnd <= low) break;
    }
    return -ENOMEM;
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * One /proc/PID/maps line, without the newline, as Linux show_map_vma() prints it:
 * `%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ` then, if the VMA has a name, pad to
 * column 72 (seq_setwidth(25 + 6 * sizeof(void *) - 1)) and seq_pad's one space.
 * Anonymous unnamed lines keep the trailing space after the inode, as Linux's do.
 */
export function showMapVma(vma: VmAreaStruct): string {
  const f = vma.vmFlags;
  const file = vma.vmFile;
  const offset = file ? vma.vmPgoff * PAGE_SIZE : 0;
  const line =
    `${hex(vma.vmStart, 8)}-${hex(vma.vmEnd, 8)} ` +
    (f & VM_READ ? 'r' : '-') +
    (f & VM_WRITE ? 'w' : '-') +
    (f & VM_EXEC ? 'x' : '-') +
    (f & VM_MAYSHARE ? 's' : 'p') +
    ` ${hex(offset, 8)} ${hex(file ? file.devMajor : 0, 2)}:${hex(file ? file.devMinor : 0, 2)} ${file ? file.ino : 0} `;
  const name = file ? file.path : vma.name;
  return name === null ? line : `${line.padEnd(72)} ${name}`;
}

/** The whole /proc/PID/maps text. */
export function showMaps(vmas: Iterable<VmAreaStruct>): string {
  let s = '';
  for (const vma of vmas) s += showMapVma(vma) + '\n';
  return s;
}
