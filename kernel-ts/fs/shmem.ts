// tmpfs's limits (Linux mm/shmem.c, struct shmem_sb_info): a tmpfs mount
// holds at most `size` bytes of file pages and `nr_inodes` inodes. Pages
// are charged when a write first touches them (never by ftruncate, which
// only sets the size: a sparse file costs nothing) and uncharged when a
// truncate drops them. Running out is -ENOSPC, as shmem_inode_acct_blocks
// and shmem_reserve_inode answer. vmlab keeps file pages in host memory, so
// these limits are also what bounds the host memory a guest can fill.
import { PAGE_SIZE } from '../mm/page';

/** statfs f_type of tmpfs and devtmpfs (include/uapi/linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;

/** A tmpfs mount's size= and nr_inodes= options. */
export interface TmpfsConfig {
  /** size=: the most bytes of file pages, rounded up to whole pages. */
  readonly size: number;
  /** nr_inodes=: the most inodes (files and directories, the root included). */
  readonly nrInodes: number;
}

/**
 * shmem_default_max_blocks() / shmem_default_max_inodes(): half of RAM, and
 * as many inodes as half of RAM has pages.
 */
export function tmpfsDefaults(memSize: number): TmpfsConfig {
  const pages = Math.floor(memSize / PAGE_SIZE);
  return { size: Math.floor(pages / 2) * PAGE_SIZE, nrInodes: Math.floor(pages / 2) };
}

/** struct shmem_sb_info: the limits of one tmpfs mount and what is used of them. */
export class ShmemSbInfo {
  /** max_blocks: pages the mount may hold. */
  readonly maxBlocks: number;
  /** max_inodes. */
  readonly maxInodes: number;
  /** used_blocks: pages some file holds. */
  usedBlocks = 0;
  /** Inodes in use (max_inodes - free_ispace / BOGO_INODE_SIZE). */
  usedInodes = 0;

  constructor(config: TmpfsConfig) {
    this.maxBlocks = Math.ceil(config.size / PAGE_SIZE);
    this.maxInodes = config.nrInodes;
  }

  /** shmem_inode_acct_blocks(): charges `pages` new pages; false (-ENOSPC) when the mount is full. */
  acctBlocks(pages: number): boolean {
    if (this.usedBlocks + pages > this.maxBlocks) return false;
    this.usedBlocks += pages;
    return true;
  }

  /** shmem_inode_unacct_blocks(): pages a truncate freed. */
  unacctBlocks(pages: number): void {
    if (pages > this.usedBlocks) throw new Error(`tmpfs: uncharging ${pages} pages of ${this.usedBlocks} used`);
    this.usedBlocks -= pages;
  }

  /** shmem_reserve_inode(): one more inode; false (-ENOSPC) when none is left. */
  reserveInode(): boolean {
    if (this.usedInodes >= this.maxInodes) return false;
    this.usedInodes++;
    return true;
  }

  /** shmem_free_inode(): an inode removed for good gives its slot back. */
  releaseInode(): void {
    if (this.usedInodes <= 0) throw new Error('tmpfs: releasing an inode none holds');
    this.usedInodes--;
  }

  /** shmem_show_options(): the size= and nr_inodes= of /proc/mounts (size in KiB, as Linux prints it). */
  showOptions(): string {
    return `size=${(this.maxBlocks * PAGE_SIZE) / 1024}k,nr_inodes=${this.maxInodes}`;
  }
}
