// The registers and memory of the debugged task, as a stopped program
// shows them: the base of the run-control engine (engine.ts). Reads go
// through the MMU's side-effect-free probe (STYLE 7: no fault, no A/D bits,
// no TLB fill); mid-slice (a breakpoint condition, a watchpoint's decode)
// the registers are the CPU's, between runs the task's saved ones.
import { TWO32 } from '../machine/cpu/int64';
import { Access } from '../machine/trap';
import type { Kernel } from '../../kernel-ts/kernel';
import type { Task } from '../../kernel-ts/proc/task';
import type { Symbols } from './symbols';
import { isMappableFile } from '../../kernel-ts/mm/filemap';
import { PAGE_SIZE } from '../../kernel-ts/mm/page';
import { VM_READ } from '../../kernel-ts/mm/vma';

const REG_SP = 2;

export class Inspector {
  /** True while the task's instructions run inside userRun (its registers are in the CPU, not in task.regs). */
  inUserRun = false;

  constructor(
    readonly k: Kernel,
    /** The process being debugged: the one loaded, or a child it forked under `set follow-fork-mode child`. */
    public task: Task,
    readonly syms: Symbols,
  ) {}

  get pc(): number {
    const src = this.inUserRun ? this.k.machine.cpu : this.task;
    return (src.pcHi >>> 0) * TWO32 + (src.pcLo >>> 0);
  }

  set pc(v: number) {
    this.task.pcLo = v | 0;
    this.task.pcHi = Math.floor(v / TWO32) | 0;
  }

  get sp(): number {
    return Number(this.reg(REG_SP));
  }

  /** x0-x31 of the stopped task (mid-slice, for a breakpoint condition, the CPU's). */
  reg(r: number): bigint {
    const regs = this.inUserRun ? this.k.machine.cpu.x : this.task.regs;
    return (BigInt(regs[2 * r + 1]!) << 32n) | BigInt(regs[2 * r]! >>> 0);
  }

  setReg(r: number, v: bigint): void {
    if (r === 0) return;
    this.task.regs[2 * r] = Number(BigInt.asIntN(32, v));
    this.task.regs[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** Register r as the next instruction sees it (mid-slice, the CPU's). */
  liveReg(r: number): bigint {
    return this.k.machine.cpu.reg(r);
  }

  /** The current position on the time line: instructions retired plus kernel entries (see Kernel.kernelEntries). */
  pos(): number {
    return this.k.machine.cpu.instret + this.k.kernelEntries;
  }

  /** Instructions the debugged task has retired (exact mid-slice too). */
  taskInsns(): number {
    const t = this.task;
    return this.inUserRun ? t.utimeNs + this.k.machine.cpu.instret - this.k.sliceStartInstret : t.utimeNs;
  }

  /** Makes the task's address space the one the MMU (and so probe) sees, as the kernel would before running it. */
  activate(): void {
    const mm = this.task.mm;
    if (mm !== null && !mm.dead && this.k.mm.activeMm !== mm) this.k.mm.switchMm(mm);
    this.k.machine.mmu.setCpl(3);
  }

  /** `size` bytes (at most 8) at a user virtual address, little-endian, through the side-effect-free probe, or why not. */
  readVirt(va: number, size: number): bigint | string {
    let v = 0n;
    for (let i = 0; i < size; i++) {
      const pa = this.virtToPhys(va + i);
      if (typeof pa === 'string') return pa;
      v |= BigInt(this.k.machine.mem.read8(pa)) << BigInt(8 * i);
    }
    return v;
  }

  /** `len` bytes at a user virtual address (gdb's m packet), or why not (the first unreadable byte). */
  readVirtBytes(va: number, len: number): Uint8Array | string {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const pa = this.virtToPhys(va + i);
      if (typeof pa === 'string') return pa;
      out[i] = this.k.machine.mem.read8(pa);
    }
    return out;
  }

  readPhys(pa: number, size: number): bigint | string {
    const mem = this.k.machine.mem;
    if (pa < 0 || pa + size > mem.size) return `Cannot access physical memory at 0x${pa.toString(16)}`;
    let v = 0n;
    for (let i = 0; i < size; i++) v |= BigInt(mem.read8(pa + i)) << BigInt(8 * i);
    return v;
  }

  virtToPhys(va: number): number | string {
    const r = this.k.machine.mmu.probe(va | 0, Math.floor(va / TWO32) | 0, Access.Read, 3);
    if (r.kind === 'fault') return `Cannot access memory at virtual address 0x${va.toString(16)} (not mapped for a user read)`;
    return r.pa;
  }

  /** Writes `size` bytes of value at a mapped user address (no fault: a page not present is an error). Call edited() after. */
  writeVirt(va: number, size: number, value: bigint): string | null {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    return this.writeVirtBytes(va, bytes);
  }

  writeVirtBytes(va: number, bytes: Uint8Array): string | null {
    for (let i = 0; i < bytes.length; i++) {
      const pa = this.virtToPhys(va + i);
      if (typeof pa === 'string') return pa;
      this.k.machine.mem.write8(pa, bytes[i]!);
    }
    return null;
  }

  /**
   * The 4 KiB a not-yet-faulted page of a readable file mapping at va would
   * bring in (the page cache's copy, else the file's), read without faulting
   * it in: what ptrace would see once it had. null where there is no such page.
   */
  unfaultedPage(va: number): Uint8Array | null {
    const vma = this.task.mm?.vmas.vmaLookup(va) ?? null;
    if (vma === null || (vma.vmFlags & VM_READ) === 0 || !isMappableFile(vma.vmFile)) return null;
    const index = Math.floor((va - vma.vmStart) / PAGE_SIZE) + vma.vmPgoff;
    const page = new Uint8Array(PAGE_SIZE);
    if (!this.k.mm.pageCache.readCached(vma.vmFile, index, page)) vma.vmFile.readPage(index, page);
    return page;
  }
}
