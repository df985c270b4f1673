// A fluent machine for tests, in the manner of 6502.ts's runner:
//
//   machine([ins('addi', 'a0', 'a0', 5), ins('ecall')]).regs({ a0: 5n }).run().expectRegs({ a0: 10n });
//
// It sets up real 4-level paging and runs at CPL 3, so every test goes
// through the real MMU. The user address space:
//   CODE  0x10000            the program, user, read-only, executable (as many pages as needed + 1)
//   DATA  0x100000           16 pages, user, read-write, NX
//   HOLE  DATA + 16 pages    not mapped (a page-crossing access from DATA's end faults here)
//   RO    0x200000           1 page, user, read-only, NX
//   SUP   0x300000           1 page, supervisor-only, read-write
//   STACK 0x7ffff000 (top)   4 pages below, user, read-write, NX; sp starts at STACK_TOP
import { expect } from 'vitest';
import { Stop } from '../../emu/machine/cpu/cpu';
import { INSNS, insnByMnemonic } from '../../emu/machine/isa/table';
import type { Operand } from '../../emu/machine/isa/table';
import {
  setFence, setImmB, setImmI, setImmJ, setImmS, setImmU, setRd, setRs1, setRs2, setShamt,
} from '../../emu/machine/isa/fields';
import { registerNumber } from '../../emu/machine/isa/registers';
import { Machine } from '../../emu/machine/machine';
import type { MachineOptions } from '../../emu/machine/machine';
import { PageSize, PageTableBuilder } from '../../emu/machine/pagetable-builder';
import { PTE_NX, PTE_RW, PTE_US } from '../../emu/machine/mmu/paging';
import { assemble, formatDiagnostic } from '../../asm/assembler';
import type { LinkedImage } from '../../asm/image';

export const CODE = 0x10000;
export const DATA = 0x100000;
export const DATA_PAGES = 16;
export const HOLE = DATA + DATA_PAGES * 4096;
export const RO = 0x200000;
export const SUP = 0x300000;
export const STACK_TOP = 0x7ffff000;
const STACK_PAGES = 4;

// Physical layout: tables at 1 MiB, everything else allocated from 2 MiB up.
const TABLES_AT = 0x100000;
const TABLES_END = 0x200000;
const FRAMES_AT = 0x200000;

type Reg = string | number;
const regNum = (r: Reg): number => {
  const n = typeof r === 'number' ? r : registerNumber(r);
  if (n < 0 || n > 31) throw new Error(`bad register ${r}`);
  return n;
};

/**
 * Encodes one instruction from the ISA table, operands in assembly order;
 * `load`/`store` operands take two values (offset, base register) and
 * branch/jump operands a byte offset relative to the instruction.
 */
export function ins(mnemonic: string, ...ops: (Reg | number)[]): number {
  const d = insnByMnemonic(mnemonic);
  if (d === undefined) throw new Error(`no instruction ${mnemonic}`);
  let w = d.match;
  let i = 0;
  const take = (): Reg | number => {
    if (i >= ops.length) throw new Error(`${mnemonic}: too few operands`);
    return ops[i++]!;
  };
  for (const op of d.operands as Operand[]) {
    switch (op) {
      case 'rd': w |= setRd(regNum(take())); break;
      case 'rs1': w |= setRs1(regNum(take())); break;
      case 'rs2': w |= setRs2(regNum(take())); break;
      case 'imm12': w |= setImmI(take() as number); break;
      case 'load': w |= setImmI(take() as number); w |= setRs1(regNum(take())); break;
      case 'store': w |= setImmS(take() as number); w |= setRs1(regNum(take())); break;
      case 'shamt6': case 'shamt5': w |= setShamt(take() as number); break;
      case 'branch': w |= setImmB(take() as number); break;
      case 'jump': w |= setImmJ(take() as number); break;
      case 'uimm20': w |= setImmU((take() as number) << 12); break;
      case 'fence': w |= setFence(15, 15); break;
    }
  }
  if (i !== ops.length) throw new Error(`${mnemonic}: too many operands`);
  return w | 0;
}

/** All mnemonics of the table, for tests that must cover each one. */
export const MNEMONICS = INSNS.map((d) => d.mnemonic);

export type RegValues = Record<string, bigint>;

export interface TrapExpectation {
  vector: number;
  error?: number;
  /** Expected CR2 (for #PF). */
  cr2?: bigint;
  /** Expected pc at the stop. */
  pc?: bigint;
}

export class MachineRun {
  readonly m: Machine;
  readonly pt: PageTableBuilder;
  stop: Stop | -1 = -1;
  private nextFrame = FRAMES_AT;
  private readonly vaToPa = new Map<number, number>();

  constructor(program: readonly number[] | LinkedImage, opts: MachineOptions = {}) {
    this.m = new Machine({ memSize: 16 * 1024 * 1024, ...opts });
    this.pt = new PageTableBuilder(this.m.mem, { tablesAt: TABLES_AT, tablesEnd: TABLES_END });
    const words = 'sections' in program ? [] : program;
    const codePages = Math.ceil((words.length * 4) / 4096) + 1;
    this.mapPages(CODE, codePages, PTE_US);
    this.mapPages(DATA, DATA_PAGES, BigInt(PTE_US | PTE_RW) | PTE_NX);
    this.mapPages(RO, 1, BigInt(PTE_US) | PTE_NX);
    this.mapPages(SUP, 1, PTE_RW);
    this.mapPages(STACK_TOP - STACK_PAGES * 4096, STACK_PAGES, BigInt(PTE_US | PTE_RW) | PTE_NX);
    words.forEach((w, i) => this.m.mem.write32(this.pa(CODE + 4 * i), w));
    if ('sections' in program) this.loadImage(program);
    this.m.enablePaging(this.pt.root);
    this.m.mmu.setCpl(3);
    this.m.cpu.pc = BigInt('sections' in program ? program.entry : CODE);
    this.m.cpu.setReg(2, BigInt(STACK_TOP));
  }

  /** Maps and copies a linked image's sections (rx: user, executable; rw: user, writable, NX). */
  private loadImage(image: LinkedImage): void {
    for (const s of image.sections) {
      const flags = s.perms === 'rx' ? BigInt(PTE_US) : BigInt(PTE_US | PTE_RW) | PTE_NX;
      for (let va = s.addr - (s.addr % 4096); va < s.addr + s.size; va += 4096) {
        if (this.vaToPa.has(va)) this.pt.map(va, this.vaToPa.get(va)!, PageSize.Size4K, flags);
        else this.mapPages(va, 1, flags);
      }
      if (s.kind === 'progbits') s.bytes.forEach((b, i) => this.m.mem.write8(this.pa(s.addr + i), b));
    }
  }

  /** Replaces the program (from CODE, which must stay within its mapped pages) and resets pc to CODE. */
  load(words: readonly number[]): this {
    words.forEach((w, i) => this.m.mem.write32(this.pa(CODE + 4 * i), w));
    this.m.cpu.pc = BigInt(CODE);
    this.stop = -1;
    return this;
  }

  get cpu(): Machine['cpu'] {
    return this.m.cpu;
  }

  /** Maps `count` fresh zeroed 4K frames at va with the given leaf flags. */
  mapPages(va: number, count: number, flags: bigint | number): this {
    for (let i = 0; i < count; i++) {
      const pa = this.nextFrame;
      this.nextFrame += 4096;
      this.pt.map(va + i * 4096, pa, PageSize.Size4K, flags);
      this.vaToPa.set(va + i * 4096, pa);
    }
    return this;
  }

  /** The physical address behind a user address mapped by this helper. */
  pa(va: number): number {
    const pa = this.vaToPa.get(va - (va % 4096));
    if (pa === undefined) throw new Error(`0x${va.toString(16)} is not mapped by the test machine`);
    return pa + (va % 4096);
  }

  regs(values: RegValues): this {
    for (const [name, v] of Object.entries(values)) {
      if (name === 'pc') this.m.cpu.pc = v;
      else this.m.cpu.setReg(regNum(name), v);
    }
    return this;
  }

  /** Writes bytes at a mapped user address (bypassing the MMU, no A/D bits). */
  poke(va: number, bytes: readonly number[] | Uint8Array): this {
    Array.from(bytes).forEach((b, i) => this.m.mem.write8(this.pa(va + i), b));
    return this;
  }

  /** Reads bytes at a mapped user address (bypassing the MMU). */
  peek(va: number, len: number): number[] {
    return Array.from({ length: len }, (_, i) => this.m.mem.read8(this.pa(va + i)));
  }

  /** Runs until a stop other than a spent budget, or the budget (default 100000 instructions). */
  run(budget = 100_000): this {
    this.stop = this.m.run(budget);
    return this;
  }

  /** Bytes the program wrote with write(2) under runLinux(). */
  stdout: number[] = [];
  /** exit/exit_group status under runLinux(), or undefined. */
  exitCode: number | undefined;

  /**
   * Runs like a Linux process with just two system calls: write (64) appends
   * to `stdout` (any fd) and returns the length; exit (93) and exit_group (94)
   * end the run. Any other ecall, a trap or the budget ends it with the stop kept.
   */
  runLinux(budget = 10_000_000): this {
    for (;;) {
      this.run(budget);
      if (this.stop !== Stop.Ecall) return this;
      const nr = this.m.cpu.reg(17);
      if (nr === 93n || nr === 94n) {
        this.exitCode = Number(this.m.cpu.reg(10) & 0xffn);
        return this;
      }
      if (nr !== 64n) return this;
      const len = Number(this.m.cpu.reg(12));
      this.stdout.push(...this.peek(Number(this.m.cpu.reg(11)), len));
      this.m.cpu.setReg(10, BigInt(len));
      this.m.cpu.pc += 4n;
    }
  }

  /** Executes exactly one instruction. */
  step(): this {
    this.stop = this.m.cpu.step();
    return this;
  }

  expectRegs(values: RegValues): this {
    const got: Record<string, bigint> = {};
    const want: Record<string, bigint> = {};
    for (const [name, v] of Object.entries(values)) {
      got[name] = name === 'pc' ? this.m.cpu.pc : this.m.cpu.reg(regNum(name));
      want[name] = name === 'pc' ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v);
    }
    expect(got).toEqual(want);
    return this;
  }

  expectStop(stop: Stop): this {
    expect(stopName(this.stop)).toBe(stopName(stop));
    return this;
  }

  /** The run stopped at an ecall at instruction index `at` of the program (default: any). */
  expectEcall(at?: number): this {
    this.expectStop(Stop.Ecall);
    if (at !== undefined) expect(this.m.cpu.pc).toBe(BigInt(CODE + 4 * at));
    return this;
  }

  expectTrap(t: TrapExpectation): this {
    this.expectStop(Stop.Trap);
    const got: TrapExpectation = { vector: this.m.cpu.trap.vector };
    if (t.error !== undefined) got.error = this.m.cpu.trap.error;
    if (t.cr2 !== undefined) got.cr2 = BigInt.asUintN(64, (BigInt(this.m.mmu.cr2Hi) << 32n) | BigInt(this.m.mmu.cr2Lo >>> 0));
    if (t.pc !== undefined) got.pc = this.m.cpu.pc;
    const u = (v: bigint | undefined): bigint | undefined => (v === undefined ? undefined : BigInt.asUintN(64, v));
    expect(got).toEqual({ ...t, cr2: u(t.cr2), pc: u(t.pc) });
    return this;
  }

  expectMem(va: number, bytes: readonly number[]): this {
    expect(this.peek(va, bytes.length)).toEqual([...bytes]);
    return this;
  }
}

function stopName(s: Stop | -1): string {
  return s === Stop.Budget ? 'Budget' : s === Stop.Ecall ? 'Ecall' : s === Stop.Trap ? 'Trap' : `not run (${s})`;
}

/**
 * A test machine running `program`: instruction words placed at CODE, or
 * assembly source assembled by vmlab's assembler with .text at CODE (entry:
 * `_start` if defined, else the start of .text).
 */
export function machine(program: readonly number[] | string, opts?: MachineOptions): MachineRun {
  if (typeof program !== 'string') return new MachineRun(program, opts);
  const r = assemble([{ path: 'test.s', text: program }], { textBase: CODE, requireEntry: false });
  if (!r.ok) throw new Error(`test program does not assemble:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return new MachineRun(r.image, opts);
}
