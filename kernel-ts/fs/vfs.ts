// The virtual file system: one mount tree, the open path, and the
// registration API drivers (kernel modules) use.
//
//   /       rootfs, read-only: /bin/<program> added by addExecutable()
//   /dev    devtmpfs: null, zero, console, and every registerChrdev() device
//   /proc   procfs (procfs.ts); procCreate() adds entries
//   /sys    sysfs (sysfs.ts); sysfsCreate() adds attributes
//   /tmp    tmpfs: a writable RAM file system, size= and nr_inodes= bounded
//
// /proc/mounts lists them; statfs(2) reports each (statfs.ts).
//
// Driver registration API (Linux names):
//   vfs.registerChrdev(name, fops, {major?, minor?, mode?})  -> major | -errno
//       creates /dev/NAME (a character device whose opens get `fops`); major 0
//       or omitted picks a dynamic one, 254 downwards, as register_chrdev(0, ...).
//   vfs.unregisterChrdev(name)                               -> 0 | -ENOENT
//   vfs.procCreate(path, fops, mode = 0444)                  -> Inode | -errno
//   vfs.procCreateSingle(path, show)                         -> Inode | -errno
//       seq_file-style text file (show(file) returns the whole text)
//   vfs.procRemove(path)                                     -> 0 | -ENOENT
//   vfs.sysfsCreate(path, {show?, store?}, mode?)            -> Inode | -errno
// FileOperations (file.ts) are Linux's struct file_operations: open, read,
// write, llseek, ioctl, mmap, release, each optional.
import type { VmAreaStruct } from '../mm/vma';
import type { MappableFile } from './mappable';
import type { Task } from '../proc/task';
import type { UserMm, VfsKernel } from './deps';
import {
  CHRDEV_MAJOR_DYN_FIRST, CHRDEV_MAJOR_DYN_LAST, CONSOLE_MINOR, ConsoleStream, MEM_MAJOR, NULL_MINOR,
  TTYAUX_MAJOR, ZERO_MINOR, consoleFops, nullFops, zeroFops,
} from './devices';
import type { File, FileOperations } from './file';
import {
  File as OpenFile, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOCTTY, O_NOFOLLOW, O_RDONLY,
  O_RDWR, O_TRUNC, O_WRONLY,
} from './file';
import { FilesStruct } from './fdtable';
import type { PipeFs } from './pipe';
import { DEFAULT_UMASK } from './fs-struct';
import { Inode, MAY_EXEC, MAY_READ, MAY_WRITE, childPath, mkdirInode } from './inode';
import { LOOKUP_FOLLOW, lookupChild, lookupParent, pathLookup } from './namei';
import { ProcFs } from './procfs';
import { dirOps, ramfsCreate, ramfsFileOps, ramfsMount, tmpfsMount } from './ramfs';
import type { TmpfsConfig } from './shmem';
import { S_IFCHR, S_IFREG, S_IXUGO, mkdev } from './stat';
import { ST_NODEV, ST_NOEXEC, ST_NOSUID, mountLine, vfsStatfs } from './statfs';
import type { Kstatfs, Mount } from './statfs';
import type { SysfsAttribute } from './sysfs';
import { SysFs } from './sysfs';
import { EACCES, EBADF, EBUSY, EEXIST, EINVAL, EISDIR, ELOOP, ENODEV, ENOENT, ENOTDIR, EROFS } from '../errno';

/** Anonymous device numbers of the mounts (st_dev, and the maps line of a file mapping). */
export const ROOTFS_DEV = mkdev(0, 2);
export const DEVTMPFS_DEV = mkdev(0, 5);
export const SYSFS_DEV = mkdev(0, 0x15);
export const PROC_DEV = mkdev(0, 0x16);
export const TMPFS_DEV = mkdev(0, 0x17);

export { DEFAULT_UMASK } from './fs-struct';

/** What mmap(2) maps for a descriptor (the contract with kernel-ts/mm's mmap). */
export interface MmapTarget {
  /** The inode: VmFile for the maps line, readPage for the page cache. */
  readonly file: MappableFile;
  /** The open file's access mode: mmap needs read, MAP_SHARED + PROT_WRITE needs write (-EACCES). */
  readonly readable: boolean;
  readonly writable: boolean;
  /** /dev/zero: the mapping is anonymous memory (shmem for MAP_SHARED), not file pages. */
  readonly anonymous: boolean;
  /** A driver's mmap hook (fops.mmap) to call on the new VMA: 0 or -errno. */
  readonly mmap?: (vma: VmAreaStruct) => number;
}

/** An executable opened for execve (Linux open_exec). The caller fput()s `file` when done. */
export interface ExecFile {
  readonly file: File;
  /** The file: the loader reads it page by page (readPage). */
  readonly inode: Inode;
}

export interface ChrdevOptions {
  /** 0 or omitted: a dynamic major. */
  major?: number;
  minor?: number;
  /** Permission bits of /dev/NAME (default 0666). */
  mode?: number;
}

export class Vfs {
  readonly root: Inode;
  readonly dev: Inode;
  readonly tmp: Inode;
  /** The internal pipefs (pipe.ts), made by the first pipe2. */
  pipefs: PipeFs | null = null;
  readonly proc: ProcFs;
  readonly sys: SysFs;
  private readonly chrdevs = new Map<string, number>();
  private nextDynMajor = CHRDEV_MAJOR_DYN_FIRST;
  private readonly console: FileOperations;
  /** The file operations of rootfs and /tmp regular files (page-cache coherent through k.mm). */
  readonly regularFops: FileOperations;
  /** The mount table, in mount order (/proc/mounts). */
  readonly mounts: readonly Mount[];

  /** The file systems, with /tmp's limits from `tmpfs` (shmem.ts tmpfsDefaults: half of RAM). */
  constructor(
    private readonly k: VfsKernel,
    tmpfs: TmpfsConfig,
  ) {
    this.regularFops = ramfsFileOps(() => this.k.mm);
    this.root = ramfsMount('rootfs', ROOTFS_DEV, true, '/', null);
    mkdirInode(this.root, 'bin', dirOps);
    this.dev = this.root.link('dev', ramfsMount('devtmpfs', DEVTMPFS_DEV, false, '/dev', this.root));
    this.proc = new ProcFs(k, PROC_DEV, this.root);
    this.root.link('proc', this.proc.root);
    this.sys = new SysFs(SYSFS_DEV, this.root);
    this.root.link('sys', this.sys.root);
    this.tmp = this.root.link('tmp', tmpfsMount(TMPFS_DEV, tmpfs, '/tmp', this.root));
    this.mounts = [
      { source: 'rootfs', dir: '/', sb: this.root.sb, flags: 0 },
      { source: 'devtmpfs', dir: '/dev', sb: this.dev.sb, flags: ST_NOSUID },
      { source: 'proc', dir: '/proc', sb: this.proc.root.sb, flags: ST_NOSUID | ST_NODEV | ST_NOEXEC },
      { source: 'sysfs', dir: '/sys', sb: this.sys.root.sb, flags: ST_NOSUID | ST_NODEV | ST_NOEXEC },
      { source: 'tmpfs', dir: '/tmp', sb: this.tmp.sb, flags: ST_NOSUID | ST_NODEV },
    ];
    this.procCreateSingle('mounts', () => this.mounts.map(mountLine).join(''));
    this.console = consoleFops(
      () => this.k.opts,
      (uaddr, bytes) => {
        const mm = this.k.current?.mm ?? null;
        return mm !== null && this.k.mm.copyToUser(mm, uaddr, bytes) === 0 ? 0 : -1;
      },
    );
    this.registerChrdev('null', nullFops, { major: MEM_MAJOR, minor: NULL_MINOR });
    this.registerChrdev('zero', zeroFops, { major: MEM_MAJOR, minor: ZERO_MINOR });
    this.registerChrdev('console', this.console, { major: TTYAUX_MAJOR, minor: CONSOLE_MINOR, mode: 0o600 });
  }

  private nowNs(): number {
    return this.k.clockNs();
  }

  // ---- populating rootfs ------------------------------------------------

  /** Adds (or replaces) a read-only file on rootfs, making its directories. Replacing gives a new inode (no stale page cache). */
  addFile(path: string, bytes: Uint8Array, mode = 0o644): Inode {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (!path.startsWith('/') || parts.length === 0 || parts.includes('..')) throw new Error(`addFile: bad path '${path}'`);
    let dir = this.root;
    for (const name of parts.slice(0, -1)) {
      const next = lookupChild(dir, name) ?? mkdirInode(dir, name, dirOps);
      if (!next.isDir || next.sb !== this.root.sb) throw new Error(`addFile: ${next.path} is not a rootfs directory`);
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    const old = dir.children!.get(name);
    if (old?.isDir) throw new Error(`addFile: ${old.path} is a directory`);
    dir.children!.delete(name);
    const inode = new Inode(this.root.sb, S_IFREG | (mode & 0o7777), this.regularFops, childPath(dir, name), dir);
    inode.setContents(bytes);
    inode.mtimeNs = this.nowNs();
    return dir.link(name, inode);
  }

  /** addFile with mode 0755: a program execve and the shell-less spawn can run. */
  addExecutable(path: string, bytes: Uint8Array): Inode {
    return this.addFile(path, bytes, 0o755);
  }

  // ---- driver registration ----------------------------------------------

  /** register_chrdev(): /dev/NAME with `fops`; the major number, or -EBUSY (name taken or no dynamic major left). */
  registerChrdev(name: string, fops: FileOperations, opts: ChrdevOptions = {}): number {
    if (!/^[^/\0]+$/.test(name) || name === '.' || name === '..') return -EINVAL;
    if (this.chrdevs.has(name) || lookupChild(this.dev, name)) return -EBUSY;
    let major = opts.major ?? 0;
    if (major === 0) {
      if (this.nextDynMajor < CHRDEV_MAJOR_DYN_LAST) return -EBUSY;
      major = this.nextDynMajor--;
    }
    const inode = new Inode(this.dev.sb, S_IFCHR | ((opts.mode ?? 0o666) & 0o7777), fops, childPath(this.dev, name), this.dev);
    inode.rdev = mkdev(major, opts.minor ?? 0);
    this.dev.link(name, inode);
    this.chrdevs.set(name, major);
    return major;
  }

  /**
   * A dynamic major with no /dev node (alloc_chrdev_region's): the next one
   * registerChrdev would have handed out, 254 downwards; -EBUSY when none is left.
   */
  reserveChrdevMajor(): number {
    if (this.nextDynMajor < CHRDEV_MAJOR_DYN_LAST) return -EBUSY;
    return this.nextDynMajor--;
  }

  /** unregister_chrdev(): removes /dev/NAME (open files keep working). 0 or -ENOENT. */
  unregisterChrdev(name: string): number {
    if (!this.chrdevs.delete(name)) return -ENOENT;
    this.dev.children!.delete(name);
    return 0;
  }

  procCreate(path: string, fops: FileOperations, mode = 0o444): Inode | number {
    return this.proc.create(path, fops, mode);
  }

  procCreateSingle(path: string, show: (file: File) => string | Uint8Array | number): Inode | number {
    return this.proc.createSingle(path, show);
  }

  procRemove(path: string): number {
    return this.proc.remove(path);
  }

  sysfsCreate(path: string, attr: SysfsAttribute, mode?: number): Inode | number {
    return this.sys.create(path, attr, mode);
  }

  // ---- lookups and opens ----------------------------------------------------

  /** The inode `path` names (relative paths start at `start`, default "/"), or -errno. */
  /**
   * do_truncate of a regular file (ftruncate, truncate, O_TRUNC): the new
   * size (0 or -errno), and when it shrank, the mappings and cached pages
   * past the end go (truncate_pagecache).
   */
  truncate(inode: Inode, size: number): number {
    const old = inode.size;
    const r = inode.setSize(size);
    if (r === 0 && size < old) {
      const mms: UserMm[] = [];
      for (const t of this.k.tasks.values()) if (t.mm !== null) mms.push(t.mm);
      this.k.mm.filemapTruncate?.(inode, size, mms);
    }
    return r;
  }

  lookup(path: string, flags = LOOKUP_FOLLOW, start: Inode = this.root): Inode | number {
    return pathLookup(this.root, start, path, flags);
  }

  /**
   * do_filp_open(): opens `path` (relative ones from `start`) with open(2)
   * flags; O_CREAT makes a regular file (mode & ~umask, the caller's umask) where the file system
   * allows it. The File (one reference, for the caller to install) or -errno:
   * ENOENT, ENOTDIR, EISDIR (a directory opened for writing), EEXIST (O_CREAT|O_EXCL),
   * EROFS (writing or creating on rootfs), EACCES, ELOOP (O_NOFOLLOW on a symlink),
   * ENOSPC (creating on a tmpfs with no inode left).
   */
  open(path: string, flags: number, mode = 0o666, start: Inode = this.root, umask = DEFAULT_UMASK): File | number {
    const acc = flags & O_ACCMODE;
    let inode: Inode;
    if (flags & O_CREAT) {
      const p = lookupParent(this.root, start, path);
      if (typeof p === 'number') return p;
      if (p.name === '') return -EISDIR;
      const existing = lookupChild(p.dir, p.name);
      if (existing) {
        if (flags & O_EXCL) return -EEXIST;
        const r = existing.isLink ? this.lookup(path, flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW, start) : existing;
        if (typeof r === 'number') return r;
        inode = r;
      } else {
        if (p.dir.sb.readOnly) return -EROFS;
        if (p.dir.sb !== this.tmp.sb) return -EACCES;
        if (p.dir.nlink === 0) return -ENOENT; // the working directory was removed (IS_DEADDIR)
        const created = ramfsCreate(p.dir, p.name, mode & ~umask, this.nowNs(), this.regularFops);
        if (typeof created === 'number') return created;
        inode = created;
      }
    } else {
      const r = this.lookup(path, flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW, start);
      if (typeof r === 'number') return r;
      inode = r;
    }
    if (inode.isLink) return -ELOOP;
    if (flags & O_DIRECTORY && !inode.isDir) return -ENOTDIR;
    const wantsWrite = acc === O_WRONLY || acc === O_RDWR || (flags & O_TRUNC) !== 0;
    if (inode.isDir && (wantsWrite || flags & O_CREAT)) return -EISDIR;
    if (wantsWrite && (inode.isReg || inode.isDir) && inode.sb.readOnly) return -EROFS;
    const mask = (acc !== O_WRONLY ? MAY_READ : 0) | (wantsWrite ? MAY_WRITE : 0);
    const perm = inode.iop.permission?.(inode, mask) ?? 0;
    if (perm < 0) return perm;
    if (flags & O_TRUNC && inode.isReg) this.truncate(inode, 0);
    const file = new OpenFile(inode, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
    const r = file.fop.open?.(inode, file) ?? 0;
    if (r < 0) {
      inode.iput(); // the open failed: no release, but the File's hold on the inode goes
      return r;
    }
    return file;
  }

  /**
   * open_exec(): the regular, executable file at `path` opened read-only, or
   * -ENOENT/-ENOTDIR/-ELOOP from lookup, -EACCES if it is not a regular file or
   * has no execute bit (Linux's answer even for root).
   */
  openExec(path: string, start: Inode = this.root): ExecFile | number {
    const inode = this.lookup(path, LOOKUP_FOLLOW, start);
    if (typeof inode === 'number') return inode;
    if (!inode.isReg || (inode.mode & S_IXUGO) === 0) return -EACCES;
    const perm = inode.iop.permission?.(inode, MAY_EXEC) ?? 0;
    if (perm < 0) return perm;
    const file = this.open(path, O_RDONLY, 0o666, start);
    if (typeof file === 'number') return file;
    return { file, inode };
  }

  /** statfs of the file system `inode` is on (the mount whose superblock it has). */
  statfs(inode: Inode): Kstatfs {
    const m = this.mounts.find((x) => x.sb === inode.sb);
    if (m === undefined) throw new Error(`${inode.path}: on no mounted file system`);
    return vfsStatfs(m);
  }

  /**
   * The first process's descriptors: 0 and 1 share one open of /dev/console
   * (host stdout), 2 is a second open writing to the host's stderr.
   */
  initialFiles(): FilesStruct {
    const files = new FilesStruct();
    const out = this.open('/dev/console', O_RDWR);
    const err = this.open('/dev/console', O_RDWR);
    if (typeof out === 'number' || typeof err === 'number') throw new Error('cannot open /dev/console');
    out.private = ConsoleStream.Stdout;
    err.private = ConsoleStream.Stderr;
    files.installFd(out, false);
    out.count++;
    files.installFd(out, false);
    files.installFd(err, false);
    return files;
  }

  /**
   * What mmap(2) of descriptor fd maps: -EBADF for a bad fd, -ENODEV for files
   * that cannot be mapped (directories, consoles, /dev/null, /proc files).
   */
  fileForMmap(t: Task, fd: number): MmapTarget | number {
    const file = (t.files as FilesStruct).get(fd);
    if (!file) return -EBADF;
    const inode = file.inode;
    const base = { file: inode, readable: file.readable, writable: file.writable };
    if (inode.fop === zeroFops) return { ...base, anonymous: true };
    if (file.fop.mmap) {
      const hook = file.fop.mmap;
      return { ...base, anonymous: false, mmap: (vma: VmAreaStruct) => hook(file, vma) };
    }
    if (inode.isReg && file.fop === this.regularFops) return { ...base, anonymous: false };
    return -ENODEV;
  }
}
