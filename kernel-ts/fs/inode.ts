// Inodes and superblocks (Linux struct inode / struct super_block, include/linux/fs.h).
// One Inode class serves every file type: regular files keep their bytes in
// `data` (rootfs and /tmp are RAM file systems), directories their entries
// in `children` or a lookup hook (procfs's per-pid directories), symlinks a
// target, and device and /proc files their FileOperations.
import type { MappableFile } from './mappable';
import type { FileOperations } from './file';
import { PAGE_SIZE } from '../mm/page';
import { S_IFDIR, S_IFMT, S_ISDIR, S_ISLNK, S_ISREG, devMajor, devMinor } from './stat';
import type { Kstat } from './stat';

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

const EMPTY = new Uint8Array(0);
/** Regular files grow their buffer in steps of this size (amortised appends). */
const GROW_STEP = 64 * 1024;

export class Inode implements MappableFile {
  readonly ino: number;
  nlink = 1;
  uid = 0;
  gid = 0;
  /** i_rdev for device files. */
  rdev = 0;
  /** i_mtime (and ctime, atime) in ns since boot. */
  mtimeNs = 0;
  /** Regular file contents; `size` bytes of `data` are the file. */
  data: Uint8Array = EMPTY;
  private size_ = 0;
  /** Directory entries (null for non-directories). */
  readonly children: Map<string, Inode> | null;
  /** Symlink target when fixed (see iop.getLink for computed ones). */
  symlink: string | null = null;
  iop: InodeOperations = {};
  /** i_private: the driver's data (the task of a /proc/<pid> entry, a sysfs attribute). */
  private: unknown = null;

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

  /** MappableFile.readPage: page `index` of the contents, zero past EOF. */
  readPage(index: number, into: Uint8Array): void {
    into.fill(0);
    const from = index * PAGE_SIZE;
    if (from >= this.size_) return;
    into.set(this.data.subarray(from, Math.min(from + PAGE_SIZE, this.size_)));
  }

  /** MappableFile.writePage: writeback of a dirty shared page, clipped at EOF; nothing on a read-only file system. */
  writePage(index: number, from: Uint8Array): void {
    const at = index * PAGE_SIZE;
    if (this.sb.readOnly || at >= this.size_) return;
    this.data.set(from.subarray(0, Math.min(PAGE_SIZE, this.size_ - at)), at);
  }

  /** Replaces the contents (rootfs population; not a user-visible write). */
  setContents(bytes: Uint8Array): void {
    this.data = bytes;
    this.size_ = bytes.length;
  }

  /** truncate: shrink (dropping bytes) or grow with zeros. */
  setSize(size: number): void {
    if (size > this.data.length) this.reserve(size);
    else if (size < this.size_) this.data.fill(0, size, this.size_);
    this.size_ = size;
  }

  /** Writes bytes at pos, growing the file (a hole reads as zeros). */
  writeAt(pos: number, bytes: Uint8Array): void {
    const end = pos + bytes.length;
    if (end > this.data.length) this.reserve(end);
    this.data.set(bytes, pos);
    if (end > this.size_) this.size_ = end;
  }

  private reserve(size: number): void {
    const cap = Math.max(size, Math.min(this.data.length * 2, this.data.length + 16 * GROW_STEP), GROW_STEP);
    const next = new Uint8Array(Math.ceil(cap / GROW_STEP) * GROW_STEP);
    next.set(this.data.subarray(0, this.size_));
    this.data = next;
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
      blocks: Math.ceil(this.size_ / 512),
      atimeNs: this.mtimeNs,
      mtimeNs: this.mtimeNs,
      ctimeNs: this.mtimeNs,
    };
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

/** The path of `name` inside directory `dir`. */
export function childPath(dir: Inode, name: string): string {
  return dir.path === '/' ? `/${name}` : `${dir.path}/${name}`;
}

/** A new directory inode `name` in `dir` on dir's file system (or `sb`). */
export function mkdirInode(dir: Inode, name: string, fop: FileOperations, mode = 0o755, sb: SuperBlock = dir.sb): Inode {
  return dir.link(name, new Inode(sb, S_IFDIR | mode, fop, childPath(dir, name), dir));
}
