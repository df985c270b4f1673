// Path-name lookup (Linux fs/namei.c path_lookupat / link_path_walk), over
// the one mount tree vmlab has. The working directory of every task is "/",
// so a relative path starts at the root or at the directory of a dirfd.
// Symlinks are followed in the middle of a path always and at the end with
// LOOKUP_FOLLOW, at most MAXSYMLINKS times (-ELOOP).
import type { Inode } from './inode';
import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../errno';

/** Lookup flags (include/linux/namei.h). */
export const LOOKUP_FOLLOW = 0x0001;
export const LOOKUP_DIRECTORY = 0x0002;

export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const MAXSYMLINKS = 40;

/** Finds `name` in directory dir: its static entries, then its lookup hook. */
export function lookupChild(dir: Inode, name: string): Inode | null {
  return dir.children?.get(name) ?? dir.iop.lookup?.(dir, name) ?? null;
}

/** The target of a symlink inode, or null when it dangles. */
function linkTarget(link: Inode): string | null {
  return link.iop.getLink ? link.iop.getLink(link) : link.symlink;
}

interface WalkState {
  root: Inode;
  links: number;
}

// Walks `path` from `start` (the root for absolute paths); follows a final
// symlink when `followLast`. Returns the inode or -errno.
function walk(st: WalkState, start: Inode, path: string, followLast: boolean): Inode | number {
  let dir = path.startsWith('/') ? st.root : start;
  const parts = path.split('/').filter((p) => p !== '');
  const trailingSlash = path.endsWith('/') && parts.length > 0;
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    if (name.length > NAME_MAX) return -ENAMETOOLONG;
    if (!dir.isDir) return -ENOTDIR;
    let next: Inode | null;
    if (name === '.') next = dir;
    else if (name === '..') next = dir === st.root ? dir : dir.parent;
    else next = lookupChild(dir, name);
    if (!next) return -ENOENT;
    const last = i === parts.length - 1;
    if (next.isLink && (!last || followLast || trailingSlash)) {
      if (++st.links > MAXSYMLINKS) return -ELOOP;
      const target = linkTarget(next);
      if (target === null) return -ENOENT;
      const r = walk(st, dir, target, true);
      if (typeof r === 'number') return r;
      next = r;
    }
    dir = next;
  }
  if (trailingSlash && !dir.isDir) return -ENOTDIR;
  return dir;
}

/**
 * path_lookupat(): the inode `path` names, starting relative paths at `start`.
 * -ENOENT for an empty path or a missing component, -ENOTDIR when a non-final
 * component (or one followed by '/') is not a directory, -ENAMETOOLONG,
 * -ELOOP. LOOKUP_DIRECTORY requires a directory.
 */
export function pathLookup(root: Inode, start: Inode, path: string, flags: number): Inode | number {
  if (path.length === 0) return -ENOENT;
  if (path.length >= PATH_MAX) return -ENAMETOOLONG;
  const r = walk({ root, links: 0 }, start, path, (flags & LOOKUP_FOLLOW) !== 0);
  if (typeof r !== 'number' && flags & LOOKUP_DIRECTORY && !r.isDir) return -ENOTDIR;
  return r;
}

/**
 * The parent directory and final name of `path` (Linux filename_parentat), for
 * creating a file: -ENOENT/-ENOTDIR as pathLookup for the directory part. The
 * name is '' for '/', '.' or '..' endings, which name no new entry.
 */
export function lookupParent(root: Inode, start: Inode, path: string): { dir: Inode; name: string } | number {
  if (path.length === 0) return -ENOENT;
  if (path.length >= PATH_MAX) return -ENAMETOOLONG;
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  const dirPart = cut < 0 ? '.' : cut === 0 ? '/' : trimmed.slice(0, cut);
  const name = cut < 0 ? trimmed : trimmed.slice(cut + 1);
  if (name.length > NAME_MAX) return -ENAMETOOLONG;
  const dir = walk({ root, links: 0 }, start, dirPart, true);
  if (typeof dir === 'number') return dir;
  if (!dir.isDir) return -ENOTDIR;
  return { dir, name: name === '.' || name === '..' ? '' : name };
}
