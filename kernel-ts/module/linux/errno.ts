// <linux/errno.h>: the kernel's errno constants as they are (one home:
// kernel-ts/errno.ts), for makeLinux.
import * as errno from '../../errno';
import type { LinuxEnv } from './env';

export function errnoApi(_env: LinuxEnv): typeof import('./include/errno') {
  return { ...errno };
}
