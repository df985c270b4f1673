// Guest physical memory. Physical addresses are plain numbers below 2^52.
//
// Two stores with one API (GuestMemory):
// - PhysMem: RAM of a fixed size. Its first GiB (chunk 0) is one buffer, in
//   a machine the start of its arena (arena.ts), at the physical address.
//   RAM above 1 GiB is a frame table: each 4K frame gets a place at its
//   first touch, in the arena's frame pool while it lasts (so compiled code
//   reaches it inline), else in a 1-GiB spill ArrayBuffer made when first
//   needed. Zero-filled memory (wasm or ArrayBuffer) is mapped lazily by the
//   OS, so a 16-GiB guest costs host memory only for the pages it touches.
//   Every typed array is at most 1 GiB, keeping indices small integers (an
//   Int32Array over 1 GiB has 2^28 elements), which V8 compiles to its
//   fastest element access. Hot loops should index chunkI32() directly, as
//   the CPU's fetch path does.
// - SparsePhysMem: a Map of 4-KiB pages covering all of 2^52, for the
//   conformance runner (cases scatter tables over the whole MAXPHYADDR range).
//
// Addresses at or beyond the end of RAM read as all-ones and ignore writes,
// like an unclaimed bus. Multi-byte values are little-endian (the guest's
// order); 64-bit values are two 32-bit accesses, low word at pa, high at pa+4
// (see read64Lo/read64Hi below).
import { PAGE_SIZE } from '../mmu/paging';

/** The memory interface the MMU and the CPU use. */
export interface GuestMemory {
  /** Bytes of RAM (addresses >= size are beyond RAM). */
  readonly size: number;
  /** log2 of the chunk size of the backing store (see chunkI32). */
  readonly chunkShift: number;
  read8(pa: number): number;
  read16(pa: number): number;
  /** A 32-bit little-endian word as an int32. */
  read32(pa: number): number;
  write8(pa: number, value: number): void;
  write16(pa: number, value: number): void;
  write32(pa: number, value: number): void;
  readBytes(pa: number, len: number): Uint8Array;
  writeBytes(pa: number, bytes: Uint8Array): void;
  /**
   * The Int32Array holding pa (index with chunkOffset(pa) >> 2), or null
   * beyond RAM. Only the 4K frame holding pa is sure to follow at the next
   * indices (below PhysMem's first GiB, all of it): frames above it are
   * placed one by one.
   */
  chunkI32(pa: number): Int32Array<ArrayBuffer> | null;
  /** The Uint8Array holding pa (index with chunkOffset(pa)), or null beyond RAM; the same caveat as chunkI32. */
  chunkU8(pa: number): Uint8Array<ArrayBuffer> | null;
  /** pa's byte offset inside the arrays chunkI32/chunkU8 return. */
  chunkOffset(pa: number): number;
  /**
   * The arena offset of the 4K frame at `page` (4K aligned) for compiled
   * code (arena.ts), or -1 (NO_HOST) when that frame is not in an arena.
   */
  hostPage(page: number): number;
  /**
   * Called before every write made through this interface (and by code that
   * writes a chunk directly: zeroFrame, copyFrame), with the range about to
   * change; null (the default) costs one test per write method call. The
   * debugger's recorder saves the old contents (emu/debugger/record). The
   * CPU's in-page stores bypass it (RamView); the recorder sees those itself.
   */
  writeObserver: ((pa: number, len: number) => void) | null;
}

export const GiB = 1073741824;
/** Chunk size of PhysMem: 1 GiB. */
export const CHUNK_SHIFT = 30;
const CHUNK_SIZE = GiB;
const CHUNK_MASK = CHUNK_SIZE - 1;
/** 2^-30: multiplying by it is exact and cheaper than dividing by 2^30. */
const INV_CHUNK = 1 / CHUNK_SIZE;
/** Physical addresses are below 2^52 (SDM vol. 3, 4.1.4: MAXPHYADDR is at most 52). */
export const PA_LIMIT = 2 ** 52;

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('vmlab needs a little-endian host (typed arrays are used as guest memory)');
}

export interface PhysMemOptions {
  /** RAM size in bytes, a multiple of 4096; default 1 GiB. */
  size?: number;
  /** Physical-address width in bits, 36..52; default 46. */
  maxPhyAddr?: number;
  /**
   * The backing store of the first chunk (the machine's arena, arena.ts):
   * its first min(size, 1 GiB) bytes become RAM [0, 1 GiB). Default: a new
   * ArrayBuffer.
   */
  firstChunk?: ArrayBuffer;
  /**
   * Bytes [start, start + bytes) of firstChunk's buffer (the arena's frame
   * pool, 4K aligned) hold frames of RAM above 1 GiB, allocated on first
   * touch; frames beyond the pool go to 1-GiB ArrayBuffers made when first
   * needed. Default: no pool.
   */
  framePool?: { start: number; bytes: number };
}

function checkMaxPhyAddr(m: number): number {
  if (!Number.isInteger(m) || m < 36 || m > 52) throw new RangeError(`maxPhyAddr must be 36..52, got ${m}`);
  return m;
}

/** Checks a RAM size (a positive multiple of 4096 below 2^maxPhyAddr) and returns it. */
export function checkRamSize(size: number, maxPhyAddr: number): number {
  if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
    throw new RangeError(`memory size must be a positive multiple of 4096, got ${size}`);
  }
  if (size > 2 ** maxPhyAddr) throw new RangeError(`memory size ${size} exceeds 2^${maxPhyAddr}`);
  return size;
}

/** Bytes of RAM in the first chunk of a PhysMem of `size` bytes. */
export function firstChunkBytes(size: number): number {
  return Math.min(size, CHUNK_SIZE);
}

/** Windows 0..3 are the arena's bytes by GiB (a wasm memory is at most 4 GiB); window 4 + c is spill chunk c. */
const SPILL_WINDOW = 4;
/** What a host offset is when the frame is not in the arena (arena.ts NO_HOST). */
const NOT_IN_ARENA = -1;

/**
 * Guest RAM of a fixed size; see the file comment. RAM below 1 GiB is chunk
 * 0, at its physical address in firstChunk. A frame above 1 GiB has a
 * location, fixed at its first touch (a write, or a chunk view handed out:
 * reads of an untouched frame give 0 and touch nothing): a 4K frame of the
 * frame pool while it lasts, else its own place in a 1-GiB spill buffer.
 * A location is window * 2^30 + offset: windows 0-3 view the arena by GiB,
 * windows 4+c the spill buffer of chunk c, so (window, offset) always index
 * a typed array of at most 1 GiB with small integers.
 */
export class PhysMem implements GuestMemory {
  readonly size: number;
  readonly maxPhyAddr: number;
  readonly chunkShift = CHUNK_SHIFT;
  /** RAM bytes of chunk 0: min(size, 1 GiB). */
  private readonly lowEnd: number;
  private readonly lowU8: Uint8Array<ArrayBuffer>;
  private readonly lowI32: Int32Array<ArrayBuffer>;
  /** Views by window (see the class comment); spill windows appear when first needed. */
  private readonly winU8: (Uint8Array<ArrayBuffer> | undefined)[] = [];
  private readonly winI32: (Int32Array<ArrayBuffer> | undefined)[] = [];
  /** Frame above 1 GiB (index (pa - 1 GiB) / 4096) -> its location / 4096, or 0 while untouched. */
  private readonly frameLoc: Uint32Array;
  private readonly poolStart: number;
  private poolNext: number;
  private readonly poolEnd: number;
  /** Whether chunk 0 lives in an arena (firstChunk given): its pages then have host offsets. */
  private readonly lowInArena: boolean;
  /** Frames above 1 GiB allocated in the arena's frame pool, and outside it (spill buffers). */
  framesInArena = 0;
  framesSpilled = 0;
  writeObserver: ((pa: number, len: number) => void) | null = null;

  constructor(opts: PhysMemOptions = {}) {
    this.maxPhyAddr = checkMaxPhyAddr(opts.maxPhyAddr ?? 46);
    const size = checkRamSize(opts.size ?? GiB, this.maxPhyAddr);
    this.size = size;
    const low = firstChunkBytes(size);
    this.lowEnd = low;
    const first = opts.firstChunk;
    if (first !== undefined && first.byteLength < low) throw new RangeError(`firstChunk holds ${first.byteLength} bytes, RAM needs ${low}`);
    const buf = first ?? new ArrayBuffer(low);
    this.lowInArena = first !== undefined;
    this.lowU8 = new Uint8Array(buf, 0, low);
    this.lowI32 = new Int32Array(buf, 0, low >> 2);
    for (let w = 0; w < SPILL_WINDOW && w * CHUNK_SIZE < buf.byteLength; w++) {
      const len = Math.min(CHUNK_SIZE, buf.byteLength - w * CHUNK_SIZE);
      this.winU8.push(new Uint8Array(buf, w * CHUNK_SIZE, len));
      this.winI32.push(new Int32Array(buf, w * CHUNK_SIZE, len >> 2));
    }
    while (this.winU8.length < SPILL_WINDOW) {
      this.winU8.push(undefined);
      this.winI32.push(undefined);
    }
    const pool = opts.framePool ?? { start: 0, bytes: 0 };
    if (pool.bytes > 0 && (first === undefined || pool.start % PAGE_SIZE !== 0 || pool.start < low || pool.start + pool.bytes > first.byteLength)) {
      throw new RangeError('framePool must be a 4K-aligned range of firstChunk\'s buffer after RAM');
    }
    this.poolStart = pool.start;
    this.poolNext = pool.start;
    this.poolEnd = pool.start + pool.bytes - (pool.bytes % PAGE_SIZE);
    this.frameLoc = new Uint32Array(Math.max(0, size - CHUNK_SIZE) / PAGE_SIZE);
  }

  /** The location of the frame above 1 GiB holding pa, allocating it when `touch`; -1 for an untouched frame otherwise. */
  private high(pa: number, touch: boolean): number {
    const i = (pa - CHUNK_SIZE) / PAGE_SIZE;
    const f = this.frameLoc[i | 0]!;
    if (f !== 0) return f * PAGE_SIZE + (pa & 0xfff);
    return touch ? this.allocate(pa, i | 0) + (pa & 0xfff) : -1;
  }

  /** First touch of the frame above 1 GiB holding pa (frame index i): the pool's next frame, else its place in a spill buffer. */
  private allocate(pa: number, i: number): number {
    let loc: number;
    if (this.poolNext < this.poolEnd) {
      loc = this.poolNext;
      this.poolNext += PAGE_SIZE;
      this.framesInArena++;
    } else {
      const c = (pa * INV_CHUNK) | 0;
      const w = SPILL_WINDOW + c;
      if (this.winU8[w] === undefined) {
        const buf = new ArrayBuffer(Math.min(CHUNK_SIZE, this.size - c * CHUNK_SIZE));
        while (this.winU8.length <= w) {
          this.winU8.push(undefined);
          this.winI32.push(undefined);
        }
        this.winU8[w] = new Uint8Array(buf);
        this.winI32[w] = new Int32Array(buf);
      }
      loc = w * CHUNK_SIZE + ((pa & CHUNK_MASK) - (pa & 0xfff));
      this.framesSpilled++;
    }
    this.frameLoc[i] = loc / PAGE_SIZE;
    return loc;
  }

  private u8At(loc: number): Uint8Array<ArrayBuffer> {
    return this.winU8[(loc * INV_CHUNK) | 0]!;
  }

  read8(pa: number): number {
    if (pa < this.lowEnd) return this.lowU8[pa]!;
    if (pa >= this.size) return 0xff;
    const loc = this.high(pa, false);
    return loc < 0 ? 0 : this.u8At(loc)[loc & CHUNK_MASK]!;
  }

  read16(pa: number): number {
    if ((pa & 1) === 0 && pa < this.lowEnd) return this.lowU8[pa]! | (this.lowU8[pa + 1]! << 8);
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }

  read32(pa: number): number {
    if ((pa & 3) === 0) {
      if (pa < this.lowEnd) return this.lowI32[pa >> 2]!;
      if (pa < this.size) {
        const loc = this.high(pa, false);
        return loc < 0 ? 0 : this.winI32[(loc * INV_CHUNK) | 0]![(loc & CHUNK_MASK) >> 2]!;
      }
    }
    return this.read8(pa) | (this.read8(pa + 1) << 8) | (this.read8(pa + 2) << 16) | (this.read8(pa + 3) << 24);
  }

  write8(pa: number, value: number): void {
    if (this.writeObserver !== null) this.writeObserver(pa, 1);
    if (pa < this.lowEnd) this.lowU8[pa] = value;
    else if (pa < this.size) {
      const loc = this.high(pa, true);
      this.u8At(loc)[loc & CHUNK_MASK] = value;
    }
  }

  write16(pa: number, value: number): void {
    if (this.writeObserver !== null) this.writeObserver(pa, 2);
    if ((pa & 1) === 0 && pa < this.lowEnd) {
      this.lowU8[pa] = value;
      this.lowU8[pa + 1] = value >> 8;
      return;
    }
    this.write8(pa, value);
    this.write8(pa + 1, value >> 8);
  }

  write32(pa: number, value: number): void {
    if (this.writeObserver !== null) this.writeObserver(pa, 4);
    if ((pa & 3) === 0) {
      if (pa < this.lowEnd) {
        this.lowI32[pa >> 2] = value;
        return;
      }
      if (pa < this.size) {
        const loc = this.high(pa, true);
        this.winI32[(loc * INV_CHUNK) | 0]![(loc & CHUNK_MASK) >> 2] = value;
        return;
      }
    }
    this.write8(pa, value);
    this.write8(pa + 1, value >> 8);
    this.write8(pa + 2, value >> 16);
    this.write8(pa + 3, value >> 24);
  }

  readBytes(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; ) {
      const p = pa + i;
      if (p >= this.size) {
        out.fill(0xff, i);
        break;
      }
      if (p < this.lowEnd) {
        const n = Math.min(len - i, this.lowEnd - p);
        out.set(this.lowU8.subarray(p, p + n), i);
        i += n;
        continue;
      }
      const n = Math.min(len - i, PAGE_SIZE - (p & 0xfff));
      const loc = this.high(p, false);
      if (loc >= 0) {
        const o = loc & CHUNK_MASK;
        out.set(this.u8At(loc).subarray(o, o + n), i);
      }
      i += n;
    }
    return out;
  }

  writeBytes(pa: number, bytes: Uint8Array): void {
    if (this.writeObserver !== null) this.writeObserver(pa, bytes.length);
    for (let i = 0; i < bytes.length; ) {
      const p = pa + i;
      if (p >= this.size) return;
      if (p < this.lowEnd) {
        const n = Math.min(bytes.length - i, this.lowEnd - p);
        this.lowU8.set(bytes.subarray(i, i + n), p);
        i += n;
        continue;
      }
      const n = Math.min(bytes.length - i, PAGE_SIZE - (p & 0xfff));
      const loc = this.high(p, true);
      this.u8At(loc).set(bytes.subarray(i, i + n), loc & CHUNK_MASK);
      i += n;
    }
  }

  /** Above 1 GiB this touches the frame (allocates it): the caller may write through the view. */
  chunkI32(pa: number): Int32Array<ArrayBuffer> | null {
    if (pa < this.lowEnd) return this.lowI32;
    return pa < this.size ? this.winI32[(this.high(pa, true) * INV_CHUNK) | 0]! : null;
  }

  /** Above 1 GiB this touches the frame (allocates it): the caller may write through the view. */
  chunkU8(pa: number): Uint8Array<ArrayBuffer> | null {
    if (pa < this.lowEnd) return this.lowU8;
    return pa < this.size ? this.u8At(this.high(pa, true)) : null;
  }

  chunkOffset(pa: number): number {
    if (pa < this.lowEnd || pa >= this.size) return pa & CHUNK_MASK;
    return this.high(pa, true) & CHUNK_MASK;
  }

  /**
   * The arena offset of the 4K frame at physical address `page` (4K
   * aligned), for compiled code: the address itself below 1 GiB, the frame's
   * place in the frame pool above (allocated now if untouched); -1 (NO_HOST)
   * for a frame outside the arena (spilled, beyond RAM, or no arena at all).
   * An offset may exceed 2^31: compiled code uses it as an unsigned i32.
   */
  hostPage(page: number): number {
    if (page < this.lowEnd) return this.lowInArena ? page : NOT_IN_ARENA;
    if (page >= this.size) return NOT_IN_ARENA;
    const loc = this.high(page, true);
    return loc < SPILL_WINDOW * CHUNK_SIZE ? loc : NOT_IN_ARENA;
  }

  /** Whether a typed array views RAM bytes (chunk 0, the frame pool or a spill buffer): the debugger's recorder saves RAM through its write log, not by copying views. */
  isRamView(v: ArrayBufferView): boolean {
    const at = v.byteOffset;
    if (v.buffer === this.lowU8.buffer) return at < this.lowEnd || (at >= this.poolStart && at < this.poolEnd);
    return this.winU8.some((w, i) => i >= SPILL_WINDOW && w !== undefined && w.buffer === v.buffer);
  }
}

const SPARSE_SHIFT = 12;
const SPARSE_MASK = PAGE_SIZE - 1;

/**
 * Memory covering every address below 2^52, allocated 4 KiB at a time on the
 * first write; untouched bytes read as 0. For the conformance runner and
 * tests, where tables sit anywhere in a 52-bit physical space.
 */
export class SparsePhysMem implements GuestMemory {
  readonly size = PA_LIMIT;
  readonly chunkShift = SPARSE_SHIFT;
  private readonly pages = new Map<number, Int32Array<ArrayBuffer>>();
  /** Never called: the conformance runner does not record. */
  writeObserver: ((pa: number, len: number) => void) | null = null;

  /** Number of 4-KiB pages allocated so far. */
  get pageCount(): number {
    return this.pages.size;
  }

  private page(pa: number): Int32Array<ArrayBuffer> | undefined {
    return this.pages.get(Math.floor(pa / PAGE_SIZE));
  }

  private pageForWrite(pa: number): Int32Array<ArrayBuffer> {
    const n = Math.floor(pa / PAGE_SIZE);
    let p = this.pages.get(n);
    if (p === undefined) {
      p = new Int32Array(PAGE_SIZE / 4);
      this.pages.set(n, p);
    }
    return p;
  }

  read8(pa: number): number {
    if (pa >= PA_LIMIT) return 0xff;
    const p = this.page(pa);
    return p === undefined ? 0 : (p[(pa & SPARSE_MASK) >> 2]! >>> ((pa & 3) * 8)) & 0xff;
  }

  read16(pa: number): number {
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }

  read32(pa: number): number {
    if ((pa & 3) === 0 && pa < PA_LIMIT) {
      const p = this.page(pa);
      return p === undefined ? 0 : p[(pa & SPARSE_MASK) >> 2]!;
    }
    return this.read8(pa) | (this.read8(pa + 1) << 8) | (this.read8(pa + 2) << 16) | (this.read8(pa + 3) << 24);
  }

  write8(pa: number, value: number): void {
    if (pa >= PA_LIMIT) return;
    const p = this.pageForWrite(pa);
    const i = (pa & SPARSE_MASK) >> 2;
    const sh = (pa & 3) * 8;
    p[i] = (p[i]! & ~(0xff << sh)) | ((value & 0xff) << sh);
  }

  write16(pa: number, value: number): void {
    this.write8(pa, value);
    this.write8(pa + 1, value >> 8);
  }

  write32(pa: number, value: number): void {
    if ((pa & 3) === 0 && pa < PA_LIMIT) {
      this.pageForWrite(pa)[(pa & SPARSE_MASK) >> 2] = value;
      return;
    }
    this.write8(pa, value);
    this.write8(pa + 1, value >> 8);
    this.write8(pa + 2, value >> 16);
    this.write8(pa + 3, value >> 24);
  }

  readBytes(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.read8(pa + i);
    return out;
  }

  writeBytes(pa: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.write8(pa + i, bytes[i]!);
  }

  chunkI32(pa: number): Int32Array<ArrayBuffer> | null {
    if (pa >= PA_LIMIT) return null;
    return this.pageForWrite(pa);
  }

  chunkU8(pa: number): Uint8Array<ArrayBuffer> | null {
    const p = this.chunkI32(pa);
    return p === null ? null : new Uint8Array(p.buffer);
  }

  chunkOffset(pa: number): number {
    return pa & SPARSE_MASK;
  }

  /** Never in an arena. */
  hostPage(page: number): number {
    void page;
    return NOT_IN_ARENA;
  }
}

/** Low 32 bits of the 64-bit little-endian word at pa (= read32(pa)). */
export function read64Lo(mem: GuestMemory, pa: number): number {
  return mem.read32(pa);
}

/** High 32 bits of the 64-bit little-endian word at pa (= read32(pa + 4)). */
export function read64Hi(mem: GuestMemory, pa: number): number {
  return mem.read32(pa + 4);
}

/** The 64-bit word at pa as a BigInt: for tests, loaders and the debugger, never the hot path. */
export function read64Big(mem: GuestMemory, pa: number): bigint {
  return (BigInt(mem.read32(pa + 4) >>> 0) << 32n) | BigInt(mem.read32(pa) >>> 0);
}

/** Store a 64-bit word given as a BigInt (two write32s, low word first). */
export function write64Big(mem: GuestMemory, pa: number, value: bigint): void {
  mem.write32(pa, Number(value & 0xffffffffn) | 0);
  mem.write32(pa + 4, Number((value >> 32n) & 0xffffffffn) | 0);
}
