// The IA-32e page walk (SDM vol. 3, 4.5): 4-level or, with CR4.LA57, 5-level
// paging; 4-KByte, 2-MByte and 1-GByte pages. One walk serves translate (which
// sets A/D) and probe/explain (which has no side effects), so what the
// debugger explains is exactly what the MMU does. The walk allocates nothing:
// it records what it saw in a preallocated WalkResult.
import type { GuestMemory } from '../mem/phys';
import { Access, PF_P, PF_RSVD } from '../trap';
import {
  CR4_LA57,
  EFER_NXE,
  PAGE_SHIFT_1G,
  PAGE_SHIFT_2M,
  PAGE_SHIFT_4K,
  PAGE_SIZE,
  PTE_A,
  PTE_ADDR_MASK_HI,
  PTE_D,
  PTE_G,
  PTE_P,
  PTE_PKEY_SHIFT_HI,
  PTE_PS,
} from './paging';
import { PERM_D, PERM_G, PERM_RW, PERM_US, PERM_XD, RIGHTS_RULE_SHIFT, Rule, accessErrorBits, checkRights } from './rights';
import type { RightsState } from './rights';
import { TWO32 } from '../cpu/int64';

/** What the walk needs from the MMU (SDM 4.1.1: CR0, CR3, CR4, EFER, CPL, AC, PKRU). */
export interface WalkState extends RightsState {
  cr3: number;
  maxPhyAddr: number;
  readonly mem: GuestMemory;
}

/** Whether a walk may change memory. */
export const WalkMode = {
  /** A real access: sets A on every entry used and D on the leaf of a write, if it succeeds. */
  Translate: 0,
  /** Side-effect free (probe, explain, debugger peeks). */
  Probe: 1,
} as const;
export type WalkMode = (typeof WalkMode)[keyof typeof WalkMode];

/** Returned by walk() when the access is allowed; otherwise it returns the #PF error code. */
export const WALK_OK = -1;

/** Bits 29:13 of a 1-GByte PDPTE and 20:13 of a 2-MByte PDE are reserved (tables 4-17, 4-19). */
const RSVD_1G_LO = 0x3fffe000;
const RSVD_2M_LO = 0x001fe000;

/** The trace of the last walk. Index arrays by level (1 = PTE .. 5 = PML5E). */
export class WalkResult {
  /** Number of levels of the walk (4 or 5). */
  levels = 4;
  /** Lowest level reached (the leaf on success, the faulting level on a fault). */
  lastLevel = 0;
  readonly tableAddr = new Float64Array(6);
  readonly index = new Int32Array(6);
  readonly entryAddr = new Float64Array(6);
  readonly entryLo = new Int32Array(6);
  readonly entryHi = new Int32Array(6);
  /** Paging-structure words read by this walk. */
  ptReads = 0;
  // On success:
  /** Physical address of the page (aligned to its size). */
  pageBase = 0;
  /** log2 of the page size: 12, 21 or 30. */
  shift = PAGE_SHIFT_4K;
  /** Combined PERM_* bits, with the leaf's D (after this walk's update) and G. */
  perms = 0;
  /** The leaf's protection key (bits 62:59). */
  pkey = 0;
  // On a fault:
  error = 0;
  rule: Rule = Rule.None;
  /** For Rule.Reserved: the reserved bits found set in the entry, low and high halves. */
  rsvdLo = 0;
  rsvdHi = 0;
}

/** Index into the table at `level` for linear address hi:lo (SDM 4.5.4, figures 4-8 .. 4-11). */
export function tableIndex(lo: number, hi: number, level: number): number {
  switch (level) {
    case 1:
      return (lo >>> 12) & 511;
    case 2:
      return (lo >>> 21) & 511;
    case 3:
      return ((lo >>> 30) | (hi << 2)) & 511;
    case 4:
      return (hi >>> 7) & 511;
    default:
      return (hi >>> 16) & 511;
  }
}

/** Bits 51:MAXPHYADDR of an entry, within its high half (reserved: SDM 4.5.5). */
export function addrReservedHi(maxPhyAddr: number): number {
  return maxPhyAddr >= 52 ? 0 : ((1 << (52 - maxPhyAddr)) - 1) << (maxPhyAddr - 32);
}

/**
 * Walks the paging structures for linear address hi:lo (assumed canonical)
 * and checks the access (SDM 4.5, 4.6). Returns WALK_OK, with the
 * translation in `w`, or the #PF error code, with the rule and level in `w`.
 * A not-present entry stops the walk (its other bits are ignored); a present
 * entry with a reserved bit set faults with P|RSVD. In Translate mode a
 * successful walk sets A in every entry used and D in the leaf of a write
 * (SDM 4.8), top level first so a self-referencing entry keeps both; a
 * faulting walk writes nothing.
 */
export function walk(s: WalkState, w: WalkResult, lo: number, hi: number, access: Access, implicit: boolean, mode: WalkMode): number {
  const mem = s.mem;
  const levels = (s.cr4 & CR4_LA57) !== 0 ? 5 : 4;
  const nxe = (s.efer & EFER_NXE) !== 0;
  const rsvdHiAll = addrReservedHi(s.maxPhyAddr) | (nxe ? 0 : 1 << 31);
  let table = s.cr3 - (s.cr3 % PAGE_SIZE);
  let perms = PERM_RW | PERM_US;
  w.levels = levels;
  w.ptReads = 0;
  w.rule = Rule.None;
  w.error = 0;
  w.rsvdLo = 0;
  w.rsvdHi = 0;
  for (let level = levels; level >= 1; level--) {
    const idx = tableIndex(lo, hi, level);
    const ea = table + idx * 8;
    const elo = mem.read32(ea);
    const ehi = mem.read32(ea + 4);
    w.ptReads += 2;
    w.lastLevel = level;
    w.tableAddr[level] = table;
    w.index[level] = idx;
    w.entryAddr[level] = ea;
    w.entryLo[level] = elo;
    w.entryHi[level] = ehi;
    if ((elo & PTE_P) === 0) {
      w.rule = Rule.NotPresent;
      return (w.error = accessErrorBits(s, access, implicit));
    }
    const leaf = level === 1 || (level <= 3 && (elo & PTE_PS) !== 0);
    let rsvdLo = 0;
    if (level >= 4) rsvdLo = elo & PTE_PS;
    else if (leaf && level === 3) rsvdLo = elo & RSVD_1G_LO;
    else if (leaf && level === 2) rsvdLo = elo & RSVD_2M_LO;
    const rsvdHi = ehi & rsvdHiAll;
    if ((rsvdLo | rsvdHi) !== 0) {
      w.rule = Rule.Reserved;
      w.rsvdLo = rsvdLo;
      w.rsvdHi = rsvdHi;
      return (w.error = PF_P | PF_RSVD | accessErrorBits(s, access, implicit));
    }
    perms &= ((elo >> 1) & (PERM_RW | PERM_US)) | ~(PERM_RW | PERM_US);
    if (ehi < 0) perms |= PERM_XD;
    const frameHi = (ehi & PTE_ADDR_MASK_HI) * TWO32;
    if (!leaf) {
      table = frameHi + ((elo >>> 12) << 12 >>> 0);
      continue;
    }
    const shift = level === 3 ? PAGE_SHIFT_1G : level === 2 ? PAGE_SHIFT_2M : PAGE_SHIFT_4K;
    const pkey = (ehi >>> PTE_PKEY_SHIFT_HI) & 0xf;
    const denied = checkRights(s, perms, pkey, access, implicit);
    if (denied !== 0) {
      w.rule = (denied >>> RIGHTS_RULE_SHIFT) as Rule;
      return (w.error = denied & 0xff);
    }
    const write = access === Access.Write;
    if (mode === WalkMode.Translate) {
      for (let l = levels; l > level; l--) {
        if ((w.entryLo[l]! & PTE_A) === 0) {
          const a = w.entryAddr[l]!;
          mem.write32(a, mem.read32(a) | PTE_A);
        }
      }
      const want = write ? PTE_A | PTE_D : PTE_A;
      if ((elo & want) !== want) mem.write32(ea, mem.read32(ea) | want);
    }
    w.pageBase = frameHi + ((elo >>> shift) << shift >>> 0);
    w.shift = shift;
    w.pkey = pkey;
    w.perms = perms | (write || (elo & PTE_D) !== 0 ? PERM_D : 0) | ((elo & PTE_G) !== 0 ? PERM_G : 0);
    return WALK_OK;
  }
  return WALK_OK; // unreachable: level 1 is always a leaf
}
