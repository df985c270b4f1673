// `vmlab run PROG [ARGS...]`: boots the kernel, puts the program in the VFS
// as /bin/<name>, runs it as the first process with argv[0] = <name> and a
// small environment, forwards its stdout/stderr to the host's, and exits
// with its exit status (128 + signal when a signal killed it, as a shell
// reports it). PROG is a RISC-V ELF executable or one or more assembly
// sources (.s/.S), assembled by vmlab's assembler on the fly; options come
// before PROG, everything after PROG (or after `--`) belongs to the guest.
import { readSync, readdirSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { Argv, CommandModule } from 'yargs';
import { assemble, formatDiagnostic } from '../../asm/assembler';
import type { SourceFile } from '../../asm/assembler';
import { writeElf } from '../../asm/elf-write';
import { Kernel } from '../../kernel-ts/kernel';
import type { KernelOptions, RunResult } from '../../kernel-ts/kernel';
import type { Vfs } from '../../kernel-ts/fs/vfs';
import type { SleepReason, Task } from '../../kernel-ts/proc/task';
import { errnoName } from '../../kernel-ts/errno';
import { execFailureText } from '../../kernel-ts/proc/execve';
import { Trace, unknownEventsMessage, unknownTraceSpecs } from '../../kernel-ts/trace';
import type { KernelMm } from '../../kernel-ts/mm/kernel-mm';
import type { MmStruct } from '../../kernel-ts/mm/mm-struct';
import { FAULT_KIND_NAMES, NR_FAULT_KINDS } from '../../kernel-ts/mm/mm-struct';
import { pfWords } from '../machine/trap';
import { readHostBytes } from '../../host/files';
import { unsupportedIsaNotice } from './elf-notice';
import { UserError } from './errors';
import { writeFd } from './output';
import { parseInteger } from './option-values';
import { KERNEL_VALUE_OPTIONS, kernelOptions, kernelOptionsFrom, parseOptionWords, splitCommandWords } from './kernel-options';
import type { KernelArgs } from './kernel-options';
import { guestProgramsDir } from './paths';

const KiB = 1024;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
/** Exit status when --max-insns stops the run (as timeout(1) reports a timeout). */
export const EXIT_MAX_INSNS = 124;
/**
 * Exit status when PROG's process could never run again (every task asleep,
 * nothing to wake it): the same as a timeout, since under Linux the program
 * would wait until one came (timeout(1) would report 124), and not the 137
 * of the SIGKILL with which the kernel ends the tasks, which nobody sent.
 */
export const EXIT_DEADLOCK = 124;

export interface RunArgs extends KernelArgs {
  prog: string;
  args: string[];
  maxInsns?: unknown;
  trace?: string;
  traceStack: boolean;
  dmesg: boolean;
  stats: boolean;
}

const EPILOGUE = [
  'PROG is an ELF executable or assembly sources (a.s b.s ...); the guest sees it as /bin/NAME.',
  'Options go before PROG; everything after PROG belongs to the guest (`--` also ends vmlab\'s options).',
  'Exit status: the guest\'s, 128+N when signal N killed it, 124 when --max-insns stopped it or it',
  'could never run again (every task asleep with nothing to wake it: a deadlock, said on stderr).',
  'Trace events: kmem:kmalloc, kmem:kfree, kmem:mm_page_alloc, kmem:mm_page_free,',
  'exceptions:page_fault_user, tlb:tlb_flush, syscalls (sys_enter/sys_exit), a group name, or all.',
].join('\n');

/** The run options (shared by the command's help and the parse of the words before PROG). */
function runOptions<T>(y: Argv<T>): Argv<T> {
  return kernelOptions(y)
    .option('max-insns', { requiresArg: true, describe: 'stop after this many guest instructions (exit status 124)' })
    .option('trace', { type: 'string', describe: 'comma-separated trace events, printed to stderr as trace_pipe' })
    .option('trace-stack', { type: 'boolean', default: false, describe: 'a kernel stack with each trace event' })
    .option('dmesg', { type: 'boolean', default: false, describe: 'print the kernel log to stderr at exit' })
    .option('stats', { type: 'boolean', default: false, describe: 'instructions, MIPS, faults, TLB and frames to stderr at exit' })
    .option('gdb', { requiresArg: true, describe: 'wait for gdb on 127.0.0.1:PORT (as qemu -g; 0: any free port, printed on stderr) and run under its control' });
}

/** Options that take a value as the next word (unless written --name=value). */
const VALUE_OPTIONS = new Set([...KERNEL_VALUE_OPTIONS, 'max-insns', 'maxInsns', 'trace', 'gdb']);

export const runCommand: CommandModule = {
  command: 'run [prog] [args..]',
  describe: 'Run a RISC-V program (ELF or .s sources) on the vmlab kernel',
  // Stop parsing at the command: the words after `run` are split here, so a
  // guest argument that looks like a vmlab option reaches the guest.
  builder: (y) => runOptions(y.parserConfiguration({ 'halt-at-non-option': true })).epilogue(EPILOGUE),
  handler: async () => {
    // The words after `run`, exactly as the shell gave them (yargs has stopped parsing at the command).
    const raw = hideBin(process.argv);
    const { options, prog, rest } = splitCommandWords(raw.slice(raw.indexOf('run') + 1), VALUE_OPTIONS);
    if (options.includes('--help') || options.includes('-h')) {
      runOptions(yargs([]))
        .usage('vmlab run [options] PROG [ARGS...]\n\nRun a RISC-V program (ELF or .s sources) on the vmlab kernel')
        .epilogue(EPILOGUE)
        .wrap(Math.min(100, process.stdout.columns || 100))
        .showHelp((text) => process.stdout.write(`${text}\n`));
      return;
    }
    if (prog === null) throw new UserError('run: give a program (an ELF file or .s sources); see vmlab run --help', 2);
    const parsed = parseOptionWords('run', options, runOptions) as Omit<RunArgs, 'prog' | 'args'> & { gdb?: unknown };
    if (parsed.gdb !== undefined) {
      // As `vmlab debug --gdb PORT` (debug.ts, loaded only here: it imports this file).
      const clash = parsed.maxInsns !== undefined ? '--max-insns' : parsed.trace !== undefined ? '--trace' : parsed.dmesg ? '--dmesg' : parsed.stats ? '--stats' : null;
      if (clash !== null) throw new UserError(`run: ${clash} does not go with --gdb`, 2);
      const { debugProgram } = await import('./debug');
      // Tier 1 off unless asked for, as under `vmlab debug` (the stub records from the start).
      const jit = options.some((w) => w === '--jit' || w.startsWith('--jit=')) ? parsed.jit : 'off';
      process.exitCode = await debugProgram({ ...parsed, jit, x: [], ex: [], insmod: [], batch: false, gdb: parsed.gdb }, prog, rest);
      return;
    }
    process.exitCode = runProgram({ ...parsed, prog, args: rest });
  },
};

/** The bytes of host file `path` (host/files.ts: a regular file, bounded); a UserError saying why not. */
function readHostFile(path: string, expected: string): Uint8Array {
  const r = readHostBytes(path, expected);
  if (!r.ok) throw new UserError(`${path}: ${r.reason}`);
  return r.value;
}

const isSource = (p: string): boolean => /\.(s|S|asm)$/.test(p);
const isElf = (b: Uint8Array): boolean => ELF_MAGIC.every((x, i) => b[i] === x);

/** The guest runtime library's sources (guest-programs/lib/*.s), or [] while there is none. */
function runtimeLibrary(): string[] {
  let dir: string;
  try {
    dir = guestProgramsDir('lib');
  } catch {
    return [];
  }
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(isSource).sort().map((f) => join(dir, f));
}

/** Where the program came from and what the guest is given. */
export interface LoadedProgram {
  /** The guest's name: /bin/<name>, argv[0], comm. */
  name: string;
  elf: Uint8Array;
  /** The guest's arguments after argv[0]. */
  args: string[];
}

/**
 * Turns PROG [ARGS...] into an ELF: an ELF file is taken as it is; leading
 * .s files are assembled together (with the runtime library when they have
 * no _start and the library exists). Assembler diagnostics go to stderr as
 * FILE:LINE:COL; failures are UserErrors.
 */
export function loadProgram(prog: string, rest: string[], stderr: (s: string) => void): LoadedProgram {
  if (isSource(prog)) {
    const sources = [prog];
    let i = 0;
    while (i < rest.length && isSource(rest[i]!) && rest[i] !== '--') sources.push(rest[i++]!);
    const args = rest.slice(i);
    if (args[0] === '--') args.shift();
    const name = basename(prog).replace(/\.(s|S|asm)$/, '');
    return { name, elf: assembleSources(sources, stderr), args };
  }
  const bytes = readHostFile(prog, 'an ELF executable or an assembly source (.s)');
  if (!isElf(bytes)) throw new UserError(`${prog}: not an ELF executable or an assembly source (.s)`);
  const notice = unsupportedIsaNotice(basename(prog), bytes);
  if (notice !== null) stderr(`${notice}\n`);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  return { name: basename(prog), elf: bytes, args };
}

function assembleSources(paths: string[], stderr: (s: string) => void): Uint8Array {
  const read = (p: string): SourceFile => ({ path: p, text: new TextDecoder().decode(readHostFile(p, 'an assembly source (.s)')) });
  const files = paths.map(read);
  const report = (diags: Parameters<typeof formatDiagnostic>[0][]): void => {
    if (diags.length > 0) stderr(diags.map((d) => formatDiagnostic(d)).join('\n') + '\n');
  };
  // Alone first: a program with its own _start needs nothing else. One that
  // has no _start, or only misses symbols the library may define, is
  // assembled again together with the runtime library (whose _start calls main).
  let r = assemble(files, { requireEntry: false });
  // (the assembler's "too many errors" note only means more of the same)
  const onlyUndefined =
    !r.ok && r.diagnostics.every((d) => d.severity !== 'error' || /^(undefined symbol|too many errors)/.test(d.message));
  const hasStart = r.ok && r.image.symbols.some((s) => s.name === '_start' && s.binding === 'global');
  if (!hasStart && (r.ok || onlyUndefined)) {
    const lib = runtimeLibrary();
    if (lib.length === 0) {
      if (!r.ok) report(r.diagnostics);
      throw new UserError(`${paths.join(' ')}: no global _start (the entry point), and no guest runtime library in guest-programs/lib to supply one`);
    }
    const withLib = assemble([...files, ...lib.map(read)], { requireEntry: true });
    if (withLib.ok) r = withLib;
    else if (r.ok)
      throw new UserError(`${paths.join(' ')}: defines neither a global _start nor main (the runtime library's _start calls main)`);
    // else: the library did not help; report the program's own errors below.
  }
  if (!r.ok) {
    report(r.diagnostics);
    throw new UserError(`${paths.join(' ')}: assembly failed`);
  }
  report(r.diagnostics);
  return writeElf(r.image);
}

/** The guest's environment: a small, host-independent one (TERM from the host if set). */
export function guestEnvironment(): string[] {
  return ['PATH=/bin', 'HOME=/', `TERM=${process.env.TERM ?? 'dumb'}`];
}

/** The host's stdin as the console's input: chunks as they come, null at EOF. */
function hostStdin(): () => Uint8Array | null {
  let eof = false;
  const buf = new Uint8Array(64 * KiB);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return () => {
    while (!eof) {
      try {
        const n = readSync(0, buf, 0, buf.length, null);
        if (n === 0) break;
        return buf.slice(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN') break;
        Atomics.wait(pause, 0, 0, 10);
      }
    }
    eof = true;
    return null;
  };
}

/** `PROG: cannot execute (EPERM)`, and why when the kernel can say (a segment below vm.mmap_min_addr). */
export function cannotExecute(k: Kernel, prog: string, path: string, err: number): string {
  const why = execFailureText(k, path, err);
  return `${prog}: cannot execute (${errnoName(err)})${why === null ? '' : `: ${why}`}`;
}

/** Runs the program; returns the exit status for the host. */
export function runProgram(argv: RunArgs): number {
  const stderr = (s: string): void => writeFd(2, s);
  const unknownEvents = argv.trace === undefined ? [] : unknownTraceSpecs(argv.trace);
  if (unknownEvents.length > 0) throw new UserError(`run: --trace: ${unknownEventsMessage(unknownEvents)}`, 2);
  const prog = loadProgram(argv.prog, argv.args ?? [], stderr);
  const opts: KernelOptions = {
    ...kernelOptionsFrom(argv),
    maxInsns: argv.maxInsns === undefined ? undefined : parseInteger('--max-insns', argv.maxInsns, { min: 1 }),
    stdout: (b) => writeFd(1, b),
    stderr: (b) => writeFd(2, b),
    ttys: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
    stdin: hostStdin(),
  };
  const k = Kernel.boot(opts);
  const stats = argv.stats ? new RunStats(k) : null;
  // The user's events go to stderr; --stats also listens to page faults (error codes) without printing them.
  const shown = new Trace(() => 0, () => null);
  if (argv.trace) {
    shown.enable(argv.trace);
    k.trace.enable(argv.trace);
    k.trace.stacktrace = argv.traceStack;
  }
  if (stats) k.trace.enable(PAGE_FAULT_EVENT);
  k.trace.sink = (line, rec) => {
    if (rec.event === PAGE_FAULT_EVENT) stats?.countFault(rec.text);
    if (shown.enabled(rec.event)) stderr(line + '\n');
  };
  (k.vfs as unknown as Vfs).addExecutable(`/bin/${prog.name}`, prog.elf);
  const t0 = performance.now();
  const task = k.spawn(`/bin/${prog.name}`, [prog.name, ...prog.args], guestEnvironment());
  if (typeof task === 'number') {
    if (argv.dmesg) stderr(k.printk.dmesg());
    throw new UserError(cannotExecute(k, argv.prog, `/bin/${prog.name}`, task));
  }
  // Every process, for the deadlock report (the kernel's fork hook; nothing else uses it in a run).
  const tasks: Task[] = [task];
  k.onFork = (_parent, child) => void tasks.push(child);
  // First until PROG's own process ends (a deadlock then kills only what it left behind), then the rest.
  let r = k.runUntil(() => !task.isAlive);
  const deadlockedProg = r.reason === 'deadlock';
  if (r.reason === 'stopped') r = k.run();
  const seconds = (performance.now() - t0) / 1000;
  if (argv.dmesg) stderr(k.printk.dmesg());
  if (stats) stderr(stats.format(r, seconds));
  if (r.reason === 'maxInsns') {
    stderr(`vmlab: stopped after ${r.instructions} instructions (--max-insns)\n`);
    return EXIT_MAX_INSNS;
  }
  if (r.reason === 'deadlock') {
    stderr(`vmlab: ${deadlockText(tasks, r.instructions)}\n`);
    if (deadlockedProg) return EXIT_DEADLOCK;
  }
  return r.exitCode ?? 1;
}

/** How many sleeping tasks the deadlock line names before it only counts. */
const DEADLOCK_NAMED = 4;

/**
 * The one line for a run that could never go on: every task asleep with
 * nothing to wake it (Kernel.runUntil then kills them all). The tasks the
 * kernel killed are those that died asleep (a task that woke cleared its
 * sleep reason), each named with what it waits for.
 */
function deadlockText(tasks: readonly Task[], instructions: number): string {
  const asleep = tasks.filter((t) => !t.isAlive && t.sleep.kind !== 'none');
  const named = asleep.slice(0, DEADLOCK_NAMED).map((t) => `${t.comm}[${t.pid}] ${sleepText(t.sleep)}`);
  if (asleep.length > DEADLOCK_NAMED) named.push(`${asleep.length - DEADLOCK_NAMED} more`);
  return `deadlock: every task is asleep with nothing to wake it (${named.join(', ')}); killed after ${instructions} instructions`;
}

/** Where a task sleeps, as the system call that put it to sleep (wchan, near enough). */
function sleepText(s: SleepReason): string {
  switch (s.kind) {
    case 'child': return 'in wait4';
    case 'signal': return 'in rt_sigsuspend';
    case 'queue': return `on wait queue ${s.name}`;
    case 'timer': return 'in nanosleep';
    case 'none': return 'running';
  }
}

const pct = (num: number, den: number): string => (den === 0 ? '-' : `${((100 * num) / den).toFixed(2)}%`);
const PAGE_FAULT_EVENT = 'exceptions:page_fault_user';

/**
 * What --stats reports: instructions and MIPS, user page faults by error code
 * (from the page_fault_user tracepoint) and by what the fault handler did
 * (each mm's FaultKind counters, collected as the mm goes away), TLB
 * statistics, tier 1's compile statistics (--jit), and frames in use after
 * boot and at the end.
 */
class RunStats {
  private readonly byError = new Map<number, number>();
  private readonly byKind = new Float64Array(NR_FAULT_KINDS);
  private readonly framesAfterBoot: number;

  constructor(private readonly k: Kernel) {
    this.framesAfterBoot = k.mm.framesInUse();
    const kmm = k.mm as unknown as KernelMm;
    const exitMmap = kmm.exitMmap.bind(kmm);
    kmm.exitMmap = (mm: MmStruct): void => {
      for (let i = 0; i < NR_FAULT_KINDS; i++) this.byKind[i]! += mm.faultCounts[i]!;
      exitMmap(mm);
    };
  }

  countFault(text: string): void {
    const m = /error_code=0x([0-9a-f]+)/.exec(text);
    if (m) {
      const code = parseInt(m[1]!, 16);
      this.byError.set(code, (this.byError.get(code) ?? 0) + 1);
    }
  }

  format(r: RunResult, seconds: number): string {
    const lines: string[] = ['--- vmlab stats ---'];
    lines.push(`instructions: ${r.instructions}`);
    lines.push(`seconds: ${seconds.toFixed(3)}`);
    lines.push(`MIPS: ${seconds > 0 ? (r.instructions / seconds / 1e6).toFixed(1) : '-'}`);
    const total = [...this.byError.values()].reduce((a, b) => a + b, 0);
    lines.push(`page faults: ${total}`);
    for (const [code, n] of [...this.byError].sort((a, b) => a[0] - b[0]))
      lines.push(`  error 0x${code.toString(16)} (${pfWords(code)}): ${n}`);
    for (let i = 0; i < NR_FAULT_KINDS; i++) if (this.byKind[i]! > 0) lines.push(`  ${FAULT_KIND_NAMES[i]}: ${this.byKind[i]}`);
    const tlb = this.k.machine.mmu.stats();
    for (const [name, s] of [['ITLB', tlb.itlb], ['DTLB', tlb.dtlb]] as const) {
      lines.push(`${name}: ${s.lookups} lookups, ${pct(s.hits, s.lookups)} hits, ${s.misses} misses, ${s.walks} walks`);
      const flushes = Object.entries(s.flushes).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`);
      if (flushes.length > 0) lines.push(`${name} flushes: ${flushes.join(', ')}`);
    }
    const jit = this.k.tier1;
    if (jit !== null) {
      const j = jit.stats;
      lines.push(`tier 1: ${j.regions} regions compiled (${j.regionInsns} instructions), ${j.compileMs.toFixed(1)} ms compiling, ${j.wasmBytes} bytes of wasm, ${pct(j.regionRetired, r.instructions)} of instructions in regions`);
    } else lines.push('tier 1: off');
    lines.push(`frames in use: ${this.framesAfterBoot} after boot, ${this.k.mm.framesInUse()} at exit`);
    return lines.join('\n') + '\n';
  }
}
