// vm.mmap_min_addr (security/min_addr.c): one limit for every way a task
// gets memory at an address of its choosing or grows into one: mmap with
// MAP_FIXED (-EPERM), the hint of a non-fixed mmap (raised to it), brk, stack
// growth and mremap. KernelMm.mmapMinAddr is the sysctl's live value.
import { describe, expect, it } from 'vitest';
import { PF_U, PF_W } from '../../../emu/machine/trap';
import { VM_FAULT_OK, VM_FAULT_SIGSEGV_MAPERR } from '../../../kernel-ts/mm/memory';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_GROWSDOWN, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel-ts/mm/mmap';
import { MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../kernel-ts/mm/mremap';
import { DEFAULT_MMAP_MIN_ADDR, roundHintToMin } from '../../../kernel-ts/mm/vma';
import { boot, fault, newMm } from './helpers';
import { EPERM } from '../../../kernel-ts/errno';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('vm.mmap_min_addr', () => {
  it('starts at Linux default, 65536', () => {
    expect(DEFAULT_MMAP_MIN_ADDR).toBe(65536);
    expect(boot().kmm.mmapMinAddr).toBe(65536);
  });

  it('refuses MAP_FIXED below it with -EPERM, and follows the sysctl when it changes', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    expect(kmm.doMmap(mm, 0xf000, 4096, RW, ANON | MAP_FIXED)).toBe(-EPERM);
    expect(kmm.doMmap(mm, 0, 4096, RW, ANON | MAP_FIXED)).toBe(-EPERM);
    expect(kmm.doMmap(mm, 0x10000, 4096, RW, ANON | MAP_FIXED)).toBe(0x10000);
    kmm.mmapMinAddr = 4096;
    expect(kmm.doMmap(mm, 0xf000, 4096, RW, ANON | MAP_FIXED)).toBe(0xf000);
    expect(kmm.doMmap(mm, 0x1000, 4096, RW, ANON | MAP_FIXED)).toBe(0x1000);
    expect(kmm.doMmap(mm, 0, 4096, RW, ANON | MAP_FIXED)).toBe(-EPERM);
    // A value that is not page aligned protects the whole page it falls in (cap_mmap_addr compares page addresses).
    kmm.mmapMinAddr = 4097;
    expect(kmm.doMmap(mm, 0x1000, 4096, RW, ANON | MAP_FIXED)).toBe(-EPERM);
    expect(kmm.doMmap(mm, 0x2000, 4096, RW, ANON | MAP_FIXED)).toBe(0x2000);
    kmm.mmapMinAddr = 0;
    expect(kmm.doMmap(mm, 0, 4096, RW, ANON | MAP_FIXED)).toBe(0);
  });

  it('raises a non-fixed hint below it to PAGE_ALIGN(mmap_min_addr); a hint in page 0 is no hint (round_hint_to_min)', () => {
    expect(roundHintToMin(0x1234, 65536)).toBe(0x10000);
    expect(roundHintToMin(0x800, 65536)).toBe(0);
    expect(roundHintToMin(0x1000, 4097)).toBe(0x2000);
    expect(roundHintToMin(0x23456, 65536)).toBe(0x23000);
    const { kmm } = boot();
    const mm = newMm(kmm);
    expect(kmm.doMmap(mm, 0x3000, 4096, RW, ANON)).toBe(0x10000);
    kmm.mmapMinAddr = 4096;
    expect(kmm.doMmap(mm, 0x3000, 4096, RW, ANON)).toBe(0x3000);
    kmm.mmapMinAddr = 0x5001;
    expect(kmm.doMmap(mm, 0x3000, 4096, RW, ANON)).toBe(0x6000);
    // No hint: top-down below mmap_base, far above the limit either way.
    expect(kmm.doMmap(mm, 0x800, 4096, RW, ANON)).toBe(kmm.doMmap(mm, 0, 4096, RW, ANON) + 4096);
  });

  it('keeps brk from growing out of a heap that starts below it (check_brk_limits)', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    mm.startBrk = mm.brk = 0x8000;
    expect(kmm.doBrk(mm, 0x9000)).toBe(0x8000);
    expect(mm.vmas.findVma(0x8000)).toBeNull();
    kmm.mmapMinAddr = 4096;
    expect(kmm.doBrk(mm, 0x9000)).toBe(0x9000);
    expect(mm.vmas.findVma(0x8000)?.vmStart).toBe(0x8000);
    // Shrinking is always allowed; growing again is checked again.
    kmm.mmapMinAddr = 65536;
    expect(kmm.doBrk(mm, 0x8800)).toBe(0x8800);
    expect(kmm.doBrk(mm, 0xa000)).toBe(0x8800);
    // Within the last page (no new page) the break moves.
    expect(kmm.doBrk(mm, 0x8900)).toBe(0x8900);
  });

  it('stops a stack growing below it (expand_downwards): the fault is SIGSEGV, until the limit is lowered', () => {
    const b = boot();
    const { kmm } = b;
    const mm = newMm(kmm);
    expect(kmm.doMmap(mm, 0x10000, 0x1000, RW, ANON | MAP_FIXED | MAP_GROWSDOWN)).toBe(0x10000);
    expect(fault(b, mm, 0xfff8, PF_U | PF_W)).toBe(VM_FAULT_SIGSEGV_MAPERR);
    expect(mm.vmas.findVma(0xfff8)?.vmStart).toBe(0x10000);
    kmm.mmapMinAddr = 4096;
    expect(fault(b, mm, 0xfff8, PF_U | PF_W)).toBe(VM_FAULT_OK);
    expect(mm.vmas.findVma(0xfff8)?.vmStart).toBe(0xf000);
    expect(fault(b, mm, 0x0ff8, PF_U | PF_W)).toBe(VM_FAULT_SIGSEGV_MAPERR);
  });

  it('refuses mremap(MREMAP_FIXED) to below it with -EPERM, and the moved range stays put', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    expect(kmm.doMmap(mm, 0x100000, 0x2000, RW, ANON | MAP_FIXED)).toBe(0x100000);
    expect(kmm.doMremap(mm, 0x100000, 0x2000, 0x2000, MREMAP_MAYMOVE | MREMAP_FIXED, 0x8000)).toBe(-EPERM);
    expect(mm.vmas.findVma(0x100000)?.vmStart).toBe(0x100000);
    kmm.mmapMinAddr = 4096;
    expect(kmm.doMremap(mm, 0x100000, 0x2000, 0x2000, MREMAP_MAYMOVE | MREMAP_FIXED, 0x8000)).toBe(0x8000);
    expect(mm.vmas.findVma(0x8000)?.vmEnd).toBe(0xa000);
  });
});
