// Access rights of a translation (SDM vol. 3, 4.6) and the #PF error code
// they produce (4.7). Used both after a walk and on a TLB hit: a hit is
// checked against the CPU state at the time of the access, not at fill time.
import { Access, PF_I, PF_P, PF_PK, PF_U, PF_W } from '../trap';
import { CR0_WP, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_NXE } from './paging';

/**
 * Combined rights of a translation, as cached in a TLB entry (SDM 4.10.2.2):
 * R/W and U/S are the AND over all levels, XD the OR; D and G are the leaf's.
 */
export const PERM_RW = 1 << 0;
export const PERM_US = 1 << 1;
export const PERM_XD = 1 << 2;
export const PERM_D = 1 << 3;
export const PERM_G = 1 << 4;

/** Why an access faulted: one named cause per check, in the order they are tested. */
export const Rule = {
  None: 0,
  /** P=0 in some entry (4.7: error bit P clear). */
  NotPresent: 1,
  /** A reserved bit is set in a present entry (4.5.5, table 4-14 notes). */
  Reserved: 2,
  /** A user-mode access (CPL 3) to a supervisor-mode address (4.6.1). */
  UserSupervisor: 3,
  /** A user-mode write to a read-only page (R/W=0 at some level). */
  UserReadOnly: 4,
  /** A supervisor-mode write to a read-only page with CR0.WP=1. */
  WriteProtect: 5,
  /** An instruction fetch from a page with XD=1 and EFER.NXE=1. */
  NoExecute: 6,
  /** A supervisor-mode fetch from a user-mode address with CR4.SMEP=1. */
  Smep: 7,
  /** A supervisor-mode data access to a user-mode address with CR4.SMAP=1, and RFLAGS.AC=0 or an implicit access. */
  Smap: 8,
  /** PKRU.ADi=1 for the page's key i: no data access to a user-mode page (4.6.2). */
  PkeyAccess: 9,
  /** PKRU.WDi=1: no user write, nor supervisor write with CR0.WP=1, to a user-mode page. */
  PkeyWrite: 10,
  /** The linear address is not canonical: #GP(0), not #PF (3.3.7.1). */
  NonCanonical: 11,
} as const;
export type Rule = (typeof Rule)[keyof typeof Rule];

/** The CPU state access rights depend on (SDM 4.1.1 and 4.6). */
export interface RightsState {
  cr0: number;
  cr4: number;
  efer: number;
  cpl: 0 | 3;
  ac: 0 | 1;
  pkru: number;
}

/** Bits 0..5 of checkRights' answer: the error code; bits 8 and up: the Rule. */
export const RIGHTS_ERROR_MASK = 0xff;
export const RIGHTS_RULE_SHIFT = 8;

/**
 * Checks one access against a translation's combined rights (SDM 4.6.1) and
 * its protection key (4.6.2). Returns 0 if allowed, else
 * (rule << RIGHTS_RULE_SHIFT) | errorCode with P set (4.7). The first failing
 * rule is reported; PF_PK is set whenever the PKRU condition holds for a
 * user-mode page, even if another rule already forbids the access (FORMAT.md).
 * `implicit` accesses are supervisor-mode whatever the CPL, and SMAP ignores AC.
 */
export function checkRights(s: RightsState, perms: number, pkey: number, access: Access, implicit: boolean): number {
  const user = s.cpl === 3 && !implicit;
  const userPage = (perms & PERM_US) !== 0;
  const write = access === Access.Write;
  let rule: number = Rule.None;
  let pk = 0;
  if (access === Access.Fetch) {
    if (user) {
      if (!userPage) rule = Rule.UserSupervisor;
    } else if (userPage && (s.cr4 & CR4_SMEP) !== 0) {
      rule = Rule.Smep;
    }
    if (rule === Rule.None && (perms & PERM_XD) !== 0 && (s.efer & EFER_NXE) !== 0) rule = Rule.NoExecute;
  } else {
    if (user) {
      if (!userPage) rule = Rule.UserSupervisor;
      else if (write && (perms & PERM_RW) === 0) rule = Rule.UserReadOnly;
    } else {
      if (userPage && (s.cr4 & CR4_SMAP) !== 0 && (implicit || s.ac === 0)) rule = Rule.Smap;
      else if (write && (perms & PERM_RW) === 0 && (s.cr0 & CR0_WP) !== 0) rule = Rule.WriteProtect;
    }
    if (userPage && (s.cr4 & CR4_PKE) !== 0) {
      const bits = (s.pkru >>> (pkey * 2)) & 3;
      if ((bits & 1) !== 0) {
        pk = PF_PK;
        if (rule === Rule.None) rule = Rule.PkeyAccess;
      } else if (write && (bits & 2) !== 0 && (user || (s.cr0 & CR0_WP) !== 0)) {
        pk = PF_PK;
        if (rule === Rule.None) rule = Rule.PkeyWrite;
      }
    }
  }
  if (rule === Rule.None) return 0;
  return (rule << RIGHTS_RULE_SHIFT) | PF_P | pk | accessErrorBits(s, access, implicit);
}

/** The W/R, U/S and I/D error-code bits of an access (SDM 4.7), common to every #PF. */
export function accessErrorBits(s: RightsState, access: Access, implicit: boolean): number {
  let e = 0;
  if (access === Access.Write) e |= PF_W;
  if (s.cpl === 3 && !implicit) e |= PF_U;
  if (access === Access.Fetch && ((s.cr4 & CR4_SMEP) !== 0 || (s.efer & EFER_NXE) !== 0)) e |= PF_I;
  return e;
}
