import { describe, expect, it } from 'vitest';
import { STAT_SIZE, encodeStat, mkdev, newEncodeDev } from '../../../kernel-ts/fs/stat';

describe('struct stat (riscv64, asm-generic layout)', () => {
  it('is 128 bytes with every field at its asm-generic offset', () => {
    const b = encodeStat({
      dev: mkdev(0, 2), ino: 0x1122334455, mode: 0o100755, nlink: 3, uid: 1000, gid: 1001,
      rdev: mkdev(1, 5), size: 0x123456789, blksize: 4096, blocks: 9, atimeNs: 1_500_000_007, mtimeNs: 2_000_000_008, ctimeNs: 3_000_000_009,
    });
    expect(b.length).toBe(STAT_SIZE);
    const v = new DataView(b.buffer);
    expect(v.getBigUint64(0, true)).toBe(2n); // st_dev
    expect(v.getBigUint64(8, true)).toBe(0x1122334455n); // st_ino
    expect(v.getUint32(16, true)).toBe(0o100755); // st_mode
    expect(v.getUint32(20, true)).toBe(3); // st_nlink
    expect(v.getUint32(24, true)).toBe(1000); // st_uid
    expect(v.getUint32(28, true)).toBe(1001); // st_gid
    expect(v.getBigUint64(32, true)).toBe(0x105n); // st_rdev: makedev(1, 5)
    expect(v.getBigUint64(40, true)).toBe(0n); // __pad1
    expect(v.getBigInt64(48, true)).toBe(0x123456789n); // st_size
    expect(v.getInt32(56, true)).toBe(4096); // st_blksize
    expect(v.getInt32(60, true)).toBe(0); // __pad2
    expect(v.getBigInt64(64, true)).toBe(9n); // st_blocks
    expect([v.getBigInt64(72, true), v.getBigUint64(80, true)]).toEqual([1n, 500_000_007n]);
    expect([v.getBigInt64(88, true), v.getBigUint64(96, true)]).toEqual([2n, 8n]);
    expect([v.getBigInt64(104, true), v.getBigUint64(112, true)]).toEqual([3n, 9n]);
    expect(Array.from(b.subarray(120))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('encodes device numbers as new_encode_dev (glibc makedev)', () => {
    expect(newEncodeDev(mkdev(5, 1))).toBe(0x501);
    expect(newEncodeDev(mkdev(254, 0x123))).toBe(0x10fe23);
  });
});
