// The architecturally visible TLB (SDM vol. 3, 4.10.2): set-associative
// structures per page size, entries tagged with a PCID (4.10.1) and a global
// flag, holding the page frame and the combined rights (PERM_*) of the walk
// that filled them. Stale entries are used until invalidated: that is the
// point of a TLB, and a lesson vmlab lets you watch.
//
// All state lives in typed arrays indexed by slot (structure offset + set *
// ways + way), so lookups and hits allocate nothing. gen[slot] is bumped every
// time a slot's contents die (invalidation or eviction): the MMU's micro-cache
// remembers the generation it mirrored and so never outlives its entry.
// gen, stamp, the LRU clock and the micro-hit count are what a micro-cache hit
// reads and updates: in a machine they are views into its arena (arena.ts), so
// compiled code updates them as the interpreter does.
import { heapTlbViews } from '../arena';
import type { TlbViews } from '../arena';
import { PAGE_SHIFT_1G, PAGE_SHIFT_2M, PAGE_SHIFT_4K, pageSizeName } from './paging';
import { PERM_D, PERM_G, PERM_RW, PERM_US, PERM_XD } from './rights';

/** One set-associative structure: sets must be a power of two. */
export interface TlbGeometry {
  sets: number;
  ways: number;
}

/** Geometry of one TLB: a structure for each page size. */
export interface TlbShape {
  '4K': TlbGeometry;
  '2M': TlbGeometry;
  '1G': TlbGeometry;
}

export const Replacement = { Lru: 'lru', Fifo: 'fifo', Random: 'random' } as const;
export type Replacement = (typeof Replacement)[keyof typeof Replacement];

export interface TlbConfig {
  itlb: TlbShape;
  dtlb: TlbShape;
  /** Victim choice in a full set; default LRU. */
  replacement?: Replacement;
}

/**
 * First-level TLBs of an Intel Skylake core (Intel 64 and IA-32 Architectures
 * Optimization Reference Manual, section 2.5 "Skylake microarchitecture",
 * table "TLB parameters"): ITLB 4K 128 entries 8-way, 2M/4M 8 entries per
 * thread (fully associative); DTLB 4K 64 entries 4-way, 2M/4M 32 entries
 * 4-way, 1G 4 entries 4-way. The second-level STLB is not modelled, and the
 * ITLB gets a 4-entry 1G structure instead of splintering 1G pages, so that an
 * INVLPG anywhere in a 1G page always drops the whole page's entry.
 */
export const DEFAULT_TLB_CONFIG: TlbConfig = {
  itlb: { '4K': { sets: 16, ways: 8 }, '2M': { sets: 1, ways: 8 }, '1G': { sets: 1, ways: 4 } },
  dtlb: { '4K': { sets: 16, ways: 4 }, '2M': { sets: 8, ways: 4 }, '1G': { sets: 1, ways: 4 } },
  replacement: Replacement.Lru,
};

/** Why entries were invalidated; one flush counter per cause. */
export const FlushCause = { Cr3: 0, Cr4: 1, Cr0: 2, Invlpg: 3, Invpcid: 4, Fault: 5 } as const;
export type FlushCause = (typeof FlushCause)[keyof typeof FlushCause];
const FLUSH_CAUSE_NAMES = ['cr3', 'cr4', 'cr0', 'invlpg', 'invpcid', 'fault'] as const;

/** Indices into Tlb.counters. */
export const STAT_LOOKUPS = 0;
export const STAT_HITS = 1;
export const STAT_MISSES = 2;
export const STAT_WALKS = 3;
export const STAT_PT_READS = 4;
export const STAT_EVICTIONS = 5;
/** Entries removed by invalidations (not evictions). */
export const STAT_DROPPED = 6;
/** First of the per-cause flush counters (STAT_FLUSH + FlushCause). */
export const STAT_FLUSH = 7;
const STAT_COUNT = STAT_FLUSH + FLUSH_CAUSE_NAMES.length;

export interface TlbStats {
  lookups: number;
  hits: number;
  misses: number;
  /** Page walks, including the re-walk of a write hitting an entry with D clear. */
  walks: number;
  /** 32-bit paging-structure reads by walks (two per entry). */
  ptReads: number;
  evictions: number;
  dropped: number;
  flushes: Record<(typeof FLUSH_CAUSE_NAMES)[number], number>;
}

/** One valid entry, for the debugger's listing. */
export interface TlbEntry {
  tlb: string;
  pageSize: '4K' | '2M' | '1G';
  set: number;
  way: number;
  /** Linear address of the page (canonical, sign-extended). */
  va: bigint;
  /** Physical address of the page. */
  pa: number;
  pcid: number;
  global: boolean;
  rw: boolean;
  us: boolean;
  xd: boolean;
  dirty: boolean;
  pkey: number;
}

const SHIFTS = [PAGE_SHIFT_4K, PAGE_SHIFT_2M, PAGE_SHIFT_1G] as const;
const SIZE_KEYS = ['4K', '2M', '1G'] as const;

/** Entries of a TLB of this shape (0 for none). */
export function tlbSlots(shape: TlbShape | null): number {
  if (shape === null) return 0;
  return SIZE_KEYS.reduce((n, k) => n + shape[k].sets * shape[k].ways, 0);
}

function checkGeometry(g: TlbGeometry, what: string): void {
  if (!Number.isInteger(g.sets) || g.sets < 1 || (g.sets & (g.sets - 1)) !== 0) {
    throw new RangeError(`${what}: sets must be a power of two, got ${g.sets}`);
  }
  if (!Number.isInteger(g.ways) || g.ways < 1) throw new RangeError(`${what}: ways must be >= 1, got ${g.ways}`);
}

/** One TLB (instruction or data), with a structure per page size. */
export class Tlb {
  readonly name: string;
  /** False for the 'none' model: lookups always miss and fills are dropped. */
  readonly enabled: boolean;
  readonly lru: boolean;
  private readonly random: boolean;
  /** Per structure (0 = 4K, 1 = 2M, 2 = 1G): first slot, sets, ways. */
  private readonly base = new Int32Array(3);
  private readonly sets = new Int32Array(3);
  private readonly ways = new Int32Array(3);
  readonly valid: Uint8Array;
  private readonly tagLo: Int32Array;
  private readonly tagHi: Int32Array;
  private readonly pcidOf: Uint16Array;
  /** Physical address of the page. */
  readonly pa: Float64Array;
  /** log2 of the page size of the slot's structure. */
  readonly shiftOf: Uint8Array;
  readonly perms: Uint8Array;
  readonly pkey: Uint8Array;
  readonly stamp: Float64Array;
  /** Bumped whenever the slot's entry dies. */
  readonly gen: Int32Array;
  readonly counters = new Float64Array(STAT_COUNT);
  /** [0]: the LRU clock; [1]: hits served by the MMU's micro-cache (added to lookups and hits in stats()). */
  private readonly hot: Float64Array;
  private seed = 0x2545f491;

  /** `views`: where gen, stamp, the clock and the micro-hit count live (the machine's arena); default the JS heap. */
  constructor(name: string, shape: TlbShape | null, replacement: Replacement = Replacement.Lru, views?: TlbViews) {
    this.name = name;
    this.enabled = shape !== null;
    this.lru = replacement === Replacement.Lru;
    this.random = replacement === Replacement.Random;
    let n = 0;
    for (let k = 0; k < 3; k++) {
      const g = shape === null ? { sets: 1, ways: 0 } : shape[SIZE_KEYS[k]!];
      if (shape !== null) checkGeometry(g, `${name} ${SIZE_KEYS[k]}`);
      this.base[k] = n;
      this.sets[k] = g.sets;
      this.ways[k] = g.ways;
      n += g.sets * g.ways;
    }
    this.valid = new Uint8Array(n);
    this.tagLo = new Int32Array(n);
    this.tagHi = new Int32Array(n);
    this.pcidOf = new Uint16Array(n);
    this.pa = new Float64Array(n);
    this.shiftOf = new Uint8Array(n);
    this.perms = new Uint8Array(n);
    this.pkey = new Uint8Array(n);
    const v = views ?? heapTlbViews(n);
    if (v.gen.length !== n || v.stamp.length !== n) throw new RangeError(`${name}: views for ${v.gen.length} slots, the shape has ${n}`);
    this.stamp = v.stamp;
    this.gen = v.gen;
    this.hot = v.hot;
    for (let k = 0; k < 3; k++) this.shiftOf.fill(SHIFTS[k]!, this.base[k]!, this.base[k]! + this.sets[k]! * this.ways[k]!);
  }

  /** The LRU clock: a hit or fill stamps its slot with ++clock. */
  get clock(): number {
    return this.hot[0]!;
  }

  /** Hits served by the MMU's micro-cache (added to lookups and hits in stats()). */
  get microHits(): number {
    return this.hot[1]!;
  }

  /** Total number of entries. */
  get capacity(): number {
    return this.valid.length;
  }

  /** The slot of a valid entry translating hi:lo for `pcid` (or global), or -1. Counts the lookup. */
  lookup(lo: number, hi: number, pcid: number): number {
    if (!this.enabled) return -1;
    this.counters[STAT_LOOKUPS]!++;
    const slot = this.find(lo, hi, pcid);
    if (slot < 0) {
      this.counters[STAT_MISSES]!++;
      return -1;
    }
    this.counters[STAT_HITS]!++;
    if (this.lru) this.stamp[slot] = ++this.hot[0]!;
    return slot;
  }

  private find(lo: number, hi: number, pcid: number): number {
    for (let k = 0; k < 3; k++) {
      const ways = this.ways[k]!;
      if (ways === 0) continue;
      const s = SHIFTS[k]!;
      const tlo = (lo >>> s) | (hi << (32 - s));
      const thi = hi >> s;
      const first = this.base[k]! + (tlo & (this.sets[k]! - 1)) * ways;
      for (let slot = first; slot < first + ways; slot++) {
        if (
          this.valid[slot] === 1 &&
          this.tagLo[slot] === tlo &&
          this.tagHi[slot] === thi &&
          ((this.perms[slot]! & PERM_G) !== 0 || this.pcidOf[slot] === pcid)
        ) {
          return slot;
        }
      }
    }
    return -1;
  }

  /**
   * Caches a translation of page size 2^shift for hi:lo. With `replace`, any
   * entry for the same page and PCID is dropped first (a refresh, e.g. the
   * D-flag re-walk); without it the caller guarantees there is none (its
   * lookup just missed), which spares a search on every TLB miss. `perms`
   * includes PERM_G only for a global entry. Returns the slot, or -1 when
   * disabled.
   */
  fill(lo: number, hi: number, pcid: number, shift: number, pageBase: number, perms: number, pkey: number, replace = true): number {
    if (!this.enabled) return -1;
    if (replace) this.drop(lo, hi, pcid, true, -1);
    const k = shift === PAGE_SHIFT_1G ? 2 : shift === PAGE_SHIFT_2M ? 1 : 0;
    const ways = this.ways[k]!;
    const tlo = (lo >>> shift) | (hi << (32 - shift));
    const first = this.base[k]! + (tlo & (this.sets[k]! - 1)) * ways;
    let victim = -1;
    for (let slot = first; slot < first + ways; slot++) {
      if (this.valid[slot] === 0) {
        victim = slot;
        break;
      }
    }
    if (victim < 0) {
      if (this.random) {
        let x = this.seed;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        this.seed = x;
        victim = first + ((x >>> 0) % ways);
      } else {
        victim = first;
        for (let slot = first + 1; slot < first + ways; slot++) if (this.stamp[slot]! < this.stamp[victim]!) victim = slot;
      }
      this.counters[STAT_EVICTIONS]!++;
      this.gen[victim]!++;
    }
    this.valid[victim] = 1;
    this.tagLo[victim] = tlo;
    this.tagHi[victim] = hi >> shift;
    this.pcidOf[victim] = pcid;
    this.pa[victim] = pageBase;
    this.perms[victim] = perms;
    this.pkey[victim] = pkey;
    this.stamp[victim] = ++this.hot[0]!;
    return victim;
  }

  private kill(slot: number): void {
    this.valid[slot] = 0;
    this.gen[slot]!++;
    this.counters[STAT_DROPPED]!++;
  }

  /**
   * Drops the entries for the page holding hi:lo, of any size, that belong to
   * `pcid`; global entries too (whatever their PCID) if `withGlobal`. Returns
   * how many were dropped. `cause` < 0 counts no flush.
   */
  drop(lo: number, hi: number, pcid: number, withGlobal: boolean, cause: number): number {
    if (cause >= 0) this.counters[STAT_FLUSH + cause]!++;
    let n = 0;
    for (let k = 0; k < 3; k++) {
      const ways = this.ways[k]!;
      if (ways === 0) continue;
      const s = SHIFTS[k]!;
      const tlo = (lo >>> s) | (hi << (32 - s));
      const thi = hi >> s;
      const first = this.base[k]! + (tlo & (this.sets[k]! - 1)) * ways;
      for (let slot = first; slot < first + ways; slot++) {
        if (this.valid[slot] !== 1 || this.tagLo[slot] !== tlo || this.tagHi[slot] !== thi) continue;
        const global = (this.perms[slot]! & PERM_G) !== 0;
        if (global ? withGlobal : this.pcidOf[slot] === pcid) {
          this.kill(slot);
          n++;
        }
      }
    }
    return n;
  }

  /** Drops every entry (globals too if `withGlobal`); with pcid >= 0, only that PCID's non-global entries. */
  flush(withGlobal: boolean, pcid: number, cause: FlushCause): void {
    this.counters[STAT_FLUSH + cause]!++;
    for (let slot = 0; slot < this.valid.length; slot++) {
      if (this.valid[slot] !== 1) continue;
      const global = (this.perms[slot]! & PERM_G) !== 0;
      if (global && !withGlobal) continue;
      if (pcid >= 0 && (global || this.pcidOf[slot] !== pcid)) continue;
      this.kill(slot);
    }
  }

  /** Counts a hit served by the MMU's micro-cache: same statistics and replacement update as lookup(). */
  touch(slot: number): void {
    const hot = this.hot;
    hot[1]!++;
    if (this.lru) this.stamp[slot] = ++hot[0]!;
  }

  stats(): TlbStats {
    const c = this.counters;
    const flushes = {} as TlbStats['flushes'];
    FLUSH_CAUSE_NAMES.forEach((name, i) => (flushes[name] = c[STAT_FLUSH + i]!));
    return {
      lookups: c[STAT_LOOKUPS]! + this.microHits,
      hits: c[STAT_HITS]! + this.microHits,
      misses: c[STAT_MISSES]!,
      walks: c[STAT_WALKS]!,
      ptReads: c[STAT_PT_READS]!,
      evictions: c[STAT_EVICTIONS]!,
      dropped: c[STAT_DROPPED]!,
      flushes,
    };
  }

  resetStats(): void {
    this.counters.fill(0);
    this.hot[1] = 0;
  }

  /** The valid entries, structure by structure, set by set. */
  entries(): TlbEntry[] {
    const out: TlbEntry[] = [];
    for (let slot = 0; slot < this.valid.length; slot++) if (this.valid[slot] === 1) out.push(this.entryAt(slot));
    return out;
  }

  /** What slot holds or last held (an invalidated slot keeps its tag until refilled: an observer reads what was dropped). */
  entryAt(slot: number): TlbEntry {
    const k = slot >= this.base[2]! ? 2 : slot >= this.base[1]! ? 1 : 0;
    const s = SHIFTS[k]!;
    const vpn = (BigInt(this.tagHi[slot]!) << 32n) | BigInt(this.tagLo[slot]! >>> 0);
    const p = this.perms[slot]!;
    return {
      tlb: this.name,
      pageSize: pageSizeName(s),
      set: Math.floor((slot - this.base[k]!) / this.ways[k]!),
      way: (slot - this.base[k]!) % this.ways[k]!,
      va: BigInt.asIntN(64, vpn << BigInt(s)),
      pa: this.pa[slot]!,
      pcid: this.pcidOf[slot]!,
      global: (p & PERM_G) !== 0,
      rw: (p & PERM_RW) !== 0,
      us: (p & PERM_US) !== 0,
      xd: (p & PERM_XD) !== 0,
      dirty: (p & PERM_D) !== 0,
      pkey: this.pkey[slot]!,
    };
  }
}
