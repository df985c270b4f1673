// <linux/module.h> and <linux/moduleparam.h>: what makes a file a module.
//
// A module file's top level runs once per insmod (its top-level `let`s are
// that load's state, as a .ko's .data). It names its init and exit functions,
// its license and parameters; the module's name is the file's name
// (KBUILD_MODNAME, '-' read as '_').
//
//   import { module_init, module_exit, MODULE_LICENSE, module_param, pr_info } from 'vmlab/linux';
//   const who = module_param('who', 'charp', 'world', 0o444, 'whom to greet');
//   module_init(() => { pr_info(`hello, ${who}\n`); return 0; });
//   module_exit(() => pr_info('goodbye\n'));
//   MODULE_LICENSE('GPL');

/** struct module: the loaded module (THIS_MODULE). */
export interface module {
  /** The module's name (KBUILD_MODNAME), as lsmod shows it. */
  readonly name: string;
}

/** The module this code belongs to (include/linux/export.h THIS_MODULE, &__this_module). */
export declare const THIS_MODULE: module;

/**
 * module_init(fn) (include/linux/module.h): fn is the module's init, called
 * by insmod (do_one_initcall) in the insmod process once the file's top level
 * has run. It returns 0, or -errno to fail the insmod with that error
 * (nothing the module registered stays). Call it once, at the top level.
 */
export declare function module_init(fn: () => number): void;

/**
 * module_exit(fn) (include/linux/module.h): fn is called by rmmod, in the
 * rmmod process, before everything the module registered is removed. A
 * module without one still unloads (Linux would refuse it: vmlab lets it go).
 */
export declare function module_exit(fn: () => void): void;

/** MODULE_LICENSE(license) (include/linux/module.h): modinfo's license. */
export declare function MODULE_LICENSE(license: string): void;
/** MODULE_AUTHOR(author) (include/linux/module.h): modinfo's author. */
export declare function MODULE_AUTHOR(author: string): void;
/** MODULE_DESCRIPTION(text) (include/linux/module.h): modinfo's description. */
export declare function MODULE_DESCRIPTION(description: string): void;

/**
 * The types of module_param (include/linux/moduleparam.h param_ops_*):
 * int and uint are number (32 bits), long and ulong are bigint (64 bits:
 * a kernel address fits), charp a string, bool a boolean.
 */
export interface module_param_types {
  int: number;
  uint: number;
  long: bigint;
  ulong: bigint;
  charp: string;
  bool: boolean;
}
export type module_param_type = keyof module_param_types;

/**
 * module_param(name, type, perm) with its default and MODULE_PARM_DESC in
 * one call (include/linux/moduleparam.h): declares parameter `name` and
 * returns the value insmod gave (`insmod mod.ts name=value`), else `value`.
 * Values are parsed as Linux's param_set_* (kernel/params.c): kstrtoint &
 * co. with base 0 (0x hex, 0 octal), bool as kstrtobool (y/n/1/0/on/off,
 * alone means true). A value that does not parse fails the insmod with
 * -EINVAL and Linux's `NAME: 'VALUE' invalid for parameter 'PARAM'` in the
 * log; an unknown name on the command line is ignored with a warning.
 * `perm` is the mode of /sys/module/NAME/parameters/PARAM in Linux (kept
 * for modinfo; vmlab makes no such file). Declare each name once, at the top level.
 */
export declare function module_param<T extends module_param_type>(
  name: string,
  type: T,
  value: T extends 'long' | 'ulong' ? bigint | number : module_param_types[T],
  perm: number,
  description?: string,
): module_param_types[T];

/** MODULE_PARM_DESC(name, text) (include/linux/moduleparam.h): modinfo's text of a declared parameter. */
export declare function MODULE_PARM_DESC(name: string, description: string): void;
