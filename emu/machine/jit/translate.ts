// The translator: one region (region.ts) to one wasm function,
//   region(budget: i32, vaShift: i32, entry: i32) -> status: i32 (STATUS_OK, STATUS_MISS)
// that runs guest instructions from block number `entry` until an exit, retiring at most
// `budget`.
//
// Layout of the function (a loop over a block switch):
//   load the registers the region uses (arena) and the DTLB counters into locals
//   block $exit
//     loop $dispatch
//       block $default
//         block $b[B-1] ... block $b0
//           block $search  br_table(blk: block j to $bj; anything else: $search) end
//           binary search of the block starting at page word w: br $bj; none: br $default
//         end <code of block 0> end ... <code of block B-1>
//       end
//       exit at page + 4 * w (a word that starts no block)
//     end
//   end
//   store the registers the region wrote, the counters, the exit pc and the count; return status
// The end of label $bj is where block j's code starts, and from inside block i every $bj with
// j > i is open: a forward jump is a plain br. A backward jump to block j sets blk to j and
// branches to $dispatch; a block that falls into the next one in page order just runs on; a
// block that branches back to its own start runs in a wasm loop of its own; a jalr to a word of
// the same page sets w to its word index and goes through $search. Every
// block starts by adding its length to n and exits AT its first instruction
// when that would pass the budget, so the run loop's instruction budget holds
// exactly: the region never starts a block it cannot finish. A fault exits
// AT the faulting instruction with n counting only the instructions before it.
//
// Semantics are the interpreter's (cpu.ts, int64.ts), as i64 arithmetic:
// x0 reads as the constant 0 and writes to it are dropped; *W results are
// sign-extended from 32 bits; shift counts are masked (wasm masks by 64 and
// 32, as RISC-V does); division by zero and the signed overflow case give the
// M extension's results, never a wasm trap.
import { TWO32 } from '../cpu/int64';
import { OP } from '../isa/table';
import { emitChain } from './chain';
import { Body, Op, ValType, encodeModule } from './wasm';
import { AccessEmitter, STATUS_MISS } from './memory-access';
import { emitDiv32, emitDiv64, emitMulHigh } from './m-extension';
import type { AccessExits } from './memory-access';
import { regOffset } from './regfile';
import type { StateLayout } from './regfile';
import { immB, immJ } from '../isa/fields';
import { PAGE_WORDS } from './region';
import type { Block, Insn, RegionPlan } from './region';

/** Name of the exported function. */
export const REGION_EXPORT = 'region';

const P_BUDGET = 0;
const P_VASHIFT = 1;
const P_ENTRY = 2;

const O = OP as Readonly<Record<string, number>>;
const LOADS = new Set([O.lb, O.lh, O.lw, O.ld, O.lbu, O.lhu, O.lwu]);
const STORES = new Set([O.sb, O.sh, O.sw, O.sd]);
const BRANCHES = new Set([O.beq, O.bne, O.blt, O.bge, O.bltu, O.bgeu]);

/** Operand registers each instruction reads, and whether it writes rd. */
function regsOf(insn: Insn): { reads: number[]; writes: boolean } {
  const id = insn.id;
  if (id === O.lui || id === O.auipc || id === O.jal) return { reads: [], writes: true };
  if (id === O.fence) return { reads: [], writes: false };
  if (STORES.has(id) || BRANCHES.has(id)) return { reads: [insn.rs1, insn.rs2], writes: false };
  if (id === O.jalr || LOADS.has(id) || (id >= O.addi! && id <= O.srai!) || (id >= O.addiw! && id <= O.sraiw!)) {
    return { reads: [insn.rs1], writes: true };
  }
  return { reads: [insn.rs1, insn.rs2], writes: true };
}

/** 64-bit pc of page index idx (negative or past the page for direct jumps that leave it) as int32 halves. */
function pcAt(pageLo: number, pageHi: number, idx: number): [number, number] {
  return addImm(pageLo, pageHi, idx * 4);
}

/** 64-bit value hi:lo + imm (|imm| < 2^32) as int32 halves, without BigInt (the translator runs per region). */
function addImm(lo: number, hi: number, imm: number): [number, number] {
  const v = (lo >>> 0) + imm;
  return [v | 0, (hi + Math.floor(v / TWO32)) | 0];
}

export interface CompiledRegion {
  bytes: Uint8Array<ArrayBuffer>;
  /** Block number (the function's `entry` argument) of each block start, by page index. */
  blockNo: Map<number, number>;
  /** Guest instructions in the region's blocks. */
  insns: number;
}

/** Compiles the region planned at virtual page pageHi:pageLo, from the frame at physical address framePa. */
export function translateRegion(plan: RegionPlan, pageLo: number, pageHi: number, framePa: number, state: StateLayout): CompiledRegion {
  return new Translator(plan, pageLo, pageHi, framePa, state).compile();
}

class Translator {
  private readonly b = new Body(3);
  private readonly reg = new Int32Array(32).fill(-1);
  private readonly written = new Set<number>();
  private readonly blockNo = new Map<number, number>();
  private readonly blk: number;
  /** The status returned: locals start at 0, STATUS_OK; a miss exit sets STATUS_MISS. */
  private readonly st: number;
  /** A jalr's target within the page, as a page word index ($wordmap maps it to a block). */
  private readonly w: number;
  private readonly n: number;
  /** 1 when the exit leaves the page (a jump, branch, jalr or fall-through to another page): it may chain. */
  private readonly go: number;
  private readonly u3: [number, number, number];
  private readonly xpc: number;
  private readonly vash: number;
  private readonly t: number[];
  private readonly u: number[];
  private readonly access: AccessEmitter;
  /** Index of the block being emitted, its length, and the position of the insn being emitted in it. */
  private cur = 0;
  private curLen = 0;
  private curPos = 0;
  private curIdx = 0;
  /** 1 while emitting a block that loops to itself inside a wasm loop, else 0. */
  private inner = 0;
  private curStart = 0;

  constructor(
    private readonly plan: RegionPlan,
    private readonly pageLo: number,
    private readonly pageHi: number,
    private readonly framePa: number,
    private readonly s: StateLayout,
  ) {
    const b = this.b;
    this.blk = b.local(ValType.I32);
    this.st = b.local(ValType.I32);
    this.w = b.local(ValType.I32);
    this.n = b.local(ValType.I32);
    this.go = b.local(ValType.I32);
    this.u = [b.local(ValType.I32), b.local(ValType.I32)];
    this.u3 = [this.u[0]!, this.u[1]!, b.local(ValType.I32)];
    this.xpc = b.local(ValType.I64);
    this.vash = b.local(ValType.I64);
    this.t = [0, 1, 2, 3, 4, 5].map(() => b.local(ValType.I64));
    this.access = new AccessEmitter(b, s, this.exits);
    plan.blocks.forEach((blk, i) => this.blockNo.set(blk.start, i));
    for (const blk of plan.blocks) {
      for (const insn of blk.insns) {
        const { reads, writes } = regsOf(insn);
        for (const r of reads) this.use(r);
        if (writes && insn.rd !== 0) {
          this.use(insn.rd);
          this.written.add(insn.rd);
        }
      }
    }
  }

  private use(r: number): void {
    if (r !== 0 && this.reg[r] === -1) this.reg[r] = this.b.local(ValType.I64);
  }

  compile(): CompiledRegion {
    const b = this.b;
    const blocks = this.plan.blocks;
    for (let r = 1; r < 32; r++) if (this.reg[r]! >= 0) b.i32(0).mem(Op.i64_load, 3, regOffset(this.s, r)).set(this.reg[r]!);
    b.get(P_VASHIFT).op(Op.i64_extend_i32_u).set(this.vash);
    this.access.loadCounters();
    b.get(P_ENTRY).set(this.blk);
    // A chained entry (entry = -1 - w) names a page word: blk is negative, so the br_table sends it to $search.
    b.i32(-1).get(P_ENTRY).op(Op.i32_sub).set(this.w);
    b.block().loop().block(); // $exit, $dispatch, $default
    for (let i = 0; i < blocks.length; i++) b.block();
    // blk is a block number: the br_table goes straight to its code. Anything else (a jalr sets
    // blk = B) goes to $search, which maps the page word index in w to its block and branches
    // there. A table by page word (1,024 labels) made V8's optimizing compiler spend ~4x the time
    // and memory on every region.
    b.block(); // $search
    const labels: number[] = [];
    for (let j = 0; j < blocks.length; j++) labels.push(j + 1);
    b.get(this.blk).brTable(labels, 0);
    b.end();
    this.emitWordMap(0, blocks.length, 0);
    b.br(blocks.length); // no block starts at word w: to $default
    b.end(); // $b0
    let insns = 0;
    for (let i = 0; i < blocks.length; i++) {
      this.cur = i;
      this.emitBlock(blocks[i]!);
      insns += blocks[i]!.insns.length;
      b.end(); // $b[i+1], or $default after the last block (which never falls out: its end is an exit)
    }
    // $default: a jalr within the page to a word that starts no block: exit there (the run
    // loop counts the entry and recompiles the page with it when it is hot).
    b.i64(this.pageLo, this.pageHi).get(this.w).i32(2).op(Op.i32_shl).op(Op.i64_extend_i32_u).op(Op.i64_or).set(this.xpc);
    b.br(1);
    b.end(); // loop
    b.end(); // $exit
    this.access.storeCounters();
    for (const r of this.written) b.i32(0).get(this.reg[r]!).mem(Op.i64_store, 3, regOffset(this.s, r));
    b.i32(0).get(this.xpc).mem(Op.i64_store, 3, this.s.pc);
    b.i32(0).i32(0).mem(Op.i32_load, 2, this.s.retired).get(this.n).op(Op.i32_add).mem(Op.i32_store, 2, this.s.retired);
    b.i32(0).f64(this.framePa).mem(Op.f64_store, 3, this.s.lastFrame);
    b.i32(0).i32(this.pageLo).mem(Op.i32_store, 2, this.s.lastPageLo);
    b.i32(0).i32(this.pageHi).mem(Op.i32_store, 2, this.s.lastPageHi);
    emitChain(b, this.s, { go: this.go, n: this.n, xpc: this.xpc, budget: P_BUDGET, vaShift: P_VASHIFT, scratch: this.u3 });
    b.get(this.st); // 0 (STATUS_OK) unless a miss exit set it
    const bytes = encodeModule({
      imports: [],
      memoryPages: this.s.memoryPages,
      table: true,
      func: { name: REGION_EXPORT, type: { params: [ValType.I32, ValType.I32, ValType.I32], results: [ValType.I32] }, body: b },
    });
    return { bytes, insns, blockNo: this.blockNo };
  }

  // Branch depths from inside block cur's code with `extra` further blocks open: the labels
  // $b[cur+1] .. $b[B-1] (the end of $bj is where block j's code starts), then $default,
  // $dispatch and $exit. A block that branches to itself runs inside a wasm loop of its own
  // (`inner` = 1).
  private dispatchDepth(extra: number): number {
    return this.plan.blocks.length - this.cur + this.inner + extra;
  }

  private exitDepth(extra: number): number {
    return this.plan.blocks.length - this.cur + 1 + this.inner + extra;
  }

  /** Depth of block j's label ($bj, j > cur: a forward edge needs no dispatch). */
  private forwardDepth(j: number, extra: number): number {
    return j - this.cur - 1 + this.inner + extra;
  }

  /**
   * $search's code for blocks [lo, hi) (in page order, so their starts ascend), at the
   * dispatch point where every block label is open ($bj at depth j + `depth`): a binary search
   * on w that branches to the block starting at word w; falls through when none starts there.
   */
  private emitWordMap(lo: number, hi: number, depth: number): void {
    const b = this.b;
    const blocks = this.plan.blocks;
    if (hi - lo <= 4) {
      for (let j = lo; j < hi; j++) {
        b.get(this.w).i32(blocks[j]!.start).op(Op.i32_eq).brIf(j + depth);
      }
      return;
    }
    const mid = (lo + hi) >>> 1;
    b.get(this.w).i32(blocks[mid]!.start).op(Op.i32_lt_u);
    b.if();
    this.emitWordMap(lo, mid, depth + 1);
    b.op(Op.else);
    this.emitWordMap(mid, hi, depth + 1);
    b.end();
  }

  /** Leaves with pc = page index idx, `unretired` of the block's counted instructions not retired. */
  private exitStatic(idx: number, unretired: number, extra: number): void {
    this.exitAtByte(idx * 4, unretired, extra);
  }

  /** exitStatic() to the byte offset `off` from the page's start (off the page for direct jumps that leave it). */
  private exitAtByte(off: number, unretired: number, extra: number): void {
    const b = this.b;
    if (off < 0 || off >= 4096) b.i32(1).set(this.go); // to another page: the exit may chain
    if (unretired > 0) b.get(this.n).i32(unretired).op(Op.i32_sub).set(this.n);
    const [lo, hi] = pcAt(this.pageLo, this.pageHi, off / 4);
    b.i64(lo, hi).set(this.xpc);
    b.br(this.exitDepth(extra));
  }

  /** To the code at page index idx: a block of the region, or an exit there (everything before retired). */
  private goto(idx: number, extra: number, fallsThrough: boolean): void {
    const j = this.blockNo.get(idx);
    if (j === undefined || idx >= PAGE_WORDS) {
      this.exitStatic(idx, 0, extra);
      return;
    }
    if (fallsThrough && j === this.cur + 1) return;
    if (this.inner === 1 && idx === this.curStart) {
      this.b.br(extra); // to the block's own loop
      return;
    }
    if (j > this.cur) {
      this.b.br(this.forwardDepth(j, extra)); // a forward edge: straight to the block's label
      return;
    }
    this.b.i32(j).set(this.blk).br(this.dispatchDepth(extra));
  }

  private emitBlock(blk: Block): void {
    const b = this.b;
    const len = blk.insns.length;
    this.curLen = len;
    this.curStart = blk.start;
    const end = blk.end;
    // A loop of one block (the usual inner loop): its back edge is a wasm loop, not the dispatch.
    const self = len > 0 && (end.kind === 'branch' || end.kind === 'jal') && end.target === blk.start;
    this.access.startBlock(self ? blk.insns : null, (r) => this.get(r)); // before the loop: run on entry only
    if (self) {
      b.loop();
      this.inner = 1;
    }
    if (len > 0) {
      // n += len; past the budget: undo and exit at the block's first instruction.
      b.get(this.n).i32(len).op(Op.i32_add).tee(this.n).get(P_BUDGET).op(Op.i32_gt_u);
      b.if();
      this.exitStatic(blk.start, len, 1);
      b.end();
    }
    for (let k = 0; k < len; k++) {
      this.curPos = k;
      this.curIdx = blk.insns[k]!.idx;
      this.emitInsn(blk.insns[k]!);
    }
    const last = blk.insns[len - 1];
    switch (end.kind) {
      case 'fall':
        this.goto(end.next, 0, true);
        break;
      case 'stop':
        this.exitStatic(end.at, 0, 0);
        break;
      case 'branch': {
        // The condition is on the stack (emitInsn left it).
        b.if();
        if (end.target < 0) this.exitAtByte(last!.idx * 4 + immB(last!.word), 0, 1);
        else this.goto(end.target, 1, false);
        b.end();
        this.goto(end.next, 0, true);
        break;
      }
      case 'jal':
        if (end.target < 0) this.exitAtByte(last!.idx * 4 + immJ(last!.word), 0, 0);
        else this.goto(end.target, 0, false);
        break;
      case 'jalr':
        break; // emitInsn exited
    }
    if (self) {
      b.end();
      this.inner = 0;
    }
  }

  private get(r: number): void {
    if (r === 0) this.b.i64(0);
    else this.b.get(this.reg[r]!);
  }

  /** Value on the stack into register r (dropped for x0). */
  private put(r: number): void {
    if (r === 0) this.b.op(Op.drop);
    else this.b.set(this.reg[r]!);
  }

  private readonly exits: AccessExits = {
    missExit: (extra) => {
      this.b.i32(STATUS_MISS).set(this.st);
      this.exitStatic(this.curIdx, this.curLen - this.curPos, extra);
    },
  };

  private emitInsn(insn: Insn): void {
    const b = this.b;
    const { id, rd, rs1, rs2, imm } = insn;
    const [t0, t1] = [this.t[0]!, this.t[1]!];
    const bin = (o: Op): void => {
      this.get(rs1);
      this.get(rs2);
      b.op(o);
      this.put(rd);
    };
    const binImm = (o: Op): void => {
      this.get(rs1);
      b.i64(imm);
      b.op(o);
      this.put(rd);
    };
    /** rs1 and rs2 on the stack, then `emit` leaves rd's value (an M-extension op, m-extension.ts). */
    const m = (emit: () => void): void => {
      this.get(rs1);
      this.get(rs2);
      emit();
      this.put(rd);
    };
    const word = (emit: () => void): void => {
      emit();
      b.op(Op.i64_extend_i32_s);
      this.put(rd);
    };
    const cmp = (o: Op, withImm: boolean): void => {
      this.get(rs1);
      if (withImm) b.i64(imm);
      else this.get(rs2);
      b.op(o).op(Op.i64_extend_i32_u);
      this.put(rd);
    };
    switch (id) {
      case O.lui: b.i64(imm); this.put(rd); return;
      case O.auipc: { const [lo, hi] = pcAt(this.pageLo, this.pageHi, insn.idx); const v = addImm(lo, hi, imm); b.i64(v[0], v[1]); this.put(rd); return; }
      case O.jal: {
        if (rd !== 0) {
          const [lo, hi] = pcAt(this.pageLo, this.pageHi, insn.idx + 1);
          b.i64(lo, hi);
          this.put(rd);
        }
        return;
      }
      case O.jalr: this.emitJalr(insn); return;
      // Branches leave their condition on the stack; emitBlock emits the edges.
      case O.beq: this.get(rs1); this.get(rs2); b.op(Op.i64_eq); return;
      case O.bne: this.get(rs1); this.get(rs2); b.op(Op.i64_ne); return;
      case O.blt: this.get(rs1); this.get(rs2); b.op(Op.i64_lt_s); return;
      case O.bge: this.get(rs1); this.get(rs2); b.op(Op.i64_ge_s); return;
      case O.bltu: this.get(rs1); this.get(rs2); b.op(Op.i64_lt_u); return;
      case O.bgeu: this.get(rs1); this.get(rs2); b.op(Op.i64_ge_u); return;
      case O.addi: binImm(Op.i64_add); return;
      case O.slti: cmp(Op.i64_lt_s, true); return;
      case O.sltiu: cmp(Op.i64_lt_u, true); return;
      case O.xori: binImm(Op.i64_xor); return;
      case O.ori: binImm(Op.i64_or); return;
      case O.andi: binImm(Op.i64_and); return;
      case O.slli: binImm(Op.i64_shl); return;
      case O.srli: binImm(Op.i64_shr_u); return;
      case O.srai: binImm(Op.i64_shr_s); return;
      case O.add: bin(Op.i64_add); return;
      case O.sub: bin(Op.i64_sub); return;
      case O.sll: bin(Op.i64_shl); return;
      case O.slt: cmp(Op.i64_lt_s, false); return;
      case O.sltu: cmp(Op.i64_lt_u, false); return;
      case O.xor: bin(Op.i64_xor); return;
      case O.srl: bin(Op.i64_shr_u); return;
      case O.sra: bin(Op.i64_shr_s); return;
      case O.or: bin(Op.i64_or); return;
      case O.and: bin(Op.i64_and); return;
      case O.addiw: word(() => { this.get(rs1); b.i64(imm).op(Op.i64_add).op(Op.i32_wrap_i64); }); return;
      case O.slliw: word(() => { this.get(rs1); b.op(Op.i32_wrap_i64).i32(imm).op(Op.i32_shl); }); return;
      case O.srliw: word(() => { this.get(rs1); b.op(Op.i32_wrap_i64).i32(imm).op(Op.i32_shr_u); }); return;
      case O.sraiw: word(() => { this.get(rs1); b.op(Op.i32_wrap_i64).i32(imm).op(Op.i32_shr_s); }); return;
      case O.addw: word(() => { this.get(rs1); this.get(rs2); b.op(Op.i64_add).op(Op.i32_wrap_i64); }); return;
      case O.subw: word(() => { this.get(rs1); this.get(rs2); b.op(Op.i64_sub).op(Op.i32_wrap_i64); }); return;
      case O.sllw: word(() => this.w32(Op.i32_shl)); return;
      case O.srlw: word(() => this.w32(Op.i32_shr_u)); return;
      case O.sraw: word(() => this.w32(Op.i32_shr_s)); return;
      case O.mulw: word(() => this.w32(Op.i32_mul)); return;
      case O.fence: return;
      case O.mul: bin(Op.i64_mul); return;
      case O.mulh: m(() => emitMulHigh(b, 'ss', this.t)); return;
      case O.mulhsu: m(() => emitMulHigh(b, 'su', this.t)); return;
      case O.mulhu: m(() => emitMulHigh(b, 'uu', this.t)); return;
      case O.div: m(() => emitDiv64(b, true, false, this.t)); return;
      case O.divu: m(() => emitDiv64(b, false, false, this.t)); return;
      case O.rem: m(() => emitDiv64(b, true, true, this.t)); return;
      case O.remu: m(() => emitDiv64(b, false, true, this.t)); return;
      case O.divw: word(() => { this.get(rs1); this.get(rs2); emitDiv32(b, true, false, this.u); }); return;
      case O.divuw: word(() => { this.get(rs1); this.get(rs2); emitDiv32(b, false, false, this.u); }); return;
      case O.remw: word(() => { this.get(rs1); this.get(rs2); emitDiv32(b, true, true, this.u); }); return;
      case O.remuw: word(() => { this.get(rs1); this.get(rs2); emitDiv32(b, false, true, this.u); }); return;
      default:
        if (LOADS.has(id)) {
          this.get(rs1);
          b.i64(imm).op(Op.i64_add).set(t0);
          this.access.load(id, t0, rs1);
          this.put(rd);
          return;
        }
        if (STORES.has(id)) {
          this.get(rs1);
          b.i64(imm).op(Op.i64_add).set(t0);
          this.get(rs2);
          b.set(t1);
          this.access.store(id, t0, t1, rs1);
          return;
        }
        throw new Error(`tier 1: no translation for instruction id ${id}`);
    }
  }

  /** Both operands' low words, then the i32 op. */
  private w32(o: Op): void {
    this.get(this.curInsnRs1());
    this.b.op(Op.i32_wrap_i64);
    this.get(this.curInsnRs2());
    this.b.op(Op.i32_wrap_i64).op(o);
  }

  private curInsn(): Insn {
    return this.plan.blocks[this.cur]!.insns[this.curPos]!;
  }

  private curInsnRs1(): number {
    return this.curInsn().rs1;
  }

  private curInsnRs2(): number {
    return this.curInsn().rs2;
  }

  /**
   * jalr: target (rs1 + imm) & ~1. A 4-aligned target in this page (a return, a call, a switch
   * through a table) stays in the region: one compare, since the page is canonical (pc is in
   * it). Anything else is checked before rd is written: a misaligned or non-canonical target
   * exits AT the jalr for the interpreter to raise, others exit with pc = the target.
   */
  private emitJalr(insn: Insn): void {
    const b = this.b;
    const t0 = this.t[0]!;
    this.get(insn.rs1);
    b.i64(insn.imm).op(Op.i64_add).i64(-2).op(Op.i64_and).set(t0);
    const link = (): void => {
      if (insn.rd === 0) return;
      const [lo, hi] = pcAt(this.pageLo, this.pageHi, insn.idx + 1);
      b.i64(lo, hi);
      this.put(insn.rd);
    };
    // Same page and 4-aligned: dispatch on the word index (the interpreter makes no ITLB lookup
    // within its fetch page either; the block entered checks the budget).
    b.get(t0).i64(~0xffc).op(Op.i64_and).i64(this.pageLo, this.pageHi).op(Op.i64_eq);
    b.if();
    link();
    b.get(t0).op(Op.i32_wrap_i64).i32(0xfff).op(Op.i32_and).i32(2).op(Op.i32_shr_u).set(this.w);
    b.i32(this.plan.blocks.length).set(this.blk).br(this.dispatchDepth(1));
    b.end();
    b.get(t0).i64(3).op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_eqz);
    b.get(t0).get(this.vash).op(Op.i64_shl).get(this.vash).op(Op.i64_shr_s).get(t0).op(Op.i64_ne);
    b.op(Op.i32_or);
    b.if();
    this.exitStatic(insn.idx, this.curLen - this.curPos, 1);
    b.end();
    link();
    b.get(t0).set(this.xpc);
    b.i32(1).set(this.go); // to another page: the exit may chain
    b.br(this.exitDepth(0));
  }
}
