// The mount table and what statfs(2) says of a file system (Linux
// fs/statfs.c statfs_by_dentry, fs/proc_namespace.c show_vfsmnt,
// mm/shmem.c shmem_statfs, fs/libfs.c simple_statfs). vmlab's mounts are
// fixed at boot; /proc/mounts lists them in mount order.
import type { SuperBlock } from './inode';
import { NAME_MAX } from './namei';
import { TMPFS_MAGIC } from './shmem';
import { PAGE_SIZE } from '../mm/page';

/** f_type values (include/uapi/linux/magic.h). */
export const RAMFS_MAGIC = 0x858458f6;
export const PROC_SUPER_MAGIC = 0x9fa0;
export const SYSFS_MAGIC = 0x62656572;

/** Mount flags as statfs reports them in f_flags (include/linux/statfs.h). */
export const ST_RDONLY = 0x0001;
export const ST_NOSUID = 0x0002;
export const ST_NODEV = 0x0004;
export const ST_NOEXEC = 0x0008;
export const ST_VALID = 0x0020;

/** sizeof(struct statfs) on riscv64 (asm-generic, 64-bit words). */
export const STATFS_SIZE = 120;

/** One mounted file system (struct vfsmount with its mount point). */
export interface Mount {
  /** The device name /proc/mounts shows first (for these, the type). */
  readonly source: string;
  readonly dir: string;
  readonly sb: SuperBlock;
  /** ST_NOSUID | ST_NODEV | ST_NOEXEC; read-only comes from the superblock. */
  readonly flags: number;
}

/** struct kstatfs. */
export interface Kstatfs {
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  frsize: number;
  flags: number;
}

const MAGIC: Record<string, number> = { rootfs: RAMFS_MAGIC, devtmpfs: TMPFS_MAGIC, tmpfs: TMPFS_MAGIC, proc: PROC_SUPER_MAGIC, sysfs: SYSFS_MAGIC };

/**
 * statfs_by_dentry() of the mount: shmem_statfs() for a tmpfs (its size=
 * and nr_inodes= with what is free of them), simple_statfs() elsewhere
 * (no block or inode counts); f_frsize = f_bsize, f_flags = ST_VALID | the
 * mount's flags.
 */
export function vfsStatfs(m: Mount): Kstatfs {
  const sh = m.sb.shmem;
  const blocks = sh?.maxBlocks ?? 0;
  const bfree = sh === null ? 0 : sh.maxBlocks - sh.usedBlocks;
  return {
    type: MAGIC[m.sb.type] ?? RAMFS_MAGIC,
    bsize: PAGE_SIZE,
    blocks,
    bfree,
    bavail: bfree,
    files: sh?.maxInodes ?? 0,
    ffree: sh === null ? 0 : sh.maxInodes - sh.usedInodes,
    namelen: NAME_MAX,
    frsize: PAGE_SIZE,
    flags: ST_VALID | (m.sb.readOnly ? ST_RDONLY : 0) | m.flags,
  };
}

/** The user's struct statfs: ten 64-bit words with f_fsid (two ints, 0 here) after f_ffree, then f_spare. */
export function encodeStatfs(st: Kstatfs): Uint8Array {
  const b = new Uint8Array(STATFS_SIZE);
  const v = new DataView(b.buffer);
  const words = [st.type, st.bsize, st.blocks, st.bfree, st.bavail, st.files, st.ffree];
  words.forEach((w, i) => v.setBigUint64(8 * i, BigInt(w), true));
  v.setBigUint64(64, BigInt(st.namelen), true);
  v.setBigUint64(72, BigInt(st.frsize), true);
  v.setBigUint64(80, BigInt(st.flags), true);
  return b;
}

/** show_vfsmnt(): one /proc/mounts line, `tmpfs /tmp tmpfs rw,nosuid,nodev,size=...k,nr_inodes=... 0 0`. */
export function mountLine(m: Mount): string {
  const opts = [m.sb.readOnly ? 'ro' : 'rw'];
  if (m.flags & ST_NOSUID) opts.push('nosuid');
  if (m.flags & ST_NODEV) opts.push('nodev');
  if (m.flags & ST_NOEXEC) opts.push('noexec');
  if (m.sb.shmem !== null) opts.push(m.sb.shmem.showOptions());
  return `${m.source} ${m.dir} ${m.sb.type} ${opts.join(',')} 0 0\n`;
}
