// Kernel time values (Linux include/linux/ktime.h, time64.h): nanoseconds
// since boot on the instruction clock, kept as numbers. Linux's ktime_t is a
// signed 64-bit count that saturates at KTIME_MAX, and a timer due then never
// fires; vmlab does the same, so no guest request can carry the clock past
// the end of time or wrap it negative for the programs that run after it.

export const NSEC_PER_SEC = 1_000_000_000;
/**
 * KTIME_MAX, Linux's (s64)~((u64)1 << 63), which a double rounds up to 2^63.
 * A deadline at or past it is "never": the scheduler never wakes it and the
 * idle clock never jumps to it.
 */
export const KTIME_MAX = 2 ** 63;
const KTIME_MAX_BIG = (1n << 63n) - 1n;

/** timespec64_valid(): tv_sec >= 0 and 0 <= tv_nsec < NSEC_PER_SEC. */
export function timespec64Valid(sec: bigint, nsec: bigint): boolean {
  return sec >= 0n && nsec >= 0n && nsec < BigInt(NSEC_PER_SEC);
}

/** ktime_add_safe(base, timespec): the sum in ns, saturated at KTIME_MAX (timespec64_to_ktime and the add both saturate). */
export function ktimeAddSafe(baseNs: number, sec: bigint, nsec: bigint): number {
  const sum = BigInt(Math.floor(baseNs)) + sec * BigInt(NSEC_PER_SEC) + nsec;
  return sum >= KTIME_MAX_BIG ? KTIME_MAX : Number(sum);
}

/** A struct __kernel_timespec (riscv64: two 64-bit fields) holding `ns`, saturated at KTIME_MAX. */
export function encodeTimespec(ns: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  const v = ns >= KTIME_MAX ? KTIME_MAX_BIG : BigInt(Math.max(0, Math.floor(ns)));
  dv.setBigInt64(0, v / BigInt(NSEC_PER_SEC), true);
  dv.setBigInt64(8, v % BigInt(NSEC_PER_SEC), true);
  return b;
}

/** The (tv_sec, tv_nsec) pair of a struct __kernel_timespec, as signed 64-bit values. */
export function decodeTimespec(b: Uint8Array): { sec: bigint; nsec: bigint } {
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  return { sec: dv.getBigInt64(0, true), nsec: dv.getBigInt64(8, true) };
}
