// What the VFS uses from the rest of the kernel, named in one place. The
// Kernel (kernel-ts/kernel.ts) satisfies VfsKernel structurally; unit tests
// may hand the Vfs a smaller fake.
import type { Printk } from '../printk';
import type { Task } from '../proc/task';
import type { ConsoleHost } from './devices';
import type { MappableFile } from './mappable';

/** The address space a task's syscalls act on (K1's MmStruct). */
export type UserMm = NonNullable<Task['mm']>;

/** The memory manager's services the VFS, /proc and the file syscalls use (K1's KernelMm). */
export interface FsMm {
  copyFromUser(mm: UserMm, uaddr: number, len: number): Uint8Array | number;
  copyToUser(mm: UserMm, uaddr: number, bytes: Uint8Array): number;
  strncpyFromUser(mm: UserMm, uaddr: number, max: number): string | number;
  /** The 64-bit /proc/PID/pagemap entry of the page holding va. */
  pagemapEntry(mm: UserMm, va: number): bigint;
  /** /proc/meminfo's text. */
  meminfo(): string;
  /** /proc/buddyinfo's text. */
  buddyinfo(): string;
  /** /proc/vmstat's text (absent: no /proc/vmstat). */
  vmstat?(): string;
  /** The Vm and Rss lines of /proc/PID/status (task_mem), each ending in '\n'. */
  status(mm: UserMm): string;
  /** /proc/PID/smaps_rollup's whole text. Optional. */
  smapsRollup?(mm: UserMm): string;
  /** drop_caches: 1 page cache, 2 slab, 3 both. */
  dropCaches(mode: number): void;
  /** vm.mmap_min_addr, read and set by /proc/sys/vm/mmap_min_addr. */
  mmapMinAddr: number;
  /** vm.max_map_count, read and set by /proc/sys/vm/max_map_count. */
  maxMapCount: number;
  /** Page-cache coherence for read(2)/write(2) of mappable files (ramfs.ts PageCacheHooks). Optional. */
  filemapWrite?(file: MappableFile, pos: number, bytes: Uint8Array): void;
  filemapReadCached?(file: MappableFile, index: number, into: Uint8Array): boolean;
  /** After a regular file shrank: zap its pages past `size` in these mms and drop them from the cache. Optional. */
  filemapTruncate?(file: MappableFile, size: number, mms: Iterable<UserMm>): void;
}

export interface VfsKernel {
  readonly opts: ConsoleHost;
  readonly tasks: ReadonlyMap<number, Task>;
  readonly current: Task | null;
  readonly printk: Printk;
  readonly mm: FsMm;
  clockNs(): number;
}
