// The kernel-module API: what a module file exports and what its code may
// call. Built-in drivers (kernel-ts/drivers/) and people's own modules (a
// .ts/.js file given to `insmod PATH`, compiled on the fly with esbuild) use
// exactly this, so a driver for an assignment never touches the kernel's core.
// Documented for users in docs/modules.md.
//
// A module file:
//   import type { KernelModule } from 'vmlab/module';   // (resolved to this file)
//   const mod: KernelModule = {
//     name: 'hello',
//     description: 'says hello',
//     params: { who: { type: 'charp', default: 'world', description: 'whom to greet' } },
//     init(m) { m.printk(`hello, ${m.param('who')}`); return 0; },
//     exit(m) { m.printk('goodbye'); },
//   };
//   export default mod;
//
// init returns 0 or -errno (insmod then fails with that error and exit is not
// called). A module that throws is an oops for that call: logged with its JS
// stack as the "Call Trace", the calling process killed, the kernel running.
// Everything a module registers through its ModuleContext is removed by rmmod
// (after exit); rmmod fails with -EBUSY while any file of the module is open
// or mapped.
import type { Kernel } from '../kernel';
import type { Task } from '../proc/task';
import type { FileOperations, File } from '../fs/file';
import type { Inode } from '../fs/inode';
import type { SysfsAttribute } from '../fs/sysfs';
import type { HookArgs, HookHandlers, HookPoint } from '../hooks';

/** Module parameter types, as Linux's module_param types. */
export type ParamType = 'int' | 'uint' | 'long' | 'ulong' | 'charp' | 'bool';
/** int/uint: number; long/ulong: bigint (64-bit, e.g. a kernel address); charp: string; bool: boolean. */
export type ParamValue = number | bigint | string | boolean;

export interface ParamSpec {
  readonly type: ParamType;
  readonly default?: ParamValue;
  readonly description?: string;
}

export interface KernelModule {
  readonly name: string;
  readonly description?: string;
  readonly license?: string;
  readonly author?: string;
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /** module_init: 0 or -errno. */
  init(m: ModuleContext): number;
  /** module_exit. */
  exit?(m: ModuleContext): void;
}

/** What a module's code gets: the kernel services Linux modules use, scoped so rmmod can undo them. */
export interface ModuleContext {
  readonly kernel: Kernel;
  readonly name: string;
  /** The parsed value of a parameter (insmod key=value, else its default). */
  param(name: string): ParamValue;
  /** `current`: the task this call runs for (insmod's own process during init/exit; the caller during fops). */
  current(): Task;
  /** printk with the module's messages going to the kernel log (dmesg). */
  printk(text: string): void;
  /** register_chrdev: creates /dev/NAME; returns the major or -errno. */
  registerChrdev(name: string, fops: FileOperations): number;
  /** proc_create: creates /proc/PATH (relative to /proc); returns the inode or -errno. */
  procCreate(path: string, fops: FileOperations, mode?: number): Inode | number;
  /** A sysfs attribute at /sys/PATH (relative to /sys), e.g. 'kernel/kobject_cs614/promote'. */
  sysfsCreate(path: string, attr: SysfsAttribute, mode?: number): Inode | number;
  /** Attaches pre/post handlers to a core-mm hook point (docs/hooks.md); returns the detach function. rmmod detaches what is left. */
  registerHook(point: HookPoint, handlers: HookHandlers): () => void;
}

/** Re-exported for module authors. */
export type { FileOperations, File, Inode, SysfsAttribute, Kernel, Task, HookArgs, HookHandlers, HookPoint };
