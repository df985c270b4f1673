// What tier 1 compiles: a region, the guest code reachable by direct
// control flow from one entry pc without leaving its 4-KiB page.
//
// A region is a list of blocks (straight-line runs of instructions, each
// starting at an entry, a branch or jump target, or the instruction after a
// conditional branch), all in the entry's page, found breadth-first from the
// entry and capped at MAX_REGION_INSNS. Staying in one page is what keeps the
// ITLB exact (tier1.ts): inside a region no fetch translation happens, as
// none happens in the interpreter while pc stays in its fetch page.
//
// Every edge either goes to a block of the region (wasm control flow) or
// leaves it (an exit: pc set, registers written back). An instruction the
// region does not execute itself ends its block with an exit AT that
// instruction, so the interpreter runs it next and raises or does exactly
// what it does today: ecall, ebreak, illegal words, the counter reads
// (rdcycle, rdtime, rdinstret), and jal or branches whose static target is
// misaligned or not canonical.
import { INSNS, OP, decodeInsn } from '../isa/table';
import { immB, immJ, rd, rs1, rs2 } from '../isa/fields';
import { entryImm } from '../cpu/decode';

/** Instructions per page. */
export const PAGE_WORDS = 1024;
/** Most instructions in one region: bounds compile time and wasm size. */
export const MAX_REGION_INSNS = 512;

/** One decoded instruction of a region. */
export interface Insn {
  /** Word index in the page. */
  idx: number;
  word: number;
  /** Table id (isa/table.ts OP), or -1 for an illegal word. */
  id: number;
  rd: number;
  rs1: number;
  rs2: number;
  /** entryImm(): sign-extended immediate, shift amount for shifts. */
  imm: number;
}

/** How a block ends. */
export type BlockEnd =
  /** Falls into the instruction at `next` (page index; PAGE_WORDS = the next page). */
  | { kind: 'fall'; next: number }
  /** Ends in a conditional branch (the block's last insn): taken to `target` (page index, or -1 off the page), else `next`. */
  | { kind: 'branch'; next: number; target: number }
  /** Ends in jal (last insn): to `target` (page index, or -1 off the page). */
  | { kind: 'jal'; target: number }
  /** Ends in jalr (last insn): a computed target, always an exit. */
  | { kind: 'jalr' }
  /** Stops before the instruction at `at` (not executed by the region: the interpreter runs it). */
  | { kind: 'stop'; at: number };

export interface Block {
  /** Page index of the first instruction. */
  start: number;
  /** The instructions the region executes (a stop's instruction is not among them). */
  insns: Insn[];
  end: BlockEnd;
}

export interface RegionPlan {
  /** Page index of the entry. */
  entry: number;
  /** Blocks in page order; blocks[i].start strictly increasing; the entry's block is among them. */
  blocks: Block[];
  /** The page's words the region was built from, by page index (others 0), and which ones it uses. */
  words: Int32Array;
  /** Page indices the region reads (the instructions of its blocks, and stop instructions). */
  used: Int32Array;
}

const STOP_IDS = new Set([OP.ecall!, OP.ebreak!, OP.rdcycle!, OP.rdtime!, OP.rdinstret!]);
const BRANCH_IDS = new Set([OP.beq!, OP.bne!, OP.blt!, OP.bge!, OP.bltu!, OP.bgeu!]);

/** Decodes `word` at page index idx. */
export function decodeAt(idx: number, word: number): Insn {
  const d = decodeInsn(word);
  return {
    idx,
    word,
    id: d === undefined ? -1 : d.id,
    rd: rd(word),
    rs1: rs1(word),
    rs2: rs2(word),
    imm: entryImm(word, d),
  };
}

/** True when jumping to the 64-bit address (pageHi:pageLo + byteOff) is legal in every paging mode: 4-aligned and canonical with 48 bits (so with 57 too). */
function staticTargetOk(pageLo: number, pageHi: number, byteOff: number): boolean {
  if ((byteOff & 3) !== 0) return false;
  const t = (BigInt(pageHi) << 32n) + BigInt(pageLo >>> 0) + BigInt(byteOff);
  const v = BigInt.asIntN(64, t);
  return BigInt.asIntN(48, v) === v;
}

/** Interpreter block length from idx: instructions up to and including the first control-flow or stopping one, or to the page end. */
export function blockLength(words: ArrayLike<number>, base: number, idx: number): number {
  let n = 0;
  for (let i = idx; i < PAGE_WORDS; i++) {
    n++;
    const d = decodeInsn(words[base + i]!);
    if (d === undefined) break;
    const id = d.id;
    if (BRANCH_IDS.has(id) || id === OP.jal || id === OP.jalr || id === OP.ecall || id === OP.ebreak) break;
  }
  return n;
}

/**
 * The region entered at page index `entry` of the page at virtual address
 * pageHi:pageLo whose words are code[base .. base + PAGE_WORDS). Returns
 * null when the entry's own instruction is one the region would stop at.
 */
export function planRegion(code: ArrayLike<number>, base: number, entry: number, pageLo: number, pageHi: number): RegionPlan | null {
  const starts = new Set<number>([entry]);
  const queue = [entry];
  const seen = new Set<number>();
  // First pass: find block starts by following edges (each instruction visited once).
  let budget = MAX_REGION_INSNS;
  const visitedInsns = new Map<number, Insn>();
  while (queue.length > 0 && budget > 0) {
    const s = queue.shift()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (let i = s; i < PAGE_WORDS && budget > 0; i++) {
      if (i !== s && visitedInsns.has(i)) break;
      const insn = decodeAt(i, code[base + i]!);
      visitedInsns.set(i, insn);
      budget--;
      if (isStop(insn)) break;
      const tgt = branchTarget(insn, pageLo, pageHi);
      if (tgt === 'bad') break;
      if (BRANCH_IDS.has(insn.id)) {
        for (const t of [tgt, i + 1]) {
          if (typeof t === 'number' && t >= 0 && t < PAGE_WORDS && !starts.has(t)) {
            starts.add(t);
            queue.push(t);
          }
        }
        break;
      }
      if (insn.id === OP.jal) {
        if (typeof tgt === 'number' && tgt >= 0 && !starts.has(tgt)) {
          starts.add(tgt);
          queue.push(tgt);
        }
        break;
      }
      if (insn.id === OP.jalr) break;
    }
  }
  if (isStop(decodeAt(entry, code[base + entry]!))) return null;
  // Second pass: cut blocks at every start; a start past the cap becomes an exit edge.
  const included = [...starts].filter((s) => visitedInsns.has(s)).sort((a, b) => a - b);
  const inc = new Set(included);
  const blocks: Block[] = [];
  const words = new Int32Array(PAGE_WORDS);
  const used = new Int32Array(PAGE_WORDS);
  for (const s of included) {
    const insns: Insn[] = [];
    let end: BlockEnd | null = null;
    for (let i = s; ; i++) {
      if (i >= PAGE_WORDS) {
        end = { kind: 'fall', next: PAGE_WORDS };
        break;
      }
      if (i !== s && inc.has(i)) {
        end = { kind: 'fall', next: i };
        break;
      }
      const insn = visitedInsns.get(i);
      if (insn === undefined) {
        end = { kind: 'stop', at: i }; // beyond the cap: the interpreter (or another region) goes on from here
        break;
      }
      words[i] = insn.word;
      used[i] = 1;
      if (isStop(insn)) {
        end = { kind: 'stop', at: i };
        break;
      }
      const tgt = branchTarget(insn, pageLo, pageHi);
      if (tgt === 'bad') {
        end = { kind: 'stop', at: i };
        break;
      }
      insns.push(insn);
      if (BRANCH_IDS.has(insn.id)) {
        end = { kind: 'branch', next: i + 1, target: tgt as number };
        break;
      }
      if (insn.id === OP.jal) {
        end = { kind: 'jal', target: tgt as number };
        break;
      }
      if (insn.id === OP.jalr) {
        end = { kind: 'jalr' };
        break;
      }
    }
    blocks.push({ start: s, insns, end });
  }
  return { entry, blocks, words, used };
}

function isStop(insn: Insn): boolean {
  return insn.id < 0 || STOP_IDS.has(insn.id);
}

/**
 * The direct target of a branch or jal as a page index, -1 when it is a
 * legal target off the page, 'bad' when the jump would trap (the
 * interpreter raises it); null for other instructions.
 */
function branchTarget(insn: Insn, pageLo: number, pageHi: number): number | 'bad' | null {
  let off: number;
  if (BRANCH_IDS.has(insn.id)) off = immB(insn.word);
  else if (insn.id === OP.jal) off = immJ(insn.word);
  else return null;
  const byte = insn.idx * 4 + off;
  if (!staticTargetOk(pageLo, pageHi, byte)) return 'bad';
  return byte >= 0 && byte < 4096 ? byte >> 2 : -1;
}

/** The mnemonic of a table id (for messages and tests). */
export function mnemonicOf(id: number): string {
  return id < 0 ? '(illegal)' : INSNS[id]!.mnemonic;
}
