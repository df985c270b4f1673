// The kernel's only road to user memory (STYLE convention 7; Linux
// arch/x86/include/asm/uaccess.h, lib/usercopy.c, lib/strncpy_from_user.c).
//
// access_ok() first: a range reaching TASK_SIZE or beyond is -EFAULT without
// touching the MMU (so kernel pointers are refused). Then, page by page, the
// real MMU translates at CPL 0 with RFLAGS.AC set (stac), because SMAP forbids
// supervisor data accesses to user pages otherwise; a #PF goes to
// handleMmFault (lazy pages fault in, copy-on-write happens for writes since
// CR0.WP=1) and the access is retried; a fault it cannot fix is -EFAULT, as
// Linux's exception-table fixup makes it: the kernel survives. CPL and AC are
// restored afterwards (clac). If mm is not the loaded address space it is
// switched in for the copy and back (Linux kthread_use_mm).
import { Access, TRAP_PENDING, Vector } from '../../emu/machine/trap';
import { PAGE_SIZE } from './page';
import { VM_FAULT_OK, handleMmFault } from './memory';
import type { MmStruct } from './mm-struct';
import type { KernelMm } from './kernel-mm';
import { EFAULT, ENAMETOOLONG } from '../errno';
import { TWO32 } from '../../emu/machine/cpu/int64';

/** Faults one page may take before giving up (a fixed fault that refaults is a kernel bug). */
const MAX_RETRIES = 4;

/** Linux access_ok(): [uaddr, uaddr + len) lies below TASK_SIZE. */
export function accessOk(mm: MmStruct, uaddr: number, len: number): boolean {
  return Number.isInteger(uaddr) && uaddr >= 0 && len >= 0 && uaddr + len <= mm.taskSize;
}

/** The state one user copy saves and restores. */
class UaccessFrame {
  cpl: 0 | 3 = 0;
  ac: 0 | 1 = 0;
  prevMm: MmStruct | null = null;
}

export class Uaccess {
  private readonly frame = new UaccessFrame();

  constructor(private readonly kmm: KernelMm) {}

  private enter(mm: MmStruct): void {
    const mmu = this.kmm.mmu;
    const f = this.frame;
    f.cpl = mmu.cpl;
    f.ac = mmu.ac;
    f.prevMm = this.kmm.activeMm;
    if (f.prevMm !== mm) this.kmm.switchMm(mm);
    mmu.setCpl(0);
    mmu.setAc(1); // stac
  }

  private leave(): void {
    const mmu = this.kmm.mmu;
    const f = this.frame;
    mmu.setAc(f.ac); // clac
    mmu.setCpl(f.cpl);
    if (f.prevMm !== this.kmm.activeMm) {
      if (f.prevMm === null) this.kmm.switchToInitMm();
      else this.kmm.switchMm(f.prevMm);
    }
  }

  // The physical address of user byte uaddr for `access`, faulting pages in; -1 on an unfixable fault.
  private pa(mm: MmStruct, uaddr: number, access: Access): number {
    const lo = uaddr >>> 0;
    const hi = Math.floor(uaddr / TWO32);
    for (let i = 0; i < MAX_RETRIES; i++) {
      const pa = this.kmm.mmu.tryTranslate(lo, hi, access);
      if (pa !== TRAP_PENDING) return pa;
      const trap = this.kmm.mmu.trap;
      if (trap.vector !== Vector.PF) return -1;
      const error = trap.error;
      this.kmm.tracePageFaultKernel(uaddr, error);
      // Linux's exception-table fixup: an unfixable fault on a user address is -EFAULT, not an oops.
      const fixed = handleMmFault(this.kmm, mm, lo, hi, error) === VM_FAULT_OK;
      if (this.kmm.onUaccessFault !== null) this.kmm.onUaccessFault(mm, uaddr, error, fixed);
      if (!fixed) return -1;
    }
    return -1;
  }

  /** Linux copy_from_user(): len bytes at uaddr, or -EFAULT. */
  copyFromUser(mm: MmStruct, uaddr: number, len: number): Uint8Array | number {
    if (!accessOk(mm, uaddr, len)) return -EFAULT;
    const out = new Uint8Array(len);
    this.kmm.traceUaccess('copy_from_user', uaddr, len);
    this.enter(mm);
    try {
      let done = 0;
      while (done < len) {
        const va = uaddr + done;
        const n = Math.min(len - done, PAGE_SIZE - (va % PAGE_SIZE));
        const pa = this.pa(mm, va, Access.Read);
        if (pa < 0) return -EFAULT;
        // A page never spans two chunks of RAM: copy straight from the chunk's view.
        const mem = this.kmm.mem;
        const chunk = mem.chunkU8(pa);
        const off = mem.chunkOffset(pa);
        out.set(chunk !== null ? chunk.subarray(off, off + n) : mem.readBytes(pa, n), done);
        done += n;
      }
      return out;
    } finally {
      this.leave();
    }
  }

  /** Linux copy_to_user(): 0, or -EFAULT (bytes before the bad page are written, as Linux's partial copy). */
  copyToUser(mm: MmStruct, uaddr: number, bytes: Uint8Array): number {
    const len = bytes.length;
    if (!accessOk(mm, uaddr, len)) return -EFAULT;
    this.kmm.traceUaccess('copy_to_user', uaddr, len);
    this.enter(mm);
    try {
      let done = 0;
      while (done < len) {
        const va = uaddr + done;
        const n = Math.min(len - done, PAGE_SIZE - (va % PAGE_SIZE));
        const pa = this.pa(mm, va, Access.Write);
        if (pa < 0) return -EFAULT;
        this.kmm.mem.writeBytes(pa, bytes.subarray(done, done + n));
        done += n;
      }
      return 0;
    } finally {
      this.leave();
    }
  }

  /** Linux clear_user(): len zero bytes at uaddr; 0 or -EFAULT. */
  clearUser(mm: MmStruct, uaddr: number, len: number): number {
    return this.copyToUser(mm, uaddr, new Uint8Array(len));
  }

  /** Linux get_user() of a u32: the value (0..2^32-1), or -EFAULT. */
  getUser32(mm: MmStruct, uaddr: number): number {
    const b = this.copyFromUser(mm, uaddr, 4);
    if (typeof b === 'number') return b;
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** Linux get_user() of a u64: the value as a bigint, or -EFAULT as a number. */
  getUser64(mm: MmStruct, uaddr: number): bigint | number {
    const b = this.copyFromUser(mm, uaddr, 8);
    if (typeof b === 'number') return b;
    const dv = new DataView(b.buffer, b.byteOffset, 8);
    return dv.getBigUint64(0, true);
  }

  /**
   * get_user() of a pointer or size: the u64 as a number (exact below 2^53;
   * larger values, never valid user pointers, come back rounded), or -EFAULT.
   */
  getUserPtr(mm: MmStruct, uaddr: number): number {
    const b = this.copyFromUser(mm, uaddr, 8);
    if (typeof b === 'number') return b;
    const dv = new DataView(b.buffer, b.byteOffset, 8);
    return dv.getUint32(4, true) * TWO32 + dv.getUint32(0, true);
  }

  /** Linux put_user() of a u32: 0 or -EFAULT. */
  putUser32(mm: MmStruct, uaddr: number, value: number): number {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.copyToUser(mm, uaddr, b);
  }

  /** Linux put_user() of a u64 (a bigint, or a number >= 0 below 2^53): 0 or -EFAULT. */
  putUser64(mm: MmStruct, uaddr: number, value: bigint | number): number {
    const b = new Uint8Array(8);
    const v = typeof value === 'bigint' ? BigInt.asUintN(64, value) : BigInt(value);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return this.copyToUser(mm, uaddr, b);
  }

  /**
   * Linux strncpy_from_user(): the bytes of the string at uaddr before its
   * NUL, reading at most max bytes; a result of length max means no NUL was
   * found. -EFAULT if a byte before the NUL is unreadable.
   */
  strncpyFromUserBytes(mm: MmStruct, uaddr: number, max: number): Uint8Array | number {
    if (!Number.isInteger(uaddr) || uaddr < 0 || uaddr >= mm.taskSize) return -EFAULT;
    // Linux clips max to the user address limit rather than failing access_ok.
    const limit = Math.min(max, mm.taskSize - uaddr);
    const parts: Uint8Array[] = [];
    let total = 0;
    this.enter(mm);
    try {
      while (total < limit) {
        const va = uaddr + total;
        const n = Math.min(limit - total, PAGE_SIZE - (va % PAGE_SIZE));
        const pa = this.pa(mm, va, Access.Read);
        if (pa < 0) return -EFAULT;
        const chunk = this.kmm.mem.readBytes(pa, n);
        const nul = chunk.indexOf(0);
        if (nul >= 0) {
          parts.push(chunk.subarray(0, nul));
          total += nul;
          break;
        }
        parts.push(chunk);
        total += n;
      }
    } finally {
      this.leave();
    }
    if (limit < max && total === limit) return -EFAULT;
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  /**
   * Linux strnlen_user(): the size of the string at uaddr including its NUL,
   * looking at most max bytes (clipped to TASK_SIZE); max + 1 when no NUL
   * comes within them, 0 when a byte before the NUL is unreadable or the
   * clipped range ends first. Copies nothing: execve measures a string before
   * deciding whether it fits.
   */
  strnlenUser(mm: MmStruct, uaddr: number, max: number): number {
    if (!Number.isInteger(uaddr) || uaddr < 0 || uaddr >= mm.taskSize || max <= 0) return 0;
    const limit = Math.min(max, mm.taskSize - uaddr);
    const mem = this.kmm.mem;
    let total = 0;
    this.enter(mm);
    try {
      while (total < limit) {
        const va = uaddr + total;
        const n = Math.min(limit - total, PAGE_SIZE - (va % PAGE_SIZE));
        const pa = this.pa(mm, va, Access.Read);
        if (pa < 0) return 0;
        const chunk = mem.chunkU8(pa);
        const off = mem.chunkOffset(pa);
        const nul = chunk !== null ? chunk.subarray(off, off + n).indexOf(0) : mem.readBytes(pa, n).indexOf(0);
        if (nul >= 0) return total + nul + 1;
        total += n;
      }
    } finally {
      this.leave();
    }
    return limit < max ? 0 : max + 1;
  }

  /**
   * Linux getname()'s use of strncpy_from_user: the string at uaddr decoded as
   * UTF-8; -EFAULT, or -ENAMETOOLONG when no NUL comes within max bytes.
   */
  strncpyFromUser(mm: MmStruct, uaddr: number, max: number): string | number {
    const b = this.strncpyFromUserBytes(mm, uaddr, max);
    if (typeof b === 'number') return b;
    if (b.length >= max) return -ENAMETOOLONG;
    return new TextDecoder().decode(b);
  }
}
