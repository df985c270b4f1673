// <linux/err.h>: error values carried in pointers. A function that returns a
// pointer (or an object: a struct class, a struct device) answers a failure
// with ERR_PTR(-errno), the top 4095 values of the 64-bit address space:
//
//   const cls = class_create('COMP3000');
//   if (IS_ERR(cls)) return PTR_ERR(cls);   // cls is a struct class below
//   cls.devnode = ...;
import type { ulong } from './types';

/** MAX_ERRNO: error values are -1 .. -4095. */
export declare const MAX_ERRNO: 4095;
/** ERR_PTR(error): the pointer value of -errno (2^64 - errno). */
export declare function ERR_PTR(error: number): ulong;
/** IS_ERR(ptr): whether ptr is an ERR_PTR value (objects never are). */
export declare function IS_ERR(ptr: unknown): ptr is ulong;
/** IS_ERR_OR_NULL(ptr): IS_ERR, or NULL (0n, null, undefined). */
export declare function IS_ERR_OR_NULL(ptr: unknown): ptr is ulong | null | undefined;
/** PTR_ERR(ptr): the -errno an ERR_PTR carries (a number). */
export declare function PTR_ERR(ptr: ulong): number;
