// <linux/ioctl.h> in vmlab/linux: Linux's encoding, exact numbers (the values
// Linux's own headers give, e.g. 3000physicalview's PHYSICALVIEW_WALK).
import { describe, expect, it } from 'vitest';
import { ioctlApi } from '../../../../kernel-ts/module/linux/ioctl';
import type { LinuxEnv } from '../../../../kernel-ts/module/linux/env';

const L = ioctlApi({} as LinuxEnv);

describe('ioctl command encoding', () => {
  it('encodes as asm-generic/ioctl.h', () => {
    expect(L._IOWR('k', 1, 16)).toBe(0xc0106b01); // PHYSICALVIEW_WALK
    expect(L._IO('m', 1)).toBe(0x6d01);
    expect(L._IOW('m', 3, 8)).toBe(0x40086d03);
    expect(L._IOR(0x54, 0x13, 4)).toBe(0x80045413);
    expect(L._IOC(L._IOC_READ | L._IOC_WRITE, 0xff, 0xff, 0x3fff)).toBe(0xffffffff);
    expect(L._IO(0, 0)).toBe(0);
  });

  it('decodes the fields, cmd taken as unsigned int', () => {
    const cmd = L._IOWR('k', 7, 24);
    expect([L._IOC_DIR(cmd), L._IOC_TYPE(cmd), L._IOC_NR(cmd), L._IOC_SIZE(cmd)]).toEqual([3, 0x6b, 7, 24]);
    expect(L._IOC_DIR(-1)).toBe(3);
    expect(L._IOC_SIZE(-1)).toBe(0x3fff);
    expect([L._IOC_NRSHIFT, L._IOC_TYPESHIFT, L._IOC_SIZESHIFT, L._IOC_DIRSHIFT]).toEqual([0, 8, 16, 30]);
  });

  it('refuses a field out of range, naming _IOC', () => {
    expect(() => L._IO('k', 256)).toThrow('_IOC: nr 256 is not in 0..255');
    expect(() => L._IOR('k', 1, 16384)).toThrow('_IOC: size 16384 is not in 0..16383');
    expect(() => L._IO('kk', 1)).toThrow("_IOC: type 'kk' is not one character");
    expect(() => L._IOC(4, 'k', 1, 0)).toThrow('_IOC: dir 4 is not in 0..3');
  });
});
