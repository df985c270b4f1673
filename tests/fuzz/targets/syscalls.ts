// Target `syscalls`: a random guest program (tests/fuzz/gen/syscalls.ts)
// makes 4..48 system calls with edge arguments, forks children that make
// their own, installs signal handlers, maps files, touches memory; it runs on
// a fresh kernel (4- or 5-level paging, slice length, memory size, ASLR, and
// in a third of the cases a khugepaged pass between scheduler steps).
// Checked: no host exception, no oops; every call returns a value or -errno
// and leaves the caller's registers alone; the mm invariants after every call
// and scheduler step (kernel-ts/mm/check.ts); the instruction, step and
// system-call budgets; a fault's siginfo (si_addr is the faulting address,
// #GP for a non-canonical one); the monotonic clock; clone's exit signal;
// and with every process gone, frames and page tables back to the baseline.
import { assemble, formatDiagnostic } from '../../../asm/assembler';
import { writeElf } from '../../../asm/elf-write';
import type { Kernel } from '../../../kernel-ts/kernel';
import type { Task } from '../../../kernel-ts/proc/task';
import type { SyscallArgs } from '../../../kernel-ts/syscalls/args';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { SC_REGS, VMLAB_CTX, VMLAB_CTX_SIZE } from '../../../kernel-ts/proc/sigframe';
import { KernelWatch, bootKernel, liveMms } from '../harness/kernel';
import { HPAGE_PMD_SIZE, collapseHugePmd } from '../../../kernel-ts/mm/huge_memory';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import type { Rng } from '../harness/rng';
import type { CaseContext, FuzzTarget, KnownFinding } from '../harness/target';
import { CHILD_SOURCE, FUZZ_REPORT_NR, REPORT_EXIT, REPORT_RETURN, REPORT_SKIP, generateProgram, programSource } from '../gen/syscalls';
import type { Program } from '../gen/syscalls';

export interface SyscallCase {
  program: Program;
  paging: 4 | 5;
  memMiB: number;
  sliceInsns: number;
  aslr: boolean;
  seed: number;
  /** Collapse what can be collapsed into 2 MiB pages every few scheduler steps, as khugepaged would. */
  thp: boolean;
}

const MAX_INSNS = 20_000_000;
/** A program that may loop by design (a raw rt_sigreturn) gets less: its running out is no failure, only time. */
const MAX_INSNS_LOOPING = 1_000_000;
/** Far more than a program's operations make, even with its forks. */
const MAX_SYSCALLS = 5_000;
const MAX_STEPS = 2_000;
const PF = 14;
const GP = 13;
const SI_KERNEL = 0x80;

function assembleOrThrow(name: string, text: string): Uint8Array {
  const r = assemble([{ path: name, text }]);
  if (!r.ok) throw new Error(`the generated program does not assemble: ${r.diagnostics.map((d) => formatDiagnostic(d)).join('; ')}`);
  return writeElf(r.image);
}

let childElf: Uint8Array | null = null;

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;


/** [lo, lo + size) has a byte whose address is not canonical for this paging mode. */
function reachesNonCanonical(lo: bigint, size: number, paging: 4 | 5): boolean {
  const bits = paging === 5 ? 57n : 48n;
  const canon = (a: bigint): boolean => {
    const top = BigInt.asUintN(64, a) >> (bits - 1n);
    return top === 0n || top === (1n << (65n - bits)) - 1n;
  };
  return !canon(lo) || !canon(lo + BigInt(size - 1));
}

/**
 * The handler's report: a0 = signo, a1 = the frame (siginfo first, vmlab's trap
 * context at VMLAB_CTX), a2 = the address a touch was making (0 if none), a3
 * its size, a4 the address of its access instruction. Checks the siginfo against the access; answers what the handler
 * does next (REPORT_RETURN, REPORT_SKIP, REPORT_EXIT).
 */
function reportHandler(c: SyscallCase, ctx: CaseContext) {
  return (k: Kernel, t: Task, a: SyscallArgs): number => {
    const frame = k.mm.copyFromUser(t.mm!, a.u64(1), VMLAB_CTX + VMLAB_CTX_SIZE);
    if (typeof frame === 'number') return REPORT_EXIT;
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const signo = dv.getInt32(0, true);
    const code = dv.getInt32(8, true);
    const addr = dv.getBigUint64(16, true);
    const trapno = Number(dv.getBigInt64(VMLAB_CTX + 8, true));
    const cr2 = dv.getBigUint64(VMLAB_CTX + 24, true);
    const expect = (BigInt(a.half[5]! >>> 0) << 32n) | BigInt(a.half[4]! >>> 0);
    const size = a.int(3);
    const accessPc = (BigInt(a.half[9]! >>> 0) << 32n) | BigInt(a.half[8]! >>> 0);
    const pc = dv.getBigUint64(SC_REGS, true);
    if (signo !== a.int(0)) ctx.fail('check', `the handler got signal ${a.int(0)} but siginfo says ${signo}`);
    // The fault is the touch's own access (not, say, a handler's fetch while the touch was pending).
    const touching = size > 0 && pc === accessPc;
    const nonCanonical = touching && reachesNonCanonical(expect, size, c.paging);
    if (trapno === PF) {
      if (addr !== cr2) ctx.fail('check', `si_addr ${hex(addr)} differs from the frame's cr2 ${hex(cr2)}`);
      if (nonCanonical) ctx.fail('check', `#PF (si_addr ${hex(addr)}) for a ${size}-byte access at ${hex(expect)} reaching a non-canonical address: x86 raises #GP`);
      else if (touching && expect % BigInt(size) === 0n && addr !== expect) ctx.fail('check', `si_addr ${hex(addr)} for a ${size}-byte access at ${hex(expect)}`);
    } else if (trapno === GP) {
      if (code !== SI_KERNEL || addr !== 0n) ctx.fail('check', `#GP with si_code ${code}, si_addr ${hex(addr)} (Linux: SI_KERNEL, 0)`);
      if (touching && !nonCanonical) ctx.fail('check', `#GP for a canonical ${size}-byte access at ${hex(expect)}`);
    }
    if (trapno < 0) return REPORT_RETURN;
    // The touch's access is stepped over; any other fault ends the program (stepping over it could loop).
    return (trapno === PF || trapno === GP) && touching ? REPORT_SKIP : REPORT_EXIT;
  };
}

const MONOTONIC_CLOCKS = new Set([1, 4, 6, 7]);

/**
 * Linux's answers where they are cheap to know: a monotonic clock never goes
 * back nor below 0 (and tv_nsec < 10^9); a clone child's exit signal is
 * the low byte of the flags.
 */
function semantics(k: Kernel, ctx: CaseContext) {
  let lastNs = -1n;
  return (nr: number, t: Task, a: SyscallArgs, ret: number): void => {
    if (nr === NR.clock_gettime && ret === 0 && MONOTONIC_CLOCKS.has(a.int(0)) && t.mm !== null) {
      const b = k.mm.copyFromUser(t.mm, a.u64(1), 16);
      if (typeof b === 'number') return;
      const dv = new DataView(b.buffer, b.byteOffset, 16);
      const sec = dv.getBigInt64(0, true), nsec = dv.getBigInt64(8, true);
      const ns = sec * 1_000_000_000n + nsec;
      if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n || ns < lastNs) ctx.fail('check', `clock_gettime(${a.int(0)}) gave {${sec}, ${nsec}}${lastNs >= 0n ? ` after ${lastNs} ns` : ''}`);
      else lastNs = ns;
    } else if (nr === NR.clone && ret > 0) {
      const child = k.tasks.get(ret);
      const want = a.half[0]! & 0xff;
      if (child !== undefined && child.exitSignal !== want) ctx.fail('check', `clone(flags 0x${((BigInt(a.half[1]! >>> 0) << 32n) | BigInt(a.half[0]! >>> 0)).toString(16)}) gave the child exit signal ${child.exitSignal}, not ${want}`);
    }
  };
}

/** khugepaged's scan of one mm (mm/khugepaged.c, reduced): every 2 MiB-aligned range of an anonymous VMA it can collapse. */
function khugepagedScan(k: Kernel, mm: MmStruct): void {
  for (const vma of mm.vmas.toArray()) {
    if (!vma.isAnonymous) continue;
    for (let h = Math.ceil(vma.vmStart / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE; h + HPAGE_PMD_SIZE <= vma.vmEnd; h += HPAGE_PMD_SIZE) collapseHugePmd(k.mm, mm, h);
  }
}

async function run(c: SyscallCase, ctx: CaseContext): Promise<void> {
  childElf ??= assembleOrThrow('child.s', CHILD_SOURCE);
  const elf = assembleOrThrow('fz.s', programSource(c.program));
  const k = bootKernel({
    memSize: c.memMiB << 20,
    paging: c.paging,
    aslr: c.aslr,
    seed: c.seed,
    sliceInsns: c.sliceInsns,
    maxInsns: c.program.mayLoop ? MAX_INSNS_LOOPING : MAX_INSNS,
  });
  k.vfs.addExecutable('/bin/fz', elf);
  k.vfs.addExecutable('/bin/child', childElf);
  const onStep = c.thp ? (step: number): void => {
    if (step % 3 === 0) for (const mm of liveMms(k)) khugepagedScan(k, mm);
  } : undefined;
  const watch = new KernelWatch(k, ctx, { check: 'syscall', maxSteps: MAX_STEPS, maxSyscalls: MAX_SYSCALLS, insnBudgetFails: !c.program.mayLoop, onStep, afterSyscall: semantics(k, ctx) });
  watch.addSyscall(FUZZ_REPORT_NR, reportHandler(c, ctx));
  const t = k.spawn('/bin/fz', ['fz'], ['PATH=/bin']);
  if (typeof t === 'number') {
    ctx.fail('check', `spawn /bin/fz: ${t}`);
    return;
  }
  watch.run();
}

function generate(r: Rng): SyscallCase {
  return {
    paging: r.chance(0.25) ? 5 : 4,
    memMiB: r.pick([8, 8, 16, 32]),
    sliceInsns: r.pick([200, 5000, 1_000_000]),
    aslr: r.chance(0.5),
    seed: r.u32(),
    thp: r.chance(0.3),
    program: generateProgram(r),
  };
}

/** Findings someone is fixing (none open: each one found so far is fixed, with its minimal case as a regression test). */
const known: KnownFinding<SyscallCase>[] = [];

export const target: FuzzTarget<SyscallCase> = {
  name: 'syscalls',
  about: 'random system-call programs (edge arguments, fork/exec/wait/kill, mmap/mremap/mprotect/munmap/brk, signals, files) on a fresh kernel',
  batch: { seed: 1, count: 40 },
  known,
  generate,
  run,
  show: (c) => `# paging ${c.paging}, ${c.memMiB} MiB, slice ${c.sliceInsns}, aslr ${c.aslr}, seed ${c.seed}${c.thp ? ', khugepaged' : ''}\n${programSource(c.program)}`,
  files: (c) => ({ '.s': programSource(c.program) }),
  parts: (c) => c.program.ops.length,
  without: (c, i) => ({ ...c, program: { ...c.program, ops: c.program.ops.filter((_, j) => j !== i) } }),
};

