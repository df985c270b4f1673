// Loads and stores: every size at aligned, unaligned and page-crossing
// addresses, sign and zero extension, and precise faults (no register or
// memory changed; CR2 = the first byte that faulted).
import { describe, expect, it } from 'vitest';
import { DATA, DATA_PAGES, HOLE, RO, SUP, ins, machine } from '../../../support/machine';
import { PageSize, PageTableBuilder } from '../../../../emu/machine/pagetable-builder';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE, PTE_NX, PTE_RW, PTE_US } from '../../../../emu/machine/mmu/paging';
import { Cpu, Stop } from '../../../../emu/machine/cpu/cpu';
import { SparsePhysMem } from '../../../../emu/machine/mem/phys';
import { Mmu } from '../../../../emu/machine/mmu/mmu';
import { PF_P, PF_U, PF_W, Vector } from '../../../../emu/machine/trap';

const LOADS: [string, number, boolean][] = [
  ['lb', 1, true], ['lbu', 1, false], ['lh', 2, true], ['lhu', 2, false], ['lw', 4, true], ['lwu', 4, false], ['ld', 8, true],
];
const STORES: [string, number][] = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]];

/** Little-endian value of bytes, sign- or zero-extended to 64 bits. */
function value(bytes: number[], signed: boolean): bigint {
  let v = 0n;
  bytes.forEach((b, i) => (v |= BigInt(b) << BigInt(8 * i)));
  return signed ? BigInt.asIntN(bytes.length * 8, v) : v;
}

// Offsets into DATA: aligned, unaligned, and straddling the boundary between DATA's first two pages.
const OFFSETS = [0, 1, 2, 3, 5, 6, 7, 8, 0x7f9, 4096 - 8, 4096 - 7, 4096 - 4, 4096 - 3, 4096 - 2, 4096 - 1];
const PATTERN = Array.from({ length: 8192 }, (_, i) => (i * 37 + 0x85) & 0xff);

describe('loads', () => {
  for (const [op, size, signed] of LOADS) {
    it(`${op} at aligned, unaligned and page-crossing addresses`, () => {
      const m = machine([ins(op, 'a0', 0, 'a1'), ins('ecall')]).poke(DATA, PATTERN);
      for (const off of OFFSETS) {
        m.load([ins(op, 'a0', 0, 'a1'), ins('ecall')]).regs({ a1: BigInt(DATA + off) }).run().expectEcall(1);
        expect(m.cpu.reg(10), `${op} at DATA+${off}`).toBe(value(PATTERN.slice(off, off + size), signed));
      }
    });
  }

  it('extends exactly: sign from the top bit of the loaded size, zero for the u forms', () => {
    const m = machine([0, 0]).poke(DATA, [0x80, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x03, 0x84]);
    const load = (op: string, off: number): bigint =>
      m.load([ins(op, 'a0', off, 'a1'), ins('ecall')]).regs({ a1: BigInt(DATA) }).run().cpu.reg(10);
    expect(load('lb', 0)).toBe(-128n);
    expect(load('lbu', 0)).toBe(128n);
    expect(load('lh', 0)).toBe(-128n); // 0xff80
    expect(load('lhu', 0)).toBe(0xff80n);
    expect(load('lw', 0)).toBe(-0x7f80_0080n); // 0x807fff80
    expect(load('lwu', 0)).toBe(0x807f_ff80n);
    expect(load('ld', 0)).toBe(BigInt.asIntN(64, 0x8403_0201_807f_ff80n));
    expect(load('lh', 1)).toBe(0x7fffn);
  });

  it('adds a negative offset with a borrow into the high half', () => {
    const m = machine([ins('ld', 'a0', -2048, 'a1'), ins('ecall')]).poke(DATA, [1, 2, 3, 4, 5, 6, 7, 8]);
    m.regs({ a1: BigInt(DATA + 2048) }).run().expectEcall(1).expectRegs({ a0: 0x0807060504030201n });
  });
});

describe('stores', () => {
  for (const [op, size] of STORES) {
    it(`${op} at aligned, unaligned and page-crossing addresses, touching only its bytes`, () => {
      const v = 0x1122334455667788n;
      for (const off of OFFSETS) {
        const m = machine([ins(op, 'a2', 0, 'a1'), ins('ecall')]).poke(DATA, PATTERN);
        m.regs({ a1: BigInt(DATA + off), a2: v }).run().expectEcall(1);
        const want = PATTERN.slice(0, 8192);
        for (let i = 0; i < size; i++) want[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
        expect(m.peek(DATA, 8192), `${op} at DATA+${off}`).toEqual(want);
      }
    });
  }

  it('stores and reloads every size through the same address', () => {
    machine([ins('sd', 'a2', 8, 'a1'), ins('sw', 'a3', 12, 'a1'), ins('sh', 'a3', 9, 'a1'), ins('sb', 'a3', 15, 'a1'),
      ins('ld', 'a0', 8, 'a1'), ins('ecall')])
      .regs({ a1: BigInt(DATA), a2: -1n, a3: 0x0000_0000_a1b2_c3d4n }).run().expectEcall(5)
      .expectRegs({ a0: BigInt.asIntN(64, 0xd4b2_c3d4_ffc3_d4ffn) });
  });
});

describe('precise memory faults', () => {
  it('a load crossing into an unmapped page faults with CR2 at the second page and leaves rd', () => {
    const end = DATA + DATA_PAGES * 4096;
    for (const [op, size] of LOADS.filter(([, s]) => s > 1)) {
      machine([ins(op, 'a0', 0, 'a1'), ins('ecall')]).regs({ a0: 42n, a1: BigInt(end - size + 1) }).run()
        .expectTrap({ vector: Vector.PF, error: PF_U, cr2: BigInt(HOLE), pc: 0x10000n }).expectRegs({ a0: 42n });
    }
  });

  it('a store crossing into an unmapped page writes nothing, not even its first-page bytes', () => {
    const end = DATA + DATA_PAGES * 4096;
    const m = machine([ins('sd', 'a2', 0, 'a1'), ins('ecall')]).poke(end - 8, [1, 2, 3, 4, 5, 6, 7, 8]);
    m.regs({ a1: BigInt(end - 3), a2: -1n }).run()
      .expectTrap({ vector: Vector.PF, error: PF_W | PF_U, cr2: BigInt(HOLE), pc: 0x10000n })
      .expectMem(end - 8, [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a store to a read-only page faults with P|W|U and changes nothing', () => {
    machine([ins('sw', 'a2', 4, 'a1'), ins('ecall')]).poke(RO, [9, 9, 9, 9, 9, 9, 9, 9]).regs({ a1: BigInt(RO), a2: 0n }).run()
      .expectTrap({ vector: Vector.PF, error: PF_P | PF_W | PF_U, cr2: BigInt(RO + 4), pc: 0x10000n })
      .expectMem(RO, [9, 9, 9, 9, 9, 9, 9, 9]);
  });

  it('a crossing store whose FIRST page is read-only faults on the first page', () => {
    const m = machine([ins('sd', 'a2', 0, 'a1')]);
    m.mapPages(RO + 4096, 1, BigInt(PTE_US | PTE_RW) | PTE_NX);
    m.regs({ a1: BigInt(RO + 4092), a2: -1n }).run()
      .expectTrap({ vector: Vector.PF, error: PF_P | PF_W | PF_U, cr2: BigInt(RO + 4092) })
      .expectMem(RO + 4092, [0, 0, 0, 0]).expectMem(RO + 4096, [0, 0, 0, 0]);
  });

  it('a user load from a supervisor page faults with P|U', () => {
    machine([ins('ld', 'a0', 0, 'a1')]).regs({ a1: BigInt(SUP), a0: 3n }).run()
      .expectTrap({ vector: Vector.PF, error: PF_P | PF_U, cr2: BigInt(SUP) }).expectRegs({ a0: 3n });
  });

  it('a non-canonical data address raises #GP(0), not #PF', () => {
    machine([ins('lw', 'a0', 0, 'a1')]).regs({ a1: 0x0000_8000_0000_0000n, a0: 1n }).run()
      .expectTrap({ vector: Vector.GP, error: 0, pc: 0x10000n }).expectRegs({ a0: 1n });
    machine([ins('sb', 'a0', 0, 'a1')]).regs({ a1: 0x8000_0000_0000_0000n }).run().expectTrap({ vector: Vector.GP, error: 0 });
  });

  it('an access straddling the canonical boundary is #GP(0), not a #PF at its first byte, and changes nothing', () => {
    const LAST = 0x7fff_ffff_f000; // the last page below the non-canonical hole (4-level)
    for (const [op, size] of LOADS.filter(([, s]) => s > 1)) {
      machine([ins(op, 'a0', 0, 'a1')]).regs({ a0: 42n, a1: BigInt(LAST + 4096 - size + 1) }).run()
        .expectTrap({ vector: Vector.GP, error: 0, pc: 0x10000n }).expectRegs({ a0: 42n });
    }
    // Even with the first page present and writable, the canonical check comes first: nothing is written.
    const m = machine([ins('sd', 'a2', 0, 'a1'), ins('ecall')]).mapPages(LAST, 1, BigInt(PTE_US | PTE_RW) | PTE_NX);
    m.regs({ a1: BigInt(LAST + 4092), a2: -1n }).run().expectTrap({ vector: Vector.GP, error: 0, pc: 0x10000n }).expectMem(LAST + 4092, [0, 0, 0, 0]);
    // One byte lower the access ends at the last canonical byte and succeeds.
    m.regs({ a1: BigInt(LAST + 4088), pc: 0x10000n }).run().expectEcall(1).expectMem(LAST + 4088, [255, 255, 255, 255, 255, 255, 255, 255]);
  });

  it('resumes at the faulting instruction once the kernel maps the page', () => {
    const m = machine([ins('ld', 'a0', 0, 'a1'), ins('addi', 'a0', 'a0', 1), ins('ecall')]).regs({ a1: BigInt(HOLE) });
    m.run().expectTrap({ vector: Vector.PF, error: PF_U, cr2: BigInt(HOLE), pc: 0x10000n });
    m.mapPages(HOLE, 1, BigInt(PTE_US | PTE_RW) | PTE_NX).poke(HOLE, [0x10]);
    m.run().expectEcall(2).expectRegs({ a0: 0x11n });
    expect(m.cpu.instret).toBe(2);
  });

  it('maps large pages: a load through a 2M and a 1G page', () => {
    const m = machine([ins('ld', 'a0', 0, 'a1'), ins('ld', 'a2', 0, 'a3'), ins('ecall')]);
    m.pt.map(0x4000_0000, 0, PageSize.Size1G, PTE_US | PTE_RW);
    m.pt.map(0x20_0000 * 5, 0x20_0000 * 2, PageSize.Size2M, PTE_US);
    m.m.mem.write32(0x12340, 0x5678);
    m.m.mem.write32(0x40_0008, -2);
    m.regs({ a1: 0x4001_2340n, a3: 0x20_0000n * 5n + 8n }).run().expectEcall(2).expectRegs({ a0: 0x5678n, a2: 0xffff_fffen });
  });
});

describe('code that changes', () => {
  it('executes a word the program itself just stored over the next instruction', () => {
    const page = 0x500000;
    const m = machine([ins('jalr', 'zero', 0, 'a1')]);
    m.mapPages(page, 1, PTE_US | PTE_RW);
    const code = [ins('sw', 'a2', 8, 'a1'), ins('addi', 'a0', 'zero', 1), ins('addi', 'a0', 'zero', 2), ins('ecall')];
    code.forEach((w, i) => m.m.mem.write32(m.pa(page + 4 * i), w));
    m.regs({ a1: BigInt(page), a2: BigInt(ins('addi', 'a0', 'a0', 40)) }).run().expectEcall().expectRegs({ a0: 41n });
  });

  it('re-decodes code rewritten in memory between runs', () => {
    const m = machine([ins('addi', 'a0', 'zero', 1), ins('ecall')]);
    m.run().expectRegs({ a0: 1n });
    m.load([ins('addi', 'a0', 'zero', 2), ins('ecall')]).run().expectRegs({ a0: 2n });
  });
});

describe('memory without direct RAM views', () => {
  it('loads and stores through the GuestMemory methods give the same bytes (SparsePhysMem)', () => {
    const mem = new SparsePhysMem();
    const mmu = new Mmu(mem);
    const cpu = new Cpu(mmu, mem);
    const pt = new PageTableBuilder(mem, { tablesAt: 0x1_0000_0000, tablesEnd: 0x1_0010_0000 });
    pt.map(0x10000, 0x2_0000_0000, PageSize.Size4K, PTE_US);
    pt.map(0x20000, 0x3_0000_0000, PageSize.Size4K, PTE_US | PTE_RW);
    pt.map(0x21000, 0x4_0000_0000, PageSize.Size4K, PTE_US | PTE_RW);
    const prog = [ins('sd', 'a2', 0, 'a1'), ins('sw', 'a2', 9, 'a1'), ins('sh', 'a2', 13, 'a1'), ins('sb', 'a2', 16, 'a1'),
      ins('ld', 'a3', 0, 'a1'), ins('lw', 'a4', 9, 'a1'), ins('lhu', 'a5', 13, 'a1'), ins('lb', 'a6', 16, 'a1'), ins('ecall')];
    prog.forEach((w, i) => mem.write32(0x2_0000_0000 + 4 * i, w));
    mmu.efer = EFER_LME | EFER_LMA | EFER_NXE;
    mmu.writeCr4(CR4_PAE);
    mmu.writeCr3(pt.root);
    mmu.writeCr0(CR0_PE | CR0_PG | CR0_WP);
    mmu.setCpl(3);
    cpu.pc = 0x10000n;
    cpu.setReg(11, 0x20ffbn); // the sd crosses into the second page
    cpu.setReg(12, -0x123456789abcdefn);
    expect(cpu.run(100)).toBe(Stop.Ecall);
    expect([cpu.reg(13), cpu.reg(14), cpu.reg(15), cpu.reg(16)]).toEqual([-0x123456789abcdefn, 0x76543211n, 0x3211n, 0x11n]);
    expect([...mem.readBytes(0x3_0000_0ffb, 5)]).toEqual([0x11, 0x32, 0x54, 0x76, 0x98]);
    expect([...mem.readBytes(0x4_0000_0000, 12)]).toEqual([0xba, 0xdc, 0xfe, 0, 0x11, 0x32, 0x54, 0x76, 0x11, 0x32, 0, 0x11]);
  });
});
