// <linux/printk.h> and <linux/kern_levels.h>: the kernel log. A module's
// messages go to the kernel log (dmesg), one record per line, as Linux's.

/** The start of a level prefix (KERN_SOH, "\x01"). */
export declare const KERN_SOH: string;
/** "\x010": system is unusable. */
export declare const KERN_EMERG: string;
/** "\x011": action must be taken immediately. */
export declare const KERN_ALERT: string;
/** "\x012": critical conditions. */
export declare const KERN_CRIT: string;
/** "\x013": error conditions. */
export declare const KERN_ERR: string;
/** "\x014": warning conditions (and the level of a message without one, MESSAGE_LOGLEVEL_DEFAULT). */
export declare const KERN_WARNING: string;
/** "\x015": normal but significant condition. */
export declare const KERN_NOTICE: string;
/** "\x016": informational. */
export declare const KERN_INFO: string;
/** "\x017": debug-level messages. */
export declare const KERN_DEBUG: string;
/** "": the default level (KERN_WARNING). */
export declare const KERN_DEFAULT: string;
/** "\x01c": continues the previous line (pr_cont). */
export declare const KERN_CONT: string;

/**
 * printk(fmt, ...args) (kernel/printk/printk.c): formats as the kernel's
 * vsnprintf (lib/vsprintf.c) — %d %i %u %x %X %o %c %s %p %px %%, the l/ll/h/z
 * length modifiers, width, precision and the - 0 + space # flags; numbers and
 * bigints both print — and logs the text at the level of its KERN_* prefix.
 * A line ends at "\n"; text without one stays open until the next printk, and
 * a KERN_CONT printk continues it (a printk without KERN_CONT closes it
 * first). Returns the number of characters printed, as Linux.
 */
export declare function printk(fmt: string, ...args: unknown[]): number;
/** printk(KERN_EMERG fmt, ...) (include/linux/printk.h). */
export declare function pr_emerg(fmt: string, ...args: unknown[]): number;
/** printk(KERN_ALERT fmt, ...). */
export declare function pr_alert(fmt: string, ...args: unknown[]): number;
/** printk(KERN_CRIT fmt, ...). */
export declare function pr_crit(fmt: string, ...args: unknown[]): number;
/** printk(KERN_ERR fmt, ...): an error. */
export declare function pr_err(fmt: string, ...args: unknown[]): number;
/** printk(KERN_WARNING ...). pr_warning is the old name. */
export declare function pr_warn(fmt: string, ...args: unknown[]): number;
/** printk(KERN_NOTICE fmt, ...). */
export declare function pr_notice(fmt: string, ...args: unknown[]): number;
/** printk(KERN_INFO fmt, ...): what the labs' modules print with. */
export declare function pr_info(fmt: string, ...args: unknown[]): number;
/** printk(KERN_CONT ...): more of the current line. */
export declare function pr_cont(fmt: string, ...args: unknown[]): number;
/**
 * pr_debug: as in a Linux build without DEBUG or dynamic debug, prints
 * nothing (returns 0); the arguments are still type-checked. Use pr_info
 * for messages that should appear.
 */
export declare function pr_debug(fmt: string, ...args: unknown[]): number;
/**
 * snprintf's formatting without the size (lib/vsprintf.c sprintf): the
 * string printk would log.
 */
export declare function sprintf(fmt: string, ...args: unknown[]): string;
