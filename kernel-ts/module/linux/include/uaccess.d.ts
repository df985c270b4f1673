// <linux/uaccess.h>: moving data between the kernel and the user memory of
// `current`'s address space. Each access goes through the MMU as Linux's
// does: a page not present yet faults in (demand paging, copy-on-write), a
// page that cannot be had is a fault the function reports (-EFAULT, or the
// bytes not copied), never an oops. A kernel address passed as a user
// pointer fails access_ok: -EFAULT. A kernel thread (no mm) gets -EFAULT.
import type { size_t, user_ptr } from './types';

/** access_ok(addr, size) (arch/x86/include/asm/uaccess_64.h): [addr, addr + size) lies in user space (below TASK_SIZE). */
export declare function access_ok(addr: user_ptr, size: size_t): boolean;

/**
 * copy_to_user(to, from, n) (include/linux/uaccess.h): copies n bytes of the
 * kernel buffer `from` to user address `to`. Returns the number of bytes NOT
 * copied: 0 on success; the bytes from the first page that faulted on,
 * otherwise (a driver's read answers -EFAULT when it is not 0).
 */
export declare function copy_to_user(to: user_ptr, from: Uint8Array, n: size_t): number;
/**
 * copy_from_user(to, from, n): copies n bytes at user address `from` into the
 * kernel buffer `to`. Returns the bytes NOT copied; those are zeroed in `to`,
 * as Linux's copy_from_user does.
 */
export declare function copy_from_user(to: Uint8Array, from: user_ptr, n: size_t): number;

/**
 * get_user(ptr, size) (arch/x86/include/asm/uaccess.h): reads one value of
 * `size` bytes (1, 2, 4, 8; the C type's sizeof) at user address ptr.
 * C's get_user(x, ptr) assigns x and returns 0 or -EFAULT; a TS function
 * cannot assign its argument, so it returns both: { err: 0, val } or
 * { err: -EFAULT, val: 0 } (Linux zeroes x on a fault). The value is
 * unsigned: number for 1, 2 and 4 bytes, bigint for 8 (a u64, a pointer):
 *   const { err, val } = get_user(arg, 8); if (err) return err;
 */
export declare function get_user(ptr: user_ptr, size: 8): { err: number; val: bigint };
export declare function get_user(ptr: user_ptr, size: 1 | 2 | 4): { err: number; val: number };
/**
 * put_user(x, ptr, size): writes x as `size` bytes (1, 2, 4, 8; the low bytes
 * of x, two's complement for a negative x) at user address ptr: 0 or -EFAULT.
 */
export declare function put_user(x: number | bigint, ptr: user_ptr, size: 1 | 2 | 4 | 8): number;
/** clear_user(to, n) (arch/x86/lib/usercopy_64.c): zeroes n user bytes; the bytes NOT cleared. */
export declare function clear_user(to: user_ptr, n: size_t): number;
/**
 * strncpy_from_user(dst, src, count) (lib/strncpy_from_user.c): copies the
 * NUL-terminated string at user address src into dst, at most count bytes
 * (count <= dst.length). Returns the length of the string (without its NUL,
 * which is copied too when it fits); count if no NUL came within count bytes
 * (dst is then not terminated); -EFAULT if a byte could not be read.
 */
export declare function strncpy_from_user(dst: Uint8Array, src: user_ptr, count: size_t): number;
/**
 * strnlen_user(src, n) (lib/strnlen_user.c): the size of the string at src
 * including its NUL; a value > n if no NUL comes within n bytes; 0 on a fault.
 */
export declare function strnlen_user(src: user_ptr, n: size_t): number;
