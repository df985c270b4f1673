// What tier 1 compiles: a region, the guest code of one 4-KiB page reachable
// by direct control flow from the page's hot entries (block starts the run
// loop found hot), without leaving the page.
//
// A region is a list of blocks (straight-line runs of instructions, each
// starting at an entry, a branch or jump target, a call's return point, or
// the instruction after a conditional branch), found breadth-first from the
// entries and capped at MAX_REGION_INSNS. It can be entered at any of its
// entries (the wasm function takes the entry's block number), so one
// function per page serves every hot entry, and a call and its return stay
// inside it when caller and callee share the page. Staying in one page is
// what keeps the ITLB exact (tier1.ts): inside a region no fetch translation
// happens, as none happens in the interpreter while pc stays in its fetch
// page.
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
export const MAX_REGION_INSNS = 1024;

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
  /** Ends in jalr (last insn): a computed target; the region's jalrTargets are dispatched inside, anything else exits. */
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
  /** Page indices of the entries (each the start of a block with at least one instruction). */
  entries: number[];
  /** Blocks in page order; blocks[i].start strictly increasing; each entry's block is among them. */
  blocks: Block[];
  /** The page's words the region was built from, by page index (others 0), and which ones it uses. */
  words: Int32Array;
  /** Page indices the region reads (the instructions of its blocks, and stop instructions). */
  used: Int32Array;
  /**
   * Where the region's jalrs probably go: block starts just after a call (jal
   * or jalr with a link register: returns) and the targets of auipc + jalr
   * pairs (`call`, `tail`). A jalr to one of them stays in the region.
   */
  jalrTargets: number[];
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
 * The region entered at page indices `wanted` of the page at virtual address
 * pageHi:pageLo whose words are code[base .. base + PAGE_WORDS). Entries whose
 * own instruction is one a region stops at are left out; null when none is left.
 */
export function planRegion(code: ArrayLike<number>, base: number, wanted: readonly number[], pageLo: number, pageHi: number): RegionPlan | null {
  const entries = wanted.filter((e) => !isStop(decodeAt(e, code[base + e]!)) && branchTarget(decodeAt(e, code[base + e]!), pageLo, pageHi) !== 'bad');
  if (entries.length === 0) return null;
  const starts = new Set<number>(entries);
  const targets = new Set<number>();
  const queue = [...entries];
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
      if (insn.id === OP.jal || insn.id === OP.jalr) {
        // `call`/`tail` as auipc + jalr through the same register: a static target too.
        const prev = i > s ? visitedInsns.get(i - 1) : undefined;
        const viaAuipc = insn.id === OP.jalr && prev !== undefined && prev.id === OP.auipc && prev.rd === insn.rs1 && prev.rd !== 0
          ? ((i - 1) * 4 + prev.imm + insn.imm) & ~1 : -1;
        if (viaAuipc >= 0 && viaAuipc < 4096 && (viaAuipc & 3) === 0) {
          const t = viaAuipc >> 2;
          targets.add(t);
          if (!starts.has(t)) {
            starts.add(t);
            queue.push(t);
          }
        }
        if (typeof tgt === 'number' && tgt >= 0 && !starts.has(tgt)) {
          starts.add(tgt);
          queue.push(tgt);
        }
        // A call's return point: a jalr (the callee's ret) can come back to it inside the region.
        if (insn.rd !== 0 && i + 1 < PAGE_WORDS) {
          targets.add(i + 1);
          if (!starts.has(i + 1)) {
            starts.add(i + 1);
            queue.push(i + 1);
          }
        }
        break;
      }
    }
  }
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
  const usable = entries.filter((e) => inc.has(e));
  if (usable.length === 0) return null;
  return { entries: usable, blocks, words, used, jalrTargets: included.filter((s) => targets.has(s)) };
}

const NO_RD_IDS = new Set([...BRANCH_IDS, OP.sb!, OP.sh!, OP.sw!, OP.sd!, OP.fence!, ...STOP_IDS]);

/** Whether the instruction writes its rd field's register (stores, branches, fence, the stop instructions do not). */
export function writesRd(insn: Insn): boolean {
  return insn.id >= 0 && !NO_RD_IDS.has(insn.id);
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
