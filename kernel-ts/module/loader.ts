// The module loader (Linux kernel/module/main.c, with kmod's insmod, rmmod
// and lsmod in front): k.modules. insmod NAME loads a built-in module
// (kernel-ts/drivers/index.ts), insmod PATH compiles a module file
// (compile.ts). Each insmod and rmmod runs in a process of its own, named
// like the binary, whose mm is fresh: the module's init/exit see that task as
// current (two insmods see two different pgds over the same kernel tables).
//
// Messages: what kmod's tools print goes to the `err` callback (the insmod
// process's stderr: `insmod: ERROR: could not insert module X: File exists`);
// what the kernel says goes to the log (dmesg).
import type { Kernel } from '../kernel';
import { EBUSY, EEXIST, EFAULT, ENOENT, ENOEXEC } from '../errno';
import { KERN_ERR, KERN_WARNING } from '../printk';
import { BUILTIN_MODULES } from '../drivers/index';
import type { KernelModule } from './api';
import { compileModuleFile, requireEsbuild } from './compile';
import type { BoundedRun, ModuleCompiler } from './compile';
import { Kallsyms } from '../proc/kallsyms';
import { LoadedModule } from './context';
import { parseModuleParams } from './params';
import { runInProcess } from './process';
import { strerror } from './strerror';
import { DEFAULT_SOFTLOCKUP_MS, Watchdog, isThenable, swallowRejection } from './watchdog';
import { describeThrown } from '../proc/oops';
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

/** A word names a module file (not a built-in) if it has a '/' or a .ts/.js/.mts/.mjs suffix. */
export function isModulePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || /\.(m?ts|m?js)$/.test(nameOrPath);
}

/** A module found by name or path: what insmod loads, and a module file's compiled code (null for a built-in). */
export interface ModuleFound {
  module: KernelModule;
  size: number;
  outOfTree: boolean;
  code: { text: string; script: string } | null;
}

export class ModuleLoader {
  /** Loaded modules, most recent first (as /proc/modules lists them). */
  private readonly loaded: LoadedModule[] = [];
  private nextAddress = MODULES_VADDR;
  /** TAINT_OOT_MODULE: an out-of-tree module was loaded since boot (the taint line is logged once). */
  tainted = false;
  /** The module whose init (+) or exit (-) runs now (Linux MODULE_STATE_COMING/GOING). */
  private changing: { m: LoadedModule; mark: '+' | '-' } | null = null;
  /** The symbols of the kernel and of the loaded module files, for an oops's Call Trace. */
  readonly kallsyms = new Kallsyms();

  constructor(
    private readonly k: Kernel,
    private readonly builtins: ReadonlyMap<string, KernelModule> = BUILTIN_MODULES,
    private readonly compile: ModuleCompiler = (path, run) => compileModuleFile(path, requireEsbuild, run),
  ) {
    this.watchdog = new Watchdog(k.opts?.softLockupMs ?? DEFAULT_SOFTLOCKUP_MS);
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
   * The module a name or path gives (a file is compiled): the module, its
   * size for lsmod and whether it is out of tree; or -ENOENT (no such module
   * or file), -ENOEXEC with the compiler's diagnostics.
   */
  lookup(nameOrPath: string): ModuleFound | { errno: number; messages: string[] } {
    if (!isModulePath(nameOrPath)) {
      const b = this.builtins.get(nameOrPath);
      return b ? { module: b, size: BUILTIN_MODULE_SIZE, outOfTree: false, code: null } : { errno: ENOENT, messages: [] };
    }
    const run: BoundedRun = (where, fn) => this.watchdog.bounded(where, fn);
    const c = this.compile(nameOrPath, run);
    if (!c.ok) return { errno: c.messages.length === 0 ? ENOENT : ENOEXEC, messages: c.messages };
    const name = moduleName(c.module.name);
    if (name === null) {
      const shown = JSON.stringify(c.module.name.slice(0, MODULE_NAME_LEN));
      return { errno: ENOEXEC, messages: [`${nameOrPath}: module name ${shown} is not valid: 1 to ${MODULE_NAME_LEN - 1} characters of A-Z a-z 0-9 _ -`] };
    }
    const module = name === c.module.name ? c.module : { ...c.module, name };
    return { module, size: Math.ceil(c.size / PAGE) * PAGE, outOfTree: true, code: { text: c.code, script: c.script } };
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
    const found = this.lookup(nameOrPath);
    if ('errno' in found) {
      for (const m of found.messages) err(m);
      return fail(found.errno, found.errno === ENOENT ? 'load' : 'insert');
    }
    const { module: mod, size, outOfTree, code } = found;
    if (this.find(mod.name)) return fail(EEXIST);
    const parsed = parseModuleParams(mod.name, mod.params, args);
    if ('errno' in parsed) {
      this.k.printk.log(parsed.message, KERN_ERR);
      return fail(parsed.errno);
    }
    const m = new LoadedModule(this.k, mod, parsed.values, size, outOfTree, this.nextAddress, this.watchdog);
    if (code !== null) this.kallsyms.addModule(code.script, mod.name, code.text);
    this.changing = { m, mark: '+' };
    const r = runInProcess(this.k, 'insmod', () => {
      // check_modinfo() taints first, then parse_args() warns about unknown parameters.
      if (outOfTree && !this.tainted) this.k.printk.log(`${mod.name}: loading out-of-tree module taints kernel.`, KERN_WARNING);
      this.tainted ||= outOfTree;
      for (const w of parsed.warnings) this.k.printk.log(w, KERN_WARNING);
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
    this.nextAddress += BigInt(size);
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
      const v = fn();
      if (!isThenable(v)) return typeof v === 'number' ? v : 0;
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
