// The riscv64 rt_sigframe (arch/riscv/kernel/signal.c) as bytes, plus
// vmlab's trap context. Layout (offsets from the frame base = the handler's
// sp; docs/signals.md and guest-programs/include/vmlab/signal.h say the same):
//
//    0  siginfo_t (128)        si_signo@0 si_errno@4 si_code@8, union@16:
//                              si_addr@16 (SIGSEGV/SIGBUS/SIGILL/SIGTRAP/SIGFPE)
//                              si_pid@16 si_uid@20 (kill), si_status@24
//                              si_utime@32 si_stime@40 (SIGCHLD)
//  128  struct ucontext (960)  uc_flags@128 uc_link@136 uc_stack@144 (ss_sp,
//                              ss_flags@152, ss_size@160) uc_sigmask@168,
//                              reserved to 304, uc_mcontext@304:
//  304    sc_regs (256)        pc@304, then x1..x31 at 304 + 8*r (riscv's
//                              user_regs_struct: pc, ra, sp, gp, tp, t0...)
//  560    sc_fpregs (528)      no F/D on vmlab; the area carries the vmlab
//                              trap context instead:
//  560      magic u32 0x564d4c42 ('VMLB'), size u32 (32)
//  568      trapno u64 (x86 vector: 14 #PF, 13 #GP, 6 #UD, 3 #BP, 17 a misaligned jump; -1 none)
//  576      err u64 (the page-fault error code, PF_* bits)
//  584      cr2 u64 (the faulting linear address)
// 1088  end (16-byte multiple)
//
// The frame sits below the interrupted sp, 16-byte aligned (get_sigframe).
import type { KSiginfo } from './signal-defs';
import { SIGBUS, SIGCHLD, SIGFPE, SIGILL, SIGSEGV, SIGTRAP } from './signal-defs';

export const SIGINFO_SIZE = 128;
export const UC_OFFSET = 128;
export const UC_FLAGS = UC_OFFSET + 0;
export const UC_LINK = UC_OFFSET + 8;
export const UC_STACK = UC_OFFSET + 16;
export const UC_SIGMASK = UC_OFFSET + 40;
export const UC_MCONTEXT = UC_OFFSET + 176;
/** sc_regs[0] is pc; sc_regs[r] is x_r for r = 1..31. */
export const SC_REGS = UC_MCONTEXT;
export const SC_FPREGS = SC_REGS + 256;
export const VMLAB_CTX = SC_FPREGS;
export const VMLAB_CTX_MAGIC = 0x564d4c42;
export const VMLAB_CTX_SIZE = 32;
export const VMLAB_TRAPNO = VMLAB_CTX + 8;
export const VMLAB_ERR = VMLAB_CTX + 16;
export const VMLAB_CR2 = VMLAB_CTX + 24;
/** sizeof(struct rt_sigframe) on riscv64. */
export const SIGFRAME_SIZE = 1088;

/** The siginfo's union starts at 16 (after si_signo, si_errno, si_code and padding). */
const SI_FIELDS = 16;

/** Signals whose siginfo carries si_addr (the _sigfault member). */
function isFault(signo: number): boolean {
  return signo === SIGSEGV || signo === SIGBUS || signo === SIGILL || signo === SIGTRAP || signo === SIGFPE;
}

/** What a frame saves of the interrupted context. */
export interface SavedContext {
  /** x0..x31 as lo/hi halves (x0's slots ignored). */
  regs: Int32Array;
  pcLo: number;
  pcHi: number;
  /** The signal mask to restore on sigreturn. */
  mask: bigint;
  /** ss_sp / ss_size of the alternate stack (0: none; sigaltstack is not implemented). */
  altSp: number;
  altSize: number;
}

/** Builds the frame's bytes: copy_siginfo_to_user + setup_sigcontext + the vmlab trap context. */
export function encodeSigframe(info: KSiginfo, ctx: SavedContext): Uint8Array {
  const buf = new Uint8Array(SIGFRAME_SIZE);
  const dv = new DataView(buf.buffer);
  dv.setInt32(0, info.signo, true);
  dv.setInt32(4, info.errno, true);
  dv.setInt32(8, info.code, true);
  if (isFault(info.signo)) {
    dv.setBigUint64(SI_FIELDS, info.addr, true);
  } else {
    dv.setInt32(SI_FIELDS, info.pid, true);
    dv.setUint32(SI_FIELDS + 4, info.uid, true);
    if (info.signo === SIGCHLD) dv.setInt32(SI_FIELDS + 8, info.status, true);
  }
  setU64(dv, UC_STACK, ctx.altSp);
  dv.setInt32(UC_STACK + 8, ctx.altSp === 0 ? SS_DISABLE : 0, true);
  setU64(dv, UC_STACK + 16, ctx.altSize);
  dv.setBigUint64(UC_SIGMASK, BigInt.asUintN(64, ctx.mask), true);
  dv.setInt32(SC_REGS, ctx.pcLo, true);
  dv.setInt32(SC_REGS + 4, ctx.pcHi, true);
  for (let r = 1; r < 32; r++) {
    dv.setInt32(SC_REGS + 8 * r, ctx.regs[2 * r]!, true);
    dv.setInt32(SC_REGS + 8 * r + 4, ctx.regs[2 * r + 1]!, true);
  }
  dv.setUint32(VMLAB_CTX, VMLAB_CTX_MAGIC, true);
  dv.setUint32(VMLAB_CTX + 4, VMLAB_CTX_SIZE, true);
  dv.setBigInt64(VMLAB_TRAPNO, BigInt(info.trapno), true);
  setU64(dv, VMLAB_ERR, info.errorCode);
  dv.setBigUint64(VMLAB_CR2, info.cr2, true);
  return buf;
}

/** ss_flags of uc_stack when no alternate stack is set (SS_DISABLE). */
export const SS_DISABLE = 2;

/** restore_sigcontext: the registers, pc and mask a frame holds (the rest is ignored, as Linux ignores it). */
export function decodeSigframe(bytes: Uint8Array): { regs: Int32Array; pcLo: number; pcHi: number; mask: bigint } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const regs = new Int32Array(64);
  for (let r = 1; r < 32; r++) {
    regs[2 * r] = dv.getInt32(SC_REGS + 8 * r, true);
    regs[2 * r + 1] = dv.getInt32(SC_REGS + 8 * r + 4, true);
  }
  return {
    regs,
    pcLo: dv.getInt32(SC_REGS, true),
    pcHi: dv.getInt32(SC_REGS + 4, true),
    mask: dv.getBigUint64(UC_SIGMASK, true),
  };
}

function setU64(dv: DataView, off: number, v: number): void {
  dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v)), true);
}
