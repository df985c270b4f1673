// A task's file-system context (Linux struct fs_struct, include/linux/fs_struct.h):
// the working directory relative paths start at, and the umask that file
// creation applies. fork copies it (copy_fs without CLONE_FS); execve keeps it.
import type { Inode } from './inode';

/** The umask every task starts with (init's, Linux's default 0022). */
export const DEFAULT_UMASK = 0o022;
/** S_IRWXUGO: the bits umask(2) keeps. */
export const S_IRWXUGO = 0o777;

export class FsStruct {
  constructor(
    /** The working directory; null stands for the root ("/"), so a task needs no VFS to be made. */
    public pwd: Inode | null = null,
    public umask: number = DEFAULT_UMASK,
  ) {}

  /** copy_fs(): the child's own copy, same directory and umask. */
  copy(): FsStruct {
    return new FsStruct(this.pwd, this.umask);
  }
}
