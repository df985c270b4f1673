// Runs conformance cases (FORMAT.md v1) on a fresh sparse memory and MMU each,
// and compares what happened with what the case expects.
import { SparsePhysMem } from '../machine/mem/phys';
import { Mmu } from '../machine/mmu/mmu';
import { DEFAULT_TLB_CONFIG } from '../machine/mmu/tlb';
import type { TlbConfig } from '../machine/mmu/tlb';
import { Access, isTrap } from '../machine/trap';
import { hexOf } from './case';
import type { Case, Expect, Step } from './case';

/** What one access step did. */
export type StepOutcome =
  | { step: number; pa: bigint }
  | { step: number; fault: { vector: number; error: bigint; cr2: bigint | null } };

export interface CaseOutcome {
  /** One per access step, in order. */
  accesses: StepOutcome[];
  /** The words at the addresses `after` lists (empty without `after`). */
  after: [bigint, bigint][];
}

const ACCESS = { read: Access.Read, write: Access.Write, fetch: Access.Fetch } as const;

function lo32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}
function hi32(v: bigint): number {
  return Number(BigInt.asIntN(32, v >> 32n));
}
function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function store(mem: SparsePhysMem, pa: bigint, value: bigint): void {
  const a = Number(pa);
  mem.write32(a, lo32(value));
  mem.write32(a + 4, hi32(value));
}

/** Runs one case from a fresh CPU: empty TLB, memory holding only `mem`. */
export function runCase(c: Case, tlb: TlbConfig | 'none' = DEFAULT_TLB_CONFIG): CaseOutcome {
  const mem = new SparsePhysMem();
  const mmu = new Mmu(mem, tlb);
  mmu.maxPhyAddr = c.cpu.maxPhyAddr;
  mmu.writeCr4(Number(c.cpu.cr4));
  mmu.writeCr3(Number(c.cpu.cr3));
  mmu.writeCr0(Number(c.cpu.cr0));
  mmu.efer = Number(c.cpu.efer);
  mmu.setCpl(c.cpu.cpl);
  mmu.setAc(c.cpu.rflagsAc);
  mmu.setPkru(Number(c.cpu.pkru));
  for (const [pa, value] of c.mem) store(mem, pa, value);
  const accesses: StepOutcome[] = [];
  c.steps.forEach((s, i) => {
    const out = runStep(mmu, mem, s, i);
    if (out !== null) accesses.push(out);
  });
  const after: [bigint, bigint][] = (c.after ?? []).map(([pa]) => [pa, u64(mem.read32(Number(pa)), mem.read32(Number(pa) + 4))]);
  return { accesses, after };
}

function runStep(mmu: Mmu, mem: SparsePhysMem, s: Step, i: number): StepOutcome | null {
  switch (s.op) {
    case 'read':
    case 'write':
    case 'fetch': {
      const lo = lo32(s.va);
      const hi = hi32(s.va);
      const crosses = (s.va & 0xfffn) + BigInt(s.size) > 0x1000n;
      try {
        const pa = crosses ? mmu.translateCrossing(lo, hi, ACCESS[s.op], s.implicit) : mmu.translate(lo, hi, ACCESS[s.op], s.implicit);
        return { step: i, pa: BigInt(pa) };
      } catch (e) {
        if (!isTrap(e)) throw e;
        const cr2 = mmu.trap.vector === 14 ? u64(mmu.cr2Lo, mmu.cr2Hi) : null;
        return { step: i, fault: { vector: mmu.trap.vector, error: BigInt(mmu.trap.error), cr2 } };
      }
    }
    case 'store_phys':
      store(mem, s.pa, s.value);
      return null;
    case 'invlpg':
      mmu.invlpg(lo32(s.va), hi32(s.va));
      return null;
    case 'mov_cr3':
      mmu.writeCr3(Number(s.value & ((1n << 52n) - 1n)), (s.value >> 63n) === 1n);
      return null;
    case 'mov_cr4':
      mmu.writeCr4(Number(s.value));
      return null;
    case 'mov_cr0':
      mmu.writeCr0(Number(s.value));
      return null;
    case 'set_pkru':
      mmu.setPkru(Number(s.value));
      return null;
    case 'set_cpl':
      mmu.setCpl(s.cpl);
      return null;
    case 'set_ac':
      mmu.setAc(s.ac);
      return null;
  }
}

function describeExpect(e: Expect): string {
  return 'pa' in e ? `pa ${hexOf(e.pa)}` : `fault vector ${e.fault.vector} error ${hexOf(e.fault.error)}`;
}

function describeOutcome(o: StepOutcome): string {
  return 'pa' in o ? `pa ${hexOf(o.pa)}` : `fault vector ${o.fault.vector} error ${hexOf(o.fault.error)}`;
}

function matches(e: Expect, o: StepOutcome, va: bigint): boolean {
  if ('pa' in e) return 'pa' in o && o.pa === e.pa;
  if (!('fault' in o)) return false;
  if (o.fault.vector !== e.fault.vector || o.fault.error !== e.fault.error) return false;
  return e.fault.vector !== 14 || o.fault.cr2 === va;
}

/** The first disagreement between a case and its outcome, as one line, or null if it passes. */
export function compareCase(c: Case, out: CaseOutcome): string | null {
  let k = 0;
  for (let i = 0; i < c.steps.length; i++) {
    const s = c.steps[i]!;
    if (s.op !== 'read' && s.op !== 'write' && s.op !== 'fetch') continue;
    const o = out.accesses[k++]!;
    if (!matches(s.expect, o, s.va)) {
      let got = describeOutcome(o);
      if ('fault' in o && o.fault.cr2 !== null && o.fault.cr2 !== s.va) got += ` cr2 ${hexOf(o.fault.cr2)}`;
      return `${c.file}:${c.line}: FAIL ${c.id} step ${i} (${s.op} ${hexOf(s.va)}): expected ${describeExpect(s.expect)}, got ${got}`;
    }
  }
  const after = c.after ?? [];
  for (let j = 0; j < after.length; j++) {
    const [pa, want] = after[j]!;
    const got = out.after[j]![1];
    if (got !== want) {
      return `${c.file}:${c.line}: FAIL ${c.id} after: word at ${hexOf(pa)}: expected ${hexOf(want)}, got ${hexOf(got)}`;
    }
  }
  return null;
}

/** The --json lines for one case: one per access step, then one for `after` if the case has it. */
export function jsonLines(c: Case, out: CaseOutcome): string[] {
  const lines = out.accesses.map((o) => {
    if ('pa' in o) return JSON.stringify({ id: c.id, step: o.step, pa: hexOf(o.pa) });
    const fault: Record<string, unknown> = { vector: o.fault.vector, error: hexOf(o.fault.error) };
    if (o.fault.cr2 !== null) fault.cr2 = hexOf(o.fault.cr2);
    return JSON.stringify({ id: c.id, step: o.step, fault });
  });
  if (c.after !== null) lines.push(JSON.stringify({ id: c.id, after: out.after.map(([a, v]) => [hexOf(a), hexOf(v)]) }));
  return lines;
}
