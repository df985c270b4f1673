// RAM file systems: the read-only root that holds the guest programs (/bin)
// and the writable /tmp (Linux ramfs/tmpfs, fs/ramfs/file-mmu.c with
// generic_file_read_iter and simple_setattr). File contents live in the inode.
import type { File, FileOperations, Loff } from './file';
import { O_APPEND, genericFileLlseek } from './file';
import { Inode, SuperBlock, childPath } from './inode';
import { S_IFDIR, S_IFREG } from './stat';

const EISDIR = 21;
const EFBIG = 27;
const EROFS = 30;

/** Largest file /tmp accepts (an in-memory file; Linux would hit ENOSPC at tmpfs's size limit). */
export const TMPFS_MAX_FILE = 256 * 1024 * 1024;

/** Regular files of rootfs and tmpfs: read/write at the position, llseek, mmap through the page cache. */
export const ramfsFileOps: FileOperations = {
  read: (file: File, buf: Uint8Array, ppos: Loff): number => {
    const inode = file.inode;
    if (ppos.pos >= inode.size) return 0;
    const n = Math.min(buf.length, inode.size - ppos.pos);
    buf.set(inode.data.subarray(ppos.pos, ppos.pos + n));
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
    ppos.pos += data.length;
    return data.length;
  },
  llseek: (file: File, offset: number, whence: number): number => genericFileLlseek(file, offset, whence, file.inode.size),
};

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
export function ramfsCreate(dir: Inode, name: string, mode: number, nowNs: number): Inode {
  const inode = new Inode(dir.sb, S_IFREG | (mode & 0o7777), ramfsFileOps, childPath(dir, name), dir);
  inode.mtimeNs = nowNs;
  return dir.link(name, inode);
}
