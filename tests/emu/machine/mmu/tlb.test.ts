// The TLB as software sees it (SDM vol. 3, 4.10; FORMAT.md "The TLB model"):
// stale entries, invalidation by INVLPG / INVPCID / MOV to CR0/CR3/CR4, PCIDs,
// global pages, replacement, statistics and the micro-cache in front.
import { describe, expect, it } from 'vitest';
import type { Mmu } from '../../../../emu/machine/mmu/mmu';
import type { TlbConfig } from '../../../../emu/machine/mmu/tlb';
import {
  A,
  CR0_BASE,
  CR0_WP,
  CR4_PCIDE,
  CR4_PGE,
  CR4_SMAP,
  CR4_SMEP,
  D,
  G,
  P,
  RW,
  Tables,
  US,
  fetch,
  hi32,
  lo32,
  makeMmu,
  pf,
  read,
  write,
} from './support';

const VA = 0x1234_5678_9000n;
const VB = 0x1234_5678_a000n;
const VC = 0x1234_5678_b000n;

function setup(leaf = P | RW | US, s: Parameters<typeof makeMmu>[1] = {}, tlb?: TlbConfig | 'none') {
  const t = new Tables();
  const pte = t.map(VA, 0x10_0000_0000n, leaf)[1]!;
  const m = makeMmu(t, s, tlb);
  return { t, pte, m };
}

const tiny = (ways: number, replacement: TlbConfig['replacement'] = 'lru'): TlbConfig => ({
  itlb: { '4K': { sets: 1, ways }, '2M': { sets: 1, ways: 1 }, '1G': { sets: 1, ways: 1 } },
  dtlb: { '4K': { sets: 1, ways }, '2M': { sets: 1, ways: 1 }, '1G': { sets: 1, ways: 1 } },
  replacement,
});

describe('stale entries', () => {
  it('a changed PTE is not seen until INVLPG (store_phys then read)', () => {
    const { t, pte, m } = setup();
    expect(read(m, VA + 8n)).toEqual({ pa: 0x10_0000_0008 });
    t.set(pte, 0x20_0000_0000n | P | RW | US);
    expect(read(m, VA + 8n)).toEqual({ pa: 0x10_0000_0008 }); // micro-cache hit
    expect(read(m, VA + 8n, true)).toEqual({ pa: 0x10_0000_0008 }); // TLB hit (implicit skips the micro-cache)
    m.invlpg(lo32(VA + 0xff8n), hi32(VA));
    expect(read(m, VA + 8n)).toEqual({ pa: 0x20_0000_0008 });
  });

  it('keeps using an entry whose page was made not-present, and does not set A again', () => {
    const { t, pte, m } = setup();
    read(m, VA);
    t.set(pte, 0n);
    expect(read(m, VA)).toEqual({ pa: 0x10_0000_0000 });
    t.set(pte, 0x10_0000_0000n | P | RW | US); // A clear
    expect(read(m, VA)).toEqual({ pa: 0x10_0000_0000 });
    expect(t.get(pte)).toBe(0x10_0000_0000n | P | RW | US);
  });

  it('a write hitting an entry with D clear walks again and sets D', () => {
    const { t, pte, m } = setup();
    read(m, VA);
    expect(m.dtlb.stats().walks).toBe(1);
    expect(write(m, VA)).toEqual({ pa: 0x10_0000_0000 });
    expect(m.dtlb.stats()).toMatchObject({ lookups: 2, hits: 1, misses: 1, walks: 2, ptReads: 16 });
    expect(t.get(pte)).toBe(0x10_0000_0000n | P | RW | US | A | D);
    write(m, VA);
    expect(m.dtlb.stats()).toMatchObject({ lookups: 3, hits: 2, walks: 2 });
  });

  it('a fault drops the entry: the next access walks again', () => {
    const { t, pte, m } = setup(P | US);
    read(m, VA);
    expect(write(m, VA)).toEqual(pf(0x3));
    t.set(pte, 0x10_0000_0000n | P | RW | US);
    expect(write(m, VA)).toEqual({ pa: 0x10_0000_0000 });
    expect(m.dtlb.stats().flushes.fault).toBe(1);
  });

  it('checks a hit against the current CPL, AC and WP', () => {
    const { m } = setup(P | US, { cr4: CR4_SMAP });
    m.setAc(1);
    expect(read(m, VA)).toEqual({ pa: 0x10_0000_0000 });
    m.setAc(0);
    expect(read(m, VA)).toEqual(pf(0x1));
    m.setAc(1);
    expect(read(m, VA, true)).toEqual(pf(0x1));
    const s = setup(P | RW);
    expect(read(s.m, VA)).toEqual({ pa: 0x10_0000_0000 });
    s.m.setCpl(3);
    expect(read(s.m, VA)).toEqual(pf(0x5));
  });

  it('the instruction and data TLBs are separate', () => {
    const { t, pte, m } = setup();
    read(m, VA);
    t.set(pte, 0x20_0000_0000n | P | RW | US);
    expect(fetch(m, VA)).toEqual({ pa: 0x20_0000_0000 });
    expect(read(m, VA)).toEqual({ pa: 0x10_0000_0000 });
  });
});

describe('invalidation', () => {
  it('INVLPG anywhere in a 2M page drops it', () => {
    const t = new Tables();
    const pde = t.map(0x4000_0000_0000n, 0x4060_0000n, P | RW, { size: '2M' })[2]!;
    const m = makeMmu(t);
    read(m, 0x4000_0000_0000n);
    t.set(pde, 0x4080_0000n | P | RW | 0x80n);
    m.invlpg(lo32(0x4000_001f_f000n), hi32(0x4000_001f_f000n));
    expect(read(m, 0x4000_0000_0010n)).toEqual({ pa: 0x4080_0010 });
  });

  it('MOV to CR3 flushes non-global entries; global ones (PGE and G) survive', () => {
    const t = new Tables();
    const pa = t.map(VA, 0x10_0000_0000n, P | RW | G)[1]!;
    const pb = t.map(VB, 0x11_0000_0000n, P | RW)[1]!;
    const m = makeMmu(t, { cr4: CR4_PGE });
    read(m, VA);
    read(m, VB);
    t.set(pa, 0x20_0000_0000n | P | RW | G);
    t.set(pb, 0x21_0000_0000n | P | RW);
    m.writeCr3(t.root);
    expect(read(m, VA)).toEqual({ pa: 0x10_0000_0000 });
    expect(read(m, VB)).toEqual({ pa: 0x21_0000_0000 });
    expect(m.dtlb.stats().flushes.cr3).toBe(1);
    m.writeCr4(0);
    m.writeCr4(CR4_PGE); // PGE changes flush globals too
    expect(read(m, VA)).toEqual({ pa: 0x20_0000_0000 });
  });

  it('G without CR4.PGE is not global', () => {
    const { t, pte, m } = setup(P | RW | G);
    read(m, VA);
    t.set(pte, 0x20_0000_0000n | P | RW | G);
    m.writeCr3(t.root);
    expect(read(m, VA)).toEqual({ pa: 0x20_0000_0000 });
  });

  it('PCIDs: entries are tagged; bit 63 keeps them; a plain MOV to CR3 flushes only the new PCID', () => {
    const t = new Tables();
    const pte = t.map(VA, 0x10_0000_0000n, P | RW)[1]!;
    const m = makeMmu(t, { cr4: CR4_PCIDE, cr3: t.root + 1 });
    read(m, VA);
    t.set(pte, 0x20_0000_0000n | P | RW);
    m.writeCr3(t.root + 2, true);
    expect(read(m, VA)).toEqual({ pa: 0x20_0000_0000 }); // PCID 2 misses
    m.writeCr3(t.root + 1, true);
    expect(read(m, VA)).toEqual({ pa: 0x10_0000_0000 }); // PCID 1 kept its entry
    m.writeCr3(t.root + 2); // flushes PCID 2 only
    m.writeCr3(t.root + 1, true);
    expect(read(m, VA)).toEqual({ pa: 0x10_0000_0000 });
    m.writeCr3(t.root + 1);
    expect(read(m, VA)).toEqual({ pa: 0x20_0000_0000 });
    expect(m.entries().map((e) => e.pcid)).toEqual([1]); // PCID 2's entry went with the plain MOV to CR3
  });

  it('INVPCID: type 0 one address of one PCID, 1 one PCID, 2 all with globals, 3 all but globals', () => {
    const t = new Tables();
    t.map(VA, 0x10_0000_0000n, P | RW);
    t.map(VB, 0x11_0000_0000n, P | RW | G);
    t.map(VC, 0x12_0000_0000n, P | RW);
    const m = makeMmu(t, { cr4: CR4_PCIDE | CR4_PGE, cr3: t.root + 7 });
    const fill = () => [VA, VB, VC].forEach((v) => read(m, v));
    const cached = () => m.dtlb.entries().map((e) => e.va.toString(16)).sort();
    fill();
    m.invpcid(0, 7, lo32(VA), hi32(VA));
    expect(cached()).toEqual(['12345678a000', '12345678b000']);
    m.invpcid(0, 7, lo32(VB), hi32(VB)); // global: kept
    expect(cached()).toEqual(['12345678a000', '12345678b000']);
    m.invpcid(1, 3, 0, 0); // other PCID: nothing
    expect(cached()).toEqual(['12345678a000', '12345678b000']);
    m.invpcid(1, 7, 0, 0);
    expect(cached()).toEqual(['12345678a000']);
    fill();
    m.invpcid(3, 0, 0, 0);
    expect(cached()).toEqual(['12345678a000']);
    m.invpcid(2, 0, 0, 0);
    expect(cached()).toEqual([]);
    expect(m.dtlb.stats().flushes.invpcid).toBe(6);
  });

  it('MOV to CR0 that changes WP flushes everything, globals too; other CR0 writes do not', () => {
    const { t, pte, m } = setup(P | RW | G, { cr4: CR4_PGE });
    read(m, VA);
    m.writeCr0(CR0_BASE | CR0_WP);
    expect(m.entries().length).toBe(1);
    t.set(pte, 0x20_0000_0000n | P | RW | G);
    m.writeCr0(CR0_BASE);
    expect(read(m, VA)).toEqual({ pa: 0x20_0000_0000 });
    expect(m.dtlb.stats().flushes.cr0).toBe(1);
  });

  it('MOV to CR4 that changes SMEP or SMAP flushes everything; PKE does not', () => {
    const { m } = setup();
    read(m, VA);
    fetch(m, VA);
    m.writeCr4(m.cr4 | 0x400000);
    expect(m.entries().length).toBe(2);
    m.writeCr4(m.cr4 | CR4_SMEP);
    expect(m.entries().length).toBe(0);
    read(m, VA);
    m.writeCr4(m.cr4 | CR4_SMAP);
    expect(m.entries().length).toBe(0);
  });
});

describe('replacement and statistics', () => {
  function three(cfg: TlbConfig): Mmu {
    const t = new Tables();
    t.map(VA, 0x10_0000_0000n, P | RW);
    t.map(VB, 0x11_0000_0000n, P | RW);
    t.map(VC, 0x12_0000_0000n, P | RW);
    return makeMmu(t, {}, cfg);
  }
  const cachedVas = (m: Mmu) => m.dtlb.entries().map((e) => e.va);

  it('LRU evicts the least recently used way (a micro-cache hit counts as a use)', () => {
    const m = three(tiny(2));
    read(m, VA);
    read(m, VB);
    read(m, VA);
    read(m, VC);
    expect(cachedVas(m).sort()).toEqual([VA, VC]);
    expect(m.dtlb.stats()).toMatchObject({ lookups: 4, hits: 1, misses: 3, walks: 3, evictions: 1 });
  });

  it('FIFO evicts the oldest fill', () => {
    const m = three(tiny(2, 'fifo'));
    read(m, VA);
    read(m, VB);
    read(m, VA);
    read(m, VC);
    expect(cachedVas(m).sort()).toEqual([VB, VC]);
  });

  it('random replacement keeps the set full and counts evictions', () => {
    const m = three(tiny(2, 'random'));
    read(m, VA);
    read(m, VB);
    read(m, VC);
    const left = cachedVas(m);
    expect(left.length).toBe(2);
    expect(left).toContain(VC);
    expect(m.dtlb.stats().evictions).toBe(1);
  });

  it('rejects a geometry whose set count is not a power of two', () => {
    const bad = { ...tiny(2), dtlb: { ...tiny(2).dtlb, '2M': { sets: 3, ways: 2 } } };
    expect(() => makeMmu(new Tables(), {}, bad)).toThrow('DTLB 2M: sets must be a power of two, got 3');
    const none = { ...tiny(2), itlb: { ...tiny(2).itlb, '1G': { sets: 1, ways: 0 } } };
    expect(() => makeMmu(new Tables(), {}, none)).toThrow('ITLB 1G: ways must be >= 1, got 0');
  });

  it('has the documented default geometry (Skylake first-level TLBs)', () => {
    const m = makeMmu(new Tables());
    expect([m.itlb.capacity, m.dtlb.capacity]).toEqual([128 + 8 + 4, 64 + 32 + 4]);
  });

  it('an evicted entry is not served from the micro-cache', () => {
    const t = new Tables();
    const pa = t.map(VA, 0x10_0000_0000n, P | RW)[1]!;
    t.map(VB, 0x11_0000_0000n, P | RW);
    const m = makeMmu(t, {}, tiny(1));
    read(m, VA);
    read(m, VB); // evicts VA
    t.set(pa, 0x20_0000_0000n | P | RW);
    expect(read(m, VA)).toEqual({ pa: 0x20_0000_0000 });
  });

  it("'none' walks on every access and never serves a stale translation", () => {
    const { t, pte, m } = setup(P | RW | US, {}, 'none');
    read(m, VA);
    t.set(pte, 0x20_0000_0000n | P | RW | US);
    expect(read(m, VA)).toEqual({ pa: 0x20_0000_0000 });
    expect(m.dtlb.stats()).toMatchObject({ lookups: 0, hits: 0, walks: 2, ptReads: 16 });
    expect(m.entries()).toEqual([]);
  });

  it('lists entries for the debugger', () => {
    const t = new Tables();
    t.map(0xffff_8000_0020_0000n, 0x4060_0000n, P | RW | G, { size: '2M' });
    const m = makeMmu(t, { cr4: CR4_PGE | CR4_PCIDE, cr3: t.root + 3 });
    write(m, 0xffff_8000_0021_2345n);
    expect(m.entries()).toEqual([
      {
        tlb: 'DTLB',
        pageSize: '2M',
        set: 1,
        way: 0,
        va: -0x7fff_ffe0_0000n,
        pa: 0x4060_0000,
        pcid: 3,
        global: true,
        rw: true,
        us: false,
        xd: false,
        dirty: true,
        pkey: 0,
      },
    ]);
  });

  it('bumps the fetch and data epochs on invalidation and state changes, not on hits', () => {
    const { m } = setup();
    read(m, VA);
    const e = m.fetchEpoch;
    read(m, VA);
    fetch(m, VA);
    expect(m.fetchEpoch).toBe(e);
    m.invlpg(lo32(VA), hi32(VA));
    expect(m.fetchEpoch).toBe(e + 1);
    m.setCpl(3);
    expect(m.dataEpoch).toBe(e + 2);
    m.setCpl(3); // no change, no bump
    m.setPkru(0);
    expect(m.dataEpoch).toBe(e + 2);
  });
});
