// <asm/io.h> accessors, used here for any kernel memory: loads and stores
// that go through the MMU exactly as a kernel instruction does (CPL 0,
// EFLAGS.AC clear, the loaded CR3; the walk sets A and D; SMEP, SMAP, NX
// and CR0.WP are honoured; the TLB is filled). A faulting access does not
// return: it is an oops of the call, `BUG: unable to handle page fault for
// address: ...` (KernelPageFault in linux/fault.ts), or a general
// protection fault for a non-canonical address. A user address faults too:
// with SMAP a supervisor access to a user page is a protection violation
// (error code 0x0001 read, 0x0003 write); user memory is reached through
// copy_from_user / get_user (<linux/uaccess.h>).
//
// Values of 8, 16 and 32 bits are numbers (unsigned), of 64 bits bigint.
// Arguments are in Linux's order: writel(value, addr).
import type { size_t, ulong } from './types';

/** Linux readb(): the byte at kernel address addr. */
export function readb(addr: ulong): number;
/** Linux readw(): the little-endian u16 at addr (an access crossing a page needs both pages). */
export function readw(addr: ulong): number;
/** Linux readl(): the little-endian u32 at addr. */
export function readl(addr: ulong): number;
/** Linux readq(): the little-endian u64 at addr. */
export function readq(addr: ulong): bigint;
/** Linux writeb(): stores the low 8 bits of value at addr. */
export function writeb(value: number, addr: ulong): void;
/** Linux writew(). */
export function writew(value: number, addr: ulong): void;
/** Linux writel(). */
export function writel(value: number, addr: ulong): void;
/** Linux writeq(). */
export function writeq(value: bigint, addr: ulong): void;
/** Linux memcpy_fromio(): count bytes from kernel address from into the buffer to (from offset 0). */
export function memcpy_fromio(to: Uint8Array, from: ulong, count: size_t): void;
/** Linux memcpy_toio(): count bytes of the buffer from to kernel address to; a fault on any page stores nothing. */
export function memcpy_toio(to: ulong, from: Uint8Array, count: size_t): void;
/** Linux memset_io(): count bytes of value (low 8 bits) at kernel address addr. */
export function memset_io(addr: ulong, value: number, count: size_t): void;
/**
 * Linux copy_from_kernel_nofault() (mm/maccess.c): count bytes from kernel
 * address src into dst without oopsing: 0, or -EFAULT when a page faults
 * (or src is a user address, as Linux refuses those). Nothing is copied on -EFAULT.
 */
export function copy_from_kernel_nofault(dst: Uint8Array, src: ulong, count: size_t): number;
/** Linux copy_to_kernel_nofault(): 0, or -EFAULT with nothing stored. */
export function copy_to_kernel_nofault(dst: ulong, src: Uint8Array, count: size_t): number;
