// probe() and its words: the walk level by level and one sentence per rule.
import { describe, expect, it } from 'vitest';
import { explainFault, formatProbe } from '../../../../emu/machine/mmu/explain';
import type { ProbeFault, ProbeResult } from '../../../../emu/machine/mmu/probe';
import { Rule } from '../../../../emu/machine/mmu/rights';
import { Access } from '../../../../emu/machine/trap';
import {
  CR0_BASE,
  CR4_PKE,
  CR4_SMAP,
  CR4_SMEP,
  EFER_LMA_LME,
  G,
  P,
  PS,
  RW,
  Tables,
  US,
  XD,
  hi32,
  lo32,
  makeMmu,
  pkey,
  read,
} from './support';
import type { State } from './support';

// Indices 254 / 72 / 418 / 359: entries at 0x1007f0, 0x101240, 0x102d10, 0x103b38.
const VA = 0x7f12_3456_7123n;
const PTE = 'PTE at 0x103b38';

function probe(leaf: bigint, s: State, a: Access, cpl: 0 | 3, opts: Parameters<Tables['map']>[3] = {}, implicit = false): ProbeResult {
  const t = new Tables();
  t.map(VA & ~0xfffn, 0xabcd000n, leaf, opts);
  return makeMmu(t, s).probe(lo32(VA), hi32(VA), a, cpl, implicit);
}

function why(leaf: bigint, s: State, a: Access, cpl: 0 | 3, opts: Parameters<Tables['map']>[3] = {}, implicit = false): string {
  const r = probe(leaf, s, a, cpl, opts, implicit);
  expect(r.kind).toBe('fault');
  return explainFault(r as ProbeFault);
}

describe('formatProbe', () => {
  it('prints each entry with Intel and Linux names, then the physical address', () => {
    expect(formatProbe(probe(P | RW | US, {}, Access.Read, 3))).toBe(
      [
        'PML4E (pgd) #254 at 0x1007f0 = 0x0000000000101007: P RW US -> table 0x101000',
        'PDPTE (pud) #72 at 0x101240 = 0x0000000000102007: P RW US -> table 0x102000',
        'PDE (pmd) #418 at 0x102d10 = 0x0000000000103007: P RW US -> table 0x103000',
        'PTE (pte) #359 at 0x103b38 = 0x000000000abcd007: P RW US -> 4K page 0xabcd000',
        'read by CPL3 of 0x7f1234567123 -> PA 0xabcd123 (4K page at 0xabcd000)',
      ].join('\n'),
    );
  });

  it('names a 5-level walk pgd/p4d/pud/pmd, and shows a 2M leaf with G and XD', () => {
    const t = new Tables(5);
    t.map(0x20_0000n, 0x4060_0000n, P | RW | G | XD, { size: '2M' });
    const r = makeMmu(t).probe(0x21_2345, 0, Access.Read, 0);
    expect(formatProbe(r)).toBe(
      [
        'PML5E (pgd) #0 at 0x100000 = 0x0000000000101007: P RW US -> table 0x101000',
        'PML4E (p4d) #0 at 0x101000 = 0x0000000000102007: P RW US -> table 0x102000',
        'PDPTE (pud) #0 at 0x102000 = 0x0000000000103007: P RW US -> table 0x103000',
        'PDE (pmd) #1 at 0x103008 = 0x8000000040600183: P RW PS G XD -> 2M page 0x40600000',
        'read by CPL0 of 0x212345 -> PA 0x40612345 (2M page at 0x40600000)',
      ].join('\n'),
    );
  });

  it('stops at a not-present entry', () => {
    const t = new Tables();
    expect(formatProbe(makeMmu(t).probe(0x1000, 0, Access.Write, 3))).toBe(
      [
        'PML4E (pgd) #0 at 0x100000 = 0x0000000000000000: not present',
        'PML4E at 0x100000: not present (P=0), write by CPL3 -> not-present fault, error 0x6 (W|U)',
      ].join('\n'),
    );
  });
});

describe('explainFault, rule by rule', () => {
  it('not present', () => {
    const t = new Tables();
    t.map(VA & ~0xfffn, 0xabcd000n, RW | US);
    const r = makeMmu(t).probe(lo32(VA), hi32(VA), Access.Read, 0) as ProbeFault;
    expect([r.rule, r.level, r.error]).toEqual([Rule.NotPresent, 1, 0]);
    expect(explainFault(r)).toBe(`${PTE}: not present (P=0), read by CPL0 -> not-present fault, error 0x0 (none)`);
  });

  it('reserved bits: above MAXPHYADDR, XD without NXE, PS in a PML4E, low bits of 2M and 1G pages', () => {
    expect(why(P | RW | (1n << 50n) | XD, { efer: EFER_LMA_LME }, Access.Read, 0)).toBe(
      `${PTE}: present, reserved bit 50 (at or above MAXPHYADDR=46), bit 63 (XD with EFER.NXE=0) set, read by CPL0 -> reserved-bit fault, error 0x9 (P|RSVD)`,
    );
    expect(why(P | RW, {}, Access.Fetch, 3, { upperAt: { 4: P | RW | US | PS } })).toBe(
      'PML4E at 0x1007f0: present, reserved bit 7 (PS in a PML4E) set, fetch by CPL3 -> reserved-bit fault, error 0x1d (P|U|RSVD|I)',
    );
    const t = new Tables();
    t.map(0x20_0000n, 0x4060_0000n | (1n << 13n) | (1n << 20n), P | RW, { size: '2M' });
    t.map(0x8000_0000n, 0x1_c000_0000n | (1n << 29n), P | RW, { size: '1G' });
    const m = makeMmu(t);
    expect(explainFault(m.probe(0x20_0000, 0, Access.Read, 0) as ProbeFault)).toBe(
      'PDE at 0x102008: present, reserved bits 20, 13 (bits 20:13 of a 2M-page PDE) set, read by CPL0 -> reserved-bit fault, error 0x9 (P|RSVD)',
    );
    expect(explainFault(m.probe(0x8000_0000, 0, Access.Write, 0) as ProbeFault)).toBe(
      'PDPTE at 0x101010: present, reserved bit 29 (bits 29:13 of a 1G-page PDPTE) set, write by CPL0 -> reserved-bit fault, error 0xb (P|W|RSVD)',
    );
  });

  it('a user access to a supervisor page blames the entry with US=0', () => {
    expect(why(P | RW | US, {}, Access.Read, 3, { upperAt: { 3: P | RW } })).toBe(
      'PDPTE at 0x101240: present, US=0, read by CPL3 -> protection fault, error 0x5 (P|U)',
    );
  });

  it('a user write to a read-only page (the example of the brief)', () => {
    expect(why(P | US, {}, Access.Write, 3)).toBe(`${PTE}: present, RW=0, write by CPL3 -> protection fault, error 0x7 (P|W|U)`);
    expect(why(P | RW | US, {}, Access.Write, 3, { upperAt: { 2: P | US } })).toBe(
      'PDE at 0x102d10: present, RW=0, write by CPL3 -> protection fault, error 0x7 (P|W|U)',
    );
  });

  it('a supervisor write with CR0.WP=1', () => {
    expect(why(P, {}, Access.Write, 0)).toBe(`${PTE}: present, RW=0, write by CPL0 with CR0.WP=1 -> protection fault, error 0x3 (P|W)`);
  });

  it('execute-disable', () => {
    expect(why(P | RW | US, {}, Access.Fetch, 3, { upperAt: { 4: P | RW | US | XD } })).toBe(
      'PML4E at 0x1007f0: present, XD=1, fetch by CPL3 with EFER.NXE=1 -> protection fault, error 0x15 (P|U|I)',
    );
  });

  it('SMEP', () => {
    expect(why(P | RW | US, { cr4: CR4_SMEP }, Access.Fetch, 0)).toBe(
      `${PTE}: present, user page (US=1 at every level), fetch by CPL0 with CR4.SMEP=1 -> protection fault, error 0x11 (P|I)`,
    );
  });

  it('SMAP, explicit and implicit', () => {
    expect(why(P | RW | US, { cr4: CR4_SMAP }, Access.Write, 0)).toBe(
      `${PTE}: present, user page (US=1 at every level), write by CPL0 with CR4.SMAP=1 and RFLAGS.AC=0 -> protection fault, error 0x3 (P|W)`,
    );
    expect(why(P | RW | US, { cr4: CR4_SMAP, ac: 1 }, Access.Read, 3, {}, true)).toBe(
      `${PTE}: present, user page (US=1 at every level), implicit supervisor read with CR4.SMAP=1 -> protection fault, error 0x1 (P)`,
    );
  });

  it('protection keys: AD, WD for a user write, WD for a supervisor write with WP=1', () => {
    const s = { cr4: CR4_PKE, pkru: 0b01 << 6 };
    expect(why(P | RW | US | pkey(3), s, Access.Read, 3)).toBe(
      `${PTE}: present, user page with protection key 3, PKRU.AD3=1, read by CPL3 -> protection-key fault, error 0x25 (P|U|PK)`,
    );
    const wd = { cr4: CR4_PKE, pkru: 0b10 << 6 };
    expect(why(P | RW | US | pkey(3), wd, Access.Write, 3)).toBe(
      `${PTE}: present, user page with protection key 3, PKRU.WD3=1, write by CPL3 -> protection-key fault, error 0x27 (P|W|U|PK)`,
    );
    expect(why(P | RW | US | pkey(3), wd, Access.Write, 0)).toBe(
      `${PTE}: present, user page with protection key 3, PKRU.WD3=1, write by CPL0 with CR0.WP=1 -> protection-key fault, error 0x23 (P|W|PK)`,
    );
    expect(probe(P | RW | US | pkey(3), { ...wd, cr0: CR0_BASE }, Access.Write, 0).kind).toBe('ok');
  });

  it('mentions the protection key when it also forbids an access another rule already faults', () => {
    expect(why(P | US | pkey(3), { cr4: CR4_PKE, pkru: 0b10 << 6 }, Access.Write, 3)).toBe(
      `${PTE}: present, RW=0, and PKRU.WD3=1 for its protection key, write by CPL3 -> protection fault, error 0x27 (P|W|U|PK)`,
    );
  });

  it('non-canonical addresses, 4- and 5-level', () => {
    const m = makeMmu(new Tables());
    const r = m.probe(0, 0x8000, Access.Read, 0) as ProbeFault;
    expect([r.vector, r.rule, r.levels]).toEqual([13, Rule.NonCanonical, []]);
    expect(explainFault(r)).toBe(
      '0x800000000000 is not canonical (bits 63:47 must all equal bit 47 with 4-level paging), read by CPL0 -> general-protection fault #GP(0)',
    );
    const m5 = makeMmu(new Tables(5));
    expect(explainFault(m5.probe(0, 0x0100_0000, Access.Fetch, 3) as ProbeFault)).toBe(
      '0x100000000000000 is not canonical (bits 63:56 must all equal bit 56 with 5-level paging), fetch by CPL3 -> general-protection fault #GP(0)',
    );
  });
});

describe('probe', () => {
  it('has no side effects: no A/D, no TLB fill, no statistics', () => {
    const t = new Tables();
    const e = t.map(VA & ~0xfffn, 0xabcd000n, P | RW | US);
    const m = makeMmu(t);
    const r = m.probe(lo32(VA), hi32(VA), Access.Write, 3);
    expect(r).toMatchObject({ kind: 'ok', pa: 0xabcd123, pageSize: '4K', pageBase: 0xabcd000, pagingLevels: 4 });
    expect(t.get(e[1]!)).toBe(0xabcd000n | P | RW | US);
    expect(m.entries()).toEqual([]);
    expect(m.dtlb.stats()).toMatchObject({ lookups: 0, walks: 0, ptReads: 0 });
  });

  it('reports each level: table, index, entry address and value, decoded flags', () => {
    const r = probe(P | RW | US | pkey(9) | XD, {}, Access.Read, 0);
    expect(r.levels.map((l) => [l.name, l.linux, l.table, l.index, l.entryAddr, l.leaf])).toEqual([
      ['PML4E', 'pgd', 0x100000, 254, 0x1007f0, false],
      ['PDPTE', 'pud', 0x101000, 72, 0x101240, false],
      ['PDE', 'pmd', 0x102000, 418, 0x102d10, false],
      ['PTE', 'pte', 0x103000, 359, 0x103b38, true],
    ]);
    expect(r.levels[3]!.entry).toBe(0xc8000000_0abcd007n);
    expect(r.levels[3]!.flags).toEqual({ p: true, rw: true, us: true, pwt: false, pcd: false, a: false, d: false, ps: false, g: false, nx: true, pkey: 9, addr: 0xabcd000 });
  });

  it('ignores the TLB: it answers what a fresh walk would do now', () => {
    const t = new Tables();
    const e = t.map(VA & ~0xfffn, 0xabcd000n, P | RW | US);
    const m = makeMmu(t);
    read(m, VA);
    t.set(e[1]!, 0n);
    expect(read(m, VA)).toEqual({ pa: 0xabcd123 });
    expect(m.probe(lo32(VA), hi32(VA), Access.Read, 0).kind).toBe('fault');
  });
});
