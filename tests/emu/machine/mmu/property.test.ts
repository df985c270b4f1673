// Property: when software performs every invalidation the architecture
// requires, a TLB is invisible. The TLB-backed MMU (and its micro-cache) must
// agree with a TLB-less one ('none', every access walks) on random page-table
// graphs (4/5-level, shared and cyclic tables, 2M/1G pages, random flags,
// protection keys, some reserved bits) and random access sequences with
// CPL/AC/WP/CR4/PKRU changes and PTE edits: same PA or same fault, and the
// same memory afterwards (A/D flags).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SparsePhysMem, read64Big, write64Big } from '../../../../emu/machine/mem/phys';
import { Mmu } from '../../../../emu/machine/mmu/mmu';
import { DEFAULT_TLB_CONFIG } from '../../../../emu/machine/mmu/tlb';
import { Access } from '../../../../emu/machine/trap';
import type { TlbConfig } from '../../../../emu/machine/mmu/tlb';
import {
  CR0_BASE,
  CR0_WP,
  CR4_LA57,
  CR4_PAE,
  CR4_PCIDE,
  CR4_PGE,
  CR4_PKE,
  CR4_SMAP,
  CR4_SMEP,
  EFER_LMA_LME,
  EFER_NXE,
  access,
  hi32,
  lo32,
  pagingEntryArb,
} from './support';

const TABLES = 6;
const tableAddr = (k: number): number => 0x10000 + k * 0x1000;
const SLOTS = [0, 1, 511];
/** Linear addresses per scenario: few, so that pages are used again (TLB hits). */
const VAS = 6;

const TINY: TlbConfig = {
  itlb: { '4K': { sets: 1, ways: 2 }, '2M': { sets: 1, ways: 1 }, '1G': { sets: 1, ways: 1 } },
  dtlb: { '4K': { sets: 2, ways: 1 }, '2M': { sets: 1, ways: 1 }, '1G': { sets: 1, ways: 1 } },
  replacement: 'lru',
};

/** A random paging-structure entry (support.ts): large pages map 1G-aligned frames 1..8 GiB. */
const entryArb = pagingEntryArb({ tables: TABLES, tableAddr, largeFrames: 8, largeFrame: (n) => BigInt(n + 1) << 30n });

const vaArb = fc.record({ idx: fc.array(fc.constantFrom(...SLOTS), { minLength: 5, maxLength: 5 }), off: fc.nat(511) }).map(({ idx, off }) => {
  let va = BigInt(off * 8);
  idx.forEach((x, i) => (va |= BigInt(x) << BigInt(12 + 9 * i)));
  return va;
});

const opArb = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('access' as const), va: fc.nat(VAS - 1), kind: fc.constantFrom(Access.Read, Access.Write, Access.Fetch), implicit: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cpl' as const), v: fc.constantFrom<0 | 3>(0, 3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('ac' as const), v: fc.constantFrom<0 | 1>(0, 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wp' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cr4' as const), bit: fc.constantFrom(CR4_SMEP, CR4_SMAP, CR4_PKE, CR4_PGE) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pkru' as const), v: fc.oneof(fc.constant(0), fc.nat(0xffffffff)) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cr3' as const), pcid: fc.constantFrom(1, 2), noFlush: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('edit' as const), table: fc.nat(TABLES - 1), slot: fc.nat(2), value: entryArb }) },
);

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

interface Scenario {
  five: boolean;
  pcide: boolean;
  nxe: boolean;
  tiny: boolean;
  entries: bigint[];
  vas: bigint[];
  ops: Op[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  five: fc.boolean(),
  pcide: fc.boolean(),
  nxe: fc.boolean(),
  tiny: fc.boolean(),
  entries: fc.array(entryArb, { minLength: TABLES * SLOTS.length, maxLength: TABLES * SLOTS.length }),
  vas: fc.array(vaArb, { minLength: VAS, maxLength: VAS }),
  ops: fc.array(opArb, { minLength: 20, maxLength: 150, size: 'max' }),
});

function canonical(va: bigint, five: boolean): bigint {
  return BigInt.asUintN(64, BigInt.asIntN(five ? 57 : 48, va));
}

/** Runs a scenario on one MMU; returns a transcript of outcomes and the final table memory. */
function play(s: Scenario, tlb: TlbConfig | 'none'): string[] {
  const mem = new SparsePhysMem();
  for (let k = 0; k < TABLES; k++) SLOTS.forEach((slot, j) => write64Big(mem, tableAddr(k) + slot * 8, s.entries[k * SLOTS.length + j]!));
  const m = new Mmu(mem, tlb);
  m.maxPhyAddr = 46;
  m.writeCr4(CR4_PAE | (s.five ? CR4_LA57 : 0) | (s.pcide ? CR4_PCIDE : 0));
  let pcid = s.pcide ? 1 : 0;
  m.writeCr3(tableAddr(0) + pcid);
  m.writeCr0(CR0_BASE | CR0_WP);
  m.efer = EFER_LMA_LME | (s.nxe ? EFER_NXE : 0);
  const vas = s.vas.map((v) => canonical(v, s.five));
  const log: string[] = [];
  for (const op of s.ops) {
    switch (op.op) {
      case 'access': {
        const r = access(m, vas[op.va]!, op.kind, op.implicit && op.kind !== Access.Fetch);
        log.push('pa' in r ? `pa ${r.pa.toString(16)}` : `fault ${r.vector} ${r.error.toString(16)}`);
        break;
      }
      case 'cpl':
        m.setCpl(op.v);
        break;
      case 'ac':
        m.setAc(op.v);
        break;
      case 'wp':
        m.writeCr0(m.cr0 ^ CR0_WP);
        break;
      case 'cr4':
        m.writeCr4(m.cr4 ^ op.bit);
        break;
      case 'pkru':
        m.setPkru(op.v);
        break;
      case 'cr3':
        if (s.pcide) pcid = op.pcid;
        m.writeCr3(tableAddr(0) + pcid, s.pcide && op.noFlush);
        break;
      case 'edit':
        write64Big(mem, tableAddr(op.table) + SLOTS[op.slot]! * 8, op.value);
        // The invalidation the architecture requires: every page whose translation may have used the entry,
        // in every PCID (INVLPG covers the current one and global pages).
        for (const va of vas) {
          m.invlpg(lo32(va), hi32(va));
          if (s.pcide) for (const p of [1, 2]) m.invpcid(0, p, lo32(va), hi32(va));
        }
        break;
    }
  }
  for (let k = 0; k < TABLES; k++) for (const slot of SLOTS) log.push(`mem ${read64Big(mem, tableAddr(k) + slot * 8).toString(16)}`);
  if (tlb !== 'none') log.push(`hits ${m.itlb.stats().hits + m.dtlb.stats().hits}`);
  return log;
}

describe('the TLB is invisible when software invalidates as required', () => {
  it('TLB-backed and TLB-less MMUs agree on every access and on A/D in memory', () => {
    let accesses = 0;
    let ok = 0;
    let tlbHits = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const cfg = s.tiny ? TINY : DEFAULT_TLB_CONFIG;
        const withTlb = play(s, cfg);
        expect(withTlb.slice(0, -1)).toEqual(play(s, 'none'));
        accesses += s.ops.filter((o) => o.op === 'access').length;
        ok += withTlb.filter((l) => l.startsWith('pa')).length;
        tlbHits += Number(withTlb.at(-1)!.split(' ')[1]);
      }),
      { numRuns: 1000, seed: 0x5eed },
    );
    // The generator must produce successful translations, and TLB hits, not only faults and walks.
    expect(ok / accesses).toBeGreaterThan(0.15);
    expect(tlbHits / accesses).toBeGreaterThan(0.01);
  });
});
