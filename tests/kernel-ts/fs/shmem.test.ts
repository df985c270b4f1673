// tmpfs's limits and sparse, page-granular files (issue 12, finding 3: file
// data in host memory had a per-file cap but no total, ftruncate ignored even
// that, and every write copied the whole file).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeKernel } from './fake-kernel';
import type { File } from '../../../kernel-ts/fs/file';
import { O_CREAT, O_RDWR, O_TRUNC } from '../../../kernel-ts/fs/file';
import { RAMFS_MAXBYTES } from '../../../kernel-ts/fs/inode';
import { tmpfsDefaults } from '../../../kernel-ts/fs/shmem';
import { EFBIG, ENOSPC } from '../../../kernel-ts/errno';

const PAGE = 4096;

/** A VFS whose /tmp holds `pages` pages and `inodes` inodes (its root is one). */
function tmp(pages: number, inodes = 64) {
  const { vfs } = fakeKernel({ size: pages * PAGE, nrInodes: inodes });
  const shmem = vfs.tmp.sb.shmem!;
  const open = (name: string): File => {
    const f = vfs.open(`/tmp/${name}`, O_RDWR | O_CREAT);
    if (typeof f === 'number') throw new Error(`open ${name}: ${f}`);
    return f;
  };
  return { vfs, shmem, open };
}

function write(f: File, bytes: Uint8Array, pos = f.pos): number {
  const ppos = { pos };
  const n = f.fop.write!(f, bytes, ppos);
  if (n >= 0) f.pos = ppos.pos;
  return n;
}

function read(f: File, pos: number, len: number): Uint8Array | number {
  const buf = new Uint8Array(len);
  const n = f.fop.read!(f, buf, { pos });
  return n < 0 ? n : buf.subarray(0, n);
}

describe('tmpfs size=', () => {
  it('bounds the total of all files: twelve files share size=, the write that reaches it is short, the next is -ENOSPC', () => {
    const { shmem, open } = tmp(64);
    const chunk = new Uint8Array(3 * PAGE + 100).fill(7);
    const written: number[] = [];
    for (let i = 0; i < 12; i++) {
      const f = open(`f${i}`);
      let total = 0;
      for (;;) {
        const n = write(f, chunk);
        if (n < 0) {
          expect(n).toBe(-ENOSPC);
          break;
        }
        total += n; // the write that reaches size= is short; the next one answers -ENOSPC
      }
      written.push(total);
    }
    expect(shmem.usedBlocks).toBe(64);
    expect(written[0]).toBe(64 * PAGE); // the first file took everything, page-exactly
    expect(written.slice(1)).toEqual(Array(11).fill(0));
  });

  it('charges a page once: rewriting written pages needs no space, and truncation gives the pages back', () => {
    const { shmem, open, vfs } = tmp(4);
    const f = open('a');
    expect(write(f, new Uint8Array(4 * PAGE).fill(1))).toBe(4 * PAGE);
    expect(write(f, new Uint8Array(1), 4 * PAGE)).toBe(-ENOSPC);
    expect(write(f, new Uint8Array(2 * PAGE).fill(2), PAGE)).toBe(2 * PAGE); // overwrite: no new page
    expect(f.inode.setSize(PAGE + 10)).toBe(0);
    expect(shmem.usedBlocks).toBe(2);
    // The tail of the kept page is zeroed: growing again reads zeros there.
    expect(f.inode.setSize(2 * PAGE)).toBe(0);
    expect(Array.from(read(f, PAGE + 8, 4) as Uint8Array)).toEqual([2, 2, 0, 0]);
    const again = vfs.open('/tmp/a', O_RDWR | O_TRUNC);
    expect(typeof again).not.toBe('number');
    expect(shmem.usedBlocks).toBe(0);
  });

  it('nr_inodes=: the root is one; a create past the last is -ENOSPC', () => {
    const { vfs, open, shmem } = tmp(4, 3);
    open('one');
    open('two');
    expect(shmem.usedInodes).toBe(3);
    expect(vfs.open('/tmp/three', O_RDWR | O_CREAT)).toBe(-ENOSPC);
    expect(typeof vfs.open('/tmp/two', O_RDWR | O_CREAT)).not.toBe('number'); // an existing file opens
  });

  it('defaults to half of RAM and half of its pages in inodes (shmem_default_max_blocks/inodes)', () => {
    expect(tmpfsDefaults(64 << 20)).toEqual({ size: 32 << 20, nrInodes: 8192 });
    expect(tmpfsDefaults(1 << 30)).toEqual({ size: 512 << 20, nrInodes: 131072 });
  });
});

describe('sparse tmpfs files', () => {
  it('ftruncate to 2^40 allocates nothing; the hole reads as zeros; a write in it charges one page', () => {
    const { shmem, open } = tmp(4);
    const f = open('big');
    expect(f.inode.setSize(2 ** 40)).toBe(0);
    expect(f.inode.size).toBe(2 ** 40);
    expect(shmem.usedBlocks).toBe(0);
    expect(f.inode.getattr().blocks).toBe(0);
    expect(Array.from(read(f, 2 ** 39, 8) as Uint8Array)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(write(f, new Uint8Array([1, 2, 3]), 2 ** 39 + PAGE - 1)).toBe(3); // straddles two pages
    expect(shmem.usedBlocks).toBe(2);
    expect(f.inode.getattr().blocks).toBe(16); // st_blocks counts the pages held, in 512-byte units
    expect(Array.from(read(f, 2 ** 39 + PAGE - 2, 5) as Uint8Array)).toEqual([0, 1, 2, 3, 0]);
    const page = new Uint8Array(PAGE);
    f.inode.readPage(2 ** 28, page); // what a mapping of the hole sees
    expect(page.every((b) => b === 0)).toBe(true);
  });

  it('s_maxbytes: truncate past it is -EFBIG; a write at it is -EFBIG, one running into it is cut short', () => {
    const { open } = tmp(4);
    const f = open('edge');
    expect(f.inode.setSize(RAMFS_MAXBYTES + 1)).toBe(-EFBIG);
    expect(f.inode.setSize(2 ** 62)).toBe(-EFBIG);
    expect(write(f, new Uint8Array(1), RAMFS_MAXBYTES)).toBe(-EFBIG);
    expect(write(f, new Uint8Array(10), RAMFS_MAXBYTES - 4)).toBe(4);
    expect(f.inode.size).toBe(RAMFS_MAXBYTES);
  });
});

describe('growth is page-granular', () => {
  const proto = Object.getPrototypeOf(Uint8Array.prototype) as { set: (src: ArrayLike<number>, off?: number) => void };
  afterEach(() => vi.restoreAllMocks());

  /** Bytes copied by typed-array set() while `f` runs (every copy the file code makes goes through it). */
  function bytesCopied(f: () => void): number {
    const spy = vi.spyOn(proto, 'set');
    f();
    const n = spy.mock.calls.reduce((sum, [src]) => sum + src.length, 0);
    spy.mockRestore();
    return n;
  }

  it('writing 16 MiB in 1 MiB pieces, or 4 MiB in 4000-byte pieces, copies each byte once', () => {
    const { open, shmem } = tmp(8192);
    const f = open('grow');
    const mib = new Uint8Array(1 << 20).fill(9);
    expect(bytesCopied(() => {
      for (let i = 0; i < 16; i++) expect(write(f, mib)).toBe(1 << 20);
    })).toBe(16 << 20);
    expect(shmem.usedBlocks).toBe(4096);
    const g = open('small');
    const piece = new Uint8Array(4000).fill(3);
    expect(bytesCopied(() => {
      for (let i = 0; i < 1024; i++) write(g, piece);
    })).toBe(4000 * 1024);
    expect(g.inode.size).toBe(4000 * 1024);
  });
});

describe('/proc/mounts and statfs', () => {
  it('lists the mounts, /tmp with its size= and nr_inodes=', () => {
    const { vfs } = tmp(256, 100);
    const f = vfs.open('/proc/mounts', 0);
    if (typeof f === 'number') throw new Error(String(f));
    expect(new TextDecoder().decode(read(f, 0, 4096) as Uint8Array)).toBe(
      [
        'rootfs / rootfs ro 0 0',
        'devtmpfs /dev devtmpfs rw,nosuid 0 0',
        'proc /proc proc rw,nosuid,nodev,noexec 0 0',
        'sysfs /sys sysfs rw,nosuid,nodev,noexec 0 0',
        'tmpfs /tmp tmpfs rw,nosuid,nodev,size=1024k,nr_inodes=100 0 0',
        '',
      ].join('\n'),
    );
  });

  it('statfs of /tmp counts its pages and inodes; other file systems have none (simple_statfs)', () => {
    const { vfs, open } = tmp(256, 100);
    const f = open('x');
    write(f, new Uint8Array(3 * PAGE + 1));
    expect(vfs.statfs(f.inode)).toEqual({
      type: 0x01021994, bsize: 4096, blocks: 256, bfree: 252, bavail: 252, files: 100, ffree: 98, namelen: 255, frsize: 4096, flags: 0x26,
    });
    expect(vfs.statfs(vfs.root)).toEqual({
      type: 0x858458f6, bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, namelen: 255, frsize: 4096, flags: 0x21,
    });
    expect(vfs.statfs(vfs.proc.root).type).toBe(0x9fa0);
  });
});
