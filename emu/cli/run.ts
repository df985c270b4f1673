// `vmlab run PROG [ARGS...]`: boots the kernel, puts the program in the VFS
// as /bin/<name>, runs it as the first process with argv[0] = <name> and a
// small environment, forwards its stdout/stderr to the host's, and exits
// with its exit status (128 + signal when a signal killed it, as a shell
// reports it). PROG is a RISC-V ELF executable or one or more assembly
// sources (.s/.S), assembled by vmlab's assembler on the fly; options come
// before PROG, everything after PROG (or after `--`) belongs to the guest.
import { readFileSync, readSync, writeSync, readdirSync, existsSync } from 'node:fs';
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
import { errnoName } from '../../kernel-ts/errno';
import { Trace } from '../../kernel-ts/trace';
import type { KernelMm } from '../../kernel-ts/mm/kernel-mm';
import type { MmStruct } from '../../kernel-ts/mm/mm-struct';
import { FAULT_KIND_NAMES, NR_FAULT_KINDS } from '../../kernel-ts/mm/mm-struct';
import { PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W } from '../machine/trap';
import { UserError } from './errors';
import { guestProgramsDir } from './paths';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** Guest RAM bounds for --mem: enough for page tables and a process; at most what a JS ArrayBuffer holds comfortably. */
export const MIN_MEM = 16 * MiB;
export const MAX_MEM = 16 * GiB;
export const DEFAULT_MEM = 1 * GiB;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
/** Exit status when --max-insns stops the run (as timeout(1) reports a timeout). */
export const EXIT_MAX_INSNS = 124;

export interface RunArgs {
  prog: string;
  args: string[];
  mem: string;
  paging: number;
  tlb: string;
  aslr: boolean;
  shuffle: boolean;
  seed: number;
  maxInsns?: number;
  trace?: string;
  traceStack: boolean;
  dmesg: boolean;
  stats: boolean;
}

const EPILOGUE = [
  'PROG is an ELF executable or assembly sources (a.s b.s ...); the guest sees it as /bin/NAME.',
  'Options go before PROG; everything after PROG belongs to the guest (`--` also ends vmlab\'s options).',
  'Exit status: the guest\'s, 128+N when signal N killed it, 124 when --max-insns stopped it.',
  'Trace events: kmem:kmalloc, kmem:kfree, kmem:mm_page_alloc, kmem:mm_page_free,',
  'exceptions:page_fault_user, tlb:tlb_flush, syscalls (sys_enter/sys_exit), a group name, or all.',
].join('\n');

/** The run options (shared by the command's help and the parse of the words before PROG). */
function runOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('mem', { type: 'string', default: '1G', describe: 'guest RAM (e.g. 64M, 1G)' })
    .option('paging', { type: 'number', choices: [4, 5], default: 4, describe: 'paging levels (5 = LA57)' })
    .option('tlb', { type: 'string', choices: ['default', 'none'], default: 'default', describe: 'TLB model' })
    .option('aslr', { type: 'boolean', default: true, describe: 'randomize stack, mmap base and brk (--no-aslr: off)' })
    .option('shuffle', { type: 'boolean', default: true, describe: 'hand out page frames in shuffled order, as on a long-running system (--no-shuffle: address order)' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of every random choice (ASLR, AT_RANDOM, getrandom)' })
    .option('max-insns', { type: 'number', describe: 'stop after this many guest instructions' })
    .option('trace', { type: 'string', describe: 'comma-separated trace events, printed to stderr as trace_pipe' })
    .option('trace-stack', { type: 'boolean', default: false, describe: 'a kernel stack with each trace event' })
    .option('dmesg', { type: 'boolean', default: false, describe: 'print the kernel log to stderr at exit' })
    .option('stats', { type: 'boolean', default: false, describe: 'instructions, MIPS, faults, TLB and frames to stderr at exit' });
}

/** Options that take a value as the next word (unless written --name=value). */
const VALUE_OPTIONS = new Set(['mem', 'paging', 'tlb', 'seed', 'max-insns', 'maxInsns', 'trace']);

/**
 * Splits the words after `run` into vmlab's options, PROG and the guest's
 * words: options end at the first word that is not one (or at `--`), and
 * everything after PROG goes to the guest verbatim.
 */
export function splitRunWords(words: string[]): { options: string[]; prog: string | null; rest: string[] } {
  let i = 0;
  const options: string[] = [];
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    const name = w.replace(/^--?/, '').split('=')[0]!;
    const takesValue = VALUE_OPTIONS.has(name) && !w.includes('=');
    options.push(...words.slice(i, i + (takesValue ? 2 : 1)));
    i += takesValue ? 2 : 1;
  }
  return { options, prog: words[i] ?? null, rest: words.slice(i + 1) };
}

export const runCommand: CommandModule = {
  command: 'run [prog] [args..]',
  describe: 'Run a RISC-V program (ELF or .s sources) on the vmlab kernel',
  // Stop parsing at the command: the words after `run` are split here, so a
  // guest argument that looks like a vmlab option reaches the guest.
  builder: (y) => runOptions(y.parserConfiguration({ 'halt-at-non-option': true })).epilogue(EPILOGUE),
  handler: () => {
    // The words after `run`, exactly as the shell gave them (yargs has stopped parsing at the command).
    const raw = hideBin(process.argv);
    const { options, prog, rest } = splitRunWords(raw.slice(raw.indexOf('run') + 1));
    if (options.includes('--help') || options.includes('-h')) {
      runOptions(yargs([]))
        .usage('vmlab run [options] PROG [ARGS...]\n\nRun a RISC-V program (ELF or .s sources) on the vmlab kernel')
        .epilogue(EPILOGUE)
        .wrap(Math.min(100, process.stdout.columns || 100))
        .showHelp((text) => process.stdout.write(`${text}\n`));
      return;
    }
    if (prog === null) throw new UserError('run: give a program (an ELF file or .s sources); see vmlab run --help', 2);
    process.exitCode = runProgram({ ...parseRunOptions(options), prog, args: rest });
  },
};

/** yargs over the option words alone; mistakes become UserErrors (exit 2). */
function parseRunOptions(words: string[]): Omit<RunArgs, 'prog' | 'args'> {
  let failure: string | null = null;
  const parsed = runOptions(yargs(words))
    .strict()
    .help(false)
    .version(false)
    .fail((msg) => {
      failure = msg;
    })
    .parseSync();
  if (failure !== null) throw new UserError(`run: ${failure}`, 2);
  if (parsed._.length > 0) throw new UserError(`run: unexpected '${parsed._[0]}' among the options`, 2);
  return parsed as unknown as Omit<RunArgs, 'prog' | 'args'>;
}

/** Parses a size: bytes, or a number with K/M/G (KiB, MiB, GiB), e.g. 64M. */
export function parseMemSize(s: string): number {
  const m = /^\s*(\d+)\s*([kKmMgG]?)(i?[bB])?\s*$/.exec(s);
  if (!m) throw new UserError(`--mem: '${s}' is not a size (use e.g. 64M or 1G)`);
  const unit = { '': 1, k: KiB, m: MiB, g: GiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = Number(m[1]) * unit;
  if (bytes % (4 * KiB) !== 0) throw new UserError(`--mem: ${s} is not a multiple of 4 KiB`);
  if (bytes < MIN_MEM || bytes > MAX_MEM) throw new UserError(`--mem: ${s} is outside 16M..16G`);
  return bytes;
}

function readHostFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'error'})`}`);
  }
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
  const bytes = readHostFile(prog);
  if (!isElf(bytes)) throw new UserError(`${prog}: not an ELF executable or an assembly source (.s)`);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  return { name: basename(prog), elf: bytes, args };
}

function assembleSources(paths: string[], stderr: (s: string) => void): Uint8Array {
  const read = (p: string): SourceFile => ({ path: p, text: new TextDecoder().decode(readHostFile(p)) });
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

/** SIGPIPE's number: when the host closes our output, vmlab ends as a writer killed by SIGPIPE does. */
const SIGPIPE = 13;

function writeAllSync(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      // `vmlab run prog | head`: the reader is gone, so is the run (exit status 128 + SIGPIPE, as a shell shows it).
      if (code === 'EPIPE') process.exit(128 + SIGPIPE);
      throw e;
    }
  }
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

/** Runs the program; returns the exit status for the host. */
export function runProgram(argv: RunArgs): number {
  const stderr = (s: string): void => writeAllSync(2, new TextEncoder().encode(s));
  const prog = loadProgram(argv.prog, argv.args ?? [], stderr);
  const opts: KernelOptions = {
    memSize: parseMemSize(argv.mem),
    paging: argv.paging === 5 ? 5 : 4,
    tlb: argv.tlb === 'none' ? 'none' : undefined,
    aslr: argv.aslr,
    shufflePages: argv.shuffle,
    seed: checkInteger('--seed', argv.seed, 0),
    maxInsns: argv.maxInsns === undefined ? undefined : checkInteger('--max-insns', argv.maxInsns, 1),
    stdout: (b) => writeAllSync(1, b),
    stderr: (b) => writeAllSync(2, b),
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
    throw new UserError(`${argv.prog}: cannot execute (${errnoName(task)})`);
  }
  const r = k.run();
  const seconds = (performance.now() - t0) / 1000;
  if (argv.dmesg) stderr(k.printk.dmesg());
  if (stats) stderr(stats.format(r, seconds));
  if (r.reason === 'maxInsns') {
    stderr(`vmlab: stopped after ${r.instructions} instructions (--max-insns)\n`);
    return EXIT_MAX_INSNS;
  }
  return r.exitCode ?? 1;
}

function checkInteger(opt: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw new UserError(`${opt}: '${v}' is not an integer >= ${min}`);
  return v;
}

const pct = (num: number, den: number): string => (den === 0 ? '-' : `${((100 * num) / den).toFixed(2)}%`);
const PAGE_FAULT_EVENT = 'exceptions:page_fault_user';

/**
 * What --stats reports: instructions and MIPS, user page faults by error code
 * (from the page_fault_user tracepoint) and by what the fault handler did
 * (each mm's FaultKind counters, collected as the mm goes away), TLB
 * statistics, and frames in use after boot and at the end.
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
      lines.push(`  error 0x${code.toString(16)} (${pfErrorText(code)}): ${n}`);
    for (let i = 0; i < NR_FAULT_KINDS; i++) if (this.byKind[i]! > 0) lines.push(`  ${FAULT_KIND_NAMES[i]}: ${this.byKind[i]}`);
    const tlb = this.k.machine.mmu.stats();
    for (const [name, s] of [['ITLB', tlb.itlb], ['DTLB', tlb.dtlb]] as const) {
      lines.push(`${name}: ${s.lookups} lookups, ${pct(s.hits, s.lookups)} hits, ${s.misses} misses, ${s.walks} walks`);
      const flushes = Object.entries(s.flushes).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`);
      if (flushes.length > 0) lines.push(`${name} flushes: ${flushes.join(', ')}`);
    }
    lines.push(`frames in use: ${this.framesAfterBoot} after boot, ${this.k.mm.framesInUse()} at exit`);
    return lines.join('\n') + '\n';
  }
}

/** The #PF error code's bits in words (SDM Vol. 3A 4.7). */
function pfErrorText(code: number): string {
  const w = [code & PF_P ? 'protection' : 'not-present', code & PF_W ? 'write' : code & PF_I ? 'fetch' : 'read', code & PF_U ? 'user' : 'kernel'];
  if (code & PF_RSVD) w.push('reserved-bit');
  if (code & PF_PK) w.push('pkey');
  return w.join(' ');
}
