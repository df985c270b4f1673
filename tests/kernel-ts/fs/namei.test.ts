import { describe, expect, it } from 'vitest';
import { fakeKernel, fakeTask } from './fake-kernel';
import { LOOKUP_DIRECTORY, LOOKUP_FOLLOW, PATH_MAX } from '../../../kernel-ts/fs/namei';
import { ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP } from '../../../kernel-ts/errno';
import type { Inode } from '../../../kernel-ts/fs/inode';
import { S_IFLNK } from '../../../kernel-ts/fs/stat';

const hello = new Uint8Array([1, 2, 3]);

describe('path lookup', () => {
  const { k, vfs } = fakeKernel();
  vfs.addExecutable('/bin/hello', hello);
  const path = (r: Inode | number): string | number => (typeof r === 'number' ? r : r.path);

  it('finds absolute and relative paths (the working directory is /)', () => {
    expect(path(vfs.lookup('/bin/hello'))).toBe('/bin/hello');
    expect(path(vfs.lookup('bin/hello'))).toBe('/bin/hello');
    expect(path(vfs.lookup('/'))).toBe('/');
    expect(path(vfs.lookup('//bin///hello'))).toBe('/bin/hello');
  });

  it('resolves . and .., with .. at the root staying there', () => {
    expect(path(vfs.lookup('/bin/./../bin/hello'))).toBe('/bin/hello');
    expect(path(vfs.lookup('/../../bin'))).toBe('/bin');
    expect(path(vfs.lookup('/proc/..'))).toBe('/');
    expect(path(vfs.lookup('/dev/.'))).toBe('/dev');
  });

  it('reports ENOENT, ENOTDIR and ENAMETOOLONG as Linux does', () => {
    expect(vfs.lookup('')).toBe(-ENOENT);
    expect(vfs.lookup('/bin/nope')).toBe(-ENOENT);
    expect(vfs.lookup('/nope/hello')).toBe(-ENOENT);
    expect(vfs.lookup('/bin/hello/x')).toBe(-ENOTDIR);
    expect(vfs.lookup('/bin/hello/')).toBe(-ENOTDIR);
    expect(vfs.lookup('/bin/hello', LOOKUP_FOLLOW | LOOKUP_DIRECTORY)).toBe(-ENOTDIR);
    expect(vfs.lookup(`/${'a'.repeat(256)}`)).toBe(-ENAMETOOLONG);
    expect(vfs.lookup('/a'.repeat(PATH_MAX / 2))).toBe(-ENAMETOOLONG);
  });

  it('follows /proc/self to the current task, and not at the end without LOOKUP_FOLLOW', () => {
    fakeTask(k, 42, 'me');
    expect(path(vfs.lookup('/proc/self'))).toBe('/proc/42');
    expect(path(vfs.lookup('/proc/self/maps'))).toBe('/proc/42/maps');
    const link = vfs.lookup('/proc/self', 0);
    expect(typeof link !== 'number' && link.mode & S_IFLNK).toBeTruthy();
    expect(vfs.lookup('/proc/43')).toBe(-ENOENT);
    k.current = null;
    expect(vfs.lookup('/proc/self/maps')).toBe(-ENOENT);
  });

  it('gives ELOOP after 40 links', () => {
    const loop = vfs.addFile('/loop', new Uint8Array(0));
    loop.mode = S_IFLNK | 0o777;
    loop.symlink = '/loop';
    expect(vfs.lookup('/loop')).toBe(-ELOOP);
    expect(vfs.lookup('/loop/x')).toBe(-ELOOP);
  });
});

describe('getdents64 records', () => {
  it('are linux_dirent64: ino, next offset, 8-aligned reclen, d_type, NUL-terminated name', async () => {
    const { getdents64, DT_DIR, DT_REG } = await import('../../../kernel-ts/fs/readdir');
    const { vfs } = fakeKernel();
    vfs.addFile('/etc/motd', hello);
    const etc = vfs.lookup('/etc');
    if (typeof etc === 'number') throw new Error('no /etc');
    const all = getdents64(etc, 0, 4096);
    const b = all.bytes!;
    const v = new DataView(b.buffer);
    expect(b.length).toBe(24 + 24 + 24);
    expect([Number(v.getBigUint64(0, true)), Number(v.getBigInt64(8, true)), v.getUint16(16, true), v.getUint8(18), b[19], b[20]]).toEqual([etc.ino, 1, 24, DT_DIR, 0x2e, 0]);
    expect([Number(v.getBigInt64(56, true)), v.getUint16(64, true), v.getUint8(66)]).toEqual([3, 24, DT_REG]);
    expect(new TextDecoder().decode(b.subarray(67, 71))).toBe('motd');
    expect(all.next).toBe(3);
    expect(getdents64(etc, 3, 4096)).toEqual({ bytes: new Uint8Array(0), next: 3 });
    expect(getdents64(etc, 0, 30)).toEqual({ bytes: b.subarray(0, 24), next: 1 });
    expect(getdents64(etc, 2, 20).bytes).toBeNull();
  });
});
