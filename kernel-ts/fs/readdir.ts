// Directory listing for getdents64 (Linux fs/readdir.c, filldir64): the
// entries ".", "..", the static children in creation order, then the names a
// dynamic directory adds (/proc's pids). The open file's position is the
// index of the next entry to return.
import type { Inode } from './inode';
import { lookupChild } from './namei';
import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from './stat';

/** d_type values (include/linux/fs_types.h). */
export const DT_UNKNOWN = 0;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_REG = 8;
export const DT_LNK = 10;

/** struct linux_dirent64's fixed part: d_ino u64, d_off s64, d_reclen u16, d_type u8. */
const DIRENT64_HEADER = 19;
const DIRENT_ALIGN = 8;

function dtype(inode: Inode): number {
  switch (inode.mode & S_IFMT) {
    case S_IFDIR: return DT_DIR;
    case S_IFREG: return DT_REG;
    case S_IFCHR: return DT_CHR;
    case S_IFLNK: return DT_LNK;
    default: return DT_UNKNOWN;
  }
}

/** The directory's entry names in getdents order. */
export function dirNames(dir: Inode): string[] {
  return ['.', '..', ...(dir.children?.keys() ?? []), ...(dir.iop.readdir?.(dir) ?? [])];
}

/**
 * Fills at most `count` bytes of linux_dirent64 records starting at entry
 * index `pos`. Returns the bytes and the next index; `bytes` is empty when
 * the directory is done, null when the first record does not fit (-EINVAL).
 */
export function getdents64(dir: Inode, pos: number, count: number): { bytes: Uint8Array | null; next: number } {
  const names = dirNames(dir);
  const enc = new TextEncoder();
  const records: Uint8Array[] = [];
  let used = 0;
  let i = pos;
  for (; i < names.length; i++) {
    const name = names[i]!;
    const inode = name === '.' ? dir : name === '..' ? dir.parent : lookupChild(dir, name);
    if (!inode) continue; // a task that went away between listing and lookup
    const nameBytes = enc.encode(name);
    const reclen = Math.ceil((DIRENT64_HEADER + nameBytes.length + 1) / DIRENT_ALIGN) * DIRENT_ALIGN;
    if (used + reclen > count) break;
    const rec = new Uint8Array(reclen);
    const v = new DataView(rec.buffer);
    v.setBigUint64(0, BigInt(inode.ino), true);
    v.setBigInt64(8, BigInt(i + 1), true);
    v.setUint16(16, reclen, true);
    v.setUint8(18, dtype(inode));
    rec.set(nameBytes, DIRENT64_HEADER);
    records.push(rec);
    used += reclen;
  }
  if (used === 0 && i < names.length) return { bytes: null, next: pos };
  const out = new Uint8Array(used);
  let off = 0;
  for (const r of records) {
    out.set(r, off);
    off += r.length;
  }
  return { bytes: out, next: i };
}
