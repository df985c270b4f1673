// The Machine and the page-table builder: entries written bit for bit as the
// SDM lays them out (tables 4-15 .. 4-20), 4- and 5-level paging end to end,
// and the fluent helper on assembly source.
import { describe, expect, it } from 'vitest';
import { Stop } from '../../../emu/machine/cpu/cpu';
import { Machine } from '../../../emu/machine/machine';
import { read64Big } from '../../../emu/machine/mem/phys';
import { PageSize, PageTableBuilder } from '../../../emu/machine/pagetable-builder';
import {
  CR0_PE, CR0_PG, CR0_WP, CR4_LA57, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE, PTE_G, PTE_NX, PTE_RW, PTE_US,
} from '../../../emu/machine/mmu/paging';
import { Access, PF_I, PF_U, Vector } from '../../../emu/machine/trap';
import { CODE, DATA, HOLE, ins, machine } from '../../support/machine';

const MiB = 1024 * 1024;

describe('Machine', () => {
  it('wires memory, MMU and CPU with the given sizes', () => {
    const m = new Machine();
    expect(m.mem.size).toBe(64 * MiB);
    const small = new Machine({ memSize: 2 * MiB, maxPhyAddr: 40, tlb: 'none' });
    expect(small.mem.size).toBe(2 * MiB);
    expect(small.mem.maxPhyAddr).toBe(40);
    expect(small.cpu.mmu).toBe(small.mmu);
  });

  it('enters IA-32e mode with 4- or 5-level paging', () => {
    const m = new Machine({ memSize: 2 * MiB });
    m.enablePaging(0x1000);
    expect([m.mmu.cr0, m.mmu.cr3, m.mmu.cr4, m.mmu.efer]).toEqual([
      (CR0_PE | CR0_PG | CR0_WP) >>> 0, 0x1000, CR4_PAE, EFER_LME | EFER_LMA | EFER_NXE,
    ]);
    m.enablePaging(0x2000, 5);
    expect(m.mmu.cr4).toBe(CR4_PAE | CR4_LA57);
  });
});

describe('PageTableBuilder', () => {
  const setup = (levels: 4 | 5 = 4): { m: Machine; pt: PageTableBuilder } => {
    const m = new Machine({ memSize: 8 * MiB });
    return { m, pt: new PageTableBuilder(m.mem, { tablesAt: 0x10000, tablesEnd: 0x40000, levels }) };
  };

  it('writes non-leaf entries P|RW|US and leaves with the given flags, PS for large pages', () => {
    const { m, pt } = setup();
    pt.map(0x40_0000, 0x20_0000, PageSize.Size2M, PTE_RW | PTE_US);
    expect(pt.root).toBe(0x10000);
    // PML4[0] -> PDPT at 0x11000, PDPT[0] -> PD at 0x12000, PD[2] = 2M leaf.
    expect(read64Big(m.mem, 0x10000)).toBe(0x11007n);
    expect(read64Big(m.mem, 0x11000)).toBe(0x12007n);
    expect(read64Big(m.mem, 0x12000 + 2 * 8)).toBe(0x20_0087n);
    pt.map(0x1_4000_0000, 0x4000_0000, PageSize.Size1G, PTE_G);
    expect(read64Big(m.mem, 0x11000 + 5 * 8)).toBe(0x4000_0181n);
    pt.map(0x7fff_ffff_f000, 0x5000, PageSize.Size4K, BigInt(PTE_US | PTE_RW) | PTE_NX);
    const leaf = pt.leafEntry(0x7fff_ffff_f000);
    expect(BigInt.asUintN(64, read64Big(m.mem, leaf))).toBe(0x8000_0000_0000_5007n);
    expect(pt.leafEntry(0x7fff_ffff_e000)).toBe(-1);
    expect(pt.used).toBe(6 * 4096);
  });

  it('maps ranges, kernel-half addresses and replaces a leaf when re-mapped', () => {
    const { m, pt } = setup();
    pt.mapRange(0x10_0000, 0x30_0000, 3 * 4096, PageSize.Size4K, PTE_US);
    expect(read64Big(m.mem, pt.leafEntry(0x10_2000))).toBe(0x30_2005n);
    pt.map(0x10_2000, 0x9000, PageSize.Size4K, PTE_RW);
    expect(read64Big(m.mem, pt.leafEntry(0x10_2000))).toBe(0x9003n);
    pt.map(0xffff_8000_0000_0000n, 0x1000, PageSize.Size4K, PTE_RW);
    expect(read64Big(m.mem, pt.root + 256 * 8) & 7n).toBe(7n);
  });

  it('refuses misaligned pages, mapping into a large page and running out of table memory', () => {
    const { pt } = setup();
    expect(() => pt.map(0x1000, 0x1000, PageSize.Size2M, 0)).toThrow(/aligned/);
    pt.map(0x20_0000, 0, PageSize.Size2M, 0);
    expect(() => pt.map(0x20_1000, 0, PageSize.Size4K, 0)).toThrow(/large page/);
    expect(() => {
      for (let i = 0; i < 100; i++) pt.map(BigInt(i) << 39n, 0, PageSize.Size4K, 0);
    }).toThrow(/out of table memory/);
  });

  it('serves real accesses through the MMU with 5-level paging', () => {
    const { m, pt } = setup(5);
    const code = 0x00ff_0000_0000_0000n; // canonical only with LA57 (bits 63:56 zero, bit 55 set)
    pt.map(code, 0x20_0000, PageSize.Size4K, PTE_US);
    pt.map(code + 0x1000n, 0x20_1000, PageSize.Size4K, BigInt(PTE_US | PTE_RW) | PTE_NX);
    [ins('auipc', 'a1', 1), ins('sd', 'a1', 8, 'a1'), ins('ld', 'a0', 8, 'a1'), ins('ecall')]
      .forEach((w, i) => m.mem.write32(0x20_0000 + 4 * i, w));
    m.enablePaging(pt.root, 5);
    m.mmu.setCpl(3);
    m.cpu.pc = code;
    expect(m.run(100)).toBe(Stop.Ecall);
    expect(BigInt.asUintN(64, m.cpu.reg(10))).toBe(code + 0x1000n);
    expect(read64Big(m.mem, 0x20_1008)).toBe(code + 0x1000n);
    expect(m.mmu.translate(0, 0x00ff_0000, Access.Read)).toBe(0x20_0000);
  });

  it('gives #GP, not #PF, for that address under 4-level paging', () => {
    const { m, pt } = setup(4);
    m.enablePaging(pt.root);
    m.mmu.setCpl(3);
    m.cpu.pc = 0x00ff_0000_0000_0000n;
    expect(m.run(1)).toBe(Stop.Trap);
    expect([m.cpu.trap.vector, m.cpu.trap.error]).toEqual([Vector.GP, 0]);
    m.cpu.pc = 0x1000n;
    expect(m.run(1)).toBe(Stop.Trap);
    expect([m.cpu.trap.vector, m.cpu.trap.error]).toEqual([Vector.PF, PF_U | PF_I]);
  });
});

describe('the fluent helper on assembly source', () => {
  it('assembles with vmlab asm, runs at CPL 3 and services write/exit', () => {
    machine(`
        .text
        .globl _start
_start: li    a0, 5
        addi  a0, a0, 37
        ecall
`).run().expectEcall(2).expectRegs({ a0: 42n });
    const m = machine(`
        .data
msg:    .ascii "hi\\n"
        .text
        .globl _start
_start: li a0, 1
        la a1, msg
        li a2, 3
        li a7, 64
        ecall
        li a0, 7
        li a7, 94
        ecall
`).runLinux();
    expect(String.fromCharCode(...m.stdout)).toBe('hi\n');
    expect(m.exitCode).toBe(7);
  });

  it('reports a load from an unmapped address as #PF at the load', () => {
    machine(`
        .globl _start
_start: li   a1, 0x5000000
        lw   a0, 0(a1)
        ecall
`).run().expectTrap({ vector: Vector.PF, error: PF_U, cr2: 0x5000000n, pc: 0x10004n }); // li of this value is one lui
  });
});

describe('two machines in one process', () => {
  // Per-CPU state lives in the CPU (its trap record, shared with its MMU; the high half of its last
  // 8-byte load): machines stepped in turn never see each other's traps or loads.
  const bytes = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
  const program = [ins('ld', 'a0', 92, 'a1'), ins('ld', 'a2', 0, 'a3'), ins('ecall')];
  const boot = (value: bigint, faultAt: bigint): ReturnType<typeof machine> =>
    machine(program).poke(DATA + 4092, bytes(value)).regs({ a1: BigInt(DATA + 4000), a3: faultAt });

  it('step in turn, each with its own page-crossing loads and its own traps', () => {
    const a = boot(0x1122_3344_5566_7788n, BigInt(HOLE + 8));
    const b = boot(0x99aa_bbcc_ddee_ff01n, 0x8000_0000_0000n); // non-canonical: #GP(0)
    a.step();
    b.step();
    a.expectRegs({ a0: 0x1122_3344_5566_7788n });
    b.expectRegs({ a0: BigInt.asIntN(64, 0x99aa_bbcc_ddee_ff01n) });
    a.step().expectTrap({ vector: Vector.PF, error: PF_U, cr2: BigInt(HOLE + 8), pc: BigInt(CODE + 4) });
    b.step().expectTrap({ vector: Vector.GP, error: 0, pc: BigInt(CODE + 4) });
    expect(a.m.cpu.trap).toMatchObject({ vector: Vector.PF, error: PF_U, addrLo: HOLE + 8, addrHi: 0 });
    expect(b.m.cpu.trap).toMatchObject({ vector: Vector.GP, error: 0, addrLo: 0, addrHi: 0x8000 });
    expect(a.m.cpu.trap).not.toBe(b.m.cpu.trap);
    expect(a.m.mmu.trap).toBe(a.m.cpu.trap);
  });
});
