// The register file and pc of the RV64IM core. Registers are 64-bit values
// kept as int32 halves in an Int32Array (low half at 2r, high half at 2r+1;
// STYLE 3), with a BigInt64Array view of the same bytes for tests and the
// debugger; slot 32 is the x0 write sink (decode.ts SINK_SLOT). In a machine
// the register file and pc are views into its arena (arena.ts:
// ArenaLayout.regs, .pc), where compiled code loads and stores them as i64s.
import { REG_SLOTS } from '../arena';
import type { CpuViews } from '../arena';

export class RegisterFile {
  /** x[2r] = low half, x[2r+1] = high half of register r. */
  readonly x: Int32Array;
  /** The same registers as BigInts, for tests and the debugger (never the hot path). */
  readonly x64: BigInt64Array;
  /** [pcLo, pcHi]: pc's halves (in the arena, beside the registers). */
  private readonly pcv: Int32Array;

  constructor(views: CpuViews) {
    this.x = views.x;
    this.x64 = new BigInt64Array(this.x.buffer, this.x.byteOffset, REG_SLOTS);
    this.pcv = views.pc;
  }

  /** pc's low half (int32). */
  get pcLo(): number {
    return this.pcv[0]!;
  }

  set pcLo(v: number) {
    this.pcv[0] = v;
  }

  /** pc's high half (int32). */
  get pcHi(): number {
    return this.pcv[1]!;
  }

  set pcHi(v: number) {
    this.pcv[1] = v;
  }

  /** pc as an unsigned 64-bit BigInt. */
  get pc(): bigint {
    return (BigInt(this.pcHi >>> 0) << 32n) | BigInt(this.pcLo >>> 0);
  }

  set pc(v: bigint) {
    this.pcLo = Number(BigInt.asIntN(32, v));
    this.pcHi = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** pc += bytes (0 <= bytes < 2^31), without BigInt: how the kernel steps over a serviced ecall. */
  advancePc(bytes: number): void {
    const lo = (this.pcLo + bytes) | 0;
    if (lo >>> 0 < this.pcLo >>> 0) this.pcHi = (this.pcHi + 1) | 0;
    this.pcLo = lo;
  }

  /** Register r as a signed 64-bit BigInt (x0 is 0). */
  reg(r: number): bigint {
    return this.x64[r & 31]!;
  }

  setReg(r: number, v: bigint): void {
    if ((r & 31) !== 0) this.x64[r & 31] = BigInt.asIntN(64, v);
  }
}
