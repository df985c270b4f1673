// What proc/ and kernel.ts use from the memory manager (kernel-ts/mm) and the
// VFS (kernel-ts/fs), named in one place so the rest of proc/ imports them
// from here.
import type { Inode } from '../fs/inode';

export type { MmStruct } from '../mm/mm-struct';
export type { KernelMm } from '../mm/kernel-mm';
export type { FilesStruct } from '../fs/fdtable';
export type { Vfs } from '../fs/vfs';

/** An executable file as exec needs it: mode bits, size, and pages for the page cache. */
export type ExecInode = Inode;
