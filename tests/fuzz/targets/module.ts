// Target `module`: a generated module file (tests/fuzz/gen/module-src.ts) that
// misuses vmlab/linux in its init, exit, file operations, fault handler,
// kernel thread and sysfs show, inserted as `insmod ./fzN.ts` inserts it; guest
// programs (gen/module-guest.ts) and the shell's cat and echo then work on its
// device or /proc file, an rmmod is tried while a guest holds the file open
// (-EBUSY), and the module is removed. Most cases compile the file ahead
// (esbuild's service, the compiler insmod uses) and skip the type check;
// some go through insmod's own compile and type check, and some of those
// carry an ill-typed statement, which must give -ENOEXEC and the report at
// its FILE:LINE:COL. A case with an endless loop runs with a short soft-lockup
// bound.
//
// Checked: no host exception; nothing past the instruction, step and
// soft-lockup bounds; every system call's answer a value or -errno, the mm
// invariants after each; insmod's answer 0 or -errno and its messages one
// line each, with no JavaScript; rmmod 0 once nobody holds the module, and
// -EBUSY while a guest does; afterwards no module, kernel thread, device,
// /proc or /sys entry of it left, a fresh process and a fresh module run,
// and with every process gone, frames and page tables back to the baseline
// (the kernel half identical to boot, no TLB entry on a freed frame...); and
// every oops, WARN and soft lockup in the log in Linux's shape
// (harness/oops-format.ts). An oops of the module's own call is expected.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, formatDiagnostic } from '../../../asm/assembler';
import { writeElf } from '../../../asm/elf-write';
import type { Kernel } from '../../../kernel-ts/kernel';
import { ModuleLoader } from '../../../kernel-ts/module/loader';
import type { CompileResult } from '../../../kernel-ts/module/compile';
import { runInProcess } from '../../../kernel-ts/module/process';
import { kthreads } from '../../../kernel-ts/kthread';
import { O_RDONLY, O_WRONLY, fput } from '../../../kernel-ts/fs/file';
import type { Inode } from '../../../kernel-ts/fs/inode';
import { NR } from '../../../kernel-ts/syscalls/numbers';
import { EBUSY, ENOEXEC } from '../../../kernel-ts/errno';
import { describeThrown } from '../../../kernel-ts/proc/oops';
import { KernelWatch, bootKernel } from '../harness/kernel';
import { checkLogShapes } from '../harness/oops-format';
import type { Rng } from '../harness/rng';
import type { CaseContext, FuzzTarget } from '../harness/target';
import { genModule, moduleSource } from '../gen/module-src';
import type { ModuleSpec } from '../gen/module-src';
import { genGuest, guestSource, showGuestOp } from '../gen/module-guest';
import type { GuestProgram } from '../gen/module-guest';

export interface ModuleCase {
  spec: ModuleSpec;
  /** insmod compiles and type-checks the file itself (else it was compiled ahead, unchecked). */
  typecheck: boolean;
  /** insmod's parameter words. */
  args: string[];
  guests: GuestProgram[];
  /** The shell's cat and echo > on the file, and cat of the sysfs attribute. */
  cat: boolean;
  echo: string | null;
  /** Try rmmod while a guest holds the file open. */
  busyRmmod: boolean;
  paging: 4 | 5;
  sliceInsns: number;
  seed: number;
}

const MAX_INSNS = 2_000_000;
const MAX_STEPS = 2_000;
/**
 * The soft-lockup bounds of a case whose module loops: short, as the loop is
 * certain. A loop that calls the API stops at its 10001st call; `for (;;) {}`
 * (and a loop catching every throw) only at the wall-clock backstop: the
 * same report whenever that fires.
 */
const LOOP_LOCKUP_CALLS = 10_000;
const LOOP_LOCKUP_WALL_MS = 150;

const nodeRequire = createRequire(import.meta.url);
type Esbuild = typeof import('esbuild');
let esbuild: Esbuild | null = null;

let dir: string | null = null;
function workDir(): string {
  if (dir === null) {
    dir = mkdtempSync(join(tmpdir(), 'vmlab-fuzz-module-'));
    mkdirSync(dir, { recursive: true });
  }
  return dir;
}

/** The module file compiled as insmod compiles it (compile.ts: bundled, CommonJS, vmlab/linux external), by esbuild's service. */
async function compileAhead(file: string): Promise<CompileResult> {
  esbuild ??= nodeRequire('esbuild') as Esbuild;
  try {
    const r = await esbuild.build({ entryPoints: [file], bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20', external: ['vmlab/linux'], logLevel: 'silent' });
    return { ok: true, code: r.outputFiles[0]!.text };
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors ?? [];
    return { ok: false, messages: errors.length > 0 ? errors.map((x) => `${file}: error: ${x.text}`) : [String(e)] };
  }
}

function assembleOrThrow(name: string, text: string): Uint8Array {
  const r = assemble([{ path: name, text }]);
  if (!r.ok) throw new Error(`the generated program does not assemble: ${r.diagnostics.map((d) => formatDiagnostic(d)).join('; ')}`);
  return writeElf(r.image);
}

const HELLO = `.globl _start
_start:
  li a0, 1
  la a1, msg
  li a2, 3
  li a7, 64
  ecall
  li a0, 0
  li a7, 93
  ecall
  .data
msg: .ascii "ok\\n"
`;
let helloElf: Uint8Array | null = null;

/** A plain module, inserted and removed after the case: the loader still works. */
const OK_MODULE = `import { module_init, module_exit, proc_create_single, seq_puts, MODULE_LICENSE } from 'vmlab/linux';
module_init(() => (proc_create_single('fzok', 0o444, null, (m) => { seq_puts(m, 'ok\\n'); return 0; }) === null ? -12 : 0));
module_exit(() => {});
MODULE_LICENSE('GPL');
`;
let okCode: CompileResult | null = null;
let okFile: string | null = null;
function okPath(): string {
  if (okFile === null) {
    okFile = join(workDir(), 'fzok.ts');
    writeFileSync(okFile, OK_MODULE);
  }
  return okFile;
}

/**
 * The kernel's own compiled text as the oops's Call Trace reads it
 * (proc/kallsyms.ts, once per kernel: a megabyte decoded): shared between
 * the cases' kernels, as it is the same file. A harness economy only.
 */
type ScriptCache = Map<string, { module: string | null } | null>;
const hostScripts: ScriptCache = new Map();
function shareKallsyms(k: Kernel, dir: 'in' | 'out'): void {
  const scripts = (k.modules.kallsyms as unknown as { scripts?: ScriptCache }).scripts;
  if (!(scripts instanceof Map)) return;
  if (dir === 'in') for (const [f, s] of hostScripts) scripts.set(f, s);
  else for (const [f, s] of scripts) if (s === null || s.module === null) hostScripts.set(f, s);
}

/** The paths below /dev, /proc (no pid directories) and /sys. */
function tree(k: Kernel, inodes?: Set<Inode>): string[] {
  const out: string[] = [];
  const walk = (i: Inode, path: string, depth: number): void => {
    out.push(path);
    inodes?.add(i);
    if (depth > 6 || i.children === undefined || i.children === null) return;
    for (const [name, c] of i.children) {
      if (path === '/proc' && /^\d+$/.test(name)) continue;
      walk(c, `${path}/${name}`, depth + 1);
    }
  };
  for (const root of ['/dev', '/proc', '/sys']) {
    const i = k.vfs.lookup(root);
    if (typeof i !== 'number') walk(i, root, 0);
  }
  return out.sort();
}

/** The shell's cat: reads the file from a short-lived process (bounded). */
function cat(k: Kernel, path: string): void {
  runInProcess(k, 'cat', () => {
    const f = k.vfs.open(path, O_RDONLY);
    if (typeof f === 'number') return;
    const buf = new Uint8Array(4096);
    const ppos = { pos: 0 };
    for (let n = 0; n < 16; n++) if (!f.fop.read || f.fop.read(f, buf, ppos) <= 0) break;
    fput(f);
  });
}

/** The shell's echo TEXT > path. */
function echo(k: Kernel, path: string, text: string): void {
  runInProcess(k, 'sh', () => {
    const f = k.vfs.open(path, O_WRONLY);
    if (typeof f === 'number') return;
    if (f.fop.write) f.fop.write(f, new TextEncoder().encode(text), { pos: 0 });
    fput(f);
  });
}

const devPath = (s: ModuleSpec): string => (s.dev === 'proc' ? `/proc/${s.devName}` : `/dev/${s.devName}`);

/** One line, no JavaScript stack: what insmod says may be said to a user. */
function oneLine(m: string): boolean {
  return !m.includes('\n') && !/^\s+at /.test(m) && !m.includes('node:internal');
}

/**
 * Runs a case watching for a promise of the module's that rejects with no
 * handler (which would end vmlab): the kernel must handle every promise a
 * module hands it. The case ends after the event loop's next turn, so such
 * a rejection lands in its own case.
 */
async function run(c: ModuleCase, ctx: CaseContext): Promise<void> {
  const rejected: unknown[] = [];
  const onRejection = (e: unknown): void => {
    rejected.push(e);
  };
  process.on('unhandledRejection', onRejection);
  try {
    await runCase(c, ctx);
  } finally {
    await new Promise((r) => setImmediate(r));
    process.off('unhandledRejection', onRejection);
  }
  for (const e of rejected.slice(0, 2)) ctx.fail('exception', `a promise rejected with no handler (the kernel must handle a module's): ${describeThrown(e).text}`);
}

async function runCase(c: ModuleCase, ctx: CaseContext): Promise<void> {
  const text = moduleSource(c.spec);
  const file = join(workDir(), `${c.spec.file}.ts`);
  writeFileSync(file, text);
  const loops = c.spec.stmts.some((s) => s.loops === true);
  const ill = c.spec.stmts.some((s) => s.ill === true);
  helloElf ??= assembleOrThrow('hello.s', HELLO);
  let output = '';
  const k = bootKernel({ output: (b) => { if (output.length < 4096) output += Buffer.from(b).toString('latin1'); }, memSize: 8 << 20, paging: c.paging, aslr: false, seed: c.seed, sliceInsns: c.sliceInsns, maxInsns: MAX_INSNS, ...(loops ? { softLockupCalls: LOOP_LOCKUP_CALLS, softLockupWallMs: LOOP_LOCKUP_WALL_MS } : {}) });
  if (!c.typecheck) {
    const code = await compileAhead(file);
    if (!code.ok) {
      ctx.fail('check', `the generated module does not compile: ${code.messages[0]}`);
      return;
    }
    okCode ??= await compileAhead(okPath());
    const ok = okCode;
    k.modules = new ModuleLoader(k, new Map(), (p) => (p === okPath() ? ok : code), null);
  }
  shareKallsyms(k, 'in');
  c.guests.forEach((g, i) => k.vfs.addExecutable(`/bin/g${i}`, assembleOrThrow(`g${i}.s`, guestSource(g))));
  k.vfs.addExecutable('/bin/hello', helloElf);
  // Two short-lived processes first: their mms are held for a grace period (module/process.ts), as at the end.
  runInProcess(k, 'true', () => 0);
  runInProcess(k, 'true', () => 0);
  const bootInodes = new Set<Inode>();
  const boot = tree(k, bootInodes);

  // Guests holding the module's file open, for the -EBUSY check.
  const holding = new Map<number, number>();
  let name: string | null = null;
  let busyTried = false;
  const watch = new KernelWatch(k, ctx, {
    check: 'syscall',
    maxSteps: MAX_STEPS,
    insnBudgetFails: true,
    oopsExpected: true,
    afterSyscall: (nr, t, a, ret) => {
      if (nr === NR.openat && ret >= 0) holding.set(t.pid, (holding.get(t.pid) ?? 0) + 1);
      else if (nr === NR.close && ret === 0 && a.int(0) >= 3) holding.set(t.pid, (holding.get(t.pid) ?? 1) - 1);
    },
    onStep: () => {
      if (!c.busyRmmod || busyTried || name === null || k.modules.find(name) === undefined) return;
      const holder = [...holding].find(([pid, n]) => n > 0 && k.tasks.get(pid)?.isAlive === true);
      if (holder === undefined) return;
      busyTried = true;
      const r = k.modules.rmmod(name);
      if (r !== -EBUSY) ctx.fail('check', `rmmod ${name} answered ${r} while pid ${holder[0]} holds ${devPath(c.spec)} open (Linux: -EBUSY)`);
    },
  });

  // insmod ./fzN.ts
  const err: string[] = [];
  const r = k.modules.insmod(file, c.args, (l) => err.push(l));
  if (!Number.isInteger(r) || r > 0 || r < -4095) ctx.fail('check', `insmod returned ${r}, neither 0 nor -errno`);
  const tsErrors = err.filter((m) => / error TS\d+: /.test(m));
  if (ill) {
    const line = text.split('\n').findIndex((l) => l.includes('/*fz-ill*/')) + 1;
    if (c.typecheck && (r !== -ENOEXEC || !err.some((m) => m.startsWith(`${file}:${line}:`) && / error TS\d+: /.test(m))))
      ctx.fail('check', `an ill-typed statement at line ${line}: insmod answered ${r} with ${JSON.stringify(err.slice(0, 2))} (expected -ENOEXEC and ${file}:${line}:COL: error TS...)`);
  } else if (tsErrors.length > 0) {
    ctx.fail('check', `a well-typed module was refused: ${tsErrors[0]}`);
  }
  // Diagnostics come as a compiler prints them (the source line and a caret line are entries of their own).
  // (A TypeScript diagnostic's message chain is indented lines of its own, as tsc prints it.)
  for (const m of err) if (!oneLine(/ error TS\d+: /.test(m) ? m.split('\n')[0]! : m)) ctx.fail('check', `insmod said more than one line, or JavaScript: ${JSON.stringify(m.slice(0, 200))}`);
  const loaded = r === 0;
  // The -EBUSY check holds for a file the module made (not /dev/null, /dev/.. or /proc/1 under a name it failed to take).
  const path = devPath(c.spec);
  const file0 = k.vfs.lookup(path);
  if (loaded && /^[\w-]+$/.test(c.spec.devName) && typeof file0 !== 'number' && !bootInodes.has(file0) && !/^\/proc\/\d/.test(path)) name = k.modules.names()[0] ?? null;
  const modName = loaded ? (k.modules.names()[0] ?? null) : null;

  if (loaded && modName !== null) {
    if (c.cat) cat(k, path);
    if (c.echo !== null) echo(k, path, c.echo);
    if (c.spec.sysfs !== null && c.cat) cat(k, `/sys/kernel/${c.spec.sysfs}/fzattr`);
    c.guests.forEach((_, i) => {
      const t = k.spawn(`/bin/g${i}`, [`g${i}`], []);
      if (typeof t === 'number') ctx.fail('check', `spawn of guest ${i}: ${t}`);
    });
    watch.runTasks();
    if (k.modules.find(modName) !== undefined) {
      const rr = k.modules.rmmod(modName);
      if (rr !== 0) ctx.fail('check', `rmmod ${modName} answered ${rr} with no process left`);
    }
    // A module that frees nothing in exit leaks its buffer and page: kmemleak's report at rmmod says so.
    if (!c.spec.frees && !k.printk.all().some((x) => /^kmemleak: \d+ new suspected memory leaks/.test(x.text))) ctx.fail('check', `${modName} freed nothing in its exit, and rmmod printed no kmemleak report`);
  }
  if (k.modules.names().length > 0) ctx.fail('check', `modules still loaded after rmmod: ${k.modules.names().join(', ')}`);
  const left = kthreads(k).filter((t) => !t.stopped).map((t) => t.name);
  if (left.length > 0) ctx.fail('check', `kernel threads left running after rmmod: ${left.join(', ')}`);
  const after = tree(k);
  const extra = after.filter((p) => !boot.includes(p));
  const gone = boot.filter((p) => !after.includes(p));
  if (extra.length > 0 || gone.length > 0) ctx.fail('check', `after rmmod the file tree differs from boot's: ${extra.length > 0 ? `left ${extra.slice(0, 4).join(' ')}` : ''}${gone.length > 0 ? ` gone ${gone.slice(0, 4).join(' ')}` : ''}`);

  // The kernel still runs a fresh process and a fresh module.
  output = '';
  const hello = k.spawn('/bin/hello', ['hello'], []);
  if (typeof hello === 'number') ctx.fail('check', `a fresh process cannot be spawned: ${hello}`);
  else {
    watch.runTasks();
    const st = k.hostStatus.get(hello.pid);
    if (st !== 0 || output !== 'ok\n') ctx.fail('check', `a fresh process ended with status ${st}, output ${JSON.stringify(output.slice(0, 40))} (expected 0, "ok\\n")`);
  }
  const okErr: string[] = [];
  const ro = k.modules.insmod(okPath(), [], (l) => okErr.push(l));
  if (ro !== 0) ctx.fail('check', `a fresh module cannot be inserted: ${ro} ${okErr.join(' | ')}`);
  else if (k.modules.rmmod('fzok') !== 0) ctx.fail('check', 'a fresh module cannot be removed');

  // With every process gone (and the grace-period mms those of two empty processes): the baseline.
  runInProcess(k, 'true', () => 0);
  runInProcess(k, 'true', () => 0);
  watch.finish();
  shareKallsyms(k, 'out');
  for (const b of checkLogShapes(k.printk.all().map((x) => x.text)).slice(0, 2)) ctx.fail('check', `the log: ${b}`);
}

function generate(r: Rng): ModuleCase {
  const typecheck = r.chance(0.06);
  const loops = r.chance(0.04);
  const spec = genModule(r, { ill: typecheck && r.chance(0.4), loops });
  const path = spec.dev === 'proc' ? `/proc/${spec.devName}` : `/dev/${spec.devName}`;
  const guests = Array.from({ length: r.pick([0, 1, 1, 1, 2]) }, () => genGuest(r, path, spec.mmapOwn));
  const busyRmmod = r.chance(0.3);
  // A guest that yields with the file open: the harness's rmmod comes between its slices.
  if (busyRmmod && guests.length > 0) guests[0] = { ...guests[0]!, ops: [{ k: 'yield' }, ...guests[0]!.ops] };
  return {
    spec,
    typecheck,
    args: r.chance(0.15) ? [r.pick(['x=1', 'late=', '=y', 'a'.repeat(300), 'n=0xffffffffffffffffff', 'verbose'])] : [],
    guests,
    cat: r.chance(0.4),
    echo: r.chance(0.3) ? r.pick(['hello\n', '', 'x'.repeat(5000)]) : null,
    busyRmmod,
    paging: r.chance(0.2) ? 5 : 4,
    sliceInsns: r.pick([500, 20_000, 1_000_000]),
    seed: r.u32(),
  };
}

/** Parts: the module's statements, then every guest's operations. */
function parts(c: ModuleCase): number {
  return c.spec.stmts.length + c.guests.reduce((n, g) => n + g.ops.length, 0);
}

function without(c: ModuleCase, i: number): ModuleCase | null {
  if (i < c.spec.stmts.length) return { ...c, spec: { ...c.spec, stmts: c.spec.stmts.filter((_, j) => j !== i) } };
  let j = i - c.spec.stmts.length;
  const guests = c.guests.map((g) => {
    if (j >= 0 && j < g.ops.length) {
      const k = j;
      j = -1;
      return { ...g, ops: g.ops.filter((_, x) => x !== k) };
    }
    j -= g.ops.length;
    return g;
  });
  return { ...c, guests };
}

function show(c: ModuleCase): string {
  const head = `# ${c.typecheck ? 'insmod compiles and type-checks' : 'compiled ahead, no type check'}; insmod args ${JSON.stringify(c.args)}; paging ${c.paging}, slice ${c.sliceInsns}, seed ${c.seed}; cat ${c.cat}, echo ${JSON.stringify(c.echo)}, rmmod while open ${c.busyRmmod}`;
  const guests = c.guests.map((g, i) => `# guest ${i}: open(${JSON.stringify(g.path)}, ${g.flags}); ${g.ops.map(showGuestOp).join('; ')}`);
  return [head, ...guests, moduleSource(c.spec)].join('\n');
}

export const target: FuzzTarget<ModuleCase> = {
  name: 'module',
  about: 'generated module files misusing vmlab/linux (bad pointers, double frees, bad names, odd throws, loops, leaks), insmod/rmmod and guests on their files',
  batch: { seed: 1, count: 25 },
  known: [],
  generate,
  run,
  show,
  files: (c) => ({ '.ts': moduleSource(c.spec), ...Object.fromEntries(c.guests.map((g, i) => [`-guest${i}.s`, guestSource(g)])), '.txt': show(c) }),
  parts,
  without,
};
