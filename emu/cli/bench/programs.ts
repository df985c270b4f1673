// The C benchmark programs of `vmlab bench` (guest-programs/bench/c, shipped
// prebuilt in guest-programs/bench/bin): each runs as a process on the
// kernel, under each execution tier the run asks for, in a fresh host
// process of its own (runIsolated) so that its peak RSS is its own. What is
// measured: instructions retired, wall-clock and CPU seconds of the run
// (boot and loading excluded), MIPS per CPU second, the host's peak RSS and
// the guest's touched memory (the process's peak resident set, VmHWM),
// against issue 15's memory target.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readHostBytes } from '../../../host/files';
import { Kernel } from '../../../kernel-ts/kernel';
import type { KernelOptions } from '../../../kernel-ts/kernel';
import { PAGE_SIZE } from '../../machine/mmu/paging';
import type { Tier1Stats } from '../../machine/jit/tier1';
import { UserError } from '../errors';
import { guestProgramsDir } from '../paths';

const MiB = 1024 * 1024;

export interface CProgram {
  /** The benchmark's name (--only); the ELF is guest-programs/bench/bin/<bin>. */
  name: string;
  bin: string;
  what: string;
  /** The guest's arguments at --scale `scale` (1: about 1-3 s under qemu-riscv64). */
  argv(scale: number): string[];
}

/** n * scale, rounded, at least 1. */
const scaled = (n: number, scale: number): string => String(Math.max(1, Math.round(n * scale)));
/** A memory size in MiB: fixed from scale 1 up, shrinking with a smaller scale (tests run tiny sizes). */
const mib = (n: number, scale: number): string => scaled(n, Math.min(1, scale));

export const C_PROGRAMS: readonly CProgram[] = [
  { name: 'c-alu', bin: 'alu', what: '64-bit ALU loop: add, xor, shifts, rotates, a data-dependent branch', argv: (s) => [scaled(150_000_000, s)] },
  { name: 'c-muldiv', bin: 'muldiv', what: 'mul/div chain: mul, mulh[s]u, div[u], rem[u], mulw, divw, remw', argv: (s) => [scaled(45_000_000, s)] },
  { name: 'c-calls', bin: 'calls', what: 'recursion and indirect calls through a table of function pointers', argv: (s) => [scaled(800, s)] },
  { name: 'c-mix', bin: 'mix', what: 'CoreMark-like mix: list, matrix, state machine, CRC-16', argv: (s) => [scaled(60_000, s)] },
  { name: 'c-stream', bin: 'stream', what: 'memory stream: mmap 64 MiB, fault it in, copy/scale/add passes', argv: (s) => [mib(64, s), scaled(36, s)] },
  { name: 'c-chase', bin: 'chase', what: 'pointer chase: one node per 4K page over 256 MiB, random cycle', argv: (s) => [mib(256, s), scaled(2_000_000, s)] },
];

/**
 * The execution tiers --jit chooses from: off is tier 0 (the interpreter),
 * on is tier 1 (issue 15's WebAssembly JIT).
 */
export const TIERS = ['off', 'on'] as const;
export type Tier = (typeof TIERS)[number];
export const TIER_TITLES: Record<Tier, string> = { off: 'tier 0 (interpreter)', on: 'tier 1 (JIT)' };

/**
 * The kernel options that select each tier; null where this build has no
 * such tier (--jit then refuses it). Tier 1 plugs in here, and nowhere else:
 * its entry becomes the option that turns the JIT on, and tier 0's the one
 * that turns it off (when the JIT is on by default).
 */
const TIER_BOOT: Record<Tier, Partial<KernelOptions> | null> = {
  off: { jit: false },
  on: { jit: true },
};

export function tierAvailable(t: Tier): boolean {
  return TIER_BOOT[t] !== null;
}

export function findCProgram(name: string): CProgram {
  const p = C_PROGRAMS.find((q) => q.name === name);
  if (!p) throw new UserError(`no C benchmark '${name}'`);
  return p;
}

/** The absolute path of p's prebuilt ELF. */
export function cProgramPath(p: CProgram): string {
  return join(guestProgramsDir('bench'), 'bin', p.bin);
}

export interface TierRun {
  tier: Tier;
  /** What the guest wrote to stdout (its checksum line). */
  output: string;
  instructions: number;
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** CPU seconds of the host process during the run (user + system, every thread): what a busy shared machine inflates least. */
  cpuSeconds: number;
  /** Millions of instructions per CPU second. */
  mips: number;
  /** The guest process's peak resident set (VmHWM), in bytes. */
  touchedBytes: number;
  /** The host process's peak RSS (getrusage ru_maxrss), in bytes; null when the run shared its process with others. */
  peakRssBytes: number | null;
  /** Tier 1's compile and run counts for the timed run (absent under tier 0, and in reports recorded before they were kept). */
  jit?: JitRun;
}

/** Tier 1's counts for one run: Tier1Stats, the chained exits and the accesses left to the interpreter. */
export interface JitRun extends Tier1Stats {
  chains: number;
  loadMisses: number;
  storeMisses: number;
}

/** Guest RAM of the C benchmarks: room for the 256 MiB chase and the kernel (RAM is lazily backed). */
const C_MEM_SIZE = 1024 * MiB;

/**
 * Boots a kernel in the tier's mode, runs p with `argv` as a process to its
 * exit and times the run (boot and loading excluded). Throws UserError when
 * the program does not exit with status 0.
 */
export function runCProgram(p: CProgram, argv: string[], tier: Tier): TierRun {
  const boot = TIER_BOOT[tier];
  if (boot === null) throw new UserError(`bench: this build has no ${TIER_TITLES[tier]}`);
  const path = cProgramPath(p);
  const elf = readHostBytes(path, 'a prebuilt benchmark ELF');
  if (!elf.ok) throw new UserError(`${path}: ${elf.reason}`);
  const out: Uint8Array[] = [];
  const k = Kernel.boot({ memSize: C_MEM_SIZE, aslr: false, ...boot, stdout: (b) => void out.push(b.slice()), stderr: (b) => void out.push(b.slice()) });
  k.vfs.addExecutable(`/bin/${p.bin}`, elf.value);
  const t = k.spawn(`/bin/${p.bin}`, [p.bin, ...argv], []);
  if (typeof t === 'number') throw new UserError(`bench ${p.name}: spawn failed (${t})`);
  const mm = t.mm!;
  // The resident set sampled between time slices; VmHWM covers the faults in between.
  let peakPages = 0;
  const i0 = k.machine.cpu.instret;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = k.runUntil(() => {
    if (mm.rss > peakPages) peakPages = mm.rss;
    return false;
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const output = Buffer.concat(out).toString('utf8');
  if (r.reason !== 'exited' || r.exitCode !== 0) {
    throw new UserError(`bench ${p.name}: ${p.bin} ${argv.join(' ')} ended with ${r.reason}, exit code ${r.exitCode}: ${output.trim()}`);
  }
  const instructions = k.machine.cpu.instret - i0;
  return {
    tier,
    output,
    instructions,
    seconds,
    cpuSeconds,
    mips: instructions / cpuSeconds / 1e6,
    touchedBytes: Math.max(peakPages, mm.hiwaterRss) * PAGE_SIZE,
    peakRssBytes: null,
    ...(k.tier1 === null
      ? {}
      : { jit: { ...k.tier1.stats, chains: k.tier1.chains, loadMisses: k.tier1.misses.loads, storeMisses: k.tier1.misses.stores } }),
  };
}

/** What the worker (`vmlab bench --worker NAME`) is told. */
export interface WorkerRequest {
  name: string;
  tier: Tier;
  scale: number;
  warmup: boolean;
}

/** The tiny sizes of the warm-up run: the interpreter compiled by V8 before the timed run, at no cost in RSS. */
const WARMUP_SCALE = 1e-4;

/** The worker's side: an optional tiny warm-up, the run, and this process's peak RSS. */
export function workerRun(req: WorkerRequest): TierRun {
  const p = findCProgram(req.name);
  if (req.warmup) runCProgram(p, p.argv(WARMUP_SCALE), req.tier);
  const run = runCProgram(p, p.argv(req.scale), req.tier);
  // ru_maxrss is in KiB on Linux.
  return { ...run, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/**
 * Runs one program under one tier in a fresh host process (this vmlab, as
 * `vmlab bench --worker`), so the peak RSS it reports is that run's alone.
 */
export function runIsolated(req: WorkerRequest): TierRun {
  const script = process.argv[1];
  if (script === undefined) throw new UserError('bench: cannot find the vmlab script to run a worker');
  const args = [...process.execArgv, script, 'bench', '--worker', req.name, '--jit', req.tier, '--scale', String(req.scale)];
  if (!req.warmup) args.push('--no-warmup');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * MiB });
  if (r.status !== 0) {
    const why = r.stderr.trim() || r.error?.message || `exit status ${r.status}`;
    throw new UserError(`bench ${req.name} (${TIER_TITLES[req.tier]}): ${why.replace(/^vmlab: /, '')}`);
  }
  return JSON.parse(r.stdout) as TierRun;
}

/** Issue 15's memory target: the host's peak RSS at most 1.2x the guest's touched memory plus 100 MiB. */
export function rssTarget(touchedBytes: number): number {
  return 1.2 * touchedBytes + 100 * MiB;
}
