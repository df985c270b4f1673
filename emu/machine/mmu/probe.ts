// probe: what an access would do, level by level, without side effects (no
// A/D update, no TLB fill, no statistics), for the debugger and explain. It
// runs the same walk() as translate, in Probe mode, so the two never disagree
// about a fresh walk. Allocation is fine here: this is not the hot path.
import { Access, Vector } from '../trap';
import { CR4_LA57, LEVEL_NAMES, LINUX_NAMES, PTE_PKEY_SHIFT_HI, pageSizeName } from './paging';
import type { Level } from './paging';
import { Rule } from './rights';
import { WALK_OK, WalkMode, WalkResult, walk } from './walk';
import type { WalkState } from './walk';
import { TWO32 } from '../cpu/int64';

/** An entry's flags, decoded (Intel names). */
export interface EntryFlags {
  p: boolean;
  rw: boolean;
  us: boolean;
  pwt: boolean;
  pcd: boolean;
  a: boolean;
  d: boolean;
  ps: boolean;
  g: boolean;
  nx: boolean;
  /** Bits 62:59 (the protection key, meaningful in a leaf with CR4.PKE). */
  pkey: number;
  /** Bits 51:12: the frame address the entry holds. */
  addr: number;
}

export interface ProbeLevel {
  level: Level;
  /** Intel name of the entry: PML5E, PML4E, PDPTE, PDE or PTE. */
  name: (typeof LEVEL_NAMES)[number];
  /** Linux name of the table: pgd, p4d, pud, pmd or pte (with 4-level paging the PML4 is Linux's pgd). */
  linux: (typeof LINUX_NAMES)[number];
  /** Physical address of the table, the entry's index in it, and the entry's address. */
  table: number;
  index: number;
  entryAddr: number;
  entry: bigint;
  flags: EntryFlags;
  /** True if this entry maps the page (a PTE, or a PDPTE/PDE with PS=1). */
  leaf: boolean;
}

export interface ProbeCommon {
  /** The linear address, as a 64-bit unsigned value. */
  va: bigint;
  access: Access;
  cpl: 0 | 3;
  implicit: boolean;
  /** 4 or 5. */
  pagingLevels: number;
  /** The entries read, top level first. Empty for a non-canonical address. */
  levels: ProbeLevel[];
  /** The state the rights were checked against. */
  state: { cr0: number; cr4: number; efer: number; ac: 0 | 1; pkru: number; maxPhyAddr: number };
}

export interface ProbeOk extends ProbeCommon {
  kind: 'ok';
  pa: number;
  pageSize: '4K' | '2M' | '1G';
  /** Physical address of the page. */
  pageBase: number;
}

export interface ProbeFault extends ProbeCommon {
  kind: 'fault';
  /** 14 (#PF) or 13 (#GP, non-canonical address). */
  vector: number;
  error: number;
  rule: Rule;
  /** The level whose entry decided the fault (for permission faults: the entry whose bit forbids it); 0 for #GP. */
  level: number;
  /** For Rule.Reserved: the reserved bits that were set. */
  reservedBits: bigint;
}

export type ProbeResult = ProbeOk | ProbeFault;

export function decodeEntry(lo: number, hi: number): EntryFlags {
  return {
    p: (lo & 1) !== 0,
    rw: (lo & 2) !== 0,
    us: (lo & 4) !== 0,
    pwt: (lo & 8) !== 0,
    pcd: (lo & 0x10) !== 0,
    a: (lo & 0x20) !== 0,
    d: (lo & 0x40) !== 0,
    ps: (lo & 0x80) !== 0,
    g: (lo & 0x100) !== 0,
    nx: hi < 0,
    pkey: (hi >>> PTE_PKEY_SHIFT_HI) & 0xf,
    addr: (hi & 0xfffff) * TWO32 + (((lo >>> 12) << 12) >>> 0),
  };
}

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * Probes an access by `cpl` to linear address hi:lo, in state `s` otherwise.
 * The TLB is not consulted: this answers what a fresh walk would do now.
 */
export function probeWalk(s: WalkState, lo: number, hi: number, access: Access, cpl: 0 | 3, implicit = false): ProbeResult {
  const st: WalkState = {
    cr0: s.cr0,
    cr3: s.cr3,
    cr4: s.cr4,
    efer: s.efer,
    cpl,
    ac: s.ac,
    pkru: s.pkru,
    maxPhyAddr: s.maxPhyAddr,
    mem: s.mem,
  };
  const five = (s.cr4 & CR4_LA57) !== 0;
  const state = { cr0: s.cr0, cr4: s.cr4, efer: s.efer, ac: s.ac, pkru: s.pkru, maxPhyAddr: s.maxPhyAddr };
  const common: ProbeCommon = { va: u64(lo, hi), access, cpl, implicit, pagingLevels: five ? 5 : 4, levels: [], state };
  const canonical = five ? (hi << 7) >> 7 === hi : (hi << 16) >> 16 === hi;
  if (!canonical) {
    return { ...common, kind: 'fault', vector: Vector.GP, error: 0, rule: Rule.NonCanonical, level: 0, reservedBits: 0n };
  }
  const w = new WalkResult();
  const r = walk(st, w, lo, hi, access, implicit, WalkMode.Probe);
  for (let level = w.levels; level >= w.lastLevel; level--) {
    const flags = decodeEntry(w.entryLo[level]!, w.entryHi[level]!);
    common.levels.push({
      level: level as Level,
      name: LEVEL_NAMES[level]!,
      linux: !five && level === 4 ? 'pgd' : LINUX_NAMES[level]!,
      table: w.tableAddr[level]!,
      index: w.index[level]!,
      entryAddr: w.entryAddr[level]!,
      entry: u64(w.entryLo[level]!, w.entryHi[level]!),
      flags,
      leaf: flags.p && (level === 1 || (level <= 3 && flags.ps)),
    });
  }
  if (r === WALK_OK) {
    return {
      ...common,
      kind: 'ok',
      pa: w.pageBase + (lo & ((1 << w.shift) - 1)),
      pageSize: pageSizeName(w.shift),
      pageBase: w.pageBase,
    };
  }
  return {
    ...common,
    kind: 'fault',
    vector: Vector.PF,
    error: r,
    rule: w.rule,
    level: blameLevel(common.levels, w.rule, w.lastLevel),
    reservedBits: u64(w.rsvdLo, w.rsvdHi),
  };
}

/** The level whose entry holds the bit that forbids the access (the highest such level). */
function blameLevel(levels: ProbeLevel[], rule: Rule, last: number): number {
  const first = (pred: (f: EntryFlags) => boolean): number => levels.find((l) => pred(l.flags))?.level ?? last;
  switch (rule) {
    case Rule.UserSupervisor:
      return first((f) => !f.us);
    case Rule.UserReadOnly:
    case Rule.WriteProtect:
      return first((f) => !f.rw);
    case Rule.NoExecute:
      return first((f) => f.nx);
    default:
      return last;
  }
}
