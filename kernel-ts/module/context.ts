// A loaded module: its ModuleContext (what the module's code calls) and the
// bookkeeping rmmod needs. Everything a module registers goes through here,
// so rmmod can remove it; every callback it hands the kernel is wrapped so
// that (1) a throw is an oops of the calling process, not a crash, and (2)
// opens and mappings of its files are counted (the module's refcount, which
// makes rmmod answer -EBUSY, as fops.owner = THIS_MODULE does in Linux).
import type { Kernel } from '../kernel';
import { EEXIST, EFAULT, EINVAL, ENODEV, ENOENT, ENOTDIR } from '../errno';
import { mkdirInode } from '../fs/inode';
import { entryPathParts } from '../fs/entry-name';
import type { FileOperations } from '../fs/file';
import type { Inode } from '../fs/inode';
import type { SysfsAttribute } from '../fs/sysfs';
import { registerHook } from '../hooks';
import type { HookArgs, HookHandlers, HookPoint } from '../hooks';
import { KERN_ERR, KERN_INFO } from '../printk';
import type { Task } from '../proc/task';
import { sendSignal } from '../proc/signal';
import { SIGKILL, SI_KERNEL, siginfo } from '../proc/signal-defs';
import type { VmAreaStruct, VmOperations } from '../mm/vma';
import type { KernelModule, ModuleContext, ParamSpec, ParamValue } from './api';
import { Watchdog, isThenable, swallowRejection } from './watchdog';
import { describeThrown, warnReport } from '../proc/oops';
import { Kmemleak } from './linux/kmemleak';
import { stopModuleKthreads } from './linux/kthread';
import { linuxCallEnd } from './linux/index';

/** The methods that check an entry's name: a name WARN's Call Trace starts at their caller. */
const ENTRY_CALLERS = ['registerChrdev', 'procCreate', 'sysfsCreate', 'mkdir'];

/** A module's registration to undo at rmmod, newest last. */
type Registration =
  | { kind: 'chrdev'; name: string }
  | { kind: 'proc'; path: string }
  | { kind: 'sysfs'; inode: Inode }
  | { kind: 'dir'; inode: Inode }
  | { kind: 'hook'; off: () => void };

/** Drops a directory entry (for sysfs and the directories a module's files needed). */
function unlinkInode(inode: Inode): void {
  const dir = inode.parent;
  const name = inode.path.slice(inode.path.lastIndexOf('/') + 1);
  if (dir.children?.get(name) !== inode) return;
  dir.children.delete(name);
  if (inode.isDir) dir.nlink--;
}

/**
 * What a module file's top level declared through vmlab/linux's module.h
 * (linux/module.ts): module_init, module_exit, MODULE_*, module_param.
 */
export interface ModuleDecl {
  /** The file's top level is running (module_init & co. are accepted only then). */
  loading: boolean;
  /** Something was declared: the file is a Linux-style module (not a default-exported KernelModule). */
  used: boolean;
  init?: () => number;
  exit?: () => void;
  license?: string;
  author?: string;
  description?: string;
  /** Declared parameters, in declaration order. */
  readonly params: Record<string, ParamSpec & { perm: number }>;
}

export class LoadedModule implements ModuleContext {
  /** The module's name (a module file's default export may rename it: bind). */
  name: string;
  /** Open files of the module's devices and /proc entries. */
  opens = 0;
  /** VMAs mapping them. */
  maps = 0;
  /** References other modules took with symbol_get (vmlab/linux export.ts), until their symbol_put. */
  symbolRefs = 0;
  private readonly regs: Registration[] = [];
  /** Unloaded (or its init failed): what its code registers from now on (after an await, a timer) is refused. */
  private gone = false;
  /** What the module allocated through vmlab/linux and has not freed (reported and freed by retire). */
  readonly kmemleak: Kmemleak;

  /** A module file's declarations (linux/module.ts fills them while its top level runs). */
  readonly decl: ModuleDecl = { loading: false, used: false, params: {} };
  /** insmod's parameter words, which module_param reads while the file's top level runs. */
  args: readonly string[] = [];
  /** THIS_MODULE (struct module): one object per load. */
  readonly thisModule: { readonly name: string };

  constructor(
    readonly kernel: Kernel,
    public mod: KernelModule,
    private values: ReadonlyMap<string, ParamValue>,
    /** Code size in bytes (lsmod's Size). */
    readonly size: number,
    /** Loaded from a file, not built in (taint flag O). */
    readonly outOfTree: boolean,
    /** Where its "code" lives (the address /proc/modules shows). */
    readonly address: bigint,
    /** Bounds each call into the module's code (the loader's). */
    private readonly watchdog: Watchdog = new Watchdog(),
  ) {
    this.name = mod.name;
    this.kmemleak = new Kmemleak(kernel);
    const self = this;
    this.thisModule = Object.freeze({
      get name(): string {
        return self.name;
      },
    });
  }

  /** The module as its file turned out to be (evaluated after this object was made): its KernelModule and parameter values. */
  bind(mod: KernelModule, values: ReadonlyMap<string, ParamValue>): void {
    this.mod = mod;
    this.name = mod.name;
    this.values = values;
  }

  /** Unloaded, or its init failed: what it registered is gone (vmlab/linux's own tables, e.g. chrdev regions, check this). */
  get retired(): boolean {
    return this.gone;
  }

  /** Linux module_refcount(): what lsmod shows under "Used by". */
  get refcount(): number {
    return this.opens + this.maps + this.symbolRefs;
  }

  // ---- ModuleContext ----------------------------------------------------

  // param, current and printk are counted by the watchdog as module API calls (the others are reached through vmlab/linux, counted there).
  param(name: string): ParamValue {
    this.watchdog.tick(this.param);
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`${this.name}: no parameter '${name}' declared`);
    return v;
  }

  current(): Task {
    this.watchdog.tick(this.current);
    const t = this.kernel.current;
    if (t === null) throw new Error(`${this.name}: current() outside process context`);
    return t;
  }

  printk(text: string, level = KERN_INFO): void {
    this.watchdog.tick(this.printk);
    this.kernel.printk.log(text, level);
  }

  registerChrdev(name: string, fops: FileOperations, opts: { major?: number; minor?: number; mode?: number } = {}): number {
    if (this.gone) return -ENODEV;
    // /dev/NAME is made at once (devtmpfs): the name is one component.
    if (typeof name !== 'string' || name.includes('/') || !this.entryNameOk('/dev', name, 'fs/char_dev.c', '__register_chrdev')) return -EINVAL;
    const major = this.kernel.vfs.registerChrdev(name, this.wrapFops(fops), opts);
    if (major < 0) return major;
    this.regs.push({ kind: 'chrdev', name });
    const inode = this.kernel.vfs.dev.children!.get(name);
    if (inode) this.countMaps(inode);
    return major;
  }

  procCreate(path: string, fops: FileOperations, mode?: number): Inode | number {
    if (this.gone) return -ENODEV;
    if (!this.entryNameOk('/proc', path, 'fs/proc/generic.c', '__proc_create')) return -EINVAL;
    const dirs = this.missingDirs('/proc', path);
    const r = this.kernel.vfs.procCreate(path, this.wrapFops(fops), mode);
    if (typeof r === 'number') return r;
    this.recordDirs(dirs);
    this.regs.push({ kind: 'proc', path });
    this.countMaps(r);
    return r;
  }

  sysfsCreate(path: string, attr: SysfsAttribute, mode?: number): Inode | number {
    if (this.gone) return -ENODEV;
    if (!this.entryNameOk('/sys', path, 'fs/sysfs/file.c', 'sysfs_create_file_ns')) return -EINVAL;
    const dirs = this.missingDirs('/sys', path);
    const wrapped: SysfsAttribute = {
      show: attr.show && ((): string | number => this.guard('show', -EFAULT, () => attr.show!())),
      store: attr.store && ((text: string): number => this.guard('store', -EFAULT, () => attr.store!(text))),
    };
    const r = this.kernel.vfs.sysfsCreate(path, wrapped, mode ?? (attr.store ? 0o644 : 0o444));
    if (typeof r === 'number') return r;
    this.recordDirs(dirs);
    this.regs.push({ kind: 'sysfs', inode: r });
    return r;
  }

  registerHook(point: HookPoint, handlers: HookHandlers): () => void {
    if (this.gone) return () => {};
    // A throwing handler is an oops of the calling process, not a failure of the mm operation.
    const wrapped: HookHandlers = {
      pre: handlers.pre && ((a: HookArgs): void => this.guard(`hook ${point}`, undefined, () => handlers.pre!(a))),
      post: handlers.post && ((a: HookArgs): void => this.guard(`hook ${point}`, undefined, () => handlers.post!(a))),
    };
    const r: Registration = { kind: 'hook', off: registerHook(this.kernel.mm, point, wrapped) };
    this.regs.push(r);
    return () => {
      const i = this.regs.indexOf(r);
      if (i >= 0) this.regs.splice(i, 1);
      r.off();
    };
  }

  // ---- undoing one registration before rmmod (vmlab/linux's unregister_chrdev,
  // device_destroy, proc_remove, sysfs_remove_file, kobject_put) -------------

  /** unregister_chrdev(): removes /dev/NAME if this module made it; 0 or -ENOENT. */
  unregisterChrdev(name: string): number {
    if (!this.dropReg((r) => r.kind === 'chrdev' && r.name === name)) return -ENOENT;
    return this.kernel.vfs.unregisterChrdev(name);
  }

  /** proc_remove() of an entry this module made with procCreate(path); 0 or -ENOENT. */
  procRemove(path: string): number {
    if (!this.dropReg((r) => r.kind === 'proc' && r.path === path)) return -ENOENT;
    return this.kernel.vfs.procRemove(path);
  }

  /** sysfs_remove_file() of an attribute this module made; 0 or -ENOENT. */
  sysfsRemove(inode: Inode): number {
    if (!this.dropReg((r) => r.kind === 'sysfs' && r.inode === inode)) return -ENOENT;
    unlinkInode(inode);
    return 0;
  }

  /**
   * proc_mkdir()/kobject_add(): the directory `path` under root ('/proc' or
   * '/sys'), parents made as needed; each one made is removed at rmmod (when
   * empty) or by rmdir. The inode, or -EEXIST, -ENOTDIR, -EINVAL (a bad name, with the WARN).
   */
  mkdir(root: '/proc' | '/sys', path: string, mode: number): Inode | number {
    if (this.gone) return -ENODEV;
    const fn = root === '/proc' ? ['fs/proc/generic.c', 'proc_mkdir'] : ['lib/kobject.c', 'kobject_add'];
    if (!this.entryNameOk(root, path, fn[0]!, fn[1]!)) return -EINVAL;
    const rel = path.replace(new RegExp(`^${root}/?`), '');
    if (typeof this.kernel.vfs.lookup(`${root}/${rel}`) !== 'number') return -EEXIST;
    const dirs = this.missingDirs(root, `${rel}/x`);
    let made: Inode | null = null;
    for (const d of dirs) {
      const slash = d.lastIndexOf('/');
      const parent = this.kernel.vfs.lookup(d.slice(0, slash));
      if (typeof parent === 'number') return parent;
      if (!parent.isDir) return -ENOTDIR;
      made = mkdirInode(parent, d.slice(slash + 1), parent.fop, d === `${root}/${rel}` ? mode & 0o7777 : 0o555);
      this.regs.push({ kind: 'dir', inode: made });
    }
    return made ?? -EEXIST;
  }

  /** remove_proc_subtree()/kobject_del() of a directory this module made: its entries, then it. 0 or -ENOENT. */
  rmdir(inode: Inode): number {
    if (!this.dropReg((r) => r.kind === 'dir' && r.inode === inode)) return -ENOENT;
    const inside = (i: Inode): boolean => i.path.startsWith(`${inode.path}/`);
    for (const r of [...this.regs].reverse()) {
      if (r.kind === 'hook' || r.kind === 'chrdev') continue;
      const i = r.kind === 'proc' ? this.kernel.vfs.lookup(`/proc/${r.path.replace(/^\/proc\/?/, '')}`) : r.inode;
      if (typeof i === 'number' || !inside(i)) continue;
      this.regs.splice(this.regs.indexOf(r), 1);
      unlinkInode(i);
    }
    unlinkInode(inode);
    return 0;
  }

  private dropReg(match: (r: Registration) => boolean): boolean {
    const i = this.regs.findIndex(match);
    if (i < 0) return false;
    this.regs.splice(i, 1);
    return true;
  }

  // ---- rmmod --------------------------------------------------------------

  /** Removes every device, /proc and /sys entry the module registered (and directories made for them). */
  unregisterAll(): void {
    for (const r of this.regs.splice(0).reverse()) {
      switch (r.kind) {
        case 'chrdev':
          this.kernel.vfs.unregisterChrdev(r.name);
          break;
        case 'proc':
          this.kernel.vfs.procRemove(r.path);
          break;
        case 'sysfs':
          unlinkInode(r.inode);
          break;
        case 'dir':
          if (r.inode.children?.size === 0) unlinkInode(r.inode);
          break;
        case 'hook':
          r.off();
          break;
      }
    }
  }

  /** The module is unloaded (rmmod, or a failed init): unregisterAll, and refuse what its code registers later. */
  retire(): void {
    this.gone = true;
    const threads = stopModuleKthreads(this.kernel, this);
    if (threads.length > 0) this.kernel.printk.log(`${this.name}: kernel thread ${threads.join(', ')} still running at unload; stopped (its code goes with the module)`, KERN_ERR);
    this.unregisterAll();
    this.kmemleak.report(this.name);
  }

  /**
   * Whether `path` may name a /proc or /sys entry (fs/entry-name.ts); if not,
   * the WARN Linux's __proc_create gives, naming the function, and -EINVAL
   * for the module (Linux's proc_create returns NULL).
   */
  private entryNameOk(root: string, path: unknown, file: string, fn: string): boolean {
    const checked = typeof path === 'string' ? entryPathParts(root, path) : { why: `name of type ${typeof path}` };
    if ('parts' in checked) return true;
    // __warn()'s whole report (Modules linked in, the task, the Call Trace from the module's call, the end marker).
    warnReport(this.kernel, { file, message: checked.why, entry: ENTRY_CALLERS, fn: `${fn} [${this.name}]` });
    return false;
  }

  // ---- wrapping -----------------------------------------------------------

  /**
   * Calls into the module's code: bounded by the watchdog (a SoftLockup is
   * thrown past the bound), and a returned Promise (an async callback) is a
   * bug of the module, thrown here, its rejection handled so that it never
   * reaches Node's unhandledRejection.
   */
  call<T>(op: string, fn: () => T): T {
    this.depth++;
    try {
      return this.watchdog.bounded(`${op} [${this.name}]`, () => {
        const bug = this.raisedBug;
        const v = fn();
        this.rethrowSwallowedBug(bug, v);
        if (isThenable(v)) {
          swallowRejection(v, (e) => this.kernel.printk.log(`${this.name}: a Promise of ${op} rejected: ${describeThrown(e).text}`, KERN_ERR));
          throw new Error(`${op} returned a Promise: module callbacks must be synchronous (not async functions)`);
        }
        return v;
      });
    } finally {
      // Back out of the module's code: the printk line it left open is logged, mmap locks it still holds are lockdep's warning.
      if (--this.depth === 0) linuxCallEnd({ kernel: this.kernel, module: this });
    }
  }

  /** Calls into the module's code in progress (a module may call the kernel, which calls it back). */
  private depth = 0;

  /** The last KernelBug a BUG()/BUG_ON() of this module threw (linux/bug.ts). */
  raisedBug: Error | null = null;

  /**
   * A module call returned, but a BUG raised during it (`before`: the last
   * one before the call) was caught by the module's own code or turned into
   * a rejected Promise by an async function: BUG is not catchable in Linux
   * (it is an invalid opcode), so it is thrown again here, and the caller
   * reports the oops. A returned Promise's rejection is handled first.
   */
  rethrowSwallowedBug(before: Error | null, returned: unknown): void {
    const bug = this.raisedBug;
    if (bug === before || bug === null) return;
    if (isThenable(returned)) swallowRejection(returned, () => {});
    throw bug;
  }

  /** Runs a callback of the module; a throw is an oops of the calling process (killed), answered with `failed`. */
  guard<T>(op: string, failed: T, fn: () => T): T {
    try {
      return this.call(op, fn);
    } catch (e) {
      const t = this.kernel.current;
      this.kernel.reportOops(t, `${op} [${this.name}]`, e);
      // The caller dies as by SIGKILL, once the kernel path that called the module has unwound with `failed`
      // (a system call returns first): its mm stays whole until it exits, for that path's own undo.
      if (t !== null && t.isAlive) sendSignal(t, siginfo(SIGKILL, SI_KERNEL));
      return failed;
    }
  }

  /** The directories on the way to `root`/`path` that do not exist yet (made by the create that follows). */
  private missingDirs(root: string, path: string): string[] {
    const parts = path.replace(new RegExp(`^${root}/?`), '').split('/').filter((p) => p !== '');
    const out: string[] = [];
    for (let i = 1; i < parts.length; i++) {
      const dir = `${root}/${parts.slice(0, i).join('/')}`;
      if (typeof this.kernel.vfs.lookup(dir) === 'number') out.push(dir);
    }
    return out;
  }

  private recordDirs(dirs: string[]): void {
    for (const d of dirs) {
      const inode = this.kernel.vfs.lookup(d);
      if (typeof inode !== 'number') this.regs.push({ kind: 'dir', inode });
    }
  }

  /** VMAs of the file count towards the refcount (the mm layer calls VmFile.mapRef as VMAs come and go). */
  private countMaps(inode: Inode): void {
    (inode as Inode & { mapRef?: (d: 1 | -1) => void }).mapRef = (d) => {
      this.maps += d;
    };
  }

  /** The fops with each member guarded, and opens counted (open/release always present). */
  private wrapFops(inner: FileOperations): FileOperations {
    const g = <A extends unknown[]>(op: string, fn: ((...a: A) => number) | undefined) =>
      fn && ((...a: A): number => this.guard(op, -EFAULT, () => fn(...a)));
    return {
      ...inner,
      open: (inode, file) => {
        const r = inner.open ? this.guard('open', -EFAULT, () => inner.open!(inode, file)) : 0;
        if (r >= 0) this.opens++;
        return r;
      },
      read: g('read', inner.read),
      write: g('write', inner.write),
      llseek: g('llseek', inner.llseek),
      ioctl: g('ioctl', inner.ioctl),
      mmap: inner.mmap && ((file, vma): number => {
        // The vm_ops the module set are read (and wrapped) under the same bound.
        return this.guard('mmap', -EFAULT, () => {
          const r = inner.mmap!(file, vma);
          if (r >= 0) this.wrapVmOps(vma);
          return r;
        });
      }),
      release: (inode, file) => {
        this.opens--;
        try {
          if (inner.release) this.call('release', () => inner.release!(inode, file));
        } catch (e) {
          // The file is going away (often because its task is exiting): log, do not kill again.
          this.kernel.reportOops(this.kernel.current, `release [${this.name}]`, e);
        }
      },
    };
  }

  /**
   * The vm_ops the module's mmap set, bounded as every call into it; a throw
   * goes on to the page-fault path, whose guard makes it the faulting task's oops.
   */
  private wrapVmOps(vma: VmAreaStruct): void {
    const ops = vma.vmOps;
    if (ops === null || WRAPPED.has(ops)) return;
    const fault = ops.fault;
    const open = ops.open;
    const close = ops.close;
    const wrapped: VmOperations = {
      name: ops.name,
      ...(fault ? { fault: (v: VmAreaStruct, address: number, flags: number): number => this.call('fault', () => fault(v, address, flags)) } : {}),
      // open runs in the middle of fork/split/mremap: a throw is the caller's oops (killed) and the operation completes.
      ...(open ? { open: (v: VmAreaStruct): void => this.guard('open', undefined, () => open(v)) } : {}),
      ...(close ? { close: (v: VmAreaStruct): void => this.call('close', () => close(v)) } : {}),
    };
    WRAPPED.add(wrapped);
    vma.vmOps = wrapped;
  }
}

/** vm_ops already bounded (a VMA split or copied keeps its wrapped ops). */
const WRAPPED = new WeakSet<VmOperations>();
