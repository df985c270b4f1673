import { describe, expect, it } from 'vitest';
import { FilesStruct } from '../../../kernel-ts/fs/fdtable';
import { INR_OPEN_CUR, NR_OPEN } from '../../../kernel-ts/resource';
import { File, O_RDONLY } from '../../../kernel-ts/fs/file';
import type { FileOperations } from '../../../kernel-ts/fs/file';
import { Inode, SuperBlock } from '../../../kernel-ts/fs/inode';
import { S_IFREG } from '../../../kernel-ts/fs/stat';
import { EBADF, EMFILE } from '../../../kernel-ts/errno';

function counted(): { file: () => File; released: () => number } {
  let released = 0;
  const fops: FileOperations = { release: () => void released++ };
  const inode = new Inode(new SuperBlock('test', 1, false), S_IFREG | 0o644, fops, '/f', null);
  return { file: () => new File(inode, O_RDONLY), released: () => released };
}

describe('FilesStruct', () => {
  it('hands out the lowest free descriptor', () => {
    const { file } = counted();
    const files = new FilesStruct();
    expect([files.installFd(file(), false), files.installFd(file(), false), files.installFd(file(), false)]).toEqual([0, 1, 2]);
    expect(files.close(1)).toBe(0);
    expect(files.installFd(file(), false)).toBe(1);
    expect(files.installFd(file(), false)).toBe(3);
    expect(files.installFd(file(), false, 10)).toBe(10);
    expect(files.installFd(file(), false)).toBe(4);
    expect(files.openFds()).toEqual([0, 1, 2, 3, 4, 10]);
  });

  it('refuses descriptor 1024 with EMFILE (RLIMIT_NOFILE default), or the end the caller passes', () => {
    const { file } = counted();
    const files = new FilesStruct();
    for (let i = 0; i < INR_OPEN_CUR; i++) expect(files.installFd(file(), false)).toBe(i);
    expect(files.installFd(file(), false)).toBe(-EMFILE);
    files.close(500);
    expect(files.installFd(file(), false)).toBe(500);
    expect(files.installFd(file(), false, 0, 2000)).toBe(1024);
    files.close(7);
    expect(files.installFd(file(), false, 0, 7)).toBe(-EMFILE);
    expect(files.installFd(file(), false, 0, 8)).toBe(7);
  });

  it('gives EBADF for closed, negative and huge descriptors', () => {
    const files = new FilesStruct();
    expect(files.close(0)).toBe(-EBADF);
    expect(files.close(-1)).toBe(-EBADF);
    expect(files.get(1e9)).toBeNull();
    expect(files.replaceFd(NR_OPEN, counted().file(), false)).toBe(-EBADF);
  });

  it('shares open files with a forked copy and releases them on the last close', () => {
    const c = counted();
    const files = new FilesStruct();
    const f = c.file();
    files.installFd(f, false);
    const child = files.dupForFork();
    expect(child.get(0)).toBe(f);
    expect(f.count).toBe(2);
    child.get(0)!.pos = 77;
    expect(files.get(0)!.pos).toBe(77);
    files.closeAll();
    expect(c.released()).toBe(0);
    child.closeAll();
    expect(c.released()).toBe(1);
  });

  it('closes only close-on-exec descriptors at execve', () => {
    const c = counted();
    const files = new FilesStruct();
    files.installFd(c.file(), false);
    files.installFd(c.file(), true);
    files.installFd(c.file(), false);
    files.setCloexec(2, true);
    expect(files.getCloexec(1)).toBe(true);
    files.closeOnExec();
    expect(files.openFds()).toEqual([0]);
    expect(c.released()).toBe(2);
  });
});
