// `vmlab bench`: runs the guest programs of guest-programs/bench/*.s,
// assembled by vmlab's own assembler. The machine benchmarks run on a bare
// machine: the harness builds 4-level page tables with 4K user pages, enters
// CPL 3 and runs until the program's exit ecall; they report retired
// instructions, time, MIPS and the ITLB/DTLB hit rates and walks. The kernel
// benchmarks (k*.s) boot the kernel, install the program in its rootfs and
// run it as a process, measuring the kernel's paths end to end: demand-zero
// page faults per second, fork+exit+wait per second, and a syscall-heavy loop.
// The C benchmarks (bench/programs.ts, prebuilt ELFs of guest-programs/bench/c)
// run as processes on the kernel under each tier --jit names, each in a host
// process of its own, and with --compare qemu under qemu-riscv64 too. The
// assembly ones run in this process under each tier --jit names in turn
// (bench/asm-table.ts prints the tiers side by side).
import { Tier1 } from '../machine/jit/tier1';
import { readHostText } from '../../host/files';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { assemble, formatDiagnostic } from '../../asm/assembler';
import type { LinkedImage } from '../../asm/image';
import { Stop } from '../machine/cpu/cpu';
import type { Machine } from '../machine/machine';
import { PageSize } from '../machine/pagetable-builder';
import type { TlbStats } from '../machine/mmu/tlb';
import { writeElf } from '../../asm/elf-write';
import { Kernel } from '../../kernel-ts/kernel';
import { NR } from '../../kernel-ts/syscalls/numbers';
import { UserError } from './errors';
import { parseChoice, parseChoices, parsePositive } from './option-values';
import { USER_RW, bootBare } from './bare';
import { guestProgramsDir } from './paths';
import { PAGE_SIZE } from '../machine/mmu/paging';
import { runCBench } from './bench/c-bench';
import { cTable } from './bench/c-table';
import { kernelTable, machineTable } from './bench/asm-table';
import { C_PROGRAMS, TIERS, TIER_TITLES, tierAvailable, workerRun } from './bench/programs';
import type { Tier } from './bench/programs';

const MiB = 1024 * 1024;
// Physical layout of the bench machine.
const HEAP_PA = 16 * MiB; // the pointer-chase arena
const ARENA = 64 * MiB;
const MEM_SIZE = HEAP_PA + ARENA;
// User address space.
const HEAP_VA = 0x1000_0000;
/** Instructions per run() call: large enough that the call overhead vanishes. */
const BATCH = 10_000_000;
const EXIT = 93n;

interface Program {
  name: string;
  what: string;
  /** Iterations at --scale 1. */
  iterations: number;
  /** Prepares memory and returns the entry registers a0, a1 and the a0 the exit must report, if known. */
  setup(m: Machine, iterations: number): { a0: bigint; a1: bigint; expect?: bigint };
}

const PROGRAMS: Program[] = [
  {
    name: 'alu',
    what: 'ALU/branch loop (14 instructions per iteration, no memory access)',
    iterations: 2_000_000,
    setup: (_m, n) => ({ a0: 0n, a1: BigInt(n) }),
  },
  {
    name: 'muldiv',
    what: 'mul/div chain over a 64-bit LCG (every M-extension operation)',
    iterations: 400_000,
    setup: (_m, n) => ({ a0: 0n, a1: BigInt(n) }),
  },
  {
    name: 'stream',
    what: 'loads and stores of every size sweeping 16 KiB (DTLB-hit heavy data path)',
    iterations: 1_500,
    setup: (_m, n) => ({ a0: 0n, a1: BigInt(n) }),
  },
  {
    name: 'ptrchase',
    what: 'pointer chase: one node per 4K page, 64 MiB, random cyclic order (DTLB-miss heavy)',
    iterations: 4_000_000,
    setup: setupChase,
  },
];

/**
 * Writes a random cyclic permutation (Sattolo's algorithm, seeded) of one
 * node per page of the arena, each node at a pseudo-random 8-aligned offset
 * in its page; returns the first node and the node `steps` hops later.
 */
function setupChase(m: Machine, steps: number): { a0: bigint; a1: bigint; expect: bigint } {
  const pages = ARENA / PAGE_SIZE;
  const order = new Int32Array(pages);
  for (let i = 0; i < pages; i++) order[i] = i;
  let s = 0x9e3779b9;
  const rand = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  for (let i = pages - 1; i > 0; i--) {
    const j = rand() % i; // j < i: one single cycle
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const nodeOffset = (p: number): number => p * PAGE_SIZE + ((Math.imul(p, 0x9e3779b1) >>> 20) & 0xff8);
  for (let i = 0; i < pages; i++) {
    const here = nodeOffset(order[i]!);
    const next = nodeOffset(order[(i + 1) % pages]!);
    m.mem.write32(HEAP_PA + here, HEAP_VA + next);
    m.mem.write32(HEAP_PA + here + 4, 0);
  }
  return {
    a0: BigInt(HEAP_VA + nodeOffset(order[0]!)),
    a1: BigInt(steps),
    expect: BigInt(HEAP_VA + nodeOffset(order[steps % pages]!)),
  };
}

function assembleProgram(name: string): LinkedImage {
  const path = join(guestProgramsDir('bench'), `${name}.s`);
  const text = readHostText(path, 'a benchmark program source');
  if (!text.ok) throw new UserError(`${path}: ${text.reason}`);
  const r = assemble([{ path, text: text.value }]);
  if (!r.ok) throw new UserError(`cannot assemble ${path}:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.image;
}

/** A machine with the image and a stack mapped at CPL 3 (and the arena for the pointer chase). */
function boot(image: LinkedImage, tlb: 'default' | 'none', withArena: boolean): Machine {
  const { m, pt } = bootBare(image, { memSize: MEM_SIZE, tlb: tlb === 'none' ? 'none' : undefined });
  if (withArena) pt.mapRange(HEAP_VA, HEAP_PA, ARENA, PageSize.Size4K, USER_RW);
  return m;
}

export interface TlbReport {
  lookups: number;
  hits: number;
  hitRate: number;
  walks: number;
}

export interface BenchResult {
  program: string;
  description: string;
  instructions: number;
  seconds: number;
  mips: number;
  /** a0 at exit, as hex. */
  result: string;
  itlb: TlbReport;
  dtlb: TlbReport;
  /** The tier it ran under. */
  tier: Tier;
}

function tlbReport(s: TlbStats): TlbReport {
  return { lookups: s.lookups, hits: s.hits, hitRate: s.lookups === 0 ? 1 : s.hits / s.lookups, walks: s.walks };
}

/** Runs one program to its exit; throws UserError if it stops any other way or reports a wrong result. */
export function runBench(p: Program, image: LinkedImage, iterations: number, tlb: 'default' | 'none', jit = false): BenchResult {
  const m = boot(image, tlb, p.name === 'ptrchase');
  const tier1 = jit ? new Tier1(m) : null;
  const { a0, a1, expect } = p.setup(m, iterations);
  m.cpu.setReg(10, a0);
  m.cpu.setReg(11, a1);
  const t0 = performance.now();
  let stop: Stop;
  do stop = tier1 !== null ? tier1.run(BATCH) : m.run(BATCH);
  while (stop === Stop.Budget);
  const seconds = (performance.now() - t0) / 1000;
  if (stop !== Stop.Ecall || m.cpu.reg(17) !== EXIT) {
    const why = stop === Stop.Trap ? `trap vector ${m.cpu.trap.vector} error ${m.cpu.trap.error}` : `ecall a7=${m.cpu.reg(17)}`;
    throw new UserError(`bench ${p.name}: stopped at pc 0x${m.cpu.pc.toString(16)} with ${why}`);
  }
  const result = BigInt.asUintN(64, m.cpu.reg(10));
  if (expect !== undefined && result !== expect) {
    throw new UserError(`bench ${p.name}: wrong result 0x${result.toString(16)}, expected 0x${expect.toString(16)}`);
  }
  const stats = m.mmu.stats();
  return {
    program: p.name,
    description: p.what,
    instructions: m.cpu.instret,
    seconds,
    mips: m.cpu.instret / seconds / 1e6,
    result: `0x${result.toString(16)}`,
    itlb: tlbReport(stats.itlb),
    dtlb: tlbReport(stats.dtlb),
    tier: jit ? 'on' : 'off',
  };
}

export interface KernelProgram {
  name: string;
  what: string;
  /** Iterations (argv[1]) at --scale 1. */
  iterations: number;
  /** What one iteration counts as, and how many. */
  unit: 'faults' | 'forks' | 'syscalls';
  perIteration: number;
  /** A syscall whose host time is measured apart (kfaults' munmap: tearing the 64 MiB down is not faulting it in). */
  apart?: { nr: number; what: string };
}

/** Guest RAM of the kernel benchmarks: room for kfaults' 64 MiB and its page tables. */
const KERNEL_MEM_SIZE = 256 * MiB;

export const KERNEL_PROGRAMS: readonly KernelProgram[] = [
  {
    name: 'kfaults',
    what: 'demand-zero faults: mmap 64 MiB, write one word per page (16,384 faults), munmap; per round',
    iterations: 8,
    unit: 'faults',
    perIteration: 16_384,
    apart: { nr: NR.munmap, what: 'munmap' },
  },
  { name: 'kfork', what: 'fork (COW dup_mmap) + child exit + wait4, per iteration', iterations: 5_000, unit: 'forks', perIteration: 1 },
  { name: 'kgetpid', what: 'getpid in a loop: one ecall per 4 instructions', iterations: 1_000_000, unit: 'syscalls', perIteration: 1 },
];

export interface KernelBenchResult {
  program: string;
  description: string;
  iterations: number;
  unit: KernelProgram['unit'];
  /** Faults, forks or syscalls done. */
  events: number;
  seconds: number;
  eventsPerSecond: number;
  instructions: number;
  mips: number;
  /** Frames in use after the run (page cache dropped) minus after boot: 0 when nothing leaked. */
  leakedFrames: number;
  /** Host seconds inside the program's `apart` syscall, and the rate without them. */
  apart?: { syscall: string; seconds: number; eventsPerSecondWithout: number };
  /** The tier it ran under. */
  tier: Tier;
}

/** Boots a kernel, runs one k*.s program as a process to its exit, and times the run (boot excluded). */
export function runKernelBench(p: KernelProgram, image: LinkedImage, iterations: number, tlb: 'default' | 'none', jit = false): KernelBenchResult {
  const k = Kernel.boot({ memSize: KERNEL_MEM_SIZE, aslr: false, tlb: tlb === 'none' ? 'none' : undefined, jit });
  const baseline = k.mm.framesInUse();
  k.vfs.addExecutable(`/bin/${p.name}`, writeElf(image));
  const t = k.spawn(`/bin/${p.name}`, [p.name, String(iterations)], []);
  if (typeof t === 'number') throw new UserError(`bench ${p.name}: spawn failed (${t})`);
  let apartMs = 0;
  if (p.apart) {
    const inner = k.syscalls[p.apart.nr]!;
    k.syscalls[p.apart.nr] = (kk, tt, a) => {
      const s0 = performance.now();
      const ret = inner(kk, tt, a);
      apartMs += performance.now() - s0;
      return ret;
    };
  }
  const i0 = k.machine.cpu.instret;
  const t0 = performance.now();
  const r = k.run();
  const seconds = (performance.now() - t0) / 1000;
  const expected = p.unit === 'syscalls' ? iterations & 0xff : 0;
  if (r.reason !== 'exited' || r.exitCode !== expected) {
    throw new UserError(`bench ${p.name}: ended with ${r.reason}, exit code ${r.exitCode} (expected ${expected})\n${k.printk.dmesg()}`);
  }
  k.mm.dropCaches();
  const instructions = k.machine.cpu.instret - i0;
  const events = iterations * p.perIteration;
  return {
    program: p.name,
    description: p.what,
    iterations,
    unit: p.unit,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    instructions,
    mips: instructions / seconds / 1e6,
    leakedFrames: k.mm.framesInUse() - baseline,
    tier: jit ? 'on' : 'off',
    ...(p.apart ? { apart: { syscall: p.apart.what, seconds: apartMs / 1000, eventsPerSecondWithout: events / (seconds - apartMs / 1000) } } : {}),
  };
}

/** Runs kernel benchmark `name` (kfaults, kfork, kgetpid) for `iterations`, assembling its source. */
export function kernelBench(name: string, iterations: number, tlb: 'default' | 'none' = 'default'): KernelBenchResult {
  const p = KERNEL_PROGRAMS.find((q) => q.name === name);
  if (!p) throw new UserError(`no kernel benchmark '${name}'`);
  return runKernelBench(p, assembleProgram(p.name), iterations, tlb);
}

interface BenchArgs {
  json: boolean;
  tlb: unknown;
  only?: unknown;
  scale: unknown;
  warmup: boolean;
  jit: unknown;
  compare?: unknown;
  worker?: unknown;
}

const TLB_MODELS = ['default', 'none'] as const;
const PROGRAM_NAMES = [...PROGRAMS, ...KERNEL_PROGRAMS, ...C_PROGRAMS].map((p) => p.name);
const JIT_CHOICES = [...TIERS, 'both'] as const;
const COMPARE_CHOICES = ['qemu'] as const;

/** `r`, after checking that it agrees (`what`) with the same program's run under the first tier, when `done` has one. */
function sameAsFirst<R extends { program: string; tier: Tier }>(done: readonly R[], r: R, what: (x: R) => string): R {
  const first = done.find((x) => x.program === r.program);
  if (first !== undefined && what(first) !== what(r)) {
    throw new UserError(`bench ${r.program}: ${TIER_TITLES[r.tier]} gave ${what(r)}, ${TIER_TITLES[first.tier]} ${what(first)}`);
  }
  return r;
}

/** --jit's value as the tiers to run; a tier this build does not have is a usage error. */
function parseTiers(v: unknown): Tier[] {
  const choice = parseChoice('--jit', v, JIT_CHOICES);
  const tiers: Tier[] = choice === 'both' ? [...TIERS] : [choice];
  const missing = tiers.find((t) => !tierAvailable(t));
  if (missing !== undefined) throw new UserError(`--jit: '${choice}' needs ${TIER_TITLES[missing]}, which this build does not have (issue 15)`, 2);
  return tiers;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'Run the benchmark guest programs (machine: ALU loop, mul/div chain, memory stream, 64 MiB pointer chase; kernel: faults, fork, syscalls; C programs as processes, by tier, --compare qemu)',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' })
      .option('tlb', { requiresArg: true, default: 'default', describe: "TLB model: default (Skylake-like), or none (every access walks)" })
      .option('only', { array: true, requiresArg: true, describe: `Run only these programs: ${PROGRAM_NAMES.join(', ')}` })
      .option('scale', { requiresArg: true, default: 1, describe: 'Multiply every iteration count (a positive number)' })
      .option('warmup', { type: 'boolean', default: true, describe: 'Run each program briefly first so V8 has compiled the interpreter' })
      .option('jit', { requiresArg: true, default: 'off', describe: 'Tiers: off (tier 0, the interpreter), on (tier 1, compiled regions), both (every program under both, side by side)' })
      .option('compare', { requiresArg: true, describe: 'qemu: also time the C programs under qemu-riscv64 and print the ratios' })
      .option('worker', { requiresArg: true, hidden: true, describe: 'Run one C program (internal: one host process per run)' }),
  handler: (argv) => {
    // Bad values are usage errors (option-values.ts), before anything runs.
    const args = {
      json: argv.json,
      warmup: argv.warmup,
      tlb: parseChoice('--tlb', argv.tlb, TLB_MODELS),
      only: argv.only === undefined ? undefined : parseChoices('--only', argv.only, PROGRAM_NAMES),
      scale: parsePositive('--scale', argv.scale, '0.1 or 2'),
      tiers: parseTiers(argv.jit),
      compare: argv.compare === undefined ? undefined : parseChoice('--compare', argv.compare, COMPARE_CHOICES),
    };
    if (argv.worker !== undefined) {
      const name = parseChoice('--worker', argv.worker, C_PROGRAMS.map((p) => p.name));
      const run = workerRun({ name, tier: args.tiers[0]!, scale: args.scale, warmup: args.warmup });
      process.stdout.write(JSON.stringify(run) + '\n');
      return;
    }
    const wanted = (name: string): boolean => args.only === undefined || args.only.includes(name);
    // The assembly benchmarks run in this process, under each tier in turn; every tier must retire the
    // same instructions and compute the same result.
    const results: BenchResult[] = [];
    for (const p of PROGRAMS.filter((q) => wanted(q.name))) {
      const image = assembleProgram(p.name);
      const iterations = Math.max(1, Math.round(p.iterations * args.scale));
      for (const t of args.tiers) {
        if (args.warmup) runBench(p, image, Math.max(1, Math.round(iterations / 20)), args.tlb, t === 'on');
        results.push(sameAsFirst(results, runBench(p, image, iterations, args.tlb, t === 'on'), (r) => `${r.instructions} instructions, result ${r.result}`));
      }
    }
    const kernel: KernelBenchResult[] = [];
    for (const p of KERNEL_PROGRAMS.filter((q) => wanted(q.name))) {
      const image = assembleProgram(p.name);
      const iterations = Math.max(1, Math.round(p.iterations * args.scale));
      for (const t of args.tiers) {
        if (args.warmup) runKernelBench(p, image, Math.max(1, Math.round(iterations / 8)), args.tlb, t === 'on');
        kernel.push(sameAsFirst(kernel, runKernelBench(p, image, iterations, args.tlb, t === 'on'), (r) => `${r.instructions} instructions`));
      }
    }
    const cPrograms = C_PROGRAMS.filter((q) => wanted(q.name));
    const c = cPrograms.length === 0 ? null : runCBench(cPrograms, { tiers: args.tiers, scale: args.scale, warmup: args.warmup, compareQemu: args.compare === 'qemu' });
    if (args.json) {
      process.stdout.write(JSON.stringify({ tlb: args.tlb, node: process.version, results, kernel, c }, null, 2) + '\n');
    } else {
      if (results.length > 0) process.stdout.write(machineTable(results, args.tlb === 'none' ? 'none' : 'Skylake-like', args.tiers));
      if (kernel.length > 0) process.stdout.write(kernelTable(kernel, args.tiers));
      if (c !== null) process.stdout.write(cTable(c));
    }
  },
};
