import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import * as errno from '../../../../kernel-ts/errno';
import { linuxEnv } from './helpers';

describe('errno', () => {
  it('is the kernel errno module, Linux values', () => {
    const L = makeLinux(linuxEnv().env);
    expect([L.EPERM, L.ENOENT, L.EFAULT, L.EINVAL, L.ENOMEM, L.EBUSY]).toEqual([1, 2, 14, 22, 12, 16]);
    // Functions are wrapped for the soft-lockup watchdog's count (linux/index.ts): the same answers, not the same objects.
    for (const [name, v] of Object.entries(errno)) {
      const got = (L as unknown as Record<string, unknown>)[name];
      if (typeof v === 'function') expect((got as (n: number) => unknown)(2)).toEqual((v as (n: number) => unknown)(2));
      else expect(got).toBe(v);
    }
  });
});
