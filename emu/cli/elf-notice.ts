// The one line a front end prints before running an ELF whose header says it
// needs more than vmlab's RV64IM guest has: the C extension (EF_RISCV_RVC) or
// a hardware floating-point ABI, which is what riscv64-linux-gnu-gcc with
// glibc builds by default (e_flags 0x5: RVC, double-float ABI). The program
// still runs; it stops at its first compressed or floating-point instruction
// (SIGILL), or at a jump to a 2-byte-aligned target (SIGBUS, BUS_ADRALN).
import { EF_RISCV_RVC } from '../../asm/elf-const';

/** e_flags's float-ABI field (EF_RISCV_FLOAT_ABI, bits 1-2) in readelf's words. */
const FLOAT_ABI = ['soft-float ABI', 'single-float ABI', 'double-float ABI', 'quad-float ABI'];
const EF_RISCV_FLOAT_ABI_SHIFT = 1;
const EF_RISCV_FLOAT_ABI_MASK = 0x3;

/** e_flags of an ELF64 image (offset 48), or null when the bytes are too short. */
export function elfFlags(elf: Uint8Array): number | null {
  if (elf.length < 52) return null;
  return (elf[48]! | (elf[49]! << 8) | (elf[50]! << 16) | (elf[51]! << 24)) >>> 0;
}

/** The notice for `name`, or null when its e_flags ask for nothing vmlab lacks. */
export function unsupportedIsaNotice(name: string, elf: Uint8Array): string | null {
  const flags = elfFlags(elf);
  if (flags === null) return null;
  const floatAbi = (flags >>> EF_RISCV_FLOAT_ABI_SHIFT) & EF_RISCV_FLOAT_ABI_MASK;
  const rvc = (flags & EF_RISCV_RVC) !== 0;
  if (!rvc && floatAbi === 0) return null;
  const bits = [...(rvc ? ['RVC'] : []), ...(floatAbi !== 0 ? [FLOAT_ABI[floatAbi]!] : [])].join(', ');
  return (
    `vmlab: ${name}: e_flags 0x${flags.toString(16)} (${bits}): built for more than vmlab's RV64IM guest (no C, F or D extension), ` +
    `so it stops at the first instruction that needs them (SIGILL) or at a jump to a 2-byte boundary (SIGBUS); build it with \`vmlab cc\` (docs/guest-libc.md)`
  );
}
