import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../../kernel-ts/mm/mmap';
import { EFAULT } from '../../../../kernel-ts/errno';
import { inProcess, linuxEnv } from './helpers';

const enc = new TextEncoder();

describe('uaccess on current\'s mm', () => {
  it('copy_to_user/copy_from_user fault pages in and return the bytes NOT copied at a hole', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(k, (t) => {
      // Two pages mapped, the third not: [a, a + 8192) then a hole.
      const a = k.mm.doMmap(t.mm!, 0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
      expect(k.mm.doMunmap(t.mm!, a + 8192, 4096)).toBe(0);
      const ua = BigInt(a);
      const rss0 = t.mm!.rss;
      expect(L.copy_to_user(ua + 4090n, enc.encode('hello, world'), 12)).toBe(0);
      expect(t.mm!.rss).toBe(rss0 + 2); // both pages faulted in
      const back = new Uint8Array(12);
      expect(L.copy_from_user(back, ua + 4090n, 12)).toBe(0);
      expect(new TextDecoder().decode(back)).toBe('hello, world');
      // 100 bytes from 8192 - 40: 40 copied, 60 not.
      expect(L.copy_to_user(ua + 8152n, new Uint8Array(100).fill(7), 100)).toBe(60);
      const part = new Uint8Array(100).fill(0xee);
      expect(L.copy_from_user(part, ua + 8152n, 100)).toBe(60);
      expect([part[39], part[40], part[99]]).toEqual([7, 0, 0]);
      // A kernel address is not a user pointer.
      expect(L.copy_to_user(0xffff888000000000n, new Uint8Array(4), 4)).toBe(4);
      expect(L.access_ok(0xffff888000000000n, 1)).toBe(false);
      expect([L.access_ok(ua, 4096), L.access_ok(0x7fffffffe000n, 4096), L.access_ok(0x7fffffffe000n, 4097)]).toEqual([true, true, false]);
    });
  });

  it('get_user/put_user: { err, val }, number below 8 bytes and bigint for 8; -EFAULT and 0 on a fault', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(k, (t) => {
      const ua = BigInt(k.mm.doMmap(t.mm!, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS));
      expect(L.put_user(0xffff888012345678n, ua, 8)).toBe(0);
      expect(L.get_user(ua, 8)).toEqual({ err: 0, val: 0xffff888012345678n });
      expect(L.get_user(ua, 4)).toEqual({ err: 0, val: 0x12345678 });
      expect(L.get_user(ua + 6n, 2)).toEqual({ err: 0, val: 0xffff });
      expect(L.put_user(-1, ua, 1)).toBe(0);
      expect(L.get_user(ua, 1)).toEqual({ err: 0, val: 0xff });
      expect(L.get_user(ua + 4096n, 4)).toEqual({ err: -EFAULT, val: 0 });
      expect(L.get_user(0xffffffff81000000n, 8)).toEqual({ err: -EFAULT, val: 0n });
      expect(L.put_user(1, ua + 4093n, 4)).toBe(-EFAULT);
      expect(L.clear_user(ua, 8)).toBe(0);
      expect(L.get_user(ua, 8).val).toBe(0n);
    });
  });

  it('strncpy_from_user and strnlen_user', () => {
    const { k, env } = linuxEnv();
    const L = makeLinux(env);
    inProcess(k, (t) => {
      const ua = BigInt(k.mm.doMmap(t.mm!, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS));
      L.copy_to_user(ua, enc.encode('abc\0'), 4);
      const dst = new Uint8Array(8).fill(0x55);
      expect(L.strncpy_from_user(dst, ua, 8)).toBe(3);
      expect([...dst.subarray(0, 5)]).toEqual([97, 98, 99, 0, 0x55]);
      expect(L.strncpy_from_user(dst, ua, 2)).toBe(2);
      expect(L.strnlen_user(ua, 100)).toBe(4);
      expect(L.strnlen_user(ua, 2)).toBe(3);
      // The string runs into the end of the mapping: a fault.
      L.copy_to_user(ua + 4094n, enc.encode('xy'), 2);
      expect(L.strncpy_from_user(dst, ua + 4094n, 8)).toBe(-EFAULT);
      expect(L.strnlen_user(ua + 4094n, 8)).toBe(0);
    });
  });

  it('no process (a kernel thread, the host): every user access is -EFAULT', () => {
    const { env } = linuxEnv();
    const L = makeLinux(env);
    expect(L.get_user(0x10000n, 4)).toEqual({ err: -EFAULT, val: 0 });
    expect(L.copy_from_user(new Uint8Array(4), 0x10000n, 4)).toBe(4);
    expect(L.access_ok(0x10000n, 4)).toBe(true);
  });
});
