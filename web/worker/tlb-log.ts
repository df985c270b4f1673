// The per-step TLB log of the browser lab: every CR3 write (a PCID switch
// with or without NOFLUSH, or a flushing load), INVLPG, INVPCID, flushing
// CR0/CR4 write and page fault (which invalidates the faulting page's
// entries, SDM 4.10.4.1) the MMU performs during the last step or run, with
// the entries it dropped and the ones in its scope that it kept (global
// entries survive a CR3 write, other PCIDs' entries survive both). It
// observes the MMU through Mmu.tlbObserver: before an operation it copies
// the TLBs' slot generations (a Tlb bumps gen[slot] when an entry dies),
// after it the slots whose generation moved are the dropped entries
// (Tlb.entryAt still reads what they held).
import type { Mmu } from '../../emu/machine/mmu/mmu';
import { TlbOp, TlbPhase } from '../../emu/machine/mmu/mmu';
import type { Tlb, TlbEntry } from '../../emu/machine/mmu/tlb';
import { CR3_PCID_MASK } from '../../emu/machine/mmu/paging';
import { pfWords } from '../../emu/machine/trap';
import type { TlbBrief, TlbEventView } from '../views-data';

/** Events kept per step or run (the newest); `total` counts them all. */
const LOG_MAX = 200;

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

function brief(e: TlbEntry): TlbBrief {
  const va = BigInt.asUintN(64, e.va);
  return { tlb: e.tlb, pageSize: e.pageSize, vpn: hex(va >> 12n), va: hex(va), pcid: e.pcid, global: e.global };
}

/** Whether entry e translates the address lo/hi (its page, of its size, holds it). */
function covers(e: TlbEntry, lo: number, hi: number): boolean {
  const shift = e.pageSize === '1G' ? 30n : e.pageSize === '2M' ? 21n : 12n;
  const va = BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
  return BigInt.asUintN(64, e.va) >> shift === va >> shift;
}

export class TlbLog {
  /** The events of the current step or run, oldest first (the last LOG_MAX). */
  readonly events: TlbEventView[] = [];
  /** Events since the last clear, including those no longer kept. */
  total = 0;
  /** Who acted: set by the worker (the task the kernel ran for), read at each event. */
  actor: () => string = () => '';
  private n = 0;
  private readonly genI: Int32Array;
  private readonly genD: Int32Array;
  private cr3Before = 0;
  private pcidBefore = 0;
  private crBefore = 0;

  constructor(private readonly mmu: Mmu) {
    this.genI = new Int32Array(mmu.itlb.gen.length);
    this.genD = new Int32Array(mmu.dtlb.gen.length);
  }

  /** Starts observing the MMU. */
  attach(): void {
    this.mmu.tlbObserver = (op, phase, lo, hi, pcid, flags) => {
      if (phase === TlbPhase.Before) this.before(op);
      else this.after(op, lo, hi, pcid, flags);
    };
  }

  detach(): void {
    this.mmu.tlbObserver = null;
  }

  /** A new step or run: the log starts empty. */
  clear(): void {
    this.events.length = 0;
    this.total = 0;
  }

  private before(op: TlbOp): void {
    this.genI.set(this.mmu.itlb.gen);
    this.genD.set(this.mmu.dtlb.gen);
    this.cr3Before = this.mmu.cr3;
    this.pcidBefore = this.mmu.currentPcid;
    this.crBefore = op === TlbOp.Cr0 ? this.mmu.cr0 : this.mmu.cr4;
  }

  private droppedFrom(tlb: Tlb, gen: Int32Array, out: TlbBrief[]): void {
    for (let slot = 0; slot < gen.length; slot++) if (tlb.gen[slot] !== gen[slot]) out.push(brief(tlb.entryAt(slot)));
  }

  private after(op: TlbOp, lo: number, hi: number, pcid: number, flags: number): void {
    const mmu = this.mmu;
    const dropped: TlbBrief[] = [];
    this.droppedFrom(mmu.itlb, this.genI, dropped);
    this.droppedFrom(mmu.dtlb, this.genD, dropped);
    const valid = mmu.entries();
    const va = hex(BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)));
    let what: string;
    let kept: TlbEntry[];
    switch (op) {
      case TlbOp.Cr3: {
        const cr3 = mmu.cr3;
        const table = hex(cr3 - (cr3 & CR3_PCID_MASK));
        const switched = pcid !== this.pcidBefore ? `PCID switch ${this.pcidBefore} -> ${pcid}` : `PCID ${pcid} again`;
        what = `CR3 write: ${table}, PCID ${pcid}${flags === 1 ? ', NOFLUSH' : ''} (${switched}; was ${hex(this.cr3Before)})`;
        kept = valid;
        break;
      }
      case TlbOp.Invlpg:
        what = `INVLPG ${va} (PCID ${pcid} and global entries)`;
        kept = valid.filter((e) => covers(e, lo, hi));
        break;
      case TlbOp.PageFault:
        what = `#PF ${va}, error ${hex(flags)} (${pfWords(flags)}): the page's entries of PCID ${pcid} and global ones${dropped.length === 0 ? ', nothing to drop' : ''}`;
        kept = valid.filter((e) => covers(e, lo, hi));
        break;
      case TlbOp.Invpcid:
        what = flags === 0 ? `INVPCID type 0: ${va} in PCID ${pcid}` : flags === 1 ? `INVPCID type 1: all of PCID ${pcid}` : flags === 2 ? 'INVPCID type 2: everything, globals included' : 'INVPCID type 3: everything but globals';
        kept = flags === 0 ? valid.filter((e) => covers(e, lo, hi)) : valid;
        break;
      default:
        what = `${op === TlbOp.Cr0 ? 'CR0' : 'CR4'} write: ${hex(this.crBefore)} -> ${hex(op === TlbOp.Cr0 ? mmu.cr0 : mmu.cr4)} (a paging-mode bit changed: everything flushed)`;
        kept = valid;
    }
    this.total++;
    const k = kept.map(brief);
    this.events.push({ n: ++this.n, what, by: this.actor(), dropped, kept: k, keptWhy: keptSummary(k, op === TlbOp.Cr0 || op === TlbOp.Cr4 ? null : pcid) });
    if (this.events.length > LOG_MAX) this.events.shift();
  }
}

/** Why each kept entry survived, counted: `3 global, 12 of PCID 2, 40 of other PCIDs` (for a CR3 write, `pcid` is the new one). */
export function keptSummary(kept: readonly TlbBrief[], pcid: number | null): string {
  const global = kept.filter((e) => e.global).length;
  const own = pcid === null ? 0 : kept.filter((e) => !e.global && e.pcid === pcid).length;
  const other = kept.length - global - own;
  const parts: string[] = [];
  if (global > 0) parts.push(`${global} global`);
  if (own > 0) parts.push(`${own} of PCID ${pcid}`);
  if (other > 0) parts.push(`${other} of ${pcid === null ? 'PCIDs' : 'other PCIDs'}`);
  return parts.join(', ') || 'none';
}
