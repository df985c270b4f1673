// Inodes and superblocks (Linux struct inode / struct super_block, include/linux/fs.h).
// One Inode class serves every file type: regular files keep their bytes in
// `pages` (rootfs and /tmp are RAM file systems; tmpfs charges its pages to
// the mount's size=, shmem.ts), directories their entries
// in `children` or a lookup hook (procfs's per-pid directories), symlinks a
// target, and device and /proc files their FileOperations.
import type { MappableFile } from './mappable';
import type { FileOperations } from './file';
import { PAGE_SIZE } from '../mm/page';
import { FilePages } from './file-pages';
import type { ShmemSbInfo } from './shmem';
import { S_IFDIR, S_IFMT, S_ISDIR, S_ISLNK, S_ISREG, devMajor, devMinor } from './stat';
import type { Kstat } from './stat';
import { EFBIG, ENOSPC } from '../errno';
import { USER_GID, USER_UID } from '../proc/creds';

/** s_maxbytes of the RAM file systems: Linux's MAX_LFS_FILESIZE, cut to what a double keeps exact (2^53 - 1). */
export const RAMFS_MAXBYTES = Number.MAX_SAFE_INTEGER;

/** Linux struct super_block: one mounted file system. */
export class SuperBlock {
  private nextIno = 1;
  constructor(
    /** The file-system type ('rootfs', 'proc', 'sysfs', 'devtmpfs', 'tmpfs'). */
    readonly type: string,
    /** s_dev: the anonymous device number shown in st_dev and /proc/PID/maps. */
    readonly dev: number,
    /** Mounted read-only: every write, create and truncate fails with -EROFS. */
    readonly readOnly: boolean,
    /** s_fs_info of a tmpfs: its size= and nr_inodes= limits (null: unlimited, as ramfs). */
    readonly shmem: ShmemSbInfo | null = null,
  ) {}

  /** get_next_ino(): a fresh inode number. */
  allocIno(): number {
    return this.nextIno++;
  }
}

/** Linux inode_operations, the hooks lookup needs. */
export interface InodeOperations {
  /** A directory's dynamic lookup (procfs's /proc/<pid>): the child or null. */
  readonly lookup?: (dir: Inode, name: string) => Inode | null;
  /** The names lookup() knows beyond `children`, for getdents64 (procfs's pids). */
  readonly readdir?: (dir: Inode) => string[];
  /** The symlink target, computed when followed (/proc/self). Null: the link is dangling (-ENOENT). */
  readonly getLink?: (inode: Inode) => string | null;
  /** Access check beyond root's DAC override (sysctl files check their mode even for root): 0 or -EACCES. */
  readonly permission?: (inode: Inode, mask: number) => number;
}

/** inode_permission() masks (include/linux/fs.h). */
export const MAY_EXEC = 0x1;
export const MAY_WRITE = 0x2;
export const MAY_READ = 0x4;

export class Inode implements MappableFile {
  readonly ino: number;
  nlink = 1;
  uid = 0;
  gid = 0;
  /** i_rdev for device files. */
  rdev = 0;
  /** i_mtime (and ctime, atime) in ns since boot. */
  mtimeNs = 0;
  /** Regular file contents (i_mapping), page by page; null for other types. */
  readonly pages: FilePages | null;
  private size_ = 0;
  /** Directory entries (null for non-directories). */
  readonly children: Map<string, Inode> | null;
  /** Symlink target when fixed (see iop.getLink for computed ones). */
  symlink: string | null = null;
  iop: InodeOperations = {};
  /** i_private: the driver's data (the task of a /proc/<pid> entry, a sysfs attribute). */
  private: unknown = null;
  /** i_count, as far as vmlab needs it: open files and VMAs using the inode (iget/iput, mapRef). */
  private refs = 0;

  constructor(
    readonly sb: SuperBlock,
    /** S_IFMT type bits | permission bits. */
    public mode: number,
    /** i_fop: what an open of this inode gets. */
    public fop: FileOperations,
    /** The absolute path (d_path), shown in /proc/PID/maps for file mappings. */
    readonly path: string,
    /** The directory holding this inode (a root is its own parent). */
    parent: Inode | null,
  ) {
    this.ino = sb.allocIno();
    this.children = S_ISDIR(mode) ? new Map() : null;
    this.pages = S_ISREG(mode) ? new FilePages() : null;
    this.parent = parent ?? this;
    if (S_ISDIR(mode)) this.nlink = 2;
  }

  parent: Inode;

  get isDir(): boolean {
    return S_ISDIR(this.mode);
  }
  get isReg(): boolean {
    return S_ISREG(this.mode);
  }
  get isLink(): boolean {
    return S_ISLNK(this.mode);
  }
  get fileType(): number {
    return this.mode & S_IFMT;
  }

  // VmFile: the maps line shows the file system's device and the inode number.
  get devMajor(): number {
    return devMajor(this.sb.dev);
  }
  get devMinor(): number {
    return devMinor(this.sb.dev);
  }

  /** i_size. */
  get size(): number {
    return this.size_;
  }

  private get contents(): FilePages {
    if (this.pages === null) throw new Error(`${this.path} is not a regular file`);
    return this.pages;
  }

  /** Copies the bytes at pos into buf, up to EOF; the number copied. */
  read(pos: number, buf: Uint8Array): number {
    if (pos >= this.size_) return 0;
    const n = Math.min(buf.length, this.size_ - pos);
    this.contents.read(pos, buf.subarray(0, n));
    return n;
  }

  /** MappableFile.readPage: page `index` of the contents, zero past EOF. */
  readPage(index: number, into: Uint8Array): void {
    const from = index * PAGE_SIZE;
    if (from >= this.size_) {
      into.fill(0);
      return;
    }
    const n = Math.min(PAGE_SIZE, this.size_ - from);
    this.contents.read(from, into.subarray(0, n));
    into.fill(0, n);
  }

  /**
   * MappableFile.writePage: writeback of a dirty shared page, clipped at EOF;
   * nothing on a read-only file system, nor into a hole of a full tmpfs (the
   * page cannot be charged; the mapping keeps its copy).
   */
  writePage(index: number, from: Uint8Array): void {
    const at = index * PAGE_SIZE;
    if (this.sb.readOnly || at >= this.size_) return;
    if (!this.contents.has(index) && !this.chargePage()) return;
    this.contents.writeInPage(index, 0, from.subarray(0, Math.min(PAGE_SIZE, this.size_ - at)));
  }

  /** Replaces the contents (rootfs population; not a user-visible write, not charged). */
  setContents(bytes: Uint8Array): void {
    this.contents.setContents(bytes);
    this.size_ = bytes.length;
  }

  /**
   * truncate (shmem_setattr): shrinking drops the pages past the new size and
   * zeroes the rest of the last one; growing only sets i_size, allocating
   * nothing (the new part is a hole). 0, or -EFBIG past s_maxbytes
   * (inode_newsize_ok).
   */
  setSize(size: number): number {
    if (size > RAMFS_MAXBYTES) return -EFBIG;
    if (size < this.size_) {
      const freed = this.contents.truncate(size);
      this.sb.shmem?.unacctBlocks(freed);
    }
    this.size_ = size;
    return 0;
  }

  /**
   * generic_perform_write() into the pages: page by page, charging each new
   * page to the mount first. Bytes written (the file grows to cover them;
   * a hole before pos reads as zeros), or -ENOSPC when not even the first
   * page could be charged. The caller checked s_maxbytes.
   */
  writeAt(pos: number, bytes: Uint8Array): number {
    const pages = this.contents;
    let done = 0;
    while (done < bytes.length) {
      const at = pos + done;
      const index = Math.floor(at / PAGE_SIZE);
      const off = at - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, bytes.length - done);
      if (!pages.has(index) && !this.chargePage()) break;
      pages.writeInPage(index, off, bytes.subarray(done, done + n));
      done += n;
    }
    if (pos + done > this.size_) this.size_ = pos + done;
    return done > 0 || bytes.length === 0 ? done : -ENOSPC;
  }

  /** Charges one new page to a tmpfs mount (always possible elsewhere); false when the mount is full. */
  private chargePage(): boolean {
    return this.sb.shmem === null || this.sb.shmem.acctBlocks(1);
  }

  /** generic_fillattr(): what stat reports. */
  getattr(): Kstat {
    return {
      dev: this.sb.dev,
      ino: this.ino,
      mode: this.mode,
      nlink: this.nlink,
      uid: this.uid,
      gid: this.gid,
      rdev: this.rdev,
      size: this.size_,
      blksize: PAGE_SIZE,
      // i_blocks: the 512-byte units of the pages the file holds (a hole has none).
      blocks: (this.pages?.nrPages ?? 0) * (PAGE_SIZE / 512),
      atimeNs: this.mtimeNs,
      mtimeNs: this.mtimeNs,
      ctimeNs: this.mtimeNs,
    };
  }

  /** iget(): an open file or a VMA holds the inode. */
  iget(): void {
    this.refs++;
  }

  /** iput(): one holder less; an unlinked tmpfs inode with none left is evicted. */
  iput(): void {
    if (this.refs <= 0) throw new Error(`iput of ${this.path}: no reference held`);
    if (--this.refs === 0 && this.nlink === 0) this.evict();
  }

  /** VmFile.mapRef: a VMA mapping the file holds it as an open file does. */
  mapRef(delta: 1 | -1): void {
    if (delta === 1) this.iget();
    else this.iput();
  }

  /** drop_nlink() by unlink/rmdir: with no holder left the inode goes at once (iput_final). */
  dropLink(): void {
    if (this.nlink > 0) this.nlink--;
    if (this.isDir) this.nlink = 0;
    if (this.nlink === 0 && this.refs === 0) this.evict();
  }

  /** shmem_evict_inode(): a tmpfs gets the inode's pages and its inode slot back. */
  private evict(): void {
    const shmem = this.sb.shmem;
    if (shmem === null) return;
    if (this.pages !== null) shmem.unacctBlocks(this.pages.truncate(0));
    this.size_ = 0;
    shmem.releaseInode();
  }

  /** Adds a child entry to this directory (d_add); the child must have been made with this parent. */
  link(name: string, child: Inode): Inode {
    if (!this.children) throw new Error(`${this.path} is not a directory`);
    if (this.children.has(name)) throw new Error(`${this.path}/${name} already exists`);
    this.children.set(name, child);
    if (child.isDir) this.nlink++;
    return child;
  }
}

/**
 * inode_init_owner() for an inode a process makes (a /tmp file or directory,
 * a pipe): the process's uid and gid (creds.ts). Every other inode is root's.
 */
export function ownByUser(inode: Inode): Inode {
  inode.uid = USER_UID;
  inode.gid = USER_GID;
  return inode;
}

/** The path of `name` inside directory `dir`. */
export function childPath(dir: Inode, name: string): string {
  return dir.path === '/' ? `/${name}` : `${dir.path}/${name}`;
}

/** A new directory inode `name` in `dir` on dir's file system (or `sb`). */
export function mkdirInode(dir: Inode, name: string, fop: FileOperations, mode = 0o755, sb: SuperBlock = dir.sb): Inode {
  return dir.link(name, new Inode(sb, S_IFDIR | mode, fop, childPath(dir, name), dir));
}
