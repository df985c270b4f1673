// What the memory manager needs from a file it maps (the VFS's inodes
// implement this): identity and maps-line fields (VmFile), the size, and a
// way to read one page of contents into the page cache.
import type { VmFile } from '../mm/vma';

export interface MappableFile extends VmFile {
  /** File size in bytes. */
  readonly size: number;
  /** Fills `into` (4096 bytes) with page `index` of the file, zero past EOF. */
  readPage(index: number, into: Uint8Array): void;
  /**
   * Writeback (Linux ->writepage): stores page `index` (4096 bytes) into the
   * file, clipped at EOF (a mapping never grows a file). The page cache calls
   * it for a dirty page of a MAP_SHARED mapping before dropping the page;
   * files that cannot be written (rootfs) leave it out.
   */
  writePage?(index: number, from: Uint8Array): void;
}
