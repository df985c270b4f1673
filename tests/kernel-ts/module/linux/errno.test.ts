import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import * as errno from '../../../../kernel-ts/errno';
import { linuxEnv } from './helpers';

describe('errno', () => {
  it('is the kernel errno module, Linux values', () => {
    const L = makeLinux(linuxEnv().env);
    expect([L.EPERM, L.ENOENT, L.EFAULT, L.EINVAL, L.ENOMEM, L.EBUSY]).toEqual([1, 2, 14, 22, 12, 16]);
    for (const [name, v] of Object.entries(errno)) expect((L as unknown as Record<string, unknown>)[name]).toBe(v);
  });
});
