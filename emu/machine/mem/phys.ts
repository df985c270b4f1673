// Guest physical memory. Physical addresses are plain numbers below 2^52.
//
// Two stores with one API (GuestMemory):
// - PhysMem: RAM of a fixed size, backed by 1-GiB ArrayBuffers. A large
//   zero-filled ArrayBuffer is mapped lazily by the OS (calloc -> mmap), so a
//   16-GiB guest costs host memory only for the pages it touches. 1-GiB chunks
//   keep every typed-array index a small integer (an Int32Array over one chunk
//   has 2^28 elements), which V8 compiles to its fastest element access; one
//   big buffer would need indices above 2^31 for guests larger than 8 GiB.
//   Measured (Node 20, /tmp bench, noisy shared host): read32 through the
//   method runs at 200-290 M/s for a 64-MiB and a 16-GiB guest alike; a 16-GiB
//   guest with one word written per GiB adds < 1 MiB of RSS. Hot loops should
//   index chunkI32() directly, as the CPU's fetch path does.
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
  /** The Int32Array of the chunk holding pa (index with chunkOffset(pa) >> 2), or null beyond RAM. */
  chunkI32(pa: number): Int32Array<ArrayBuffer> | null;
  /** The Uint8Array of the chunk holding pa (index with chunkOffset(pa)), or null beyond RAM. */
  chunkU8(pa: number): Uint8Array<ArrayBuffer> | null;
  /** pa's byte offset inside its chunk. */
  chunkOffset(pa: number): number;
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

/** Guest RAM of a fixed size in 1-GiB chunks; see the file comment. */
export class PhysMem implements GuestMemory {
  readonly size: number;
  readonly maxPhyAddr: number;
  readonly chunkShift = CHUNK_SHIFT;
  private readonly u8: Uint8Array<ArrayBuffer>[] = [];
  private readonly i32: Int32Array<ArrayBuffer>[] = [];
  writeObserver: ((pa: number, len: number) => void) | null = null;

  constructor(opts: PhysMemOptions = {}) {
    this.maxPhyAddr = checkMaxPhyAddr(opts.maxPhyAddr ?? 46);
    const size = checkRamSize(opts.size ?? GiB, this.maxPhyAddr);
    this.size = size;
    for (let base = 0; base < size; base += CHUNK_SIZE) {
      const len = Math.min(CHUNK_SIZE, size - base);
      const first = base === 0 ? opts.firstChunk : undefined;
      if (first !== undefined && first.byteLength < len) throw new RangeError(`firstChunk holds ${first.byteLength} bytes, RAM needs ${len}`);
      const buf = first ?? new ArrayBuffer(len);
      this.u8.push(new Uint8Array(buf, 0, len));
      this.i32.push(new Int32Array(buf, 0, len >> 2));
    }
  }

  read8(pa: number): number {
    if (pa < this.size) return this.u8[(pa * INV_CHUNK) | 0]![pa & CHUNK_MASK]!;
    return 0xff;
  }

  read16(pa: number): number {
    if ((pa & 1) === 0 && pa < this.size) {
      const c = this.u8[(pa * INV_CHUNK) | 0]!;
      const o = pa & CHUNK_MASK;
      return c[o]! | (c[o + 1]! << 8);
    }
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }

  read32(pa: number): number {
    if ((pa & 3) === 0 && pa < this.size) return this.i32[(pa * INV_CHUNK) | 0]![(pa & CHUNK_MASK) >> 2]!;
    return this.read8(pa) | (this.read8(pa + 1) << 8) | (this.read8(pa + 2) << 16) | (this.read8(pa + 3) << 24);
  }

  write8(pa: number, value: number): void {
    if (this.writeObserver !== null) this.writeObserver(pa, 1);
    if (pa < this.size) this.u8[(pa * INV_CHUNK) | 0]![pa & CHUNK_MASK] = value;
  }

  write16(pa: number, value: number): void {
    if (this.writeObserver !== null) this.writeObserver(pa, 2);
    if ((pa & 1) === 0 && pa < this.size) {
      const c = this.u8[(pa * INV_CHUNK) | 0]!;
      const o = pa & CHUNK_MASK;
      c[o] = value;
      c[o + 1] = value >> 8;
      return;
    }
    this.write8(pa, value);
    this.write8(pa + 1, value >> 8);
  }

  write32(pa: number, value: number): void {
    if (this.writeObserver !== null) this.writeObserver(pa, 4);
    if ((pa & 3) === 0 && pa < this.size) {
      this.i32[(pa * INV_CHUNK) | 0]![(pa & CHUNK_MASK) >> 2] = value;
      return;
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
      const c = this.u8[(p * INV_CHUNK) | 0]!;
      const o = p & CHUNK_MASK;
      const n = Math.min(len - i, c.length - o);
      out.set(c.subarray(o, o + n), i);
      i += n;
    }
    return out;
  }

  writeBytes(pa: number, bytes: Uint8Array): void {
    if (this.writeObserver !== null) this.writeObserver(pa, bytes.length);
    for (let i = 0; i < bytes.length; ) {
      const p = pa + i;
      if (p >= this.size) return;
      const c = this.u8[(p * INV_CHUNK) | 0]!;
      const o = p & CHUNK_MASK;
      const n = Math.min(bytes.length - i, c.length - o);
      c.set(bytes.subarray(i, i + n), o);
      i += n;
    }
  }

  chunkI32(pa: number): Int32Array<ArrayBuffer> | null {
    return pa < this.size ? this.i32[(pa * INV_CHUNK) | 0]! : null;
  }

  chunkU8(pa: number): Uint8Array<ArrayBuffer> | null {
    return pa < this.size ? this.u8[(pa * INV_CHUNK) | 0]! : null;
  }

  chunkOffset(pa: number): number {
    return pa & CHUNK_MASK;
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
