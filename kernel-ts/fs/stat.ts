// File types, permission bits, device numbers and the riscv64 struct stat
// (include/uapi/asm-generic/stat.h: the 64-bit generic layout, 128 bytes),
// written by cp_new_stat() in fs/stat.c.

/** st_mode file-type bits (include/uapi/linux/stat.h). */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

export const S_ISREG = (m: number): boolean => (m & S_IFMT) === S_IFREG;
export const S_ISDIR = (m: number): boolean => (m & S_IFMT) === S_IFDIR;
export const S_ISCHR = (m: number): boolean => (m & S_IFMT) === S_IFCHR;
export const S_ISLNK = (m: number): boolean => (m & S_IFMT) === S_IFLNK;

/** Any execute bit (what execve requires even of root). */
export const S_IXUGO = 0o111;

/** Linux MKDEV for the kernel's internal dev_t (20-bit minor). */
export function mkdev(major: number, minor: number): number {
  return major * 2 ** 20 + minor;
}
export const devMajor = (dev: number): number => Math.floor(dev / 2 ** 20);
export const devMinor = (dev: number): number => dev % 2 ** 20;

/** new_encode_dev(): the user-visible dev_t in st_dev/st_rdev. */
export function newEncodeDev(dev: number): number {
  const major = devMajor(dev);
  const minor = devMinor(dev);
  return (minor & 0xff) + major * 256 + (minor & ~0xff) * 4096;
}

/** Linux struct kstat, the fields vmlab fills. Times in nanoseconds since the epoch of the run (boot). */
export interface Kstat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeNs: number;
  mtimeNs: number;
  ctimeNs: number;
}

export const STAT_SIZE = 128;
/** Byte offsets in the riscv64 struct stat. */
export const STAT_OFF = {
  dev: 0, ino: 8, mode: 16, nlink: 20, uid: 24, gid: 28, rdev: 32, size: 48,
  blksize: 56, blocks: 64, atime: 72, atimeNsec: 80, mtime: 88, mtimeNsec: 96, ctime: 104, ctimeNsec: 112,
} as const;

/** cp_new_stat(): the 128 bytes user space gets from fstat/newfstatat. */
export function encodeStat(st: Kstat): Uint8Array {
  const out = new Uint8Array(STAT_SIZE);
  const v = new DataView(out.buffer);
  const u64 = (off: number, x: number): void => v.setBigUint64(off, BigInt(x), true);
  const i64 = (off: number, x: number): void => v.setBigInt64(off, BigInt(x), true);
  u64(STAT_OFF.dev, newEncodeDev(st.dev));
  u64(STAT_OFF.ino, st.ino);
  v.setUint32(STAT_OFF.mode, st.mode, true);
  v.setUint32(STAT_OFF.nlink, st.nlink, true);
  v.setUint32(STAT_OFF.uid, st.uid, true);
  v.setUint32(STAT_OFF.gid, st.gid, true);
  u64(STAT_OFF.rdev, newEncodeDev(st.rdev));
  i64(STAT_OFF.size, st.size);
  v.setInt32(STAT_OFF.blksize, st.blksize, true);
  i64(STAT_OFF.blocks, st.blocks);
  const time = (secOff: number, nsecOff: number, ns: number): void => {
    i64(secOff, Math.floor(ns / 1e9));
    u64(nsecOff, ns % 1e9);
  };
  time(STAT_OFF.atime, STAT_OFF.atimeNsec, st.atimeNs);
  time(STAT_OFF.mtime, STAT_OFF.mtimeNsec, st.mtimeNs);
  time(STAT_OFF.ctime, STAT_OFF.ctimeNsec, st.ctimeNs);
  return out;
}
