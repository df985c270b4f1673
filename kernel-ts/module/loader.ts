// The module loader (Linux kernel/module/main.c, with kmod's insmod, rmmod
// and lsmod in front): k.modules. insmod NAME loads a built-in module (the
// map the code that assembled the system handed over: builtin.ts), insmod
// PATH a module file, type-checked (typecheck.ts) and compiled (compile.ts).
// Module code is evaluated once per insmod, its `vmlab/linux` bound to that
// load (linux/index.ts makeLinux). Each insmod and rmmod runs in a process of
// its own, named like the binary, whose mm is fresh: the module's init/exit
// see that task as current (two insmods see two different pgds over the same
// kernel tables).
//
// Messages: what kmod's tools print goes to the `err` callback (the insmod
// process's stderr: `insmod: ERROR: could not insert module X: File exists`);
// what the kernel says goes to the log (dmesg).
import type { Kernel } from '../kernel';
import { EBUSY, EEXIST, EFAULT, ENOENT, ENOEXEC } from '../errno';
import { KERN_ERR, KERN_WARNING } from '../printk';
import type { KernelModule, ParamSpec, ParamValue } from './api';
import { BuiltinSource } from './builtin';
import type { BuiltinModules } from './builtin';
import { compileModuleFile, evaluateModule } from './compile';
import { rewriteLoops } from './loops';
import type { LoopRewrite } from './loops';
import { splitInlineMap } from './sourcemap';
import type { SourceLines } from './sourcemap';
import type { ModuleCompiler } from './compile';
import { Kallsyms } from '../proc/kallsyms';
import { LoadedModule } from './context';
import { makeLinux } from './linux/index';
import { parseModuleParams } from './params';
import type { ParsedParams } from './params';
import { runInProcess } from './process';
import { strerror } from './strerror';
import { isTypeScriptFile, sharedTypeChecker } from './typecheck';
import { Watchdog, watchdogBounds, isThenable, swallowRejection } from './watchdog';
import { describeThrown, dumpStack, handleThrownPromise } from '../proc/oops';
import { isKernelBug, isKernelGeneralProtection, isKernelPageFault } from '../proc/oops-fault';

/** Linux MAX_ERRNO: -4095..-1 are errors. */
const MAX_ERRNO = 4095;

/** A value a module returned, for a log line (never throws). */
function describeValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  return v === null ? 'null' : `a value of type ${typeof v}`;
}
import { PAGE_SIZE } from '../mm/page';

/** Where module "code" is placed (x86-64 MODULES_VADDR); each load takes the next pages. */
const MODULES_VADDR = 0xffffffffc0000000n;
const PAGE = PAGE_SIZE;
/** lsmod's Size for a built-in module (its code is part of vmlab, so nothing is measured). */
export const BUILTIN_MODULE_SIZE = 16384;

/** What callModule answers for an init or exit that returned a Promise (no -errno is this). */
const ASYNC: unique symbol = Symbol('async');

/** Linux MODULE_NAME_LEN (64 - sizeof(unsigned long)): a name has at most 55 characters. */
export const MODULE_NAME_LEN = 56;

/**
 * The name a module is known by (KBUILD_MODNAME: '-' becomes '_'), or null
 * if it is not one Linux could build: 1..MODULE_NAME_LEN-1 characters of
 * [A-Za-z0-9_-].
 */
export function moduleName(name: string): string | null {
  if (name.length === 0 || name.length >= MODULE_NAME_LEN || !/^[A-Za-z0-9_-]+$/.test(name)) return null;
  return name.replace(/-/g, '_');
}

/** Where insmod's and rmmod's own messages go (their stderr). */
export type ModuleMessages = (line: string) => void;

/** Type-checks a module file: its errors as a compiler prints them, [] when it checks (the loader's seam). */
export type ModuleTypeCheck = (path: string) => string[];

/** A word names a module file (not a built-in) if it has a '/' or a .ts/.js/.mts/.mjs suffix. */
export function isModulePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || /\.(m?ts|m?js)$/.test(nameOrPath);
}

/** A module found by name or path: what insmod loads (its KernelModule, as modinfo shows it). */
export interface ModuleFound {
  module: KernelModule;
  size: number;
  outOfTree: boolean;
}

/** Module code to evaluate (a module file, a built-in's source), or (TRANSITION) a built-in's KernelModule object. */
type Source =
  | { kind: 'object'; module: KernelModule }
  | { kind: 'code'; code: string; map: SourceLines | null; size: number; outOfTree: boolean; fileName: string | null; label: string };

/** A failure before init: the errno, insmod's messages, and a kernel log line. */
interface Refusal {
  errno: number;
  messages: string[];
  log?: string;
}

export class ModuleLoader {
  /** Loaded modules, most recent first (as /proc/modules lists them). */
  private readonly loaded: LoadedModule[] = [];
  private nextAddress = MODULES_VADDR;
  /** Loads of module code so far: each evaluation gets a script name of its own. */
  private evaluations = 0;
  /** TAINT_OOT_MODULE: an out-of-tree module was loaded since boot (the taint line is logged once). */
  tainted = false;
  /** The module whose init (+) or exit (-) runs now (Linux MODULE_STATE_COMING/GOING). */
  private changing: { m: LoadedModule; mark: '+' | '-' } | null = null;
  /** The symbols of the kernel and of the loaded module files, for an oops's Call Trace. */
  readonly kallsyms = new Kallsyms();

  constructor(
    private readonly k: Kernel,
    private readonly builtins: BuiltinModules = new Map(),
    private readonly compile: ModuleCompiler = (path) => compileModuleFile(path),
    private readonly typecheck: ModuleTypeCheck | null = (path) => sharedTypeChecker().check(path),
  ) {
    this.watchdog = new Watchdog(watchdogBounds(k.opts));
  }

  /** Bounds every call into module code (the soft-lockup watchdog). */
  readonly watchdog: Watchdog;

  /** The loaded module `name`, if any. */
  find(name: string): LoadedModule | undefined {
    return this.loaded.find((m) => m.name === name);
  }

  /** Names of the loaded modules, most recent first. */
  names(): string[] {
    return this.loaded.map((m) => m.name);
  }

  /** The built-in module names, sorted. */
  builtinNames(): string[] {
    return [...this.builtins.keys()].sort();
  }

  /**
   * The code a name or path gives: a built-in's (compiled once), or a module
   * file's, type-checked (a TypeScript file) and compiled; or -ENOENT (no such
   * module or file), -ENOEXEC with the compiler's diagnostics.
   */
  private source(nameOrPath: string): Source | Refusal {
    if (!isModulePath(nameOrPath)) {
      const b = this.builtins.get(nameOrPath);
      if (b === undefined) return { errno: ENOENT, messages: [] };
      if (!(b instanceof BuiltinSource)) return { kind: 'object', module: b };
      const c = b.code();
      if (!c.ok) return { errno: ENOEXEC, messages: c.messages };
      return { kind: 'code', ...splitInlineMap(c.code), size: BUILTIN_MODULE_SIZE, outOfTree: false, fileName: nameOrPath, label: nameOrPath };
    }
    const c = this.compile(nameOrPath);
    if (!c.ok) return { errno: c.messages.length === 0 ? ENOENT : ENOEXEC, messages: c.messages };
    // Checked once it is known to be a file that compiles (a missing file is -ENOENT, not a type error).
    if (this.typecheck !== null && isTypeScriptFile(nameOrPath)) {
      const errors = this.typecheck(nameOrPath);
      if (errors.length > 0) return { errno: ENOEXEC, messages: errors };
    }
    const { code, map } = splitInlineMap(c.code);
    const size = Math.ceil(new TextEncoder().encode(code).length / PAGE) * PAGE;
    return { kind: 'code', code, map, size, outOfTree: true, fileName: baseName(nameOrPath).replace(/\.[^.]*$/, ''), label: nameOrPath };
  }

  /**
   * One load of module code: its top level evaluated (bounded; vmlab/linux
   * bound to the new LoadedModule), then the module it turned out to be, a
   * Linux-style file (module_init & co.) or a default-exported KernelModule,
   * and its parameters parsed from `args`.
   */
  private load(src: Source, args: readonly string[]): { m: LoadedModule; warnings: string[]; script: string | null; loops: LoopRewrite | null } | Refusal {
    const address = this.nextAddress;
    if (src.kind === 'object') {
      const parsed = this.params(src.module, args);
      if ('errno' in parsed) return parsed;
      const m = new LoadedModule(this.k, src.module, parsed.values, BUILTIN_MODULE_SIZE, false, address, this.watchdog);
      return { m, warnings: parsed.warnings, script: null, loops: null };
    }
    const base = src.fileName === null ? null : moduleName(src.fileName);
    const m = new LoadedModule(this.k, { name: base ?? 'module', init: () => 0 }, new Map(), src.size, src.outOfTree, address, this.watchdog);
    m.args = args;
    const script = `vmlab-module/${base ?? 'module'}/${++this.evaluations}`;
    let r: { exports: Record<string, unknown>; usedLinux: boolean };
    let loops: LoopRewrite | null = null;
    m.decl.loading = true;
    try {
      // The file's top level is module code: bounded, and any throw (of anything) is a diagnostic.
      // Every loop of the code counts its iterations toward the watchdog's bound (loops.ts).
      loops = rewriteLoops(src.code);
      const code = loops.code;
      r = this.watchdog.bounded(`load [${baseName(src.label)}]`, () => evaluateModule(code, script, () => makeLinux({ kernel: this.k, module: m }), this.watchdog.loop));
    } catch (e) {
      handleThrownPromise(this.k, e);
      // BUG() and bad accesses log their report's first lines as they throw: the oops completes them.
      if (isKernelBug(e) || isKernelPageFault(e) || isKernelGeneralProtection(e)) this.k.reportOops(this.k.current, `load [${baseName(src.label)}]`, e);
      m.retire();
      return { errno: ENOEXEC, messages: [`${src.label}: ${describeThrown(e).text}`] };
    } finally {
      m.decl.loading = false;
    }
    let mod: KernelModule | null;
    if (m.decl.used || (r.usedLinux && r.exports.default === undefined)) {
      if (base === null) {
        m.retire();
        const shown = JSON.stringify((src.fileName ?? '').slice(0, MODULE_NAME_LEN));
        return { errno: ENOEXEC, messages: [`${src.label}: the file name ${shown} is not a module name: 1 to ${MODULE_NAME_LEN - 1} characters of A-Z a-z 0-9 _ -`] };
      }
      mod = declaredModule(base, m);
    } else {
      try {
        mod = this.watchdog.bounded(`load [${baseName(src.label)}]`, () => snapshot(r.exports.default ?? r.exports));
      } catch (e) {
        m.retire();
        return { errno: ENOEXEC, messages: [`${src.label}: ${describeThrown(e).text}`] };
      }
      if (mod === null) {
        m.retire();
        return { errno: ENOEXEC, messages: [`${src.label}: neither calls module_init (from 'vmlab/linux') nor default-exports a KernelModule (an object with name and init)`] };
      }
      const name = moduleName(mod.name);
      if (name === null) {
        m.retire();
        const shown = JSON.stringify(mod.name.slice(0, MODULE_NAME_LEN));
        return { errno: ENOEXEC, messages: [`${src.label}: module name ${shown} is not valid: 1 to ${MODULE_NAME_LEN - 1} characters of A-Z a-z 0-9 _ -`] };
      }
      if (name !== mod.name) mod = { ...mod, name };
    }
    const parsed = this.params(mod, args);
    if ('errno' in parsed) {
      m.retire();
      return parsed;
    }
    m.bind(mod, parsed.values);
    return { m, warnings: parsed.warnings, script, loops };
  }

  /** parse_args for module `mod`: its values, or -EINVAL with Linux's line for the log. */
  private params(mod: KernelModule, args: readonly string[]): ParsedParams | Refusal {
    const parsed = parseModuleParams(mod.name, mod.params, args);
    return 'errno' in parsed ? { errno: parsed.errno, messages: [], log: parsed.message } : parsed;
  }

  /**
   * The module a name or path gives, as modinfo shows it (a file's top level
   * is evaluated, with no parameters, and the load dropped): its KernelModule,
   * size for lsmod and whether it is out of tree; or -ENOENT, -ENOEXEC with
   * the compiler's diagnostics.
   */
  lookup(nameOrPath: string): ModuleFound | { errno: number; messages: string[] } {
    const src = this.source(nameOrPath);
    if ('errno' in src) return src;
    if (src.kind === 'object') return { module: src.module, size: BUILTIN_MODULE_SIZE, outOfTree: false };
    const l = this.load(src, []);
    if ('errno' in l) return { errno: l.errno, messages: l.messages };
    l.m.retire();
    return { module: l.m.mod, size: l.m.size, outOfTree: l.m.outOfTree };
  }

  /**
   * insmod: 0, or -errno with kmod's message to `err`:
   *   -ENOENT   no such built-in module or file
   *   -ENOEXEC  a module file that does not compile (diagnostics FILE:LINE:COL)
   *   -EEXIST   a module of that name is loaded
   *   -EINVAL   a parameter value of the wrong type (Linux's line in the log)
   *   -EFAULT   init oopsed (the insmod process was killed)
   *   init's -errno (nothing the module registered stays)
   * Unknown parameters are ignored with a warning in the log, as Linux does.
   */
  insmod(nameOrPath: string, args: readonly string[] = [], err: ModuleMessages = () => {}): number {
    const fail = (errno: number, verb = 'insert'): number => {
      // kmod's mod_strerror: ENOEXEC is "Invalid module format".
      err(`insmod: ERROR: could not ${verb} module ${nameOrPath}: ${errno === ENOEXEC ? 'Invalid module format' : strerror(errno)}`);
      return -errno;
    };
    const src = this.source(nameOrPath);
    if ('errno' in src) {
      for (const m of src.messages) err(m);
      return fail(src.errno, src.errno === ENOENT ? 'load' : 'insert');
    }
    // A built-in's name is known before its code runs (a file's may come from its default export).
    if (src.kind === 'object' && this.find(src.module.name)) return fail(EEXIST);
    const l = this.load(src, args);
    if ('errno' in l) {
      for (const msg of l.messages) err(msg);
      if (l.log !== undefined) this.k.printk.log(l.log, KERN_ERR);
      return fail(l.errno);
    }
    const { m, warnings, script, loops } = l;
    const mod = m.mod;
    const outOfTree = m.outOfTree;
    if (this.find(mod.name)) {
      m.retire();
      return fail(EEXIST);
    }
    // Offsets in the code as compiled (before the loop counters were added: their columns are mapped back).
    if (script !== null && src.kind === 'code') this.kallsyms.addModule(script, mod.name, src.code, src.map, loops === null ? undefined : (line, col) => loops.originalColumn(line, col));
    this.changing = { m, mark: '+' };
    const r = runInProcess(this.k, 'insmod', () => {
      // check_modinfo() taints first, then parse_args() warns about unknown parameters.
      if (outOfTree && !this.tainted) this.k.printk.log(`${mod.name}: loading out-of-tree module taints kernel.`, KERN_WARNING);
      this.tainted ||= outOfTree;
      for (const w of warnings) this.k.printk.log(w, KERN_WARNING);
      // do_one_initcall: a throw here (a soft lockup too) is caught by runInProcess (the oops of insmod).
      return this.callModule(m, 'init', () => mod.init(m));
    }, `init [${mod.name}]`);
    this.changing = null;
    const failed = typeof r === 'number' || r.killed || r.value === ASYNC || (r.value as number) < 0;
    if (failed) this.kallsyms.removeModule(mod.name);
    if (typeof r === 'number') return fail(-r);
    if (failed) {
      m.retire();
      if (r.killed) {
        err('Killed');
        return -EFAULT;
      }
      if (r.value === ASYNC) {
        // Linux's init is synchronous: an async one is refused, like a module built wrong.
        this.k.printk.log(`${mod.name}: init returned a Promise; module init must be synchronous (not an async function)`, KERN_ERR);
        return fail(ENOEXEC);
      }
      return fail(-(r.value as number));
    }
    this.loaded.unshift(m);
    this.nextAddress += BigInt(m.size);
    return 0;
  }

  /**
   * rmmod: 0, -ENOENT (not loaded), -EBUSY (a file of the module is open or
   * mapped). exit runs in an `rmmod` process; then every device, /proc and
   * /sys entry the module registered is removed (even if exit oopsed).
   */
  rmmod(name: string, err: ModuleMessages = () => {}): number {
    const m = this.find(name);
    if (!m) {
      err(`rmmod: ERROR: Module ${name} is not currently loaded`);
      return -ENOENT;
    }
    if (m.refcount > 0) {
      err(`rmmod: ERROR: Module ${name} is in use`);
      return -EBUSY;
    }
    this.changing = { m, mark: '-' };
    const exit = m.mod.exit;
    const r = runInProcess(this.k, 'rmmod', () => {
      if (exit !== undefined && this.callModule(m, 'exit', () => exit(m)) === ASYNC)
        this.k.printk.log(`${name}: exit returned a Promise; module exit must be synchronous (not an async function)`, KERN_WARNING);
    }, `exit [${name}]`);
    this.changing = null;
    m.retire();
    this.loaded.splice(this.loaded.indexOf(m), 1);
    this.kallsyms.removeModule(name);
    if (typeof r !== 'number' && r.killed) err('Killed');
    return 0;
  }

  /**
   * init or exit of module m, bounded by the watchdog; ASYNC if it returned a
   * thenable (an async function), whose rejection, whenever it comes, is
   * logged instead of reaching Node's unhandledRejection.
   */
  private callModule(m: LoadedModule, op: 'init' | 'exit', fn: () => unknown): number | typeof ASYNC {
    return this.watchdog.bounded(`${op} [${m.name}]`, (): number | typeof ASYNC => {
      const bug = m.raisedBug;
      const v = fn();
      m.rethrowSwallowedBug(bug, v);
      if (!isThenable(v)) {
        if (op === 'exit' || v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= -MAX_ERRNO && v <= 0)) return typeof v === 'number' ? v : 0;
        // do_init_module(): anything but 0 or -errno is suspicious; the module is loaded anyway.
        this.k.printk.log(`do_init_module: '${m.name}'->init suspiciously returned ${describeValue(v)}, it should follow 0/-E convention`, KERN_WARNING);
        this.k.printk.log('do_init_module: loading module anyway...', KERN_WARNING);
        dumpStack(this.k, 'callModule');
        return 0;
      }
      swallowRejection(v, (e) => this.k.printk.log(`${m.name}: a Promise of ${op} rejected: ${describeThrown(e).text}`, KERN_ERR));
      return ASYNC;
    });
  }

  /** lsmod's output (kmod's layout): header, then `name size used-by`, most recent first. */
  lsmod(): string {
    const lines = ['Module                  Size  Used by'];
    for (const m of this.loaded) lines.push(`${m.name.padEnd(19)} ${String(m.size).padStart(8)}  ${m.refcount}`);
    return lines.join('\n') + '\n';
  }

  /** /proc/modules: `name size refcount deps state address [taint]`. */
  procModules(): string {
    return this.loaded
      .map((m) => `${m.name} ${m.size} ${m.refcount} - Live 0x${m.address.toString(16)}${m.outOfTree ? ' (O)' : ''}\n`)
      .join('');
  }

  /** The taint flags of the loaded modules for an oops's "Modules linked in:" line. */
  linkedIn(): string {
    const mods = this.loaded.map((m) => ({ m, mark: this.changing?.m === m ? this.changing.mark : '' }));
    if (this.changing && !this.loaded.includes(this.changing.m)) mods.unshift(this.changing);
    // module_flags(): (taint letters, then + while loading, - while unloading).
    return mods.map(({ m, mark }) => {
      const flags = `${m.outOfTree ? 'O' : ''}${mark}`;
      return flags === '' ? m.name : `${m.name}(${flags})`;
    }).join(' ');
  }
}

/**
 * The KernelModule a Linux-style file declared (module_init & co., linux/module.ts):
 * named after its file; init and exit take no argument, as Linux's.
 */
function declaredModule(name: string, m: LoadedModule): KernelModule {
  const d = m.decl;
  const init = d.init;
  const exit = d.exit;
  const params: Record<string, ParamSpec> = {};
  for (const [p, spec] of Object.entries(d.params)) params[p] = { type: spec.type, default: spec.default, ...(spec.description === undefined ? {} : { description: spec.description }) };
  return {
    name,
    init: init === undefined ? () => 0 : () => init(),
    ...(exit === undefined ? {} : { exit: () => exit() }),
    ...(d.description === undefined ? {} : { description: d.description }),
    ...(d.license === undefined ? {} : { license: d.license }),
    ...(d.author === undefined ? {} : { author: d.author }),
    ...(Object.keys(params).length === 0 ? {} : { params }),
  };
}

/**
 * The module object as plain data read once (name, init, exit, params), so
 * that getters or Proxy traps of what the file exported run here, under the
 * bound, and never again from kernel code; null if it is not a KernelModule.
 */
function snapshot(exported: unknown): KernelModule | null {
  if (typeof exported !== 'object' || exported === null) return null;
  const m = exported as Partial<KernelModule>;
  const { name, init, exit, description, license } = m;
  if (typeof name !== 'string' || typeof init !== 'function') return null;
  let params: Record<string, ParamSpec> | undefined;
  if (m.params !== undefined && m.params !== null) {
    params = {};
    for (const key of Object.keys(m.params)) {
      const spec = m.params[key]!;
      params[key] = { type: spec.type, default: spec.default as ParamValue | undefined, description: spec.description };
    }
  }
  return {
    name,
    init: init.bind(m),
    ...(typeof exit === 'function' ? { exit: exit.bind(m) } : {}),
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof license === 'string' ? { license } : {}),
    ...(params ? { params } : {}),
  };
}

/** The last component of a path (node:path's basename for the paths insmod takes; the loader stays host-free for the browser build). */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
