// Words for a probe: one line per paging-structure entry and one line saying
// what the access does, e.g.
//   PTE at 0x3ff8: present, RW=0, write by CPL3 -> protection fault, error 0x7 (P|W|U)
// The rules are those of rights.ts and walk.ts (SDM vol. 3, 4.5 - 4.7).
import { PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W } from '../trap';
import { CR0_WP, CR4_LA57 } from './paging';
import type { ProbeFault, ProbeLevel, ProbeResult } from './probe';
import { Rule } from './rights';

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** The error code's bits by name, e.g. "P|W|U"; "none" for 0 (SDM 4.7). */
export function errorBits(error: number): string {
  const names: string[] = [];
  if (error & PF_P) names.push('P');
  if (error & PF_W) names.push('W');
  if (error & PF_U) names.push('U');
  if (error & PF_RSVD) names.push('RSVD');
  if (error & PF_I) names.push('I');
  if (error & PF_PK) names.push('PK');
  return names.length === 0 ? 'none' : names.join('|');
}

const ACCESS_WORD = ['read', 'write', 'fetch'] as const;

function flagList(l: ProbeLevel): string {
  const f = l.flags;
  const out: string[] = [];
  if (f.p) out.push('P');
  if (f.rw) out.push('RW');
  if (f.us) out.push('US');
  if (f.pwt) out.push('PWT');
  if (f.pcd) out.push('PCD');
  if (f.a) out.push('A');
  if (f.d) out.push('D');
  if (f.ps && l.level !== 1) out.push('PS');
  if (f.g && l.leaf) out.push('G');
  if (f.nx) out.push('XD');
  if (l.leaf && f.pkey !== 0) out.push(`PK=${f.pkey}`);
  return out.join(' ');
}

const PAGE_OF_LEVEL = ['', '4K', '2M', '1G'];

/** One line for one entry of the walk. */
export function formatLevel(l: ProbeLevel): string {
  const head = `${l.name} (${l.linux}) #${l.index} at ${hex(l.entryAddr)} = 0x${l.entry.toString(16).padStart(16, '0')}`;
  if (!l.flags.p) return `${head}: not present`;
  const target = l.leaf ? `${PAGE_OF_LEVEL[l.level]} page ${hex(l.flags.addr)}` : `table ${hex(l.flags.addr)}`;
  return `${head}: ${flagList(l)} -> ${target}`;
}

function who(r: ProbeResult): string {
  const word = ACCESS_WORD[r.access];
  return r.implicit ? `implicit supervisor ${word}` : `${word} by CPL${r.cpl}`;
}

function bitsSet(mask: bigint, low: number, high: number): number[] {
  const out: number[] = [];
  for (let b = high; b >= low; b--) if ((mask >> BigInt(b)) & 1n) out.push(b);
  return out;
}

/** Why each reserved bit that was set is reserved (SDM 4.5.5 and tables 4-15 .. 4-20). */
function reservedWhy(f: ProbeFault, l: ProbeLevel): string {
  const m = f.reservedBits;
  const parts: string[] = [];
  const addr = bitsSet(m, f.state.maxPhyAddr, 51);
  if (addr.length > 0) parts.push(`bit${addr.length > 1 ? 's' : ''} ${addr.join(', ')} (at or above MAXPHYADDR=${f.state.maxPhyAddr})`);
  const large = bitsSet(m, 13, l.level === 3 ? 29 : 20);
  if (l.level <= 3 && large.length > 0) {
    parts.push(`bit${large.length > 1 ? 's' : ''} ${large.join(', ')} (bits ${l.level === 3 ? '29:13' : '20:13'} of a ${PAGE_OF_LEVEL[l.level]}-page ${l.name})`);
  }
  if ((m >> 7n) & 1n) parts.push(`bit 7 (PS in a ${l.name})`);
  if ((m >> 63n) & 1n) parts.push('bit 63 (XD with EFER.NXE=0)');
  return parts.join(', ');
}

/** One line for a fault: which entry, which rule, which access, the error code. */
export function explainFault(f: ProbeFault): string {
  if (f.rule === Rule.NonCanonical) {
    const top = (f.state.cr4 & CR4_LA57) !== 0 ? 56 : 47;
    return `${hex(f.va)} is not canonical (bits 63:${top} must all equal bit ${top} with ${f.pagingLevels}-level paging), ${who(f)} -> general-protection fault #GP(0)`;
  }
  const l = f.levels.find((x) => x.level === f.level) ?? f.levels[f.levels.length - 1]!;
  const leaf = f.levels[f.levels.length - 1]!;
  const wp = (f.state.cr0 & CR0_WP) !== 0;
  let what: string;
  let how = who(f);
  let kind = 'protection fault';
  const key = leaf.flags.pkey;
  switch (f.rule) {
    case Rule.NotPresent:
      what = 'not present (P=0)';
      kind = 'not-present fault';
      break;
    case Rule.Reserved:
      what = `present, reserved ${reservedWhy(f, l)} set`;
      kind = 'reserved-bit fault';
      break;
    case Rule.UserSupervisor:
      what = 'present, US=0';
      break;
    case Rule.UserReadOnly:
      what = 'present, RW=0';
      break;
    case Rule.WriteProtect:
      what = 'present, RW=0';
      how += ' with CR0.WP=1';
      break;
    case Rule.NoExecute:
      what = 'present, XD=1';
      how += ' with EFER.NXE=1';
      break;
    case Rule.Smep:
      what = 'present, user page (US=1 at every level)';
      how += ' with CR4.SMEP=1';
      break;
    case Rule.Smap:
      what = 'present, user page (US=1 at every level)';
      how += f.implicit ? ' with CR4.SMAP=1' : ' with CR4.SMAP=1 and RFLAGS.AC=0';
      break;
    case Rule.PkeyAccess:
      what = `present, user page with protection key ${key}, PKRU.AD${key}=1`;
      kind = 'protection-key fault';
      break;
    default:
      what = `present, user page with protection key ${key}, PKRU.WD${key}=1`;
      if (f.cpl !== 3 || f.implicit) how += ` with CR0.WP=${wp ? 1 : 0}`;
      kind = 'protection-key fault';
      break;
  }
  if ((f.error & PF_PK) !== 0 && f.rule !== Rule.PkeyAccess && f.rule !== Rule.PkeyWrite) {
    what += `, and PKRU.${((f.state.pkru >>> (2 * key)) & 1) !== 0 ? 'AD' : 'WD'}${key}=1 for its protection key`;
  }
  return `${l.name} at ${hex(l.entryAddr)}: ${what}, ${how} -> ${kind}, error ${hex(f.error)} (${errorBits(f.error)})`;
}

/** The walk, one line per entry, then the outcome. */
export function formatProbe(r: ProbeResult): string {
  const lines = r.levels.map(formatLevel);
  if (r.kind === 'ok') lines.push(`${who(r)} of ${hex(r.va)} -> PA ${hex(r.pa)} (${r.pageSize} page at ${hex(r.pageBase)})`);
  else lines.push(explainFault(r));
  return lines.join('\n');
}
