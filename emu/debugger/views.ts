// What the debugger shows about the memory system: the walk of one address
// (pt), the mapped address space folded into ranges (info pagetables), the
// reverse map of a frame (p2v), the TLB, and the fault log. Every address
// says whether it is virtual (VA) or physical (PA). Page tables are read
// straight from guest RAM with no side effects (no A/D bits, no TLB fill).
import { ABI_NAMES, registerNumber } from '../machine/isa/registers';
import { PAGE_SIZE, PTE_ADDR_MASK_HI, PTE_ADDR_MASK_LO, PTE_NX_HI, PTE_P, PTE_PS, PTE_RW, PTE_US } from '../machine/mmu/paging';
import type { Kernel } from '../../kernel-ts/kernel';
import type { FaultRecord, Session } from './session';
import { pfWords } from '../machine/trap';
import { TWO32 } from '../machine/cpu/int64';

export const hexn = (v: number | bigint): string => `0x${v.toString(16)}`;

/** info registers: gdb's three columns (name, hex, natural); `only` names registers (ABI or xN names, pc, cr0, cr2, cr3, cr4). */
export function formatRegisters(s: Session, only: string[] = [], cr2 = 0n): string {
  const wanted = new Set<string>();
  for (const n of only) {
    const r = registerNumber(n);
    if (r >= 0) wanted.add(ABI_NAMES[r]!);
    else if (n === 'fp' || n === 'pc' || n === 'cr0' || n === 'cr2' || n === 'cr3' || n === 'cr4') wanted.add(n === 'fp' ? 's0' : n);
    else return `Invalid register \`${n}'`;
  }
  const lines: string[] = [];
  const row = (name: string, v: bigint, natural?: string): void => {
    const u = BigInt.asUintN(64, v);
    const nat = natural ?? (name === 'pc' || name === 'ra' || name === 'sp' || name === 's0' ? `${hexn(u)}${symSuffix(s, Number(u))}` : v.toString());
    lines.push(`${name.padEnd(8)}${hexn(u).padEnd(20)}${nat}`);
  };
  const want = (n: string): boolean => wanted.size === 0 || wanted.has(n);
  for (let r = 1; r < 32; r++) if (want(ABI_NAMES[r]!)) row(ABI_NAMES[r]!, s.reg(r));
  if (want('pc')) row('pc', BigInt(s.pc));
  const mmu = s.k.machine.mmu;
  // The control registers: cr3 always, the others when asked for.
  if (wanted.has('cr0')) row('cr0', BigInt(mmu.cr0 >>> 0), hexn(mmu.cr0 >>> 0));
  if (wanted.has('cr2')) row('cr2', cr2, `VA of the last page fault caught`);
  if (want('cr3')) row('cr3', BigInt(mmu.cr3), `PA of the top-level table (PCID ${mmu.currentPcid})`);
  if (wanted.has('cr4')) row('cr4', BigInt(mmu.cr4 >>> 0), hexn(mmu.cr4 >>> 0));
  return lines.join('\n');
}

export function symSuffix(s: Session, addr: number): string {
  const n = s.syms.name(addr);
  return n === undefined ? '' : ` <${n}>`;
}

/** One entry of a table, as a mapping or a pointer to the next table. */
interface Leaf {
  va: bigint;
  size: number;
  pa: number;
  rw: boolean;
  us: boolean;
  nx: boolean;
}

const LEVEL_SPAN = [0, 12, 21, 30, 39, 48];

/**
 * Every present leaf of the tables rooted at `root` (a physical address),
 * top level `levels`, restricted to one half of the address space.
 * Rights are the AND (RW, US) and OR (NX) of the path, as the MMU combines them (SDM 4.6).
 */
export function walkTables(k: Kernel, root: number, levels: number, half: 'user' | 'kernel' | 'all'): Leaf[] {
  const mem = k.machine.mem;
  const out: Leaf[] = [];
  const rec = (table: number, level: number, base: bigint, rw: boolean, us: boolean, nx: boolean): void => {
    let from = 0, to = 512;
    if (level === levels && half === 'user') to = 256;
    if (level === levels && half === 'kernel') from = 256;
    for (let i = from; i < to; i++) {
      const ea = table + 8 * i;
      if (ea + 8 > mem.size) return;
      const lo = mem.read32(ea), hi = mem.read32(ea + 4);
      if ((lo & PTE_P) === 0) continue;
      let va = base + (BigInt(i) << BigInt(LEVEL_SPAN[level]!));
      if (level === levels && i >= 256) va = BigInt.asIntN(64, va | (~0n << BigInt(LEVEL_SPAN[level]! + 9)));
      const addr = (hi & PTE_ADDR_MASK_HI) * TWO32 + ((lo & PTE_ADDR_MASK_LO) >>> 0);
      const r = rw && (lo & PTE_RW) !== 0, u = us && (lo & PTE_US) !== 0, x = nx || (hi & PTE_NX_HI) !== 0;
      if (level === 1 || (level <= 3 && (lo & PTE_PS) !== 0)) {
        const size = 2 ** LEVEL_SPAN[level]!;
        out.push({ va, size, pa: level === 1 ? addr : addr - (addr % size), rw: r, us: u, nx: x });
      } else rec(addr, level - 1, va, r, u, x);
    }
  };
  rec(root - (root % PAGE_SIZE), levels, 0n, true, true, false);
  return out;
}

const perms = (l: Leaf): string => `${l.us ? 'u' : '-'}r${l.rw ? 'w' : '-'}${l.nx ? '-' : 'x'}`;
const sizeName = (n: number): string => (n === PAGE_SIZE ? '4K' : n === 2 << 20 ? '2M' : '1G');

/** info pagetables: the leaves folded into runs of equal rights and page size (QEMU's `info mem`, with page sizes). */
export function formatPagetables(k: Kernel, root: number, levels: number, half: 'user' | 'kernel' | 'all', range?: [bigint, bigint]): string {
  let leaves = walkTables(k, root, levels, half);
  if (range) leaves = leaves.filter((l) => l.va + BigInt(l.size) > range[0] && l.va < range[1]);
  const lines = [`${'VA start'.padEnd(20)}${'VA end'.padEnd(20)}${'size'.padEnd(12)}perm page  PA of first page`];
  let i = 0;
  while (i < leaves.length) {
    const a = leaves[i]!;
    let j = i + 1, end = a.va + BigInt(a.size);
    while (j < leaves.length && leaves[j]!.va === end && perms(leaves[j]!) === perms(a) && leaves[j]!.size === a.size) {
      end += BigInt(leaves[j]!.size);
      j++;
    }
    const u = (v: bigint): string => hexn(BigInt.asUintN(64, v)).padEnd(20);
    lines.push(`${u(a.va)}${u(end)}${hexn(end - a.va).padEnd(12)}${perms(a)} ${sizeName(a.size).padEnd(5)} ${hexn(a.pa)}${j - i > 1 ? ` (${j - i} pages)` : ''}`);
    i = j;
  }
  if (leaves.length === 0) lines.push('(nothing mapped)');
  return lines.join('\n');
}

/** p2v: every user virtual address, in every process, whose page maps the frame holding pa. */
export function formatP2v(k: Kernel, pa: number, levels: number): string {
  const lines: string[] = [];
  const frame = pa - (pa % PAGE_SIZE);
  for (const t of k.tasks.values()) {
    const mm = t.mm;
    if (mm === null || mm.dead) continue;
    for (const l of walkTables(k, mm.pgd, levels, 'user')) {
      if (pa < l.pa || pa >= l.pa + l.size) continue;
      const va = l.va + BigInt(pa - l.pa);
      lines.push(`PA ${hexn(pa)} <- VA ${hexn(va)} in pid ${t.pid} (${t.comm}), ${sizeName(l.size)} page, ${perms(l)}`);
    }
  }
  if (lines.length === 0) lines.push(`PA ${hexn(pa)} (frame ${hexn(frame / PAGE_SIZE)}): no user mapping in any process`);
  return lines.join('\n');
}

/** info tlb: the valid entries (VPN, PFN, PCID, G, rights) and the statistics. */
export function formatTlb(k: Kernel): string {
  const mmu = k.machine.mmu;
  const lines = [`${'tlb'.padEnd(8)}${'size'.padEnd(5)}${'VA (VPN)'.padEnd(32)}${'PA (PFN)'.padEnd(24)}pcid G  rights`];
  for (const e of mmu.entries()) {
    const va = BigInt.asUintN(64, e.va);
    const rights = `${e.us ? 'u' : 's'}${e.rw ? 'w' : 'r'}${e.xd ? '-' : 'x'}${e.dirty ? 'd' : '-'}`;
    lines.push(
      `${e.tlb.padEnd(8)}${e.pageSize.padEnd(5)}${`${hexn(va)} (${hexn(va >> 12n)})`.padEnd(32)}${`${hexn(e.pa)} (${hexn(e.pa / PAGE_SIZE)})`.padEnd(24)}${String(e.pcid).padEnd(5)}${e.global ? 'G' : '-'}  ${rights}`,
    );
  }
  const st = mmu.stats();
  for (const [name, s] of [['ITLB', st.itlb], ['DTLB', st.dtlb]] as const)
    lines.push(`${name}: ${s.lookups} lookups, ${s.hits} hits, ${s.misses} misses, ${s.walks} walks, ${s.evictions} evictions`);
  return lines.join('\n');
}

export function formatFaults(faults: FaultRecord[]): string {
  if (faults.length === 0) return 'No page faults yet.';
  const lines = [`${'#'.padEnd(5)}${'pid'.padEnd(6)}${'ip (VA)'.padEnd(14)}${'address (VA)'.padEnd(18)}${'error'.padEnd(33)}kernel`];
  for (const f of faults)
    lines.push(`${String(f.n).padEnd(5)}${String(f.pid).padEnd(6)}${hexn(f.ip).padEnd(13)} ${hexn(f.addr).padEnd(17)} ${`0x${f.error.toString(16)} ${pfWords(f.error)}`.padEnd(33)}${f.outcome}`);
  return lines.join('\n');
}
