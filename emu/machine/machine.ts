// A whole machine: guest physical memory, the MMU (with its TLBs) and one
// CPU, over one arena (arena.ts: the WebAssembly.Memory holding RAM's first
// GiB, the CPU state compiled code addresses, and a frame pool for RAM
// above 1 GiB). run() returns the CPU's stop
// reason and leaves the decision to whoever drives it (the kernel, a test,
// the bench), as xv6's usertrap() does.
import { Arena } from './arena';
import { Cpu } from './cpu/cpu';
import type { Stop } from './cpu/cpu';
import { PhysMem, checkRamSize, firstChunkBytes } from './mem/phys';
import { Mmu } from './mmu/mmu';
import { CR0_PE, CR0_PG, CR0_WP, CR4_LA57, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE, PAGE_SIZE } from './mmu/paging';
import { DEFAULT_TLB_CONFIG, Replacement, tlbSlots } from './mmu/tlb';
import type { TlbConfig } from './mmu/tlb';
import { TrapRecord } from './trap';

export interface MachineOptions {
  /** Guest RAM in bytes (multiple of 4096); default 64 MiB. */
  memSize?: number;
  /** Physical-address width, 36..52; default 46. */
  maxPhyAddr?: number;
  /** TLB geometry, or 'none' for no TLB (every access walks). Default: Skylake-like. */
  tlb?: TlbConfig | 'none';
  /**
   * Most frames of RAM above 1 GiB the arena's frame pool holds (default:
   * as many as fit in a 4-GiB wasm memory); the rest live outside the arena.
   * Tests use it to exhaust the pool.
   */
  arenaFrames?: number;
}

export const DEFAULT_MEM_SIZE = 64 * 1024 * 1024;

/** Told that `count` frames from physical address `pa` (a multiple of 4096) were freed. */
export type FramesFreed = (pa: number, count: number) => void;

export class Machine {
  readonly arena: Arena;
  readonly mem: PhysMem;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  /** Who forgets what they cached about a frame when it is freed (tier 1's regions: onFramesFreed). */
  private readonly freeListeners: FramesFreed[] = [];

  constructor(opts: MachineOptions = {}) {
    const size = checkRamSize(opts.memSize ?? DEFAULT_MEM_SIZE, opts.maxPhyAddr ?? 46);
    const tlb = opts.tlb ?? DEFAULT_TLB_CONFIG;
    const lru = tlb !== 'none' && (tlb.replacement ?? Replacement.Lru) === Replacement.Lru;
    // The frame pool: room for all of RAM above 1 GiB, or arenaFrames frames (the arena rounds up to 64 KiB and caps at 4 GiB).
    const pool = Math.min(size - firstChunkBytes(size), (opts.arenaFrames ?? Infinity) * PAGE_SIZE);
    this.arena = new Arena({
      ramBytes: firstChunkBytes(size),
      itlb: { slots: tlbSlots(tlb === 'none' ? null : tlb.itlb), lru },
      dtlb: { slots: tlbSlots(tlb === 'none' ? null : tlb.dtlb), lru },
      frameBytes: pool,
    });
    const l = this.arena.layout;
    this.mem = new PhysMem({
      size,
      maxPhyAddr: opts.maxPhyAddr,
      firstChunk: this.arena.buffer,
      framePool: { start: l.frames, bytes: Math.min(l.frameBytes, pool) },
    });
    this.mmu = new Mmu(this.mem, tlb, new TrapRecord(), this.arena);
    this.cpu = new Cpu(this.mmu, this.mem, this.arena);
  }

  /** Runs up to `budget` instructions; see Cpu.run for the stop reasons. */
  run(budget: number): Stop {
    return this.cpu.run(budget);
  }

  /**
   * Whoever hands out physical frames (the kernel's page allocator, Linux's
   * free_pages) says that `count` frames from `pa` are free: what they held is
   * garbage from now on, and caches of their contents (tier 1's compiled
   * regions and write watches) forget them. Only an optimisation hint: a frame
   * reused without it is still caught by the word checks (docs/jit.md).
   */
  framesFreed(pa: number, count: number): void {
    for (const l of this.freeListeners) l(pa, count);
  }

  /** Calls `l` at every framesFreed(). */
  onFramesFreed(l: FramesFreed): void {
    this.freeListeners.push(l);
  }

  /**
   * Enters IA-32e mode with paging on (SDM vol. 3, 10.8.5): EFER.LME/LMA/NXE,
   * CR4.PAE (and LA57 for 5-level tables), CR0.PE/PG/WP, and CR3 = root.
   */
  enablePaging(root: number, levels: 4 | 5 = 4): void {
    this.mmu.efer = EFER_LME | EFER_LMA | EFER_NXE;
    this.mmu.writeCr4(CR4_PAE | (levels === 5 ? CR4_LA57 : 0));
    this.mmu.writeCr3(root);
    this.mmu.writeCr0(CR0_PE | CR0_PG | CR0_WP);
  }
}
