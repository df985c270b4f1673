// Predecoded instructions, cached per physical page. The instruction table
// (isa/table.ts) is the only decoder: this file only packs its answer, plus
// the register fields and the immediate, into two Int32Arrays so the execute
// switch reads one entry instead of re-decoding the word each time.
//
// Each entry also keeps the word it was decoded from. The run loop compares
// that word with memory on every fetch, so a page rewritten by a guest store,
// by the kernel or by a loader is re-decoded on its next execution without any
// store having to know about the cache (the check is one load and a compare).
import { INSNS, decodeInsn } from '../isa/table';
import type { InsnDef } from '../isa/table';
import { immB, immI, immJ, immS, immU, rd, rs1, rs2, shamt6 } from '../isa/fields';
import { PAGE_SIZE } from '../mmu/paging';

/** Instructions per 4-KiB page. */
export const PAGE_WORDS = 1024;

// Pseudo-ids beyond the table's, for entries that are not instructions.
/** A word that matches no table entry: #UD. */
export const ID_ILLEGAL = INSNS.length;

/** Register slot of x0 as a destination: writes land in a scratch slot, so x0 stays 0. */
export const SINK_SLOT = 64;

// Entry layout: bits 0..7 the id, 8..15 the rd slot, 16..23 the rs1 slot,
// 24..31 the rs2 slot. A slot is 2 * register (the index of its low half).
// The run loop unpacks these fields inline.

/** One physical page of predecoded instructions. */
export class DecodedPage {
  readonly words = new Int32Array(PAGE_WORDS);
  readonly ops = new Int32Array(PAGE_WORDS);
  readonly imms = new Int32Array(PAGE_WORDS);

  constructor() {
    // Every slot starts as "the word 0 decodes to #UD", which is true (0 is
    // the defined illegal instruction), so a new page needs no decoding pass.
    this.ops.fill(ID_ILLEGAL);
  }

  /** Decodes `word` into slot i and returns the entry. */
  fill(i: number, word: number): number {
    const d = decodeInsn(word);
    const e = encodeEntry(word, d);
    this.words[i] = word;
    this.ops[i] = e;
    this.imms[i] = entryImm(word, d);
    return e;
  }
}

/** The packed entry for one instruction word, given its table entry (undefined: illegal). */
export function encodeEntry(word: number, d: InsnDef | undefined): number {
  if (d === undefined) return ID_ILLEGAL;
  const dest = rd(word) === 0 ? SINK_SLOT : rd(word) * 2;
  return d.id | (dest << 8) | ((rs1(word) * 2) << 16) | ((rs2(word) * 2) << 24);
}

/** The immediate the executor needs for `word`, sign-extended; shift amounts for the shifts. */
export function entryImm(word: number, d: InsnDef | undefined): number {
  if (d === undefined) return 0;
  if (d.operands.includes('shamt6') || d.operands.includes('shamt5')) return shamt6(word);
  switch (d.format) {
    case 'I': return immI(word);
    case 'S': return immS(word);
    case 'B': return immB(word);
    case 'U': return immU(word);
    case 'J': return immJ(word);
    case 'R': return 0;
  }
}

/**
 * Decoded pages by physical frame number. Stale entries are harmless (each
 * fetch re-checks its word), so the cache only needs a bound on its size.
 */
export class DecodeCache {
  private readonly pages = new Map<number, DecodedPage>();
  private static readonly MAX_PAGES = 16384;

  /** The decoded page for the frame holding physical address pa. */
  page(pa: number): DecodedPage {
    const frame = Math.floor(pa / PAGE_SIZE);
    let p = this.pages.get(frame);
    if (p === undefined) {
      if (this.pages.size >= DecodeCache.MAX_PAGES) this.pages.clear();
      p = new DecodedPage();
      this.pages.set(frame, p);
    }
    return p;
  }

  get size(): number {
    return this.pages.size;
  }
}
