// vmlab's [vdso]: one read-only executable page mapped into every process,
// holding the signal-return trampoline a handler returns to (riscv Linux's
// __vdso_rt_sigreturn: `li a7, __NR_rt_sigreturn; ecall`). It is a tiny
// mappable file, so the page cache shares its one frame among all processes
// and /proc/PID/maps shows `00000000 00:00 0 ... [vdso]` as Linux does.
// There is no ELF image in it (no AT_SYSINFO_EHDR): nothing links against it.
import type { MappableFile } from '../fs/mappable';
import { PAGE_SIZE } from '../mm/page';

/** addi a7, zero, 139 (li a7, __NR_rt_sigreturn). */
export const INSN_LI_A7_RT_SIGRETURN = 0x08b00893;
/** ecall. */
export const INSN_ECALL = 0x00000073;
/** Offset of the rt_sigreturn trampoline in the vdso page. */
export const VDSO_RT_SIGRETURN = 0;

class VdsoFile implements MappableFile {
  readonly path = '[vdso]';
  readonly devMajor = 0;
  readonly devMinor = 0;
  readonly ino = 0;
  readonly size = PAGE_SIZE;

  readPage(index: number, into: Uint8Array): void {
    into.fill(0);
    if (index !== 0) return;
    const dv = new DataView(into.buffer, into.byteOffset, into.byteLength);
    dv.setUint32(VDSO_RT_SIGRETURN, INSN_LI_A7_RT_SIGRETURN, true);
    dv.setUint32(VDSO_RT_SIGRETURN + 4, INSN_ECALL, true);
  }
}

/** The one vdso file of the kernel. */
export const vdsoFile: MappableFile = new VdsoFile();
