// The browser lab's per-step TLB log (web/worker/tlb-log.ts) over a bare
// MMU: each CR3 write, INVLPG, INVPCID and page fault is logged with exactly
// the entries it dropped and the ones in its scope it kept, and the MMU's
// observer hook costs nothing when unset (the operations behave the same with
// it).
import { describe, expect, it } from 'vitest';
import { docBlock } from '../../support/doc-blocks';
import type { TlbBrief, TlbEventView } from '../../../web/views-data';
import { SparsePhysMem } from '../../../emu/machine/mem/phys';
import { Mmu } from '../../../emu/machine/mmu/mmu';
import { CR4_PAE, CR4_PCIDE, CR4_PGE } from '../../../emu/machine/mmu/paging';
import { PERM_G, PERM_RW, PERM_US } from '../../../emu/machine/mmu/rights';
import { Access, TRAP_PENDING, Vector } from '../../../emu/machine/trap';
import { TlbLog, keptSummary } from '../../../web/worker/tlb-log';

const USER = PERM_RW | PERM_US;

/** An MMU with PCIDs on, CR3 = 0x100000 with PCID 1, and four entries: a user page in PCIDs 1 and 2, a global kernel page, an ITLB page of PCID 1. */
function machine(): { mmu: Mmu; log: TlbLog } {
  const mmu = new Mmu(new SparsePhysMem());
  mmu.writeCr4(CR4_PAE | CR4_PGE | CR4_PCIDE);
  mmu.writeCr3(0x100000 + 1);
  mmu.dtlb.fill(0x400000, 0, 1, 12, 0x5000, USER, 0);
  mmu.dtlb.fill(0x400000, 0, 2, 12, 0x6000, USER, 0);
  mmu.dtlb.fill(0x1000, 0xffff8000 | 0, 1, 12, 0x1000, PERM_RW | PERM_G, 0);
  mmu.itlb.fill(0x401000, 0, 1, 12, 0x7000, PERM_US, 0);
  const log = new TlbLog(mmu);
  log.actor = () => 'pid 7 (test)';
  log.attach();
  return { mmu, log };
}

const entry = (tlb: string, vpn: string, va: string, pcid: number, global = false) => ({ tlb, pageSize: '4K', vpn, va, pcid, global });
const USER1 = entry('DTLB', '0x400', '0x400000', 1);
const USER2 = entry('DTLB', '0x400', '0x400000', 2);
const KERNEL = entry('DTLB', '0xffff800000001', '0xffff800000001000', 1, true);
const CODE1 = entry('ITLB', '0x401', '0x401000', 1);

describe('the TLB log', () => {
  it('INVLPG drops the page of the current PCID and keeps the same page of another PCID', () => {
    const { mmu, log } = machine();
    mmu.invlpg(0x400000, 0);
    expect(log.events).toEqual([{ n: 1, what: 'INVLPG 0x400000 (PCID 1 and global entries)', by: 'pid 7 (test)', dropped: [USER1], kept: [USER2], keptWhy: '1 of other PCIDs' }]);
    expect(mmu.entries().map((e) => [e.tlb, e.pcid, e.global])).toEqual([['ITLB', 1, false], ['DTLB', 2, false], ['DTLB', 1, true]]);
  });

  it('a CR3 write with NOFLUSH switches PCID and drops nothing; a flushing one drops the new PCID\'s entries, keeping global ones and other PCIDs\'', () => {
    const { mmu, log } = machine();
    mmu.writeCr3(0x200000 + 2, true);
    mmu.writeCr3(0x200000 + 2, false);
    expect(log.events).toEqual([
      { n: 1, what: 'CR3 write: 0x200000, PCID 2, NOFLUSH (PCID switch 1 -> 2; was 0x100001)', by: 'pid 7 (test)', dropped: [], kept: [CODE1, USER1, USER2, KERNEL], keptWhy: '1 global, 1 of PCID 2, 2 of other PCIDs' },
      { n: 2, what: 'CR3 write: 0x200000, PCID 2 (PCID 2 again; was 0x200002)', by: 'pid 7 (test)', dropped: [USER2], kept: [CODE1, USER1, KERNEL], keptWhy: '1 global, 2 of other PCIDs' },
    ]);
  });

  it('INVPCID type 1 drops one PCID\'s non-global entries; CR4 clearing PCIDE flushes everything, globals included', () => {
    const { mmu, log } = machine();
    mmu.invpcid(1, 1, 0, 0);
    mmu.writeCr4(CR4_PAE);
    expect(log.events.map((e) => [e.what, e.dropped, e.keptWhy])).toEqual([
      ['INVPCID type 1: all of PCID 1', [CODE1, USER1], '1 global, 1 of other PCIDs'],
      ['CR4 write: 0x200a0 -> 0x20 (a paging-mode bit changed: everything flushed)', [USER2, KERNEL], 'none'],
    ]);
    expect(log.total).toBe(2);
    log.clear();
    expect([log.events, log.total]).toEqual([[], 0]);
  });

  it('a page fault drops the page\'s entries of the current PCID and global ones in both TLBs, keeps other PCIDs\', and says when there is nothing to drop', () => {
    const { mmu, log } = machine();
    // The page tables at CR3 are empty: a fetch at the user page misses the ITLB and faults not-present; the DTLB's entry of PCID 1 goes.
    expect(mmu.tryTranslate(0x400000, 0, Access.Fetch)).toBe(TRAP_PENDING);
    // A user read of the global kernel page hits the DTLB and faults on the rights: its global entry goes.
    mmu.setCpl(3);
    expect(mmu.tryTranslate(0x1008, 0xffff8000 | 0, Access.Read)).toBe(TRAP_PENDING);
    expect([mmu.trap.vector, mmu.trap.error]).toEqual([Vector.PF, 5]);
    // A read of a page no TLB holds.
    expect(mmu.tryTranslate(0x500010, 0, Access.Read)).toBe(TRAP_PENDING);
    expect(log.events).toEqual([
      { n: 1, what: "#PF 0x400000, error 0x0 (not-present read kernel): the page's entries of PCID 1 and global ones", by: 'pid 7 (test)', dropped: [USER1], kept: [USER2], keptWhy: '1 of other PCIDs' },
      { n: 2, what: "#PF 0xffff800000001008, error 0x5 (protection read user): the page's entries of PCID 1 and global ones", by: 'pid 7 (test)', dropped: [KERNEL], kept: [], keptWhy: 'none' },
      { n: 3, what: "#PF 0x500010, error 0x4 (not-present read user): the page's entries of PCID 1 and global ones, nothing to drop", by: 'pid 7 (test)', dropped: [], kept: [], keptWhy: 'none' },
    ]);
    expect(mmu.entries().map((e) => [e.tlb, e.pcid, e.global])).toEqual([['ITLB', 1, false], ['DTLB', 2, false]]);
    expect(mmu.stats().dtlb).toMatchObject({ dropped: 2, flushes: { fault: 3 } });
  });

  it('detached, the MMU calls nothing and invalidates the same entries', () => {
    const { mmu, log } = machine();
    log.detach();
    expect(mmu.tlbObserver).toBeNull();
    mmu.invlpg(0x400000, 0);
    expect(log.events).toEqual([]);
    expect(mmu.stats().dtlb).toMatchObject({ dropped: 1, flushes: { invlpg: 1 } });
    mmu.setCpl(3);
    expect(mmu.tryTranslate(0x1000, 0xffff8000 | 0, Access.Read)).toBe(TRAP_PENDING);
    expect(log.events).toEqual([]);
    expect(mmu.stats().dtlb).toMatchObject({ dropped: 2, flushes: { invlpg: 1, fault: 1 } });
    expect(mmu.entries().map((e) => [e.tlb, e.pcid, e.global])).toEqual([['ITLB', 1, false], ['DTLB', 2, false]]);
  });

  it('keptSummary counts global entries, the given PCID\'s and the others', () => {
    expect(keptSummary([KERNEL, USER1, USER2, CODE1], 1)).toBe('1 global, 2 of PCID 1, 1 of other PCIDs');
    expect(keptSummary([], 1)).toBe('none');
  });

  it("docs/web.md's example: an INVLPG, a PCID switch with NOFLUSH, a flushing CR3 load, a page fault, as the TLB view lists them", () => {
    const { mmu, log } = machine();
    mmu.invlpg(0x400000, 0);
    mmu.writeCr3(0x200000 + 2, true);
    mmu.writeCr3(0x200000 + 2, false);
    mmu.setCpl(3);
    expect(mmu.tryTranslate(0x1008, 0xffff8000 | 0, Access.Read)).toBe(TRAP_PENDING);
    const entry = (e: TlbBrief): string => `${e.tlb} ${e.pageSize} VPN ${e.vpn} PCID ${e.pcid}${e.global ? ' G' : ''}`;
    const row = (e: TlbEventView): string[] => [
      `${e.n}  ${e.by}  ${e.what}`,
      `   dropped: ${e.dropped.map(entry).join('; ') || 'none'}`,
      `   kept: ${e.keptWhy}${e.kept.length > 0 ? `: ${e.kept.map(entry).join('; ')}` : ''}`,
    ];
    expect(log.events.flatMap(row).join('\n') + '\n').toBe(docBlock('docs/web.md', 'web-tlb-log'));
  });
});
