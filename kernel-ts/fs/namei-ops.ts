// The directory-changing path calls (Linux fs/namei.c do_mkdirat, do_rmdir,
// do_unlinkat; fs/open.c do_faccessat, do_sys_truncate), over vmlab's mount
// tree. Only tmpfs (/tmp) holds user-made names: rootfs is read-only
// (-EROFS), proc and sysfs have no mkdir/unlink/rmdir inode operations
// (-EPERM, as vfs_mkdir/vfs_unlink/vfs_rmdir answer there), and devtmpfs
// is kept to its device nodes (-EACCES, as open(O_CREAT) there).
//
// Permission checks are those vmlab's open(2) makes (vfs.ts): the VFS keeps
// no owners' rights, so read and write pass, execute needs an x bit (or a
// directory to search), and an inode's own permission hook (sysctl files)
// has the last word. Owners count only for chmod: a process owns what it
// made (ownByUser), root everything else.
import type { Inode } from './inode';
import { MAY_EXEC, MAY_READ, MAY_WRITE, mkdirInode, ownByUser } from './inode';
import { LOOKUP_FOLLOW, NAME_MAX, PATH_MAX, lookupChild, pathLookup } from './namei';
import { dirOps } from './ramfs';
import { USER_UID } from '../proc/creds';
import { S_IXUGO } from './stat';
import {
  EACCES, EBUSY, EEXIST, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, EOPNOTSUPP, EPERM, EROFS,
} from '../errno';

/** faccessat's mode bits (R_OK, W_OK, X_OK; F_OK is 0). */
export const S_IRWXO = 0o7;

/** The kind of a path's last component (Linux's LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT). */
export const Last = { Norm: 'norm', Root: 'root', Dot: 'dot', DotDot: 'dotdot' } as const;
export type Last = (typeof Last)[keyof typeof Last];

export interface ParentAt {
  dir: Inode;
  name: string;
  type: Last;
  /** The path ended in '/' after its last component ("dir/"). */
  trailingSlash: boolean;
}

/**
 * filename_parentat(): the directory holding path's last component, that
 * component and its kind; -ENOENT (empty path or a missing directory),
 * -ENOTDIR, -ENAMETOOLONG, -ELOOP.
 */
export function parentAt(root: Inode, start: Inode, path: string): ParentAt | number {
  if (path.length === 0) return -ENOENT;
  if (path.length >= PATH_MAX) return -ENAMETOOLONG;
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return { dir: root, name: '', type: Last.Root, trailingSlash: false };
  const cut = trimmed.lastIndexOf('/');
  const dirPart = cut < 0 ? '.' : trimmed.slice(0, cut).replace(/\/+$/, '') || '/';
  const name = trimmed.slice(cut + 1);
  if (name.length > NAME_MAX) return -ENAMETOOLONG;
  const dir = pathLookup(root, start, dirPart, LOOKUP_FOLLOW);
  if (typeof dir === 'number') return dir;
  if (!dir.isDir) return -ENOTDIR;
  const type = name === '.' ? Last.Dot : name === '..' ? Last.DotDot : Last.Norm;
  return { dir, name, type, trailingSlash: trimmed.length < path.length };
}

/** True when inode is the root of a mounted file system (a mount point: -EBUSY to remove). */
function isMountRoot(inode: Inode): boolean {
  return inode.parent === inode || inode.parent.sb !== inode.sb;
}

/**
 * The file system's mkdir/unlink/rmdir inode operation for dir: 0 on tmpfs;
 * -EPERM where there is none (proc, sysfs: vfs_mkdir and friends' answer);
 * -EACCES on devtmpfs (vmlab keeps it to its device nodes). A read-only
 * mount was refused before (mnt_want_write's -EROFS).
 */
function dirOp(dir: Inode): number {
  if (dir.sb.type === 'tmpfs') return 0;
  if (dir.sb.type === 'devtmpfs') return -EACCES;
  return -EPERM;
}

/**
 * do_mkdirat(): a new directory (mode & ~umask & 07777) at path. -EEXIST if
 * the name exists (or is '.', '..', '/'), -EROFS, dirOp's answer, -ENOENT
 * in a removed directory, -ENOSPC when a tmpfs has no inode left.
 */
export function doMkdir(root: Inode, start: Inode, path: string, mode: number, umask: number, nowNs: number): number {
  const p = parentAt(root, start, path);
  if (typeof p === 'number') return p;
  if (p.type !== Last.Norm) return -EEXIST;
  if (lookupChild(p.dir, p.name) !== null) return -EEXIST;
  if (p.dir.sb.readOnly) return -EROFS;
  const r = dirOp(p.dir);
  if (r < 0) return r;
  if (p.dir.nlink === 0) return -ENOENT; // a removed directory takes no new names (IS_DEADDIR)
  if (p.dir.sb.shmem !== null && !p.dir.sb.shmem.reserveInode()) return -ENOSPC;
  const inode = ownByUser(mkdirInode(p.dir, p.name, dirOps, mode & ~umask & 0o7777));
  inode.mtimeNs = nowNs;
  p.dir.mtimeNs = nowNs;
  return 0;
}

/** Takes `name` out of dir (d_delete + drop_nlink); an inode no file or mapping holds goes now, else at the last close. */
function removeEntry(dir: Inode, name: string, victim: Inode, nowNs: number): void {
  dir.children!.delete(name);
  if (victim.isDir) dir.nlink--;
  victim.dropLink();
  dir.mtimeNs = nowNs;
}

/**
 * do_rmdir(): removes the empty directory at path. -EINVAL for a last
 * component '.', -ENOTEMPTY for '..', -EBUSY for '/' (Linux's order), then
 * -EROFS, -ENOENT, -ENOTDIR, dirOp's answer, -EBUSY for a mount point, -ENOTEMPTY.
 */
export function doRmdir(root: Inode, start: Inode, path: string, nowNs: number): number {
  const p = parentAt(root, start, path);
  if (typeof p === 'number') return p;
  if (p.type === Last.DotDot) return -ENOTEMPTY;
  if (p.type === Last.Dot) return -EINVAL;
  if (p.type === Last.Root) return -EBUSY;
  if (p.dir.sb.readOnly) return -EROFS;
  const victim = lookupChild(p.dir, p.name);
  if (victim === null) return -ENOENT;
  if (!victim.isDir) return -ENOTDIR;
  const r = dirOp(p.dir);
  if (r < 0) return r;
  if (isMountRoot(victim)) return -EBUSY;
  if (victim.children!.size > 0) return -ENOTEMPTY;
  removeEntry(p.dir, p.name, victim, nowNs);
  return 0;
}

/**
 * do_unlinkat(): removes the name at path (a symlink itself, not its
 * target). -EISDIR for a last component that is '.', '..' or '/', then
 * -EROFS, -ENOENT; a trailing slash after a non-directory is -ENOTDIR;
 * -EISDIR for a directory (may_delete), dirOp's answer, -EBUSY for a mount point.
 */
export function doUnlink(root: Inode, start: Inode, path: string, nowNs: number): number {
  const p = parentAt(root, start, path);
  if (typeof p === 'number') return p;
  if (p.type !== Last.Norm) return -EISDIR;
  if (p.dir.sb.readOnly) return -EROFS;
  const victim = lookupChild(p.dir, p.name);
  if (victim === null) return -ENOENT;
  if (p.trailingSlash) return victim.isDir ? -EISDIR : -ENOTDIR;
  if (victim.isDir) return -EISDIR;
  const r = dirOp(p.dir);
  if (r < 0) return r;
  if (isMountRoot(victim)) return -EBUSY;
  removeEntry(p.dir, p.name, victim, nowNs);
  return 0;
}

/**
 * inode_permission() as vmlab's VFS has it (file comment): execute (search
 * for a directory) needs a directory or an x bit; then the inode's own hook.
 * 0 or -EACCES.
 */
export function vfsPermission(inode: Inode, mask: number): number {
  if (mask & MAY_EXEC && !inode.isDir && (inode.mode & S_IXUGO) === 0) return -EACCES;
  return inode.iop.permission?.(inode, mask) ?? 0;
}

/**
 * do_faccessat() after the flags checks: -EINVAL for mode bits beyond
 * R_OK|W_OK|X_OK, lookup's -errno, the permission check, and -EROFS for
 * W_OK on a read-only mount (not for devices).
 */
export function doAccess(root: Inode, start: Inode, path: string, mode: number, follow: boolean): number {
  if (mode & ~S_IRWXO) return -EINVAL;
  const inode = pathLookup(root, start, path, follow ? LOOKUP_FOLLOW : 0);
  if (typeof inode === 'number') return inode;
  const mask = (mode & 4 ? MAY_READ : 0) | (mode & 2 ? MAY_WRITE : 0) | (mode & 1 ? MAY_EXEC : 0);
  const r = vfsPermission(inode, mask);
  if (r < 0) return r;
  if (mask & MAY_WRITE && (inode.isReg || inode.isDir || inode.isLink) && inode.sb.readOnly) return -EROFS;
  return 0;
}

/**
 * vfs_truncate()'s checks for truncate(2) on the followed inode: -EISDIR,
 * -EINVAL if not a regular file, -EROFS, the write permission. The inode to
 * truncate, or -errno.
 */
export function truncatable(root: Inode, start: Inode, path: string): Inode | number {
  const inode = pathLookup(root, start, path, LOOKUP_FOLLOW);
  if (typeof inode === 'number') return inode;
  if (inode.isDir) return -EISDIR;
  if (!inode.isReg) return -EINVAL;
  if (inode.sb.readOnly) return -EROFS;
  const r = vfsPermission(inode, MAY_WRITE);
  return r < 0 ? r : inode;
}

/** S_IALLUGO: the bits chmod(2) sets (include/linux/stat.h). */
const S_IALLUGO = 0o7777;

/**
 * chmod_common() on the inode a path or descriptor names: -EROFS on a
 * read-only mount (mnt_want_write comes first), -EOPNOTSUPP for a symlink
 * itself (fchmodat2's AT_SYMLINK_NOFOLLOW), then -EPERM unless the
 * caller owns the inode (inode_owner_or_capable: vmlab's processes are
 * uid 1000 without CAP_FOWNER, so only what they made in /tmp and their
 * pipes) or where the file system takes no mode change (proc_setattr).
 * The mode's 07777 bits replace the inode's; the file type stays. vmlab
 * keeps one timestamp per inode (mtime), which a chmod leaves alone.
 */
export function doChmod(inode: Inode, mode: number): number {
  if (inode.sb.readOnly) return -EROFS;
  if (inode.isLink) return -EOPNOTSUPP; // notify_change: a symlink has no mode of its own
  if (inode.sb.type === 'proc' || inode.uid !== USER_UID) return -EPERM;
  inode.mode = (inode.mode & ~S_IALLUGO) | (mode & S_IALLUGO);
  return 0;
}
