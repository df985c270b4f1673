// The M extension's harder instructions as wasm (translate.ts emits the rest
// inline): mulh/mulhsu/mulhu from 32-bit partial products, and div/rem in 64
// and 32 bits with RISC-V's results where wasm would trap (a zero divisor:
// quotient -1, remainder the dividend; MIN / -1: quotient MIN, remainder 0).
// Each emitter finds rs1's then rs2's value (i64) on the stack and leaves
// the result there, using the scratch locals it is given.
import { Body, Op, ValType } from './wasm';

/** The most negative i64 as int32 halves. */
const I64_MIN_LO = 0, I64_MIN_HI = -0x80000000;

/** mulh (ss), mulhsu (su), mulhu (uu): the high 64 bits of the 128-bit product; `t`: six i64 scratch locals. */
export function emitMulHigh(b: Body, kind: 'ss' | 'su' | 'uu', t: readonly number[]): void {
  const [a, c, ll, lh, hl, mid] = t as [number, number, number, number, number, number];
  const LO32 = (): void => void b.i64(-1, 0).op(Op.i64_and);
  const HI32 = (): void => void b.i64(32).op(Op.i64_shr_u);
  b.set(c).set(a);
  b.get(a); LO32(); b.get(c); LO32(); b.op(Op.i64_mul).set(ll);
  b.get(a); LO32(); b.get(c); HI32(); b.op(Op.i64_mul).set(lh);
  b.get(a); HI32(); b.get(c); LO32(); b.op(Op.i64_mul).set(hl);
  b.get(ll); HI32(); b.get(lh); LO32(); b.op(Op.i64_add); b.get(hl); LO32(); b.op(Op.i64_add).set(mid);
  b.get(a); HI32(); b.get(c); HI32(); b.op(Op.i64_mul);
  b.get(lh); HI32(); b.op(Op.i64_add);
  b.get(hl); HI32(); b.op(Op.i64_add);
  b.get(mid); HI32(); b.op(Op.i64_add);
  // Signed corrections: subtract c when a < 0 (ss, su) and a when c < 0 (ss).
  if (kind !== 'uu') b.get(c).get(a).i64(63).op(Op.i64_shr_s).op(Op.i64_and).op(Op.i64_sub);
  if (kind === 'ss') b.get(a).get(c).i64(63).op(Op.i64_shr_s).op(Op.i64_and).op(Op.i64_sub);
}

/** div, divu, rem, remu; `t`: two i64 scratch locals. */
export function emitDiv64(b: Body, signed: boolean, rem: boolean, t: readonly number[]): void {
  const [a, c] = [t[0]!, t[1]!];
  b.set(c).set(a);
  b.get(c).op(Op.i64_eqz).ifValue(ValType.I64);
  if (rem) b.get(a);
  else b.i64(-1);
  b.op(Op.else);
  if (signed) {
    // MIN / -1 = MIN, MIN % -1 = 0 (wasm's div_s traps there).
    b.get(c).i64(-1).op(Op.i64_eq).get(a).i64(I64_MIN_LO, I64_MIN_HI).op(Op.i64_eq).op(Op.i32_and).ifValue(ValType.I64);
    if (rem) b.i64(0);
    else b.get(a);
    b.op(Op.else).get(a).get(c).op(rem ? Op.i64_rem_s : Op.i64_div_s).end();
  } else {
    b.get(a).get(c).op(rem ? Op.i64_rem_u : Op.i64_div_u);
  }
  b.end();
}

/** divw, divuw, remw, remuw on the low words; leaves the i32 result (the caller sign-extends); `u`: two i32 scratch locals. */
export function emitDiv32(b: Body, signed: boolean, rem: boolean, u: readonly number[]): void {
  const [a, c] = [u[0]!, u[1]!];
  b.op(Op.i32_wrap_i64).set(c).op(Op.i32_wrap_i64).set(a);
  b.get(c).op(Op.i32_eqz).ifValue(ValType.I32);
  if (rem) b.get(a);
  else b.i32(-1);
  b.op(Op.else);
  if (signed) {
    // MIN / -1 = MIN (0 - MIN), MIN % -1 = 0; any x / -1 is -x, any x % -1 is 0.
    b.get(c).i32(-1).op(Op.i32_eq).ifValue(ValType.I32);
    if (rem) b.i32(0);
    else b.i32(0).get(a).op(Op.i32_sub);
    b.op(Op.else).get(a).get(c).op(rem ? Op.i32_rem_s : Op.i32_div_s).end();
  } else {
    b.get(a).get(c).op(rem ? Op.i32_rem_u : Op.i32_div_u);
  }
  b.end();
}
