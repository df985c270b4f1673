// <linux/err.h>: ERR_PTR, IS_ERR, PTR_ERR over 64-bit pointer values.
import type { LinuxEnv } from './env';
import type * as Err from './include/err';

const MAX = 4095;
const FIRST_ERR = (1n << 64n) - BigInt(MAX);

export function ERR_PTR(error: number): bigint {
  return BigInt.asUintN(64, BigInt(error));
}

export function IS_ERR(ptr: unknown): ptr is bigint {
  return typeof ptr === 'bigint' && ptr >= FIRST_ERR && ptr < 1n << 64n;
}

export function errApi(_env: LinuxEnv): typeof Err {
  return {
    MAX_ERRNO: MAX,
    ERR_PTR,
    IS_ERR,
    IS_ERR_OR_NULL: (ptr: unknown): ptr is bigint | null | undefined => ptr === null || ptr === undefined || ptr === 0n || IS_ERR(ptr),
    PTR_ERR: (ptr) => Number(BigInt.asIntN(64, ptr)),
  };
}
