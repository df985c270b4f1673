import { describe, expect, it } from 'vitest';
import { GiB, PhysMem, SparsePhysMem, read64Big, write64Big } from '../../../../emu/machine/mem/phys';
import type { GuestMemory } from '../../../../emu/machine/mem/phys';

function common(name: string, make: () => GuestMemory): void {
  describe(`${name}: common behaviour`, () => {
    it('is little-endian and reads back what was written', () => {
      const m = make();
      m.write32(0x1000, 0x11223344);
      expect(m.read8(0x1000)).toBe(0x44);
      expect(m.read16(0x1002)).toBe(0x1122);
      expect(m.read32(0x1000)).toBe(0x11223344);
      m.write32(0x1004, 0xdeadbeef | 0);
      expect(m.read32(0x1004)).toBe(0xdeadbeef | 0); // an int32
      expect(read64Big(m, 0x1000)).toBe(0xdeadbeef11223344n);
    });

    it('handles unaligned 16- and 32-bit accesses', () => {
      const m = make();
      m.write32(0x2003, 0xa1b2c3d4 | 0);
      expect([0x2003, 0x2004, 0x2005, 0x2006].map((a) => m.read8(a))).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
      expect(m.read32(0x2003)).toBe(0xa1b2c3d4 | 0);
      m.write16(0x2fff, 0xbeef);
      expect(m.read16(0x2fff)).toBe(0xbeef);
      expect(m.read8(0x3000)).toBe(0xbe);
    });

    it('writes only the low bits of a narrow store', () => {
      const m = make();
      m.write32(0x10, -1);
      m.write8(0x11, 0x1234);
      m.write16(0x12, 0x56789);
      expect(m.read32(0x10) >>> 0).toBe(0x678934ff);
    });

    it('copies bytes in and out', () => {
      const m = make();
      m.writeBytes(0x3ffe, new Uint8Array([1, 2, 3, 4, 5]));
      expect([...m.readBytes(0x3ffd, 7)]).toEqual([0, 1, 2, 3, 4, 5, 0]);
      write64Big(m, 0x5000, 0x0102030405060708n);
      expect(m.read32(0x5000)).toBe(0x05060708);
      expect(m.read32(0x5004)).toBe(0x01020304);
    });

    it('exposes its backing store for the CPU fast path', () => {
      const m = make();
      m.write32(0x6008, 77);
      const c = m.chunkI32(0x6008)!;
      expect(c[m.chunkOffset(0x6008) >> 2]).toBe(77);
      m.chunkU8(0x6009)![m.chunkOffset(0x6009)] = 1;
      expect(m.read32(0x6008)).toBe(77 + 256);
    });
  });
}

common('PhysMem', () => new PhysMem({ size: 1 << 20 }));
common('SparsePhysMem', () => new SparsePhysMem());

describe('PhysMem', () => {
  it('reads all-ones beyond RAM and ignores writes there', () => {
    const m = new PhysMem({ size: 0x10000 });
    m.write32(0x10000, 0);
    m.write8(0x20000, 0);
    expect(m.read8(0x10000)).toBe(0xff);
    expect(m.read16(0x10000)).toBe(0xffff);
    expect(m.read32(0x10000)).toBe(-1);
    expect(m.read32(2 ** 52 - 4)).toBe(-1);
    expect(m.read32(0xfffe)).toBe(0xffff0000 | 0); // half in RAM
    expect([...m.readBytes(0xfffe, 4)]).toEqual([0, 0, 0xff, 0xff]);
    m.writeBytes(0xffff, new Uint8Array([9, 9]));
    expect(m.read8(0xffff)).toBe(9);
    expect(m.chunkI32(0x10000)).toBeNull();
  });

  it('defaults to 1 GiB and MAXPHYADDR 46, and rejects bad sizes', () => {
    const m = new PhysMem();
    expect([m.size, m.maxPhyAddr]).toEqual([GiB, 46]);
    expect(() => new PhysMem({ size: 5000 })).toThrow('memory size must be a positive multiple of 4096, got 5000');
    expect(() => new PhysMem({ maxPhyAddr: 35 })).toThrow('maxPhyAddr must be 36..52, got 35');
    expect(() => new PhysMem({ size: 2 ** 37, maxPhyAddr: 36 })).toThrow(`memory size ${2 ** 37} exceeds 2^36`);
  });

  it('crosses its 1-GiB chunk boundary transparently', () => {
    const m = new PhysMem({ size: GiB + 4096 });
    m.write32(GiB - 2, 0x44332211);
    expect(m.read16(GiB - 2)).toBe(0x2211);
    expect(m.read16(GiB)).toBe(0x4433);
    expect(m.chunkI32(GiB)!.length).toBe(1024);
    expect([...m.readBytes(GiB - 1, 3)]).toEqual([0x22, 0x33, 0x44]);
  });

  it('offers 16 GiB without host memory growing beyond what is touched', () => {
    const before = process.memoryUsage().rss;
    const m = new PhysMem({ size: 16 * GiB });
    for (let i = 0; i < 16; i++) m.write32(i * GiB + 0x1234_5000, i + 1);
    expect(m.read32(15 * GiB + 0x1234_5000)).toBe(16);
    expect(m.read32(16 * GiB - 4)).toBe(0);
    expect(m.read32(16 * GiB)).toBe(-1);
    const grown = process.memoryUsage().rss - before;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect([m.framesInArena, m.framesSpilled]).toEqual([0, 15]); // no pool: the touched frames only, outside any arena
  });

  it('places frames above 1 GiB in the frame pool at first touch, in touch order, and spills when it is full', () => {
    const buf = new ArrayBuffer(GiB + 3 * 4096);
    const m = new PhysMem({ size: 4 * GiB, firstChunk: buf, framePool: { start: GiB, bytes: 2 * 4096 } });
    expect(m.read32(3 * GiB)).toBe(0); // reads place nothing
    // A write spanning two frames that are far apart in the pool order: 3 GiB + 4 KiB - 2 is touched first.
    m.writeBytes(3 * GiB + 4094, new Uint8Array([1, 2, 3, 4]));
    expect([m.framesInArena, m.framesSpilled]).toEqual([2, 0]);
    expect(new Uint8Array(buf, GiB + 4094, 2)).toEqual(new Uint8Array([1, 2]));
    expect(new Uint8Array(buf, GiB + 4096, 2)).toEqual(new Uint8Array([3, 4]));
    expect([...m.readBytes(3 * GiB + 4093, 6)]).toEqual([0, 1, 2, 3, 4, 0]);
    expect([m.hostPage(3 * GiB), m.hostPage(3 * GiB + 4096), m.hostPage(0x5000)]).toEqual([GiB, GiB + 4096, 0x5000]);
    // The pool is full: the next frame is spilled, with no host offset, and works the same.
    m.write32(2 * GiB + 8, 99);
    expect([m.framesInArena, m.framesSpilled, m.hostPage(2 * GiB)]).toEqual([2, 1, -1]);
    expect(m.read32(2 * GiB + 8)).toBe(99);
    const w = m.chunkI32(2 * GiB + 8)!;
    expect(w[m.chunkOffset(2 * GiB + 8) >> 2]).toBe(99);
    const p = m.chunkU8(3 * GiB + 4096)!;
    expect(p[m.chunkOffset(3 * GiB + 4096)]).toBe(3);
    // The recorder's question: which views hold RAM.
    expect([m.isRamView(new Uint8Array(buf, 0, 8)), m.isRamView(new Uint8Array(buf, GiB + 4096, 8)), m.isRamView(new Uint8Array(buf, GiB + 2 * 4096, 8)), m.isRamView(w)]).toEqual([true, true, false, true]);
  });
});

describe('SparsePhysMem', () => {
  it('covers all of 2^52, allocating 4K pages only on writes', () => {
    const m = new SparsePhysMem();
    expect(m.read32(0xf_ffff_ffff_f000)).toBe(0);
    expect(m.pageCount).toBe(0);
    m.write32(0xf_ffff_ffff_fff8, 0x1234);
    m.write32(0x8_0000_0000_0000, 5);
    expect(m.read32(0xf_ffff_ffff_fff8)).toBe(0x1234);
    expect(m.pageCount).toBe(2);
    expect(m.read32(2 ** 52)).toBe(-1);
  });
});
