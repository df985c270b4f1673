// <linux/export.h> and <linux/module.h>'s symbol_get/symbol_put: what one
// module shares with modules loaded after it (kernel/module/main.c).
//
// C's EXPORT_SYMBOL(sym) names a variable or function of the file; a module
// that uses it gets it from the kernel's symbol table when it loads. A
// TypeScript module file cannot link against another's variables, so the
// exporter names the value and the user asks for it by name, as symbol_get
// does in Linux (the form for an optional dependency):
//
//   // memalloc.ts                               // memaccess.ts
//   let node = 0n;                               const get = symbol_get<() => bigint>('memalloc_va');
//   function memalloc_va(): bigint {             if (get === null) return -EINVAL;   // memalloc not loaded
//     return node;                               const va = get();
//   }                                            symbol_put('memalloc_va');
//   EXPORT_SYMBOL('memalloc_va', memalloc_va);
//
// Export a function (or an object) rather than a number: the value is taken
// once, at EXPORT_SYMBOL, as the address of a C symbol is.

/**
 * EXPORT_SYMBOL(name, value) (include/linux/export.h): value is the module's
 * symbol `name` from the moment the module is live (its init succeeded)
 * until rmmod. A top-level statement, as in C. A name another live module
 * exports already fails the insmod (-ENOEXEC), with Linux's
 * `NAME: exports duplicate symbol SYM (owned by OTHER)` line.
 */
export declare function EXPORT_SYMBOL(name: string, value: unknown): void;

/**
 * symbol_get(name) (include/linux/module.h, __symbol_get): the value a live
 * module exported as `name`, taking a reference on that module
 * (try_module_get: lsmod counts it under "Used by" and rmmod of it is
 * -EBUSY until symbol_put); null when no live module exports it.
 * The type parameter is what the caller expects, unchecked (C's typeof).
 */
export declare function symbol_get<T = unknown>(name: string): T | null;

/** symbol_put(name) (kernel/module/main.c __symbol_put): drops the reference a symbol_get(name) took. */
export declare function symbol_put(name: string): void;
