// dump_pagetable() and __show_regs() of kernel-ts/proc/oops-regs.ts, on
// hand-built page tables in a small RAM: every stop of Linux's walk.
import { describe, expect, it } from 'vitest';
import { PhysMem } from '../../../emu/machine/mem/phys';
import { CR0_PE, CR0_PG, CR0_WP, CR4_LA57, CR4_PAE } from '../../../emu/machine/mmu/paging';
import { dumpPagetable, showRegs } from '../../../kernel-ts/proc/oops-regs';
import type { OopsMachine } from '../../../kernel-ts/proc/oops-regs';
import { framesFrom } from '../../../kernel-ts/proc/oops';

const RAM = 1 << 20;

/** Writes the 64-bit entry `value` at index `i` of the table at physical `table`. */
function setEntry(mem: PhysMem, table: number, i: number, value: bigint): void {
  mem.write32(table + i * 8, Number(value & 0xffffffffn) | 0);
  mem.write32(table + i * 8 + 4, Number(value >> 32n) | 0);
}

function machine(mem: PhysMem, cr3: number, five = false): OopsMachine {
  return { cr0: CR0_PE | CR0_PG | CR0_WP, cr3, cr4: CR4_PAE | (five ? CR4_LA57 : 0), cr2: 0n, mem, memSize: RAM };
}

/** Index of address `a` at `level` (1 = PTE .. 5 = PML5). */
const idx = (a: bigint, level: number): number => Number((a >> BigInt(12 + 9 * (level - 1))) & 511n);

describe('dumpPagetable', () => {
  const A = 0xffffc90000123000n;

  it('4-level, mapped by a 4K page: PGD, P4D (the PGD folded: same value), PUD, PMD, PTE; no trailing space after the PTE', () => {
    const mem = new PhysMem({ size: RAM });
    setEntry(mem, 0x1000, idx(A, 4), 0x2063n);
    setEntry(mem, 0x2000, idx(A, 3), 0x3063n);
    setEntry(mem, 0x3000, idx(A, 2), 0x4063n);
    setEntry(mem, 0x4000, idx(A, 1), 0x8000000000005161n);
    expect(dumpPagetable(machine(mem, 0x1000), A)).toEqual(['PGD 2063 P4D 2063 PUD 3063 PMD 4063 PTE 8000000000005161']);
  });

  it('4-level: an empty PGD entry prints PGD 0 P4D 0 (pgd_present is always true with 4 levels)', () => {
    const mem = new PhysMem({ size: RAM });
    expect(dumpPagetable(machine(mem, 0x1000), 8n)).toEqual(['PGD 0 P4D 0 ']);
  });

  it('stops after a large page: a 1G PUD, a 2M PMD', () => {
    const mem = new PhysMem({ size: RAM });
    setEntry(mem, 0x1000, idx(A, 4), 0x2063n);
    setEntry(mem, 0x2000, idx(A, 3), 0x400000e3n);
    expect(dumpPagetable(machine(mem, 0x1000), A)).toEqual(['PGD 2063 P4D 2063 PUD 400000e3 ']);
    setEntry(mem, 0x2000, idx(A, 3), 0x3063n);
    setEntry(mem, 0x3000, idx(A, 2), 0x800000000020_01e3n);
    expect(dumpPagetable(machine(mem, 0x1000), A)).toEqual(['PGD 2063 P4D 2063 PUD 3063 PMD 80000000002001e3 ']);
  });

  it('stops after a not-present PUD or PMD, printing its value (a swap-like value too)', () => {
    const mem = new PhysMem({ size: RAM });
    setEntry(mem, 0x1000, idx(A, 4), 0x2063n);
    setEntry(mem, 0x2000, idx(A, 3), 0x3062n);
    expect(dumpPagetable(machine(mem, 0x1000), A)).toEqual(['PGD 2063 P4D 2063 PUD 3062 ']);
  });

  it('5-level: a not-present PGD ends the line at once; a present one leads to a P4D of its own', () => {
    const mem = new PhysMem({ size: RAM });
    expect(dumpPagetable(machine(mem, 0x1000, true), A)).toEqual(['PGD 0 ']);
    setEntry(mem, 0x1000, idx(A, 5), 0x6067n);
    setEntry(mem, 0x6000, idx(A, 4), 0x7063n);
    expect(dumpPagetable(machine(mem, 0x1000, true), A)).toEqual(['PGD 6067 P4D 7063 PUD 0 ']);
  });

  it('a table beyond RAM is BAD (bad_address), after what was printed', () => {
    const mem = new PhysMem({ size: RAM });
    setEntry(mem, 0x1000, idx(A, 4), 0x7fff000063n);
    expect(dumpPagetable(machine(mem, 0x1000), A)).toEqual(['PGD 7fff000063 P4D 7fff000063 ', 'BAD']);
    expect(dumpPagetable(machine(mem, RAM + 0x1000), A)).toEqual(['BAD']);
  });

  it('reads the root from CR3 without its PCID bits', () => {
    const mem = new PhysMem({ size: RAM });
    setEntry(mem, 0x1000, idx(A, 4), 0x2063n);
    expect(dumpPagetable(machine(mem, 0x1005), A)[0]).toMatch(/^PGD 2063 /);
  });
});

describe('showRegs', () => {
  it("prints Linux's layout with the MMU's control registers and zeros elsewhere", () => {
    const mem = new PhysMem({ size: RAM });
    const m = { ...machine(mem, 0x136001), cr2: 0xffffc90000123000n };
    expect(showRegs(m, 'f+0x1/0x2 [m]')).toEqual([
      'RIP: 0010:f+0x1/0x2 [m]',
      'RSP: 0018:0000000000000000 EFLAGS: 00000002',
      'RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000',
      'RDX: 0000000000000000 RSI: 0000000000000000 RDI: 0000000000000000',
      'RBP: 0000000000000000 R08: 0000000000000000 R09: 0000000000000000',
      'R10: 0000000000000000 R11: 0000000000000000 R12: 0000000000000000',
      'R13: 0000000000000000 R14: 0000000000000000 R15: 0000000000000000',
      'FS:  0000000000000000(0000) GS:0000000000000000(0000) knlGS:0000000000000000',
      'CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080010001',
      'CR2: ffffc90000123000 CR3: 0000000000136001 CR4: 0000000000000020',
    ]);
  });
});

describe('framesFrom', () => {
  const f = (name: string, module: string | null = null) => ({ name, text: name, module });
  const frames = [f('KernelMm.walk'), f('Object.readq'), f('peek', 'm'), f('init', 'm'), f('runInProcess')];

  it("drops an inline accessor's frames and its own (RIP is its caller)", () => {
    expect(framesFrom(frames, 'readq').map((x) => x.name)).toEqual(['peek', 'init', 'runInProcess']);
  });

  it("keeps an out-of-line function's own frame (RIP is that function)", () => {
    const g = [f('memcpy_inner'), f('memcpy_fromio'), f('init', 'm')];
    expect(framesFrom(g, 'memcpy_fromio').map((x) => x.name)).toEqual(['memcpy_fromio', 'init']);
  });

  it('keeps every frame when the entry is not on the stack, or there is none', () => {
    expect(framesFrom(frames, 'writeq')).toEqual(frames);
    expect(framesFrom(frames, null)).toEqual(frames);
  });
});
