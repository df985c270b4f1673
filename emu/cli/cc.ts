// `vmlab cc prog.c [more.c ...] -o prog [-O2] [-g] [-v]`: builds a C program
// for vmlab's guest with the Debian cross compiler (riscv64-linux-gnu-gcc; or
// clang --target=riscv64-linux-gnu with ld.lld where that is what is
// installed). It compiles against vmlab's standard headers
// (guest-programs/include) instead of glibc's, for RV64IM and the soft-float
// lp64 ABI, and links statically with the runtime library: the assembly
// half (guest-programs/lib/*.s, what assembly programs link with) and the C
// half (guest-programs/libc/*.c), whose buffered FILE versions of printf &
// co., exit with atexit, and glibc-layout sigaction take the place of the
// assembly's (those are made weak symbols in the objects, so the C ones win
// and the assembly half stays as assembly programs have it). Three steps,
// each printed with -v:
//   1. each library .s assembled, in the vmlab tree (paths relative to it),
//      and the symbols the C half replaces weakened;
//   2. each library .c compiled, -O2, no debug information, also there;
//   3. the program's sources compiled and linked with those objects, in the
//      caller's directory; -g line information names files relative to it.
// The library steps do not depend on the program's flags and their paths do
// not depend on where vmlab is, so the same sources give the same bytes
// (tests/guest/prebuilt-peer.test.ts rebuilds the committed ELFs); so they
// run once per version of the library, whose objects are cached
// (cc-cache.ts; -v says when the cached build is used).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { hideBin } from 'yargs/helpers';
import type { CommandModule } from 'yargs';
import { UserError } from './errors';
import { EXIT_USAGE } from './option-values';
import { guestProgramsDir } from './paths';
import { buildDirectory, cacheRoot, cachedLibrary, libraryKey, publish, removeBuild } from './cc-cache';

/** The Debian packages and the line that installs a cross compiler (what the one-line error says). */
export const CC_PACKAGES = 'gcc-riscv64-linux-gnu';
export const CC_APT_LINE = `sudo apt-get install -y ${CC_PACKAGES}`;

/**
 * What the C half defines again, and how: stdout through a buffered FILE
 * (stdio.c), exit running atexit handlers and flushing (exit.c), sigaction
 * and the sigset_t fillers with glibc's layouts (signal.c). The assembly
 * half's definitions of these become weak in a C program.
 */
export const REPLACED_BY_C = ['printf', 'vprintf', 'puts', 'putchar', 'getchar', 'exit', 'sigaction', 'signal', 'sigemptyset', 'sigfillset', 'strtol', 'atol'];

/** Code generation for vmlab's guest: RV64IM, soft-float lp64, no relaxation (crt0 does not set gp), no PIE, no canary. */
export const TARGET_FLAGS = ['-march=rv64im', '-mabi=lp64', '-mno-relax', '-fno-pie', '-fno-stack-protector'];
/** The library's own C: fixed flags, so the objects do not depend on the program's. */
const LIBC_FLAGS = ['-O2', '-fno-builtin', '-fno-tree-loop-distribute-patterns', '-Wall'];
const LINK_FLAGS = ['-static', '-no-pie', '-nostdlib', '-Wl,--no-relax'];

export interface CcOptions {
  sources: string[];
  output: string;
  /** -O0 .. -O3, -Os, or null for the compiler's default (-O0). */
  opt: string | null;
  debug: boolean;
  verbose: boolean;
  /** -I DIR, -D NAME[=VALUE], -W... and -w, passed on in order. */
  extra: string[];
}

export interface Toolchain {
  /** The compiler driver and its fixed first arguments. */
  cc: string[];
  /** Its own headers (stddef.h, stdarg.h, stdint-gcc.h, ...): the only system headers a guest program sees. */
  includeDir: string;
  /** Arguments that select its linker. */
  linker: string[];
  /** objcopy for RISC-V objects (binutils-riscv64-linux-gnu's, or llvm-objcopy). */
  objcopy: string;
}

const USAGE = [
  'Usage: vmlab cc FILE.c [FILE.c ...] [-o OUT] [-O0|-O1|-O2|-O3|-Os] [-g] [-v] [-I DIR] [-D NAME[=VALUE]]',
  '',
  'Compile C for vmlab\'s guest (RV64IM, lp64) with riscv64-linux-gnu-gcc against vmlab\'s',
  'standard headers (guest-programs/include) and link it statically with the runtime library.',
  '  -o OUT     the ELF to write (default a.out)',
  '  -g         DWARF line information for `vmlab debug` (break FILE:LINE, step, next, list)',
  '  -v         print each command run',
  'See docs/guest-libc.md.',
].join('\n');

export const ccCommand: CommandModule = {
  command: 'cc [files..]',
  describe: 'Compile and link C programs for the guest with the RISC-V cross compiler and vmlab\'s libc',
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }),
  handler: () => {
    const raw = hideBin(process.argv);
    const words = raw.slice(raw.indexOf('cc') + 1);
    if (words.includes('--help') || words.includes('-h')) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    process.exitCode = runCc(parseCcWords(words));
  },
};

const usage = (msg: string): UserError => new UserError(`cc: ${msg}; see vmlab cc --help`, EXIT_USAGE);

/** The command words after `cc`; a UserError (status 2) for anything else. */
export function parseCcWords(words: string[]): CcOptions {
  const o: CcOptions = { sources: [], output: 'a.out', opt: null, debug: false, verbose: false, extra: [] };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = (flag: string): string => {
      const v = w.length > flag.length ? w.slice(flag.length) : words[++i];
      if (v === undefined || v === '') throw usage(`option ${flag} needs a value`);
      return v;
    };
    if (w === '-o' || (w.startsWith('-o') && w.length > 2)) o.output = value('-o');
    else if (/^-O[0-3s]?$/.test(w)) o.opt = w === '-O' ? '-O1' : w;
    else if (w === '-g') o.debug = true;
    else if (w === '-v') o.verbose = true;
    else if (w.startsWith('-I')) o.extra.push('-I', value('-I'));
    else if (w.startsWith('-D')) o.extra.push(`-D${value('-D')}`);
    else if (w === '-w' || (w.startsWith('-W') && w.length > 2 && !w.startsWith('-Wl,') && !w.startsWith('-Wa,'))) o.extra.push(w);
    else if (w.startsWith('-')) throw usage(`unknown option ${w}`);
    else if (!w.endsWith('.c')) throw usage(`${w}: not a C source (.c)`);
    else o.sources.push(w);
  }
  if (o.sources.length === 0) throw usage('give at least one C source (.c)');
  return o;
}

/** Is `cmd` an executable file in one of PATH's directories? */
function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => {
    if (d === '') return false;
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** riscv64-linux-gnu-gcc, else clang with ld.lld; null when neither is installed. */
export function findToolchain(): Toolchain | null {
  const ask = (argv: string[]): string => {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : '';
  };
  if (onPath('riscv64-linux-gnu-gcc') && onPath('riscv64-linux-gnu-objcopy')) {
    const cc = ['riscv64-linux-gnu-gcc'];
    return { cc, includeDir: ask([...cc, '-print-file-name=include']), linker: [], objcopy: 'riscv64-linux-gnu-objcopy' };
  }
  if (onPath('clang') && onPath('ld.lld') && onPath('llvm-objcopy')) {
    const cc = ['clang', '--target=riscv64-linux-gnu'];
    return { cc, includeDir: join(ask([...cc, '-print-resource-dir']), 'include'), linker: ['-fuse-ld=lld'], objcopy: 'llvm-objcopy' };
  }
  return null;
}

export interface Step {
  cwd: string;
  argv: string[];
}

/** The runtime library's build: its commands, and the objects they leave in `out` (in link order). */
export interface LibraryBuild {
  steps: Step[];
  objects: string[];
}

/** The directories (relative to `root`) the library is built from: lib (.s), libc (.c), include. */
function libraryDirs(root: string): { lib: string; libc: string; inc: string } {
  return {
    lib: relative(root, guestProgramsDir('lib')),
    libc: relative(root, guestProgramsDir('libc')),
    inc: relative(root, guestProgramsDir('include')) || '.',
  };
}

const headers = (tc: Toolchain, from: string): string[] => ['-nostdinc', '-isystem', tc.includeDir, '-I', from];

/** Steps 1 and 2 of the file comment, building into directory `out`. */
export function librarySteps(tc: Toolchain, root: string, out: string): LibraryBuild {
  const { lib, libc, inc } = libraryDirs(root);
  const steps: Step[] = [];
  const objects: string[] = [];
  for (const f of readdirSync(join(root, lib)).filter((x) => x.endsWith('.s')).sort()) {
    const obj = join(out, f.replace(/\.s$/, '.o'));
    steps.push({ cwd: root, argv: [...tc.cc, ...TARGET_FLAGS, `-Wa,-I${lib}`, '-c', join(lib, f), '-o', obj] });
    steps.push({ cwd: root, argv: [tc.objcopy, ...REPLACED_BY_C.map((sym) => `--weaken-symbol=${sym}`), obj] });
    objects.push(obj);
  }
  for (const f of readdirSync(join(root, libc)).filter((x) => x.endsWith('.c')).sort()) {
    const obj = join(out, `libc-${f.replace(/\.c$/, '.o')}`);
    steps.push({ cwd: root, argv: [...tc.cc, ...TARGET_FLAGS, ...LIBC_FLAGS, ...headers(tc, inc), '-c', join(libc, f), '-o', obj] });
    objects.push(obj);
  }
  return { steps, objects };
}

/** Step 3: the program's sources compiled and linked with the library's `objects`, in `cwd`. */
export function programStep(o: CcOptions, tc: Toolchain, root: string, cwd: string, objects: readonly string[]): Step {
  const inc = join(root, libraryDirs(root).inc);
  const progFlags = [...(o.opt ? [o.opt] : []), ...(o.debug ? ['-g', `-ffile-prefix-map=${cwd}=.`] : [])];
  return {
    cwd,
    argv: [...tc.cc, ...TARGET_FLAGS, ...progFlags, ...headers(tc, inc), ...o.extra, ...o.sources, ...objects, ...LINK_FLAGS, ...tc.linker, '-o', o.output],
  };
}

/** What the library's objects depend on besides its files: the compiler (and its version), the flags, the weakened symbols. */
function toolIdentity(tc: Toolchain): string[] {
  const r = spawnSync(tc.cc[0]!, [...tc.cc.slice(1), '--version'], { encoding: 'utf8' });
  return [...tc.cc, r.status === 0 ? r.stdout : '?', tc.objcopy, ...tc.linker, ...TARGET_FLAGS, ...LIBC_FLAGS, ...REPLACED_BY_C];
}

/** The directory that holds guest-programs (the vmlab tree). */
function vmlabRoot(): string {
  return dirname(dirname(guestProgramsDir('lib')));
}

const quote = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);

/** Builds the program; the exit status (the compiler's diagnostics pass through to stderr). */
export function runCc(o: CcOptions): number {
  const tc = findToolchain();
  if (tc === null) {
    process.stderr.write(`vmlab cc: no RISC-V cross compiler (riscv64-linux-gnu-gcc, Debian package ${CC_PACKAGES}); install it: ${CC_APT_LINE}\n`);
    return EXIT_USAGE;
  }
  const root = vmlabRoot();
  const tmp = mkdtempSync(join(tmpdir(), 'vmlab-cc-'));
  const run = (step: Step): boolean => {
    if (o.verbose) process.stderr.write(`${step.cwd === process.cwd() ? '' : `(cd ${quote(step.cwd)} && `}${step.argv.map(quote).join(' ')}${step.cwd === process.cwd() ? '' : ')'}\n`);
    const r = spawnSync(step.argv[0]!, step.argv.slice(1), { cwd: step.cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.error) throw new UserError(`cc: cannot run ${step.argv[0]} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
    if (r.status === 0) return true;
    process.stderr.write(`vmlab cc: ${basename(step.argv[0]!)} failed (status ${r.status ?? 'killed'}); ${o.output} not written\n`);
    return false;
  };
  let built: string | null = null;
  try {
    // The runtime library: a cached build of the same sources, compiler and flags (cc-cache.ts), else built now.
    const cache = cacheRoot();
    const { lib, libc, inc } = libraryDirs(root);
    const key = cache === null ? null : libraryKey(toolIdentity(tc), root, [lib, libc, inc].map((d) => join(root, d)));
    const names = librarySteps(tc, root, '').objects;
    let dir = key === null ? null : cachedLibrary(cache, key, names);
    if (dir !== null) {
      if (o.verbose) process.stderr.write(`# runtime library: the cached build in ${dir}\n`);
    } else {
      built = buildDirectory(key === null ? null : cache, key ?? '', tmp);
      for (const step of librarySteps(tc, root, built).steps) if (!run(step)) return 1;
      dir = key === null ? built : publish(cache, key, built);
    }
    if (!run(programStep(o, tc, root, process.cwd(), names.map((n) => join(dir!, n))))) return 1;
  } finally {
    if (built !== null) removeBuild(built);
    rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
}
