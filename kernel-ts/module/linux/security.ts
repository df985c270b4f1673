// <linux/security.h>: the mmap_min_addr check (security/commoncap.c cap_mmap_addr).
import type { LinuxEnv } from './env';
import { EPERM } from '../../errno';

export function securityApi(env: LinuxEnv): typeof import('./include/security') {
  const kmm = env.kernel.mm;
  return {
    security_mmap_addr: (addr) => (addr < BigInt(kmm.mmapMinAddr) ? -EPERM : 0),
  };
}
