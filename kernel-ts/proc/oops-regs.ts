// The machine-state parts of an oops, from the state vmlab really has:
// dump_pagetable() (arch/x86/mm/fault.c), the entries of the walk of the
// faulting address read from the page tables in guest RAM, and __show_regs()
// (arch/x86/kernel/process_64.c) in Linux's layout.
//
// What the registers can honestly say: vmlab's kernel and its modules run as
// host code, not as x86 instructions, so there is no RSP, no general-purpose
// register and no EFLAGS of the code that oopsed: those print as zeros
// (EFLAGS as 00000002, its always-one bit). CS and SS are the kernel's
// selectors (0010, 0018: the oops happened in kernel mode). CR0, CR3 and CR4
// are the MMU's real control registers, and CR2 the real last fault address
// (for a page-fault oops, the faulting address, as the CPU would have set it).
import type { GuestMemory } from '../../emu/machine/mem/phys';
import { CR4_LA57, PTE_P, PTE_PS } from '../../emu/machine/mmu/paging';

/** The control registers and the memory an oops reads (the MMU's own values). */
export interface OopsMachine {
  readonly cr0: number;
  /** The page-table root of the walk (CR3; its low 12 bits are PCID or flags). */
  readonly cr3: number;
  readonly cr4: number;
  readonly cr2: bigint;
  readonly mem: GuestMemory;
  /** Bytes of RAM: a table beyond it is unreadable (dump_pagetable's bad_address). */
  readonly memSize: number;
}

/** %016lx */
export function hex16(v: bigint | number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
}

/** Bits 12..51 of an entry: the next table's physical address. */
const ADDR_MASK = 0x000ffffffffff000n;

/** The 64-bit entry at physical address pa, or null beyond RAM. */
function entryAt(m: OopsMachine, pa: bigint): bigint | null {
  if (pa + 8n > BigInt(m.memSize)) return null;
  const lo = m.mem.read32(Number(pa)) >>> 0;
  const hi = m.mem.read32(Number(pa) + 4) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * dump_pagetable(address): `PGD x P4D x PUD x PMD x PTE x`, each the entry's
 * value, stopping after a level that is not present or is a leaf (a 1G PUD,
 * a 2M PMD). With 4-level paging the P4D is the PGD folded (pgd_present is
 * always true there, and P4D prints the same value), as on x86-64 Linux.
 * An entry beyond RAM ends the line and adds Linux's `BAD` line.
 */
export function dumpPagetable(m: OopsMachine, address: bigint): string[] {
  const five = (m.cr4 & CR4_LA57) !== 0;
  const index = (level: number): bigint => (address >> BigInt(12 + 9 * (level - 1))) & 511n;
  const present = (e: bigint): boolean => (e & BigInt(PTE_P)) !== 0n;
  const leaf = (e: bigint): boolean => (e & BigInt(PTE_PS)) !== 0n;
  let line = '';
  let table = BigInt(m.cr3) & ADDR_MASK;
  const read = (level: number): bigint | null => entryAt(m, table + index(level) * 8n);
  const bad = (): string[] => (line === '' ? ['BAD'] : [line, 'BAD']);

  const pgd = read(five ? 5 : 4);
  if (pgd === null) return bad();
  line += `PGD ${pgd.toString(16)} `;
  let p4d = pgd;
  if (five) {
    if (!present(pgd)) return [line];
    table = pgd & ADDR_MASK;
    const e = read(4);
    if (e === null) return bad();
    p4d = e;
  }
  line += `P4D ${p4d.toString(16)} `;
  if (!present(p4d)) return [line];
  table = p4d & ADDR_MASK;
  const pud = read(3);
  if (pud === null) return bad();
  line += `PUD ${pud.toString(16)} `;
  if (!present(pud) || leaf(pud)) return [line];
  table = pud & ADDR_MASK;
  const pmd = read(2);
  if (pmd === null) return bad();
  line += `PMD ${pmd.toString(16)} `;
  if (!present(pmd) || leaf(pmd)) return [line];
  table = pmd & ADDR_MASK;
  const pte = read(1);
  if (pte === null) return bad();
  return [`${line}PTE ${pte.toString(16)}`];
}

const ZERO = hex16(0);

/**
 * __show_regs(regs, SHOW_REGS_ALL) for a kernel-mode oops whose RIP is the
 * symbol `rip` (`fn+0xOFF/0xSIZE [module]`): RIP, RSP/EFLAGS, the general
 * registers, FS/GS, CS and CR0, CR2/CR3/CR4 (no `Code:` line: there are no
 * x86 instruction bytes to show).
 */
export function showRegs(m: OopsMachine, rip: string): string[] {
  return [
    `RIP: 0010:${rip}`,
    `RSP: 0018:${ZERO} EFLAGS: 00000002`,
    `RAX: ${ZERO} RBX: ${ZERO} RCX: ${ZERO}`,
    `RDX: ${ZERO} RSI: ${ZERO} RDI: ${ZERO}`,
    `RBP: ${ZERO} R08: ${ZERO} R09: ${ZERO}`,
    `R10: ${ZERO} R11: ${ZERO} R12: ${ZERO}`,
    `R13: ${ZERO} R14: ${ZERO} R15: ${ZERO}`,
    `FS:  ${ZERO}(0000) GS:${ZERO}(0000) knlGS:${ZERO}`,
    `CS:  0010 DS: 0000 ES: 0000 CR0: ${hex16(m.cr0 >>> 0)}`,
    `CR2: ${hex16(m.cr2)} CR3: ${hex16(m.cr3)} CR4: ${hex16(m.cr4 >>> 0)}`,
  ];
}
