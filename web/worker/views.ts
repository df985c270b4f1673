// The views of one process, read from the kernel and the machine without
// side effects (page tables and code read straight from guest RAM: no A/D
// bits set, no TLB fill, no fault): what web/page draws.
import type { Kernel } from '../../kernel-ts/kernel';
import type { Task } from '../../kernel-ts/proc/task';
import { TASK_RUNNING } from '../../kernel-ts/proc/task';
import { showMapVma } from '../../kernel-ts/mm/vma';
import { followPte } from '../../kernel-ts/mm/introspect';
import { OWNER_NAMES, Owner } from '../../kernel-ts/mm/page';
import { PAGE_SIZE, PTE_A, PTE_ADDR_MASK_HI, PTE_ADDR_MASK_LO, PTE_D, PTE_G, PTE_NX_HI, PTE_P, PTE_PCD, PTE_PKEY_MASK_HI, PTE_PKEY_SHIFT_HI, PTE_PS, PTE_PWT, PTE_RW, PTE_US } from '../../emu/machine/mmu/paging';
import { TWO32 } from '../../emu/machine/cpu/int64';
import { ABI_NAMES } from '../../emu/machine/isa/registers';
import { disassembleWord } from '../../asm/disasm';
import { formatP2v } from '../../emu/debugger/views';
import type { Symbols } from '../../emu/debugger/symbols';
import type { ViewRequest } from '../protocol';
import type { FaultView, PtEntryView, PtTableView, TlbEntryView, Views } from '../views-data';

/** The names of each level's table, Linux's then Intel's (index: level). */
const TABLE_NAMES = ['', 'PTE (PT)', 'PMD (PD)', 'PUD (PDPT)', 'P4D (PML4)', 'PGD (PML5)'];
/** Bit position of the lowest VA bit each level's index selects. */
const LEVEL_SHIFT = [0, 12, 21, 30, 39, 48];
/** The entries each leaf level maps. */
const LEAF_SIZE: Record<number, '4K' | '2M' | '1G'> = { 1: '4K', 2: '2M', 3: '1G' };
/** The frame map's row (web/page/render.ts draws this many frames per row). */
const FRAME_ROW = 128;
/** Instructions shown before and after pc. */
const DISASM_AROUND = 6;

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

/** The fault log the worker keeps (kernel.onUserFault), newest last, bounded. */
export class FaultLog {
  readonly faults: FaultView[] = [];
  private n = 0;
  constructor(private readonly limit = 500) {}

  /** Time-line position of each entry (instructions retired plus kernel entries when the kernel handled it). */
  private readonly pos: number[] = [];

  /** Logs a fault handled at time-line position `pos`; one at or before the newest logged is a replay's repetition, dropped. */
  add(f: Omit<FaultView, 'n'>, pos: number): void {
    if (this.pos.length > 0 && pos <= this.pos[this.pos.length - 1]!) return;
    this.faults.push({ n: ++this.n, ...f });
    this.pos.push(pos);
    if (this.faults.length > this.limit) {
      this.faults.shift();
      this.pos.shift();
    }
  }

  /** The time-line position of the newest fault logged (-1: none). */
  lastPos(): number {
    return this.pos.length > 0 ? this.pos[this.pos.length - 1]! : -1;
  }

  /** Reverse execution went back to `pos`: the faults handled after it have not happened. */
  truncate(pos: number): void {
    while (this.pos.length > 0 && this.pos[this.pos.length - 1]! > pos) {
      this.pos.pop();
      this.faults.pop();
      this.n--;
    }
  }
}

/** Intel's names of the bits set in entry lo/hi at `level` (PS only where it means page size; PAT's bit 7 in a PTE is not shown). */
export function entryFlags(lo: number, hi: number, level: number): string[] {
  const f: string[] = [];
  const bits: [number, string][] = [[PTE_P, 'P'], [PTE_RW, 'RW'], [PTE_US, 'US'], [PTE_PWT, 'PWT'], [PTE_PCD, 'PCD'], [PTE_A, 'A'], [PTE_D, 'D']];
  for (const [b, n] of bits) if (lo & b) f.push(n);
  if (level >= 2 && level <= 3 && lo & PTE_PS) f.push('PS');
  if (lo & PTE_G) f.push('G');
  if (hi & PTE_NX_HI) f.push('NX');
  const pkey = (hi & PTE_PKEY_MASK_HI) >>> PTE_PKEY_SHIFT_HI;
  if (pkey !== 0) f.push(`PK=${pkey}`);
  return f;
}

/** The Linux/Intel name of a table at `level` when the top is `levels` (4-level paging has no P4D: its top is the PGD). */
function tableName(level: number, levels: number): string {
  if (level === levels) return levels === 5 ? TABLE_NAMES[5]! : 'PGD (PML4)';
  return TABLE_NAMES[level]!;
}

/** The tables a walk of `va` reads, top first: [table PA, index] per level, down to the leaf. */
export function walkPath(k: Kernel, root: number, levels: number, va: bigint): [number, number][] {
  const mem = k.machine.mem;
  const path: [number, number][] = [];
  let table = root - (root % PAGE_SIZE);
  for (let level = levels; level >= 1; level--) {
    const index = Number((BigInt.asUintN(64, va) >> BigInt(LEVEL_SHIFT[level]!)) & 511n);
    path.push([table, index]);
    const ea = table + 8 * index;
    if (ea + 8 > mem.size) break;
    const lo = mem.read32(ea), hi = mem.read32(ea + 4);
    if ((lo & PTE_P) === 0 || level === 1 || (level <= 3 && (lo & PTE_PS) !== 0)) break;
    table = (hi & PTE_ADDR_MASK_HI) * TWO32 + ((lo & PTE_ADDR_MASK_LO) >>> 0);
  }
  return path;
}

/** One table's present entries. `base` is the first VA the table covers. */
function tableView(k: Kernel, pa: number, level: number, levels: number, base: bigint, path: [number, number][]): PtTableView {
  const mem = k.machine.mem;
  const entries: PtEntryView[] = [];
  let notPresent = 0;
  const onPath = new Set(path.filter(([t]) => t === pa).map(([, i]) => i));
  for (let i = 0; i < 512; i++) {
    const ea = pa + 8 * i;
    if (ea + 8 > mem.size) break;
    const lo = mem.read32(ea), hi = mem.read32(ea + 4);
    if ((lo & PTE_P) === 0) {
      notPresent++;
      continue;
    }
    let va = base + (BigInt(i) << BigInt(LEVEL_SHIFT[level]!));
    if (level === levels && i >= 256) va = BigInt.asUintN(64, va | (~0n << BigInt(LEVEL_SHIFT[level]! + 9)));
    const addr = (hi & PTE_ADDR_MASK_HI) * TWO32 + ((lo & PTE_ADDR_MASK_LO) >>> 0);
    const isLeaf = level === 1 || (level <= 3 && (lo & PTE_PS) !== 0);
    const leaf = isLeaf ? LEAF_SIZE[level]! : null;
    // A large page's address field has PAT in its bit 12: the frame is the address with the page's low bits cleared.
    const target = isLeaf && level > 1 ? addr - (addr % 2 ** LEVEL_SHIFT[level]!) : addr;
    const raw = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    entries.push({ index: i, raw: hex(raw), flags: entryFlags(lo, hi, level), target, leaf, va: hex(va), shared: level === levels && i >= 256, onPath: onPath.has(i) });
  }
  return { pa, level, name: tableName(level, levels), entries, notPresent };
}

/** The tables to send: the top one, then each expanded table reachable from it, with its level and base VA. */
function tablesOf(k: Kernel, root: number, levels: number, expand: ReadonlySet<number>, path: [number, number][]): PtTableView[] {
  const out: PtTableView[] = [];
  const open = expand;
  const visit = (pa: number, level: number, base: bigint): void => {
    const t = tableView(k, pa, level, levels, base, path);
    out.push(t);
    for (const e of t.entries) if (e.leaf === null && level > 1 && open.has(e.target)) visit(e.target, level - 1, BigInt(e.va));
  };
  visit(root - (root % PAGE_SIZE), levels, 0n);
  return out;
}

function taskState(t: Task): string {
  if (!t.isAlive) return 'Z';
  return t.state === TASK_RUNNING ? 'R' : 'S';
}

/** The process to show: the one asked for if alive, else the one on the CPU, else the newest live one with an address space. */
export function chooseTask(k: Kernel, pid: number | null): Task | null {
  const live = [...k.tasks.values()].filter((t) => t.isAlive && t.mm !== null && !t.mm.dead);
  if (pid !== null) {
    const t = live.find((x) => x.pid === pid);
    if (t) return t;
  }
  if (k.current !== null && live.includes(k.current)) return k.current;
  return live.length > 0 ? live[live.length - 1]! : null;
}

/** The 32-bit word at user VA `va` of t, read through its page tables (a peek), or null when unmapped. */
function peekWord(k: Kernel, t: Task, va: number): number | null {
  if (va < 0 || va >= 2 ** 47) return null;
  const pte = followPte(k.mm, t.mm!, va);
  if (!pte.present) return null;
  const pa = pte.pfn * PAGE_SIZE + (va % PAGE_SIZE);
  return pa + 4 <= k.machine.mem.size ? k.machine.mem.read32(pa) >>> 0 : null;
}

/** Source lines shown around the current one. */
const SOURCE_AROUND = 3;

/** The base name of a source path (the table's names can be absolute paths of the build machine). */
const baseName = (f: string): string => f.slice(f.lastIndexOf('/') + 1);

/** The source lines around pc's (from its program's line table), or null without line information or text. */
function sourceAround(syms: Symbols | null, pc: number): Views['source'] {
  const row = syms?.line(pc);
  if (syms === null || row === undefined) return null;
  const text = syms.sourceLines(row.file);
  const lines: { n: number; text: string; current: boolean }[] = [];
  if (text !== null)
    for (let n = Math.max(1, row.line - SOURCE_AROUND); n <= Math.min(text.length, row.line + SOURCE_AROUND); n++) lines.push({ n, text: text[n - 1]!, current: n === row.line });
  return { file: baseName(row.file), line: row.line, lines };
}

export function collectViews(k: Kernel, request: ViewRequest, run: Views['run'], log: FaultLog, symbolsOf: (comm: string) => Symbols | null = () => null, tlbLog: Views['tlbLog'] = { events: [], total: 0, since: '' }): Views {
  const t = chooseTask(k, request.pid);
  const mmu = k.machine.mmu;
  const levels = k.opts.paging;
  const processes = [...k.tasks.values()].filter((x) => x.isAlive).map((x) => ({ pid: x.pid, comm: x.comm, state: taskState(x) }));
  const tlb: TlbEntryView[] = mmu.entries().map((e) => {
    const va = BigInt.asUintN(64, e.va);
    return { tlb: e.tlb, pageSize: e.pageSize, va: hex(va), vpn: hex(va >> 12n), pa: e.pa, pfn: e.pa / PAGE_SIZE, pcid: e.pcid, global: e.global, rights: `${e.us ? 'u' : 's'}${e.rw ? 'w' : 'r'}${e.xd ? '-' : 'x'}${e.dirty ? 'd' : '-'}` };
  });
  const st = mmu.stats();
  const tlbStats = ([['ITLB', st.itlb], ['DTLB', st.dtlb]] as const).map(([name, s]) => ({ name, lookups: s.lookups, hits: s.hits, misses: s.misses, walks: s.walks, evictions: s.evictions, dropped: s.dropped, flushes: { ...s.flushes } }));
  const memMap = k.mm.memMap;
  let top = memMap.nrFrames;
  while (top > 0 && memMap.owner[top - 1] === Owner.Free) top--;
  const frameOwners = memMap.owner.slice(0, Math.min(memMap.nrFrames, Math.ceil((top + 1) / FRAME_ROW) * FRAME_ROW));
  const frameRefcount = memMap.refcount.slice(0, frameOwners.length);
  const frameMapcount = Int32Array.from({ length: frameOwners.length }, (_, pfn) => memMap.pageMapcount(pfn));
  const frame = request.frame !== null && memMap.pfnValid(request.frame)
    ? { pfn: request.frame, text: memMap.describe(request.frame), mappings: formatP2v(k, request.frame * PAGE_SIZE, levels) }
    : null;
  const common = { run, processes, levels, tlb, tlbStats, tlbLog, frameOwners, frameRefcount, frameMapcount, nrFrames: memMap.nrFrames, ownerNames: OWNER_NAMES, frame, faults: log.faults.slice(-100), instret: k.machine.cpu.instret, stop: '', recording: '' };
  if (t === null) return { ...common, pid: null, comm: '', cr3: mmu.cr3, walkVa: null, walkTables: [], tables: [], maps: [], regs: [], disasm: [], source: null };

  const mm = t.mm!;
  const onCpu = k.current === t;
  const pc = onCpu ? k.machine.cpu.pcHi * TWO32 + (k.machine.cpu.pcLo >>> 0) : t.pcHi * TWO32 + (t.pcLo >>> 0);
  const lastFault = [...log.faults].reverse().find((f) => f.pid === t.pid);
  const walkVa = lastFault ? BigInt(lastFault.addr) : BigInt(pc);
  const path = walkPath(k, mm.pgd, levels, walkVa);
  const regs: [string, string][] = [];
  for (let r = 1; r < 32; r++) {
    const lo = onCpu ? k.machine.cpu.x[2 * r]! : t.regs[2 * r]!;
    const hi = onCpu ? k.machine.cpu.x[2 * r + 1]! : t.regs[2 * r + 1]!;
    regs.push([ABI_NAMES[r]!, hex((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0))]);
  }
  regs.push(['pc', hex(pc)]);
  const syms = symbolsOf(t.comm);
  const disasm: Views['disasm'] = [];
  for (let a = pc - 4 * DISASM_AROUND; a <= pc + 4 * DISASM_AROUND; a += 4) {
    const w = peekWord(k, t, a);
    if (w === null) continue;
    const row = syms?.line(a);
    const line = row === undefined ? '' : `${baseName(row.file)}:${row.line}`;
    disasm.push({ addr: hex(a), word: w.toString(16).padStart(8, '0'), text: disassembleWord(w, a).text.replace('\t', ' '), current: a === pc, line, symbol: syms?.name(a) ?? '' });
  }
  return {
    ...common,
    pid: t.pid,
    comm: t.comm,
    cr3: mm.pgd,
    walkVa: hex(walkVa),
    walkTables: path.map(([pa]) => pa),
    tables: tablesOf(k, mm.pgd, levels, new Set(request.expand), path),
    maps: [...mm.vmas].map((v) => showMapVma(v)),
    regs,
    disasm,
    source: sourceAround(syms, pc),
  };
}
