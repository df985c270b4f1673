// <asm-generic/bug.h> and <linux/printk.h>'s dump_stack: assertions that
// oops or warn as Linux's do.

/**
 * BUG() (include/asm-generic/bug.h): a kernel bug at this line. Logs
 * `------------[ cut here ]------------` and `kernel BUG at FILE:LINE!`
 * (report_bug), then the call ends in an oops (`invalid opcode: 0000 [#N]`,
 * die()): the calling process is killed, the kernel keeps running. Never
 * returns. FILE:LINE is the module file and the line of the BUG() call in its
 * compiled code.
 */
export declare function BUG(): never;
/** BUG_ON(cond): BUG() if cond is true (truthy), else nothing. */
export declare function BUG_ON(cond: unknown): void;
/**
 * WARN_ON(cond) (include/asm-generic/bug.h, __warn in kernel/panic.c): if
 * cond is true, logs Linux's warning — `------------[ cut here ]------------`,
 * `WARNING: CPU: 0 PID: N at FILE:LINE FUNC+0xOFF/0xSIZE [module]`,
 * `Modules linked in: ...`, the CPU line, the Call Trace and
 * `---[ end trace 0000000000000000 ]---` — and goes on. Returns cond as a
 * boolean, so `if (WARN_ON(!p)) return -EINVAL;` reads as in C.
 */
export declare function WARN_ON(cond: unknown): boolean;
/** WARN_ON, printed at most once per call site while the module is loaded. */
export declare function WARN_ON_ONCE(cond: unknown): boolean;
/** WARN(cond, fmt, ...args): WARN_ON with the formatted message (printk's format) after the cut-here line. */
export declare function WARN(cond: unknown, fmt: string, ...args: unknown[]): boolean;
/** WARN, once per call site. */
export declare function WARN_ONCE(cond: unknown, fmt: string, ...args: unknown[]): boolean;
/**
 * dump_stack() (lib/dump_stack.c): logs the CPU line (`CPU: 0 PID: N Comm:
 * COMM ...`), `Hardware name:` and the Call Trace of the caller, innermost
 * first, the module's functions by name with `[module]`.
 */
export declare function dump_stack(): void;
