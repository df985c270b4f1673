// Integer register names: x0..x31 and the standard ABI names
// (RISC-V ELF psABI, "Integer Register Convention").

export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const BY_NAME = new Map<string, number>();
ABI_NAMES.forEach((name, i) => BY_NAME.set(name, i));
for (let i = 0; i < 32; i++) BY_NAME.set(`x${i}`, i);
BY_NAME.set('fp', 8);

/** The register number for an ABI or xN name (case-sensitive, as GNU as), or -1. */
export function registerNumber(name: string): number {
  return BY_NAME.get(name) ?? -1;
}

/** The ABI name objdump prints for register r. */
export function registerName(r: number): string {
  return ABI_NAMES[r & 31]!;
}

/** Counter CSRs readable by rdcycle/rdtime/rdinstret (Zicntr). */
export const CSR_CYCLE = 0xc00;
export const CSR_TIME = 0xc01;
export const CSR_INSTRET = 0xc02;
