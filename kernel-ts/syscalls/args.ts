// System-call arguments a0..a5, read once from the CPU's register halves at
// the ecall. Handlers take the view of each argument that its C type has:
// pointers and sizes as unsigned (exact below 2^53; anything above is far
// outside every address space and fails as -EFAULT/-EINVAL anyway), ints as
// 32-bit signed, off_t as 64-bit signed. No BigInt: syscalls are hot in
// syscall-heavy programs.
import { TWO32 } from '../../emu/machine/cpu/int64';

export class SyscallArgs {
  /** lo, hi halves of a0..a5. */
  readonly half = new Int32Array(12);

  /** Unsigned 64-bit value as a number (exact below 2^53). */
  u64(i: number): number {
    return (this.half[2 * i + 1]! >>> 0) * TWO32 + (this.half[2 * i]! >>> 0);
  }
  /** Unsigned 64-bit value, exact (ioctl's unsigned long arg; off the hot path). */
  u64Big(i: number): bigint {
    return (BigInt(this.half[2 * i + 1]! >>> 0) << 32n) | BigInt(this.half[2 * i]! >>> 0);
  }
  /** Signed 64-bit value as a number (exact within +-2^53). */
  s64(i: number): number {
    return this.half[2 * i + 1]! * TWO32 + (this.half[2 * i]! >>> 0);
  }
  /** C int: the low 32 bits, signed. */
  int(i: number): number {
    return this.half[2 * i]!;
  }
  /** C unsigned int: the low 32 bits, unsigned. */
  uint(i: number): number {
    return this.half[2 * i]! >>> 0;
  }
  /** True when the upper 32 bits are 0 (for pointers/sizes that must be small). */
  fits32(i: number): boolean {
    return this.half[2 * i + 1] === 0;
  }
}
