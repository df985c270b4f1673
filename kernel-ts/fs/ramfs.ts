// RAM file systems: the read-only root that holds the guest programs (/bin)
// and the writable /tmp (Linux ramfs/tmpfs, fs/ramfs/file-mmu.c with
// generic_file_read_iter and simple_setattr). File contents live in the inode.
import type { File, FileOperations, Loff } from './file';
import { O_APPEND, genericFileLlseek } from './file';
import { Inode, SuperBlock, childPath } from './inode';
import { S_IFDIR, S_IFREG } from './stat';
import type { MappableFile } from './mappable';
import { PAGE_SIZE } from '../mm/page';

const EISDIR = 21;
const EFBIG = 27;
const EROFS = 30;

/** Largest file /tmp accepts (an in-memory file; Linux would hit ENOSPC at tmpfs's size limit). */
export const TMPFS_MAX_FILE = 256 * 1024 * 1024;

/**
 * The page cache's coherence hooks (kernel-ts/mm/filemap.ts): file pages the
 * cache holds may be newer than the inode's bytes (MAP_SHARED stores), and a
 * write(2) must reach the cached pages that mappings see.
 */
export interface PageCacheHooks {
  /** Copies bytes written at pos into the file's cached pages. */
  filemapWrite?(file: MappableFile, pos: number, bytes: Uint8Array): void;
  /** Fills `into` with the cached page `index` and returns true; false when the page is not cached. */
  filemapReadCached?(file: MappableFile, index: number, into: Uint8Array): boolean;
}

/**
 * Regular files of rootfs and tmpfs: read/write at the position (through the
 * page cache when it holds the page, as Linux's generic_file_read_iter and
 * generic_perform_write do), llseek; mmap goes through the page cache.
 */
export function ramfsFileOps(cache: () => PageCacheHooks | null): FileOperations {
  const page = new Uint8Array(PAGE_SIZE);
  return {
    read: (file: File, buf: Uint8Array, ppos: Loff): number => {
      const inode = file.inode;
      if (ppos.pos >= inode.size) return 0;
      const n = Math.min(buf.length, inode.size - ppos.pos);
      buf.set(inode.data.subarray(ppos.pos, ppos.pos + n));
      const c = cache();
      if (c?.filemapReadCached) {
        for (let index = Math.floor(ppos.pos / PAGE_SIZE); index * PAGE_SIZE < ppos.pos + n; index++) {
          if (!c.filemapReadCached(inode, index, page)) continue;
          const from = Math.max(index * PAGE_SIZE, ppos.pos);
          const to = Math.min((index + 1) * PAGE_SIZE, ppos.pos + n);
          buf.set(page.subarray(from - index * PAGE_SIZE, to - index * PAGE_SIZE), from - ppos.pos);
        }
      }
      ppos.pos += n;
      return n;
    },
    write: (file: File, data: Uint8Array, ppos: Loff): number => {
      const inode = file.inode;
      if (inode.sb.readOnly) return -EROFS;
      // O_APPEND writes at the end whatever the position (generic_write_checks).
      if (file.flags & O_APPEND) ppos.pos = inode.size;
      if (ppos.pos + data.length > TMPFS_MAX_FILE) return -EFBIG;
      inode.writeAt(ppos.pos, data);
      cache()?.filemapWrite?.(inode, ppos.pos, data);
      ppos.pos += data.length;
      return data.length;
    },
    llseek: (file: File, offset: number, whence: number): number => genericFileLlseek(file, offset, whence, file.inode.size),
  };
}

/** Directories: read(2) on one is -EISDIR (generic_read_dir); lseek works as on a file of size 0. */
export const dirOps: FileOperations = {
  read: (): number => -EISDIR,
  llseek: (file: File, offset: number, whence: number): number => genericFileLlseek(file, offset, whence, 0),
};

/** A new RAM file system: its superblock and root directory (path `mountPoint`). */
export function ramfsMount(type: string, dev: number, readOnly: boolean, mountPoint: string, parent: Inode | null): Inode {
  const sb = new SuperBlock(type, dev, readOnly);
  return new Inode(sb, S_IFDIR | (type === 'tmpfs' ? 0o1777 : 0o755), dirOps, mountPoint, parent);
}

/** ramfs_mknod for a regular file: a new empty file `name` in dir. */
export function ramfsCreate(dir: Inode, name: string, mode: number, nowNs: number, fops: FileOperations): Inode {
  const inode = new Inode(dir.sb, S_IFREG | (mode & 0o7777), fops, childPath(dir, name), dir);
  inode.mtimeNs = nowNs;
  return dir.link(name, inode);
}
