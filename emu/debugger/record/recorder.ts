// The execution recorder behind reverse execution: snapshots plus a write log.
//
// A snapshot is taken at a pause of the kernel (between two instructions,
// never inside a handler) and holds the kernel's and the machine's object
// graph (graph.ts: registers, TLB, MMU caches, tasks, VMAs, the frame
// table, files...). Guest RAM is too big to copy, so it is covered by a write
// log instead: every write to physical memory after snapshot i first saves
// the old contents of its 4-KiB frame into snapshot i's undo map (once per
// frame). The writes are seen through PhysMem.writeObserver; while recording
// the CPU sends its loads and stores through the memory methods too
// (Cpu.observeMemory), so nothing writes RAM unseen. Rewinding to snapshot i writes back the undo maps of i and every
// later snapshot, newest first, then restores i's graph.
//
// Positions on the time line are cpu.instret + kernel.kernelEntries (see
// Kernel.kernelEntries): they grow between any two instructions any task
// starts. The session replays from a snapshot to an exact position (the
// machine and the kernel are deterministic: no host time or input reaches
// the guest in a debug session), which is how reverse-stepi lands on an
// instruction between two snapshots.
//
// The history is bounded: snapshots older than `maxInsns` instructions
// before the newest one are dropped with their undo maps.
import type { Kernel } from '../../../kernel-ts/kernel';
import { mmIds } from '../../../kernel-ts/mm/mm-struct';
import { shmemInos } from '../../../kernel-ts/mm/filemap';
import { PhysMem } from '../../machine/mem/phys';
import { DecodeCache, DecodedPage } from '../../machine/cpu/decode';
import { captureGraph, restoreGraph } from './graph';
import type { GraphOptions, GraphSnapshot } from './graph';
import { PAGE_SIZE } from '../../machine/mmu/paging';

export interface Snapshot<Mark = unknown> {
  /** Time-line position (instret + kernel entries). */
  readonly pos: number;
  /** Instructions the debugged task had retired. */
  readonly insns: number;
  readonly graph: GraphSnapshot;
  /** Frame number -> its contents at this snapshot, for frames written after it (until the next snapshot). */
  undo: Map<number, Uint8Array>;
  /** The debugger's own state at this point, which a replay from here needs (Session: the followed task, the instruction whose stop conditions were already checked). */
  readonly mark: Mark;
}

export const DEFAULT_RECORD_INTERVAL = 20_000;
export const DEFAULT_RECORD_MAX_INSNS = 2_000_000;
/** Default bound of the write log: a program that writes a new page with every store fills it fast. */
export const DEFAULT_RECORD_MAX_BYTES = 512 * 1048576;

export class Recorder<Mark = unknown> {
  readonly snapshots: Snapshot<Mark>[] = [];
  /** Instructions between checkpoints. */
  interval = DEFAULT_RECORD_INTERVAL;
  /** History kept, in instructions (gdb: record full insn-number-max). */
  maxInsns = DEFAULT_RECORD_MAX_INSNS;
  /** Bytes of saved frames the write log may hold before the oldest snapshots go (the newest always stays). */
  maxBytes = DEFAULT_RECORD_MAX_BYTES;
  /** Snapshots dropped because the history was full. */
  dropped = 0;
  /** Bytes of saved frames in all undo maps. */
  private undoBytes = 0;
  private readonly mem: PhysMem;
  private readonly graphOpts: GraphOptions;
  private readonly roots: object[];

  constructor(readonly k: Kernel) {
    this.mem = k.machine.mem;
    // The arena's bytes after RAM hold the CPU state (registers, MMU caches), which snapshots must save;
    // views of RAM (chunk 0, the frame pool, spill buffers) are saved through the write log instead.
    const mem = this.mem;
    const isRam = (o: object): boolean => ArrayBuffer.isView(o) && mem.isRamView(o);
    this.graphOpts = {
      // Predecoded instructions are checked against memory at every fetch: no need to save them.
      exclude: (o) => o === mem || o instanceof DecodeCache || o instanceof DecodedPage || o === this || isRam(o),
      excludeBuffers: new Set(),
    };
    this.roots = [k, mmIds, shmemInos];
    mem.writeObserver = (pa, len) => this.touch(pa, len);
    // The CPU's own stores go through the memory methods too while recording.
    k.machine.cpu.observeMemory(true);
  }

  /** Stops recording: the write observer goes, the history is dropped. */
  stop(): void {
    this.mem.writeObserver = null;
    this.k.machine.cpu.observeMemory(false);
    this.snapshots.length = 0;
    this.undoBytes = 0;
  }

  /** Saves the frames of [pa, pa+len) into the newest snapshot's undo map, each the first time. */
  touch(pa: number, len: number): void {
    const snap = this.snapshots[this.snapshots.length - 1];
    if (snap === undefined || len <= 0) return;
    const last = Math.min(pa + len - 1, this.mem.size - 1);
    for (let f = Math.floor(pa / PAGE_SIZE); f * PAGE_SIZE <= last; f++) {
      if (snap.undo.has(f)) continue;
      snap.undo.set(f, this.mem.readBytes(f * PAGE_SIZE, PAGE_SIZE));
      this.undoBytes += PAGE_SIZE;
    }
    while (this.undoBytes > this.maxBytes && this.snapshots.length > 1) this.dropOldest();
  }

  /** Drops the snapshots taken at or before `pos`, with their saved frames: the history begins after it (none may be left). */
  dropThrough(pos: number): void {
    while (this.snapshots.length > 0 && this.snapshots[0]!.pos <= pos) this.dropOldest();
  }

  private dropOldest(): void {
    const s = this.snapshots.shift()!;
    this.undoBytes -= s.undo.size * PAGE_SIZE;
    this.dropped++;
  }

  /** Takes a snapshot at `pos` (the kernel must be paused). */
  take(pos: number, insns: number, mark: Mark): Snapshot<Mark> {
    const prev = this.snapshots[this.snapshots.length - 1];
    if (prev !== undefined && prev.pos === pos) return prev;
    const graph = captureGraph(this.roots, this.graphOpts, prev?.graph ?? null);
    const s: Snapshot<Mark> = { pos, insns, graph, undo: new Map(), mark };
    this.snapshots.push(s);
    while (this.snapshots.length > 2 && pos - this.snapshots[1]!.pos >= this.maxInsns) this.dropOldest();
    return s;
  }

  /**
   * The state at `pos` changed under the recorder (the debugger wrote a
   * register or memory): the snapshot taken there is replaced by one of the
   * new state. Its saved frames go to the snapshot before it (they are part of
   * what rewinding past `pos` must undo), so going back before the change
   * undoes it, and coming back to `pos` finds it.
   */
  retake(pos: number, insns: number, mark: Mark): Snapshot<Mark> {
    const last = this.snapshots[this.snapshots.length - 1];
    if (last !== undefined && last.pos === pos) {
      this.snapshots.pop();
      const prev = this.snapshots[this.snapshots.length - 1];
      for (const [f, bytes] of last.undo) {
        if (prev !== undefined && !prev.undo.has(f)) prev.undo.set(f, bytes);
        else this.undoBytes -= PAGE_SIZE;
      }
    }
    return this.take(pos, insns, mark);
  }

  /** The newest snapshot at or before pos (-1: none). */
  indexAtOrBefore(pos: number): number {
    for (let i = this.snapshots.length - 1; i >= 0; i--) if (this.snapshots[i]!.pos <= pos) return i;
    return -1;
  }

  /** Puts guest RAM, the machine and the kernel back to snapshot i; the later snapshots are dropped (replay makes them again). */
  restore(i: number): Snapshot<Mark> {
    const target = this.snapshots[i]!;
    const mem = this.mem;
    const observer = mem.writeObserver;
    mem.writeObserver = null;
    try {
      for (let j = this.snapshots.length - 1; j >= i; j--) {
        for (const [f, bytes] of this.snapshots[j]!.undo) mem.writeBytes(f * PAGE_SIZE, bytes);
      }
    } finally {
      mem.writeObserver = observer;
    }
    for (let j = i; j < this.snapshots.length; j++) this.undoBytes -= this.snapshots[j]!.undo.size * PAGE_SIZE;
    this.snapshots.length = i + 1;
    target.undo = new Map();
    restoreGraph(target.graph);
    return target;
  }

  /** Bytes held: saved frames plus the snapshots' typed-array blocks (each shared block once). */
  bytes(): number {
    const blocks = new Set<Uint8Array>();
    for (const snap of this.snapshots) snap.graph.blocks(blocks);
    let n = this.undoBytes;
    for (const b of blocks) n += b.byteLength;
    return n;
  }
}
