// RAM file systems: the read-only root that holds the guest programs (/bin)
// and the writable /tmp (Linux ramfs/tmpfs, fs/ramfs/file-mmu.c and
// mm/shmem.c with generic_file_read_iter and generic_perform_write). File
// contents live in the inode's pages; a tmpfs charges them to its size=.
import type { File, FileOperations, Loff } from './file';
import { O_APPEND, genericFileLlseek } from './file';
import { Inode, RAMFS_MAXBYTES, SuperBlock, childPath, ownByUser } from './inode';
import { ShmemSbInfo } from './shmem';
import type { TmpfsConfig } from './shmem';
import { S_IFDIR, S_IFREG } from './stat';
import type { MappableFile } from './mappable';
import { PAGE_SIZE } from '../mm/page';
import { EFBIG, EISDIR, ENOSPC, EROFS } from '../errno';

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
      const n = inode.read(ppos.pos, buf);
      if (n === 0) return 0;
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
      // generic_write_check_limits(): nothing at or past s_maxbytes, a write running into it is cut short.
      if (ppos.pos >= RAMFS_MAXBYTES) return -EFBIG;
      const bytes = data.subarray(0, Math.min(data.length, RAMFS_MAXBYTES - ppos.pos));
      const n = inode.writeAt(ppos.pos, bytes);
      if (n < 0) return n;
      cache()?.filemapWrite?.(inode, ppos.pos, bytes.subarray(0, n));
      ppos.pos += n;
      return n;
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
  return new Inode(sb, S_IFDIR | 0o755, dirOps, mountPoint, parent);
}

/** shmem_fill_super(): a tmpfs with the limits of `config`, its root (mode 1777, as /tmp's) one of its inodes. */
export function tmpfsMount(dev: number, config: TmpfsConfig, mountPoint: string, parent: Inode): Inode {
  const sb = new SuperBlock('tmpfs', dev, false, new ShmemSbInfo(config));
  if (!sb.shmem!.reserveInode()) throw new Error(`tmpfs: nr_inodes=${config.nrInodes} leaves no inode for the root`);
  return new Inode(sb, S_IFDIR | 0o1777, dirOps, mountPoint, parent);
}

/** ramfs_mknod / shmem_mknod for a regular file: a new empty file `name` in dir, or -ENOSPC when a tmpfs has no inode left. */
export function ramfsCreate(dir: Inode, name: string, mode: number, nowNs: number, fops: FileOperations): Inode | number {
  if (dir.sb.shmem !== null && !dir.sb.shmem.reserveInode()) return -ENOSPC;
  const inode = new Inode(dir.sb, S_IFREG | (mode & 0o7777), fops, childPath(dir, name), dir);
  inode.mtimeNs = nowNs;
  ownByUser(inode);
  return dir.link(name, inode);
}
