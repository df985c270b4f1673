// The page walk and access rights, rule by rule (SDM vol. 3, 4.5 - 4.8).
// Every access goes through Mmu.translate with a fresh MMU, so these are walks.
import { describe, expect, it } from 'vitest';
import { Access } from '../../../../emu/machine/trap';
import {
  A,
  CR0_BASE,
  CR0_WP,
  CR4_PKE,
  CR4_SMAP,
  CR4_SMEP,
  D,
  EFER_LMA_LME,
  EFER_NXE,
  G,
  P,
  PS,
  RW,
  Tables,
  US,
  XD,
  access,
  fetch,
  hi32,
  lo32,
  makeMmu,
  pf,
  pkey,
  read,
  write,
} from './support';

const VA = 0x7f12_3456_7000n + 0x123n;
const PA = 0xabc_d000n;

function mapped(leaf: bigint, opts: Parameters<Tables['map']>[3] = {}, levels: 4 | 5 = 4): { t: Tables; e: number[] } {
  const t = new Tables(levels);
  const e = t.map(VA & ~0xfffn, PA, leaf, opts);
  return { t, e };
}

describe('translation', () => {
  it('maps a 4K page with 4-level paging and reads the entry at each level', () => {
    const { t } = mapped(P | RW | US);
    expect(read(makeMmu(t), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });

  it('maps a 4K page with 5-level paging (CR4.LA57)', () => {
    const va = 0x00a5_7f86_8563_c567n;
    const t = new Tables(5);
    const e = t.map(va & ~0xfffn, 0xabcd000n, P | RW | US);
    expect(e[5]).toBe(t.root + 0xa5 * 8);
    expect(read(makeMmu(t), va)).toEqual({ pa: 0xabcd567 });
  });

  it('maps 2M and 1G pages: the offset comes from the linear address, PAT (bit 12) is not address', () => {
    const va2 = 0x4000_0000_0000n + 0x12_3456n;
    const t = new Tables();
    t.map(va2 & ~0x1f_ffffn, 0x4060_0000n | 0x1000n /* PAT */, P | RW, { size: '2M' });
    const va1 = 0x5000_0000_0000n + 0x1234_5678n;
    t.map(va1 & ~0x3fff_ffffn, 0x1_c000_0000n, P | RW, { size: '1G' });
    const m = makeMmu(t);
    expect(read(m, va2)).toEqual({ pa: 0x4072_3456 });
    expect(read(m, va1)).toEqual({ pa: 0x1_d234_5678 });
  });

  it('raises #GP(0), not #PF, for a non-canonical address, and leaves CR2 alone', () => {
    const { t } = mapped(P | RW | US);
    const m = makeMmu(t);
    expect(read(m, 0x0000_8000_0000_0000n)).toEqual({ vector: 13, error: 0 });
    expect([m.cr2Lo, m.cr2Hi]).toEqual([0, 0]);
    // bit 47 set and sign-extended is canonical (not mapped: #PF)
    expect(read(m, 0xffff_8000_0000_0000n)).toEqual(pf(0));
    expect([m.cr2Lo, m.cr2Hi]).toEqual([0, 0xffff8000 | 0]);
  });

  it('uses bit 56 as the sign bit with 5-level paging', () => {
    const t = new Tables(5);
    const m = makeMmu(t);
    expect(read(m, 0x0100_0000_0000_0000n)).toEqual({ vector: 13, error: 0 });
    expect(read(m, 0xfe00_0000_0000_0000n)).toEqual({ vector: 13, error: 0 });
    expect(read(m, 0x0080_0000_0000_0000n)).toEqual(pf(0)); // canonical with LA57
    expect(read(m, 0xff00_0000_0000_0000n)).toEqual(pf(0));
  });
});

describe('not-present entries (error P=0)', () => {
  for (const level of [4, 3, 2, 1]) {
    it(`at level ${level}: read CPL0 0x0, write CPL3 0x6, fetch CPL3 with NXE 0x14`, () => {
      const { t, e } = mapped(P | RW | US);
      t.set(e[level]!, t.get(e[level]!) & ~P);
      expect(read(makeMmu(t), VA)).toEqual(pf(0x0));
      expect(write(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x6));
      expect(fetch(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x14));
    });
  }

  it('in a PML5E', () => {
    const { t, e } = mapped(P | RW | US, {}, 5);
    t.set(e[5]!, 0n);
    expect(read(makeMmu(t), VA)).toEqual(pf(0));
  });

  it('ignores every other bit of a not-present entry (reserved bits included)', () => {
    const { t, e } = mapped(P | RW | US);
    t.set(e[2]!, 0xfff0_0000_0000_0ffen);
    expect(write(makeMmu(t), VA)).toEqual(pf(0x2));
  });

  it('sets I/D only when SMEP or NXE is on', () => {
    const t = new Tables();
    expect(fetch(makeMmu(t, { efer: EFER_LMA_LME }), VA)).toEqual(pf(0x0));
    expect(fetch(makeMmu(t, { efer: EFER_LMA_LME, cr4: CR4_SMEP }), VA)).toEqual(pf(0x10));
    expect(fetch(makeMmu(t, { efer: EFER_LMA_LME | EFER_NXE }), VA)).toEqual(pf(0x10));
  });
});

describe('reserved bits (error P|RSVD)', () => {
  it('bits 51:MAXPHYADDR of any entry', () => {
    const { t, e } = mapped(P | RW | US);
    t.set(e[3]!, t.get(e[3]!) | (1n << 46n));
    expect(read(makeMmu(t, { maxPhyAddr: 46 }), VA)).toEqual(pf(0x9));
    expect(read(makeMmu(t, { maxPhyAddr: 47 }), VA)).toEqual(pf(0x0)); // bit 46 is address: table at 2^46 is empty
    const { t: t2, e: e2 } = mapped(P | RW | US);
    t2.set(e2[1]!, t2.get(e2[1]!) | (1n << 51n));
    expect(write(makeMmu(t2, { cpl: 3, maxPhyAddr: 51 }), VA)).toEqual(pf(0xf));
    expect(write(makeMmu(t2, { cpl: 3, maxPhyAddr: 52 }), VA)).toEqual({ pa: Number((1n << 51n) + PA + 0x123n) });
  });

  it('bit 63 (XD) when EFER.NXE=0, in a non-leaf entry too', () => {
    const { t, e } = mapped(P | RW | US);
    t.set(e[4]!, t.get(e[4]!) | XD);
    expect(fetch(makeMmu(t, { efer: EFER_LMA_LME }), VA)).toEqual(pf(0x9));
    expect(fetch(makeMmu(t, { efer: EFER_LMA_LME, cr4: CR4_SMEP }), VA)).toEqual(pf(0x19));
    expect(read(makeMmu(t, { efer: EFER_LMA_LME | EFER_NXE }), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });

  it('PS in a PML4E and in a PML5E', () => {
    const { t, e } = mapped(P | RW | US);
    t.set(e[4]!, t.get(e[4]!) | PS);
    expect(read(makeMmu(t), VA)).toEqual(pf(0x9));
    const { t: t5, e: e5 } = mapped(P | RW | US, {}, 5);
    t5.set(e5[5]!, t5.get(e5[5]!) | PS);
    expect(read(makeMmu(t5, { cpl: 3 }), VA)).toEqual(pf(0xd));
  });

  it('bits 20:13 of a 2M PDE and 29:13 of a 1G PDPTE', () => {
    const t = new Tables();
    const e2 = t.map(0x4000_0000_0000n, 0x4060_0000n, P | RW, { size: '2M' });
    const e1 = t.map(0x5000_0000_0000n, 0x1_c000_0000n, P | RW, { size: '1G' });
    t.set(e2[2]!, t.get(e2[2]!) | (1n << 20n));
    t.set(e1[3]!, t.get(e1[3]!) | (1n << 21n)); // inside 29:13 for a 1G page
    const m = makeMmu(t);
    expect(read(m, 0x4000_0000_0000n)).toEqual(pf(0x9));
    expect(read(m, 0x5000_0000_0000n)).toEqual(pf(0x9));
    t.set(e2[2]!, t.get(e2[2]!) & ~(1n << 20n) | (1n << 13n));
    expect(write(makeMmu(t), 0x4000_0000_0000n)).toEqual(pf(0xb));
  });
});

describe('U/S and R/W (SDM 4.6.1)', () => {
  it('a user access to a page with U/S=0 at any level faults 0x5 / 0x7 / 0x15', () => {
    const { t } = mapped(P | RW | US, { upperAt: { 2: P | RW } });
    expect(read(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x5));
    expect(write(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x7));
    expect(fetch(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x15));
    expect(read(makeMmu(t, { cpl: 0 }), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });

  it('a user write to a page with R/W=0 at any level faults 0x7; a user read is fine', () => {
    const { t } = mapped(P | RW | US, { upperAt: { 3: P | US } });
    expect(write(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x7));
    expect(read(makeMmu(t, { cpl: 3 }), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });

  it('a supervisor write to a read-only page faults 0x3 only with CR0.WP=1', () => {
    for (const us of [0n, US]) {
      const { t } = mapped(P | us);
      expect(write(makeMmu(t, { cr0: CR0_BASE | CR0_WP }), VA)).toEqual(pf(0x3));
      expect(write(makeMmu(t, { cr0: CR0_BASE }), VA)).toEqual({ pa: Number(PA + 0x123n) });
    }
  });
});

describe('execute-disable (EFER.NXE)', () => {
  it('XD at any level forbids fetches: 0x11 at CPL0, 0x15 at CPL3; reads are fine', () => {
    const { t } = mapped(P | RW | US, { upperAt: { 3: P | RW | US | XD } });
    expect(fetch(makeMmu(t), VA)).toEqual(pf(0x11));
    expect(fetch(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x15));
    expect(read(makeMmu(t, { cpl: 3 }), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });
});

describe('SMEP', () => {
  it('a supervisor fetch from a user page faults 0x11, even with NXE=0', () => {
    const { t } = mapped(P | RW | US);
    expect(fetch(makeMmu(t, { cr4: CR4_SMEP }), VA)).toEqual(pf(0x11));
    expect(fetch(makeMmu(t, { cr4: CR4_SMEP, efer: EFER_LMA_LME }), VA)).toEqual(pf(0x11));
    expect(fetch(makeMmu(t, { cr4: CR4_SMEP, cpl: 3 }), VA)).toEqual({ pa: Number(PA + 0x123n) });
    expect(fetch(makeMmu(t), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });

  it('a page is a user page only if U/S=1 at every level', () => {
    const { t } = mapped(P | RW | US, { upperAt: { 4: P | RW } });
    expect(fetch(makeMmu(t, { cr4: CR4_SMEP }), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });
});

describe('SMAP', () => {
  const { t } = mapped(P | RW | US);
  it('supervisor data accesses to user pages fault with AC=0: read 0x1, write 0x3', () => {
    expect(read(makeMmu(t, { cr4: CR4_SMAP }), VA)).toEqual(pf(0x1));
    expect(write(makeMmu(t, { cr4: CR4_SMAP }), VA)).toEqual(pf(0x3));
  });
  it('are allowed with AC=1 when explicit, and never when implicit', () => {
    expect(read(makeMmu(t, { cr4: CR4_SMAP, ac: 1 }), VA)).toEqual({ pa: Number(PA + 0x123n) });
    expect(write(makeMmu(t, { cr4: CR4_SMAP, ac: 1 }), VA)).toEqual({ pa: Number(PA + 0x123n) });
    expect(read(makeMmu(t, { cr4: CR4_SMAP, ac: 1 }), VA, true)).toEqual(pf(0x1));
    expect(write(makeMmu(t, { cr4: CR4_SMAP, ac: 1 }), VA, true)).toEqual(pf(0x3));
  });
  it('an implicit access at CPL3 is a supervisor access: no U bit, SMAP applies', () => {
    expect(read(makeMmu(t, { cr4: CR4_SMAP, cpl: 3, ac: 1 }), VA, true)).toEqual(pf(0x1));
    expect(read(makeMmu(t, { cpl: 3 }), VA, true)).toEqual({ pa: Number(PA + 0x123n) });
  });
  it('do not apply to fetches or to CPL3', () => {
    expect(fetch(makeMmu(t, { cr4: CR4_SMAP }), VA)).toEqual({ pa: Number(PA + 0x123n) });
    expect(read(makeMmu(t, { cr4: CR4_SMAP, cpl: 3 }), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });
  it('with AC=1, a supervisor write to a read-only user page still obeys WP', () => {
    const { t: ro } = mapped(P | US);
    expect(write(makeMmu(ro, { cr4: CR4_SMAP, ac: 1 }), VA)).toEqual(pf(0x3));
    expect(write(makeMmu(ro, { cr4: CR4_SMAP, ac: 1, cr0: CR0_BASE }), VA)).toEqual({ pa: Number(PA + 0x123n) });
  });
});

describe('protection keys (SDM 4.6.2)', () => {
  const key = 5;
  const AD = 1 << (2 * key);
  const WD = 2 << (2 * key);
  const { t } = mapped(P | RW | US | pkey(key));
  const ok = { pa: Number(PA + 0x123n) };
  it('AD forbids user reads (0x25) and writes (0x27), not fetches', () => {
    expect(read(makeMmu(t, { cr4: CR4_PKE, cpl: 3, pkru: AD }), VA)).toEqual(pf(0x25));
    expect(write(makeMmu(t, { cr4: CR4_PKE, cpl: 3, pkru: AD }), VA)).toEqual(pf(0x27));
    expect(fetch(makeMmu(t, { cr4: CR4_PKE, cpl: 3, pkru: AD }), VA)).toEqual(ok);
  });
  it('WD forbids user writes (0x27), not reads', () => {
    expect(write(makeMmu(t, { cr4: CR4_PKE, cpl: 3, pkru: WD }), VA)).toEqual(pf(0x27));
    expect(read(makeMmu(t, { cr4: CR4_PKE, cpl: 3, pkru: WD }), VA)).toEqual(ok);
  });
  it('supervisor accesses to user pages: AD always applies (0x21); WD only with CR0.WP=1 (0x23)', () => {
    expect(read(makeMmu(t, { cr4: CR4_PKE, pkru: AD }), VA)).toEqual(pf(0x21));
    expect(write(makeMmu(t, { cr4: CR4_PKE, pkru: WD }), VA)).toEqual(pf(0x23));
    expect(write(makeMmu(t, { cr4: CR4_PKE, pkru: WD, cr0: CR0_BASE }), VA)).toEqual(ok);
  });
  it('does nothing with CR4.PKE=0, for other keys, or for supervisor pages', () => {
    expect(read(makeMmu(t, { cpl: 3, pkru: AD }), VA)).toEqual(ok);
    expect(read(makeMmu(t, { cr4: CR4_PKE, cpl: 3, pkru: ~AD & ~WD }), VA)).toEqual(ok);
    const { t: sup } = mapped(P | RW | pkey(key));
    expect(read(makeMmu(sup, { cr4: CR4_PKE, pkru: AD }), VA)).toEqual(ok);
    expect(read(makeMmu(sup, { cr4: CR4_PKE, cpl: 3, pkru: AD }), VA)).toEqual(pf(0x5));
  });
  it('sets PK even when another rule also forbids the access', () => {
    const { t: ro } = mapped(P | US | pkey(key));
    expect(write(makeMmu(ro, { cr4: CR4_PKE, cpl: 3, pkru: WD }), VA)).toEqual(pf(0x27));
    expect(read(makeMmu(t, { cr4: CR4_PKE | CR4_SMAP, pkru: AD }), VA)).toEqual(pf(0x21));
  });
});

describe('accessed and dirty flags (SDM 4.8)', () => {
  it('a read sets A in every entry used, a write also D in the leaf only', () => {
    const { t, e } = mapped(P | RW | US);
    const before = e.slice(1).map((a) => t.get(a));
    read(makeMmu(t), VA);
    expect(e.slice(1).map((a) => t.get(a))).toEqual(before.map((v) => v | A));
    write(makeMmu(t), VA);
    expect(e.slice(1).map((a) => t.get(a))).toEqual(before.map((v, i) => v | A | (i === 0 ? D : 0n)));
  });

  it('sets D in a 2M leaf (PDE)', () => {
    const t = new Tables();
    const e = t.map(0x4000_0000_0000n, 0x4060_0000n, P | RW, { size: '2M' });
    write(makeMmu(t), 0x4000_0000_0000n);
    expect(t.get(e[2]!)).toBe(0x4060_0000n | P | RW | PS | A | D);
  });

  it('a faulting walk changes no entry', () => {
    const { t, e } = mapped(P | US);
    const before = e.slice(1).map((a) => t.get(a));
    expect(write(makeMmu(t, { cpl: 3 }), VA)).toEqual(pf(0x7));
    expect(e.slice(1).map((a) => t.get(a))).toEqual(before);
  });

  it('keeps both updates when one entry is used at two levels (a self-referencing PML4E)', () => {
    const t = new Tables();
    const self = t.root + 511 * 8;
    t.set(self, BigInt(t.root) | P | RW);
    // va with every index 511 (and 1G/2M PS clear): the PML4E is also the PDPTE, PDE and PTE
    expect(write(makeMmu(t), 0xffff_ffff_ffff_f000n)).toEqual({ pa: t.root });
    expect(t.get(self)).toBe(BigInt(t.root) | P | RW | A | D);
  });

  it('a walk of global pages copies G into the entry only with CR4.PGE', () => {
    const { t } = mapped(P | RW | G);
    const m = makeMmu(t);
    read(m, VA);
    expect(m.entries()[0]!.global).toBe(false);
  });

  it('works from translate with lo/hi halves', () => {
    const { t } = mapped(P | RW | US);
    expect(makeMmu(t).translate(lo32(VA), hi32(VA), Access.Read)).toBe(Number(PA + 0x123n));
    expect(access(makeMmu(t), VA, Access.Fetch)).toEqual({ pa: Number(PA + 0x123n) });
  });
});
