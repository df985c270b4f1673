// <linux/miscdevice.h>: single-node character devices on major 10
// (drivers/char/misc.c). misc_register makes /dev/NAME at once.
//
//   const misc: miscdevice = { minor: MISC_DYNAMIC_MINOR, name: 'mydev', fops, mode: 0o666 };
//   misc_register(misc);   // misc.minor is now the minor it got
import type { file_operations } from './fs';
import type { device } from './device';

/** MISC_MAJOR: 10. */
export declare const MISC_MAJOR: 10;
/** MISC_DYNAMIC_MINOR: ask for a free minor (given from 63 downwards, as Linux's DYNAMIC_MINORS). */
export declare const MISC_DYNAMIC_MINOR: 255;

/** struct miscdevice. */
export interface miscdevice {
  /** The minor wanted, or MISC_DYNAMIC_MINOR; misc_register writes the one given. */
  minor: number;
  readonly name: string;
  readonly fops: file_operations;
  /** The node's permission bits (0: devtmpfs's 0600). */
  readonly mode?: number;
  /** A node name other than `name`. */
  readonly nodename?: string;
  /** Set by misc_register: the device made. */
  this_device?: device | null;
}

/**
 * misc_register(misc) (drivers/char/misc.c): /dev/NAME, c 10:minor. An open
 * sets file.private_data to `misc` before fops.open runs (misc_open), as
 * drivers' container_of expects. 0, or -EBUSY (the minor or the name is
 * taken, or no dynamic minor is left), -EINVAL (a bad name). Undone by
 * misc_deregister or at rmmod.
 */
export declare function misc_register(misc: miscdevice): number;
/** misc_deregister(misc): removes /dev/NAME and frees the minor. */
export declare function misc_deregister(misc: miscdevice): void;
