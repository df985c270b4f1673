// Field extractors and inserters for the standard 32-bit RISC-V formats
// (RISC-V Unprivileged ISA, chapter 2.2-2.3). Immediates come back sign-extended
// as JavaScript int32 values; encoders take the value and place its bits.

export const rd = (w: number): number => (w >>> 7) & 31;
export const rs1 = (w: number): number => (w >>> 15) & 31;
export const rs2 = (w: number): number => (w >>> 20) & 31;
export const funct3 = (w: number): number => (w >>> 12) & 7;
export const opcode = (w: number): number => w & 0x7f;

/** I-type immediate, imm[11:0] = inst[31:20]. */
export const immI = (w: number): number => w >> 20;
/** S-type immediate, imm[11:5] = inst[31:25], imm[4:0] = inst[11:7]. */
export const immS = (w: number): number => ((w >> 20) & ~31) | ((w >>> 7) & 31);
/** B-type immediate (a multiple of 2). */
export const immB = (w: number): number =>
  ((w >> 19) & ~0xfff) | ((w << 4) & 0x800) | ((w >>> 20) & 0x7e0) | ((w >>> 7) & 0x1e);
/** U-type immediate, already shifted: imm[31:12] = inst[31:12]. */
export const immU = (w: number): number => w & ~0xfff;
/** J-type immediate (a multiple of 2). */
export const immJ = (w: number): number =>
  ((w >> 11) & ~0xfffff) | (w & 0xff000) | ((w >>> 9) & 0x800) | ((w >>> 20) & 0x7fe);
/** Shift amount of RV64 immediate shifts (6 bits); the *W forms use 5. */
export const shamt6 = (w: number): number => (w >>> 20) & 63;
export const shamt5 = (w: number): number => (w >>> 20) & 31;
/** CSR number of a Zicsr instruction. */
export const csr = (w: number): number => (w >>> 20) & 0xfff;
/** FENCE predecessor and successor sets (bits I, O, R, W from high to low). */
export const fencePred = (w: number): number => (w >>> 24) & 15;
export const fenceSucc = (w: number): number => (w >>> 20) & 15;

export const setRd = (r: number): number => (r & 31) << 7;
export const setRs1 = (r: number): number => (r & 31) << 15;
export const setRs2 = (r: number): number => (r & 31) << 20;
export const setImmI = (v: number): number => (v & 0xfff) << 20;
export const setImmS = (v: number): number => ((v & 0xfe0) << 20) | ((v & 31) << 7);
export const setImmB = (v: number): number =>
  ((v & 0x1000) << 19) | ((v & 0x7e0) << 20) | ((v & 0x1e) << 7) | ((v & 0x800) >>> 4);
export const setImmU = (v: number): number => v & ~0xfff;
export const setImmJ = (v: number): number =>
  ((v & 0x100000) << 11) | ((v & 0x7fe) << 20) | ((v & 0x800) << 9) | (v & 0xff000);
export const setShamt = (v: number): number => (v & 63) << 20;
export const setFence = (pred: number, succ: number): number => ((pred & 15) << 24) | ((succ & 15) << 20);
