// Target `insn`: random instruction streams at CPL 3 over random page-table
// states (4K/2M/1G leaves and upper entries with random flags, XD, protection
// keys, some reserved bits; random CR0.WP, CR4.SMEP/SMAP/PKE/PGE/PCIDE, EFER.NXE,
// 4- or 5-level paging, PKRU), on two machines: one with the TLB, running
// the fast loop (cpu.run), and one without, stepping one instruction at a
// time. A trap is "handled" by stepping over the instruction; between stops
// a leaf entry may change, with the INVLPG the architecture requires. Checked:
// no host exception; the two machines agree at every stop (reason, pc,
// registers, vector, error code, CR2) and on memory at the end; a trapping
// instruction changes no register and writes no memory (STYLE 4); every
// error code is one the SDM allows for the access (PF_U at CPL 3, PF_W only
// for stores, PF_I only for fetches and only with NXE or SMEP, RSVD and PK
// only with P, PK never for fetches), CR2 is the faulting address, and an
// access reaching a non-canonical address raises #GP, not #PF.
import { SparsePhysMem, write64Big } from '../../../emu/machine/mem/phys';
import { Mmu } from '../../../emu/machine/mmu/mmu';
import { Cpu, Stop } from '../../../emu/machine/cpu/cpu';
import { Vector, PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W, Access } from '../../../emu/machine/trap';
import { CR0_PE, CR0_PG, CR0_WP, CR4_LA57, CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_LMA, EFER_LME, EFER_NXE } from '../../../emu/machine/mmu/paging';
import { disassembleWord } from '../../../asm/disasm';
import type { Rng } from '../harness/rng';
import type { CaseContext, FuzzTarget } from '../harness/target';

type Size = 12 | 21 | 30;

interface Mapping {
  va: bigint;
  shift: Size;
  pa: bigint;
  /** Leaf flags (PS added for large pages), including XD and a protection key. */
  leaf: bigint;
  /** Flags of the upper entries, top level first. */
  upper: bigint[];
}

/** A change of a leaf entry between two stops, followed by INVLPG of its address. */
interface Edit {
  /** After this stop (0-based). */
  atStop: number;
  mapping: number;
  leaf: bigint;
}

export interface InsnCase {
  levels: 4 | 5;
  cr0: number;
  cr4: number;
  efer: number;
  pkru: number;
  ac: 0 | 1;
  mappings: Mapping[];
  codeVa: bigint;
  code: number[];
  /** x1..x31 at the start. */
  regs: bigint[];
  edits: Edit[];
}

const CODE_PA = 0x300000n;
const TABLES_PA = 0x100000;
const MAX_STOPS = 48;
const MAX_INSNS = 4000;
const P = 1n, RW = 2n, US = 4n, PS = 0x80n, XD = 1n << 63n;
const M64 = (1n << 64n) - 1n;
const sext = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);

// ---- the random state -------------------------------------------------------------

function randomFlags(r: Rng, leaf: boolean): bigint {
  let f = P;
  if (r.chance(0.85)) f |= US;
  if (r.chance(0.75)) f |= RW;
  for (const b of [0x8n, 0x10n, 0x20n, 0x40n, 0x100n]) if (r.chance(0.3)) f |= b;
  if (r.chance(0.2)) f |= XD;
  if (leaf && r.chance(0.3)) f |= BigInt(r.int(16)) << 59n;
  if (r.chance(0.04)) f &= ~P;
  if (r.chance(0.03)) f |= 1n << BigInt(r.pick([47, 51, 13, 52]));
  return f;
}

/** A canonical user-half address of a page of size 2^shift (or one near the top of the user half). */
function randomVa(r: Rng, shift: Size, levels: 4 | 5): bigint {
  const top = levels === 5 ? 56n : 47n;
  const x = r.unit();
  let va: bigint;
  if (x < 0.5) va = BigInt(r.int(64)) << BigInt(shift + 4);
  else if (x < 0.7) va = (1n << top) - (BigInt(1 + r.int(4)) << BigInt(shift));
  else va = BigInt(r.u32()) << 12n;
  va &= (1n << top) - 1n;
  return va & ~((1n << BigInt(shift)) - 1n);
}

function genMapping(r: Rng, levels: 4 | 5, i: number): Mapping {
  const shift = r.weighted({ '12': 6, '21': 2, '30': 1 } as const);
  const s = Number(shift) as Size;
  const pa = s === 30 ? BigInt(r.range(1, 15)) << 30n : s === 21 ? BigInt(r.range(8, 500)) << 21n : 0x800000n + BigInt(i) * 0x1000n;
  return {
    va: randomVa(r, s, levels),
    shift: s,
    pa,
    leaf: randomFlags(r, true) | (s > 12 ? PS : 0n),
    upper: Array.from({ length: levels - (s === 30 ? 3 : s === 21 ? 2 : 1) }, () => (r.chance(0.8) ? P | RW | US | 0x20n : randomFlags(r, false))),
  };
}

const REGS = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

// RV64IM encodings (the ISA manual's formats), for the generator only.
const rType = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number => ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const iType = (imm: number, rs1: number, f3: number, rd: number, op: number): number => (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const sType = (imm: number, rs2: number, rs1: number, f3: number): number => ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0;
const bType = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
const jType = (imm: number, rd: number): number => ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0;

/** Base registers of the memory accesses: x5..x15 hold interesting addresses and are not written by the ALU ops. */
const BASE_REGS = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const ALU_RD = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];

function genInsn(r: Rng): number {
  const rd = r.pick(ALU_RD);
  const rs = (): number => r.int(32);
  const base = r.pick(BASE_REGS);
  const imm = r.chance(0.6) ? r.pick([0, 8, -8, 4, 2, 1, 4088, 2040, -2048, 2047, 4095]) & 0xfff : r.int(4096);
  switch (r.weighted({ load: 30, store: 25, alu: 15, branch: 8, jump: 6, system: 5, word: 6, upper: 5 } as const)) {
    case 'load':
      return iType(imm, base, r.pick([0, 1, 2, 3, 4, 5, 6]), rd, 0x03);
    case 'store':
      return sType(sext(BigInt(imm), 12) === 0n ? 0 : Number(sext(BigInt(imm), 12)), rs(), base, r.pick([0, 1, 2, 3]));
    case 'alu':
      if (r.chance(0.5)) return rType(r.pick([0, 0x20, 1]), rs(), rs(), r.int(8), rd, r.pick([0x33, 0x3b]));
      return iType(r.int(4096), rs(), r.pick([0, 2, 3, 4, 6, 7]), rd, r.pick([0x13, 0x1b]));
    case 'branch':
      return bType(r.pick([8, 12, -4, -8, 2, 6, 4096, -4096]) & 0x1fff, rs(), rs(), r.pick([0, 1, 4, 5, 6, 7]));
    case 'jump':
      return r.chance(0.5) ? jType(r.pick([8, 12, 2, 0x1000, -0x1000, 0xffffe]) & 0x1fffff, r.pick([0, 1, rd])) : iType(r.pick([0, 2, 4, -4 & 0xfff]), base, 0, r.pick([0, rd]), 0x67);
    case 'system':
      return r.pick([0x00000073, 0x00100073, 0x0ff0000f, 0x30200073, 0x10500073]);
    case 'upper':
      return ((r.u32() & 0xfffff000) | (rd << 7) | r.pick([0x37, 0x17])) >>> 0;
    case 'word':
      return r.u32();
  }
}

/** Interesting values for the base registers: near the mapped pages, their ends, the canonical boundary. */
function genReg(r: Rng, maps: readonly Mapping[], levels: 4 | 5): bigint {
  const top = levels === 5 ? 56n : 47n;
  const m = r.pick(maps);
  const size = 1n << BigInt(m.shift);
  switch (r.chance(0.2) ? 2 : r.int(7)) {
    case 0:
      return m.va + BigInt(r.int(64) * 8);
    case 1:
      return m.va + size - BigInt(r.pick([1, 2, 4, 8, 16, 2048]));
    case 2:
      return (1n << top) - BigInt(r.pick([1, 2, 4, 8, 4096, 2048, 2052]));
    case 3:
      return (M64 - (1n << top) + 1n) + BigInt(r.int(16) * 4); // the start of the kernel half
    case 4:
      return m.va + size + BigInt(r.int(4096));
    case 5:
      return r.u64();
    default:
      return m.va + BigInt(r.int(Number(size < 1n << 20n ? size : 1n << 20n)));
  }
}

function generate(r: Rng): InsnCase {
  const levels: 4 | 5 = r.chance(0.3) ? 5 : 4;
  let cr4 = CR4_PAE | (levels === 5 ? CR4_LA57 : 0);
  for (const b of [CR4_SMEP, CR4_SMAP, CR4_PKE, CR4_PGE, CR4_PCIDE]) if (r.chance(0.5)) cr4 |= b;
  const mappings = Array.from({ length: r.range(1, 8) }, (_, i) => genMapping(r, levels, i));
  const codeVa = randomVa(r, 12, levels);
  const code = Array.from({ length: r.range(4, 48) }, () => genInsn(r));
  const regs = Array.from({ length: 31 }, (_, i) => (BASE_REGS.includes(i + 1) ? genReg(r, mappings, levels) : r.chance(0.5) ? BigInt(r.int(256)) : r.u64()));
  const edits = Array.from({ length: r.chance(0.5) ? r.int(4) : 0 }, () => ({ atStop: r.int(8), mapping: r.int(mappings.length), leaf: randomFlags(r, true) }));
  return {
    levels,
    cr0: (CR0_PE | CR0_PG | (r.chance(0.7) ? CR0_WP : 0)) >>> 0,
    cr4: cr4 >>> 0,
    efer: EFER_LME | EFER_LMA | (r.chance(0.8) ? EFER_NXE : 0),
    pkru: r.chance(0.5) ? 0 : r.u32(),
    ac: r.chance(0.5) ? 1 : 0,
    mappings,
    codeVa,
    code,
    regs,
    edits,
  };
}

// ---- the machines -------------------------------------------------------------------

/** Sparse memory that remembers the pages written, and what a step wrote outside the page tables. */
class WatchedMem extends SparsePhysMem {
  readonly touched = new Set<number>();
  writes: number[] | null = null;
  private note(pa: number): void {
    this.touched.add(Math.floor(pa / 4096));
    if (this.writes !== null && (pa < TABLES_PA || pa >= TABLES_PA + 0x100000)) this.writes.push(pa);
  }
  override write8(pa: number, v: number): void {
    this.note(pa);
    super.write8(pa, v);
  }
  override write32(pa: number, v: number): void {
    this.note(pa);
    super.write32(pa, v);
  }
  override chunkI32(pa: number): Int32Array<ArrayBuffer> | null {
    this.touched.add(Math.floor(pa / 4096));
    return super.chunkI32(pa);
  }
}

interface Box {
  mem: WatchedMem;
  mmu: Mmu;
  cpu: Cpu;
  /** Leaf entry address per mapping. */
  leafAt: number[];
}

/** Builds the tables (in [1 MiB, 2 MiB)), the code page and the CPU state. */
function build(c: InsnCase, tlb: 'default' | 'none'): Box {
  const mem = new WatchedMem();
  const mmu = tlb === 'none' ? new Mmu(mem, 'none') : new Mmu(mem);
  const cpu = new Cpu(mmu, mem);
  let next = TABLES_PA + 0x1000;
  const root = TABLES_PA;
  const index = (va: bigint, level: number): number => Number((va >> BigInt(12 + 9 * (level - 1))) & 511n);
  const leafAt: number[] = [];
  const all: Mapping[] = [...c.mappings, { va: c.codeVa, shift: 12, pa: CODE_PA, leaf: P | US | 0x20n, upper: Array.from({ length: c.levels - 1 }, () => P | RW | US | 0x20n) }];
  for (const m of all) {
    const leafLevel = m.shift === 30 ? 3 : m.shift === 21 ? 2 : 1;
    let table = root;
    for (let level = c.levels; level > leafLevel; level--) {
      const ea = table + index(m.va, level) * 8;
      const cur = (BigInt(mem.read32(ea + 4) >>> 0) << 32n) | BigInt(mem.read32(ea) >>> 0);
      let t: number;
      if ((cur & P) !== 0n && (cur & PS) === 0n && cur >> 12n !== 0n && Number(cur & 0xffffff000n) >= TABLES_PA && Number(cur & 0xffffff000n) < next) t = Number(cur & 0xffffff000n);
      else t = next < TABLES_PA + 0x100000 ? (next += 0x1000) - 0x1000 : TABLES_PA + 0x1000;
      write64Big(mem, ea, BigInt(t) | m.upper[c.levels - level]!);
      table = t;
    }
    const ea = table + index(m.va, leafLevel) * 8;
    write64Big(mem, ea, m.pa | m.leaf);
    leafAt.push(ea);
  }
  // A mapping whose entry a later one turned into a table pointer is gone: editing it would be an upper-level edit.
  all.forEach((m, i) => {
    const leafLevel = m.shift === 30 ? 3 : m.shift === 21 ? 2 : 1;
    let table = root;
    for (let level = c.levels; level > leafLevel && table >= 0; level--) {
      const ea = table + index(m.va, level) * 8;
      const lo = mem.read32(ea);
      table = (lo & Number(PS)) !== 0 ? -1 : Number(((BigInt(mem.read32(ea + 4) >>> 0) << 32n) | BigInt(lo >>> 0)) & 0xffffff000n);
    }
    if (table < 0 || table + index(m.va, leafLevel) * 8 !== leafAt[i] || (leafLevel > 1 && (mem.read32(leafAt[i]!) & Number(PS)) === 0)) leafAt[i] = -1;
  });
  c.code.forEach((w, i) => mem.write32(Number(CODE_PA) + 4 * i, w | 0));
  mmu.efer = c.efer;
  mmu.writeCr4(c.cr4);
  mmu.writeCr3(root);
  mmu.writeCr0(c.cr0);
  mmu.setPkru(c.pkru);
  mmu.setAc(c.ac);
  mmu.setCpl(3);
  c.regs.forEach((v, i) => cpu.setReg(i + 1, v));
  cpu.pcLo = Number(c.codeVa & 0xffffffffn) | 0;
  cpu.pcHi = Number(c.codeVa >> 32n) | 0;
  mem.touched.clear();
  return { mem, mmu, cpu, leafAt };
}

interface Snap {
  stop: Stop;
  pc: bigint;
  regs: string;
  vector: number;
  error: number;
  addr: bigint;
  cr2: bigint;
}

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

function snap(b: Box, stop: Stop): Snap {
  return {
    stop,
    pc: u64(b.cpu.pcLo, b.cpu.pcHi),
    regs: Array.from(b.cpu.x.subarray(0, 64)).join(','),
    vector: stop === Stop.Trap ? b.cpu.trap.vector : -1,
    error: stop === Stop.Trap ? b.cpu.trap.error : -1,
    addr: stop === Stop.Trap ? u64(b.cpu.trap.addrLo, b.cpu.trap.addrHi) : 0n,
    cr2: u64(b.mmu.cr2Lo, b.mmu.cr2Hi),
  };
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

function canonical(va: bigint, levels: 4 | 5): boolean {
  const bits = levels === 5 ? 57n : 48n;
  const top = BigInt.asUintN(64, va) >> (bits - 1n);
  return top === 0n || top === (1n << (65n - bits)) - 1n;
}

/** What the instruction at pc (as B, the TLB-less machine, fetches it without side effects) accesses, if anything. */
function decodeAccess(b: Box, pc: bigint): { word: number | null; kind: 'load' | 'store' | 'other'; ea: bigint; size: number } {
  const p = b.mmu.probe(Number(pc & 0xffffffffn) | 0, Number(pc >> 32n) | 0, Access.Fetch, 3);
  if (p.kind !== 'ok') return { word: null, kind: 'other', ea: 0n, size: 0 };
  const word = b.mem.read32(p.pa) >>> 0;
  const op = word & 0x7f;
  const f3 = (word >>> 12) & 7;
  const rs1 = b.cpu.reg((word >>> 15) & 31);
  if (op === 0x03) return { word, kind: 'load', ea: BigInt.asUintN(64, rs1 + sext(BigInt(word >>> 20), 12)), size: 1 << (f3 & 3) };
  if (op === 0x23) return { word, kind: 'store', ea: BigInt.asUintN(64, rs1 + sext(BigInt(((word >>> 25) << 5) | ((word >>> 7) & 31)), 12)), size: 1 << (f3 & 3) };
  return { word, kind: 'other', ea: 0n, size: 0 };
}

/** The SDM's rules for the trap B just took at `s` (regs before the instruction in b). */
function checkTrap(c: InsnCase, b: Box, s: Snap, ctx: CaseContext, where: string): void {
  const acc = decodeAccess(b, s.pc);
  const fetchFault = acc.word === null;
  if (s.vector === Vector.PF) {
    const e = s.error;
    const bad = (why: string): void => ctx.fail('check', `#PF error 0x${e.toString(16)} ${why} (${where})`);
    if ((e & ~0x3f) !== 0) bad('has bits beyond PF_P..PF_PK');
    if ((e & PF_U) === 0) bad('lacks PF_U at CPL 3');
    if ((e & PF_RSVD) !== 0 && (e & PF_P) === 0) bad('has RSVD without P');
    if ((e & PF_PK) !== 0 && ((e & PF_P) === 0 || (c.cr4 & CR4_PKE) === 0 || fetchFault)) bad('has PK without P, without CR4.PKE, or on a fetch');
    if (s.addr !== s.cr2) ctx.fail('check', `CR2 ${hex(s.cr2)} is not the faulting address ${hex(s.addr)} (${where})`);
    if (fetchFault) {
      if ((e & PF_W) !== 0) bad('has W on an instruction fetch');
      const i = (e & PF_I) !== 0;
      if (i !== ((c.efer & EFER_NXE) !== 0 || (c.cr4 & CR4_SMEP) !== 0)) bad(`has I ${i} on a fetch with NXE ${(c.efer & EFER_NXE) !== 0}, SMEP ${(c.cr4 & CR4_SMEP) !== 0}`);
      if (s.addr !== s.pc) ctx.fail('check', `a fetch fault at ${hex(s.addr)}, pc is ${hex(s.pc)} (${where})`);
      return;
    }
    if ((e & PF_I) !== 0) bad('has I on a data access');
    if (acc.kind === 'other') return;
    if (((e & PF_W) !== 0) !== (acc.kind === 'store')) bad(`W does not match a ${acc.kind}`);
    const end = acc.ea + BigInt(acc.size) - 1n;
    if (!canonical(acc.ea, c.levels) || !canonical(end, c.levels)) {
      ctx.fail('check', `#PF for a ${acc.size}-byte ${acc.kind} at ${hex(acc.ea)} reaching a non-canonical address: x86 raises #GP (${where})`);
      return;
    }
    const secondPage = (acc.ea | 0xfffn) + 1n;
    if (s.addr !== acc.ea && !(s.addr === BigInt.asUintN(64, secondPage) && end >= secondPage))
      ctx.fail('check', `#PF at ${hex(s.addr)} for a ${acc.size}-byte ${acc.kind} at ${hex(acc.ea)} (${where})`);
  } else if (s.vector === Vector.GP) {
    if (s.error !== 0) ctx.fail('check', `#GP with error ${s.error} (${where})`);
    if (acc.kind === 'load' || acc.kind === 'store') {
      const end = acc.ea + BigInt(acc.size) - 1n;
      if (canonical(acc.ea, c.levels) && canonical(end, c.levels)) ctx.fail('check', `#GP for a canonical ${acc.size}-byte ${acc.kind} at ${hex(acc.ea)} (${where})`);
    } else if (!fetchFault && (canonical(s.addr, c.levels) || (s.addr & 3n) !== 0n)) {
      ctx.fail('check', `#GP with the ${(s.addr & 3n) !== 0n ? 'misaligned' : 'aligned canonical'} target ${hex(s.addr)} (${where})`);
    }
  } else if (s.vector === Vector.AC) {
    if (acc.kind === 'load' || acc.kind === 'store' || (s.addr & 3n) === 0n) ctx.fail('check', `a misaligned-jump trap for ${hex(s.addr)} (${where})`);
  } else if (s.vector === Vector.BP) {
    if (acc.word !== 0x00100073) ctx.fail('check', `#BP on ${acc.word === null ? 'an unfetchable word' : hex(acc.word)}, not ebreak (${where})`);
  } else if (s.vector !== Vector.UD) {
    ctx.fail('check', `a trap with vector ${s.vector} (${where})`);
  }
}

function diff(a: Snap, b: Snap): string {
  const out: string[] = [];
  for (const k of ['stop', 'pc', 'vector', 'error', 'addr', 'cr2'] as const) if (a[k] !== b[k]) out.push(`${k} ${String(a[k])} vs ${String(b[k])}`);
  if (a.regs !== b.regs) out.push('registers');
  return out.join(', ');
}

function run(c: InsnCase, ctx: CaseContext): void {
  const A = build(c, 'default');
  const B = build(c, 'none');
  B.cpu.observeMemory(true);
  let stops = 0;
  while (stops < MAX_STOPS && A.cpu.instret < MAX_INSNS) {
    const budget = MAX_INSNS - A.cpu.instret;
    const before = A.cpu.instret;
    const stopA = A.cpu.run(budget);
    const sa = snap(A, stopA);
    if (A.cpu.instret - before > budget) ctx.fail('budget', `run(${budget}) retired ${A.cpu.instret - before} instructions`);
    // B steps to the same point, checking each trapping step.
    let sb: Snap | null = null;
    for (;;) {
      const regs = Array.from(B.cpu.x.subarray(0, 64)).join(',');
      const pc = u64(B.cpu.pcLo, B.cpu.pcHi);
      B.mem.writes = [];
      const stopB = B.cpu.step();
      const s = snap(B, stopB);
      const writes = B.mem.writes;
      B.mem.writes = null;
      if (stopB === Stop.Trap) {
        const where = `stop ${stops}, pc ${hex(pc)}`;
        if (s.regs !== regs || s.pc !== pc) ctx.fail('check', `a trapping instruction changed ${s.pc !== pc ? 'pc' : 'registers'} (${where})`);
        if (writes.length > 0) ctx.fail('check', `a trapping instruction wrote memory at ${hex(writes[0]!)} (${where})`);
        checkTrap(c, B, s, ctx, `${where}: ${disassembleWord(decodeAccess(B, pc).word ?? 0, Number(pc)).text}`);
      }
      if (stopB !== Stop.Budget || B.cpu.instret > A.cpu.instret || (stopA === Stop.Budget && B.cpu.instret === A.cpu.instret)) {
        sb = s;
        break;
      }
    }
    const d = diff(sa, sb);
    if (d !== '') {
      ctx.fail('check', `the TLB and TLB-less machines disagree at stop ${stops} (pc ${hex(sa.pc)}): ${d}`);
      return;
    }
    if (stopA === Stop.Budget) break;
    // "Handle" the stop: step over the instruction, on both.
    for (const b of [A, B]) {
      const pc = BigInt.asUintN(64, u64(b.cpu.pcLo, b.cpu.pcHi) + 4n);
      b.cpu.pcLo = Number(pc & 0xffffffffn) | 0;
      b.cpu.pcHi = Number(pc >> 32n) | 0;
    }
    for (const e of c.edits) {
      if (e.atStop !== stops) continue;
      const m = c.mappings[e.mapping]!;
      if (A.leafAt[e.mapping] === -1) continue;
      for (const b of [A, B]) {
        write64Big(b.mem, b.leafAt[e.mapping]!, m.pa | e.leaf | (m.shift > 12 ? PS : 0n));
        b.mmu.invlpg(Number(m.va & 0xffffffffn) | 0, Number(m.va >> 32n) | 0);
      }
    }
    stops++;
  }
  for (const page of new Set([...A.mem.touched, ...B.mem.touched])) {
    for (let off = 0; off < 4096; off += 4) {
      const pa = page * 4096 + off;
      if (A.mem.read32(pa) !== B.mem.read32(pa)) {
        ctx.fail('check', `memory differs at ${hex(pa)} after the run: ${hex(A.mem.read32(pa) >>> 0)} (TLB) vs ${hex(B.mem.read32(pa) >>> 0)}`);
        return;
      }
    }
  }
}

function show(c: InsnCase): string {
  const out = [
    `${c.levels}-level paging, CR0 ${hex(c.cr0)}, CR4 ${hex(c.cr4)}, EFER ${hex(c.efer)}, PKRU ${hex(c.pkru)}, AC ${c.ac}`,
    ...c.mappings.map((m, i) => `map ${i}: va ${hex(m.va)} -> pa ${hex(m.pa)} ${m.shift === 12 ? '4K' : m.shift === 21 ? '2M' : '1G'} leaf ${hex(m.leaf)} upper ${m.upper.map(hex).join(' ')}`),
    ...c.edits.map((e) => `after stop ${e.atStop}: map ${e.mapping} leaf = ${hex(e.leaf)}, INVLPG`),
    `regs: ${c.regs.map((v, i) => `${REGS[i + 1]}=${hex(v)}`).join(' ')}`,
    `code at ${hex(c.codeVa)} (pa ${hex(CODE_PA)}):`,
    ...c.code.map((w, i) => `  ${hex(c.codeVa + BigInt(4 * i))}: ${w.toString(16).padStart(8, '0')}  ${disassembleWord(w, Number(c.codeVa) + 4 * i).text}`),
  ];
  return out.join('\n');
}

export const target: FuzzTarget<InsnCase> = {
  name: 'insn',
  about: 'random instruction streams at CPL 3 over random page tables and CR0/CR4/EFER/PKRU, TLB vs TLB-less, error codes checked against the SDM',
  batch: { seed: 1, count: 300 },
  known: [],
  generate,
  run,
  show,
  parts: (c) => c.code.length + c.mappings.length + c.edits.length,
  without: (c, i) => {
    if (i < c.code.length) return c.code.length > 1 ? { ...c, code: c.code.filter((_, j) => j !== i) } : null;
    i -= c.code.length;
    if (i < c.mappings.length) return c.mappings.length > 1 && c.edits.every((e) => e.mapping !== i) ? { ...c, mappings: c.mappings.filter((_, j) => j !== i), edits: c.edits.map((e) => ({ ...e, mapping: e.mapping > i ? e.mapping - 1 : e.mapping })) } : null;
    i -= c.mappings.length;
    return { ...c, edits: c.edits.filter((_, j) => j !== i) };
  },
};
