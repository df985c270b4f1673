// The limits an address space grows under (kernel-ts/mm/limits.ts and its
// callers in mmap.ts, mremap.ts, memory.ts): RLIMIT_AS, RLIMIT_DATA,
// RLIMIT_STACK and RLIMIT_MEMLOCK from the task's limits (mm.rlim), the
// heuristic overcommit check and vm.max_map_count, each refusing with
// Linux's errno before anything changes.
import { describe, expect, it } from 'vitest';
import { PF_U, PF_W } from '../../../emu/machine/trap';
import { VM_FAULT_OK, VM_FAULT_SIGSEGV_MAPERR } from '../../../kernel-ts/mm/memory';
import {
  MADV_DONTFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_GROWSDOWN, MAP_LOCKED, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, PROT_NONE,
  PROT_READ, PROT_WRITE,
} from '../../../kernel-ts/mm/mmap';
import { MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../kernel-ts/mm/mremap';
import type { MmStruct } from '../../../kernel-ts/mm/mm-struct';
import { isDataMapping } from '../../../kernel-ts/mm/limits';
import { VM_GROWSDOWN, VM_READ, VM_SHARED, VM_WRITE } from '../../../kernel-ts/mm/vma';
import { RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK, RLIMIT_STACK, RLIM_INFINITY } from '../../../kernel-ts/resource';
import { boot, fault, newMm } from './helpers';
import { EAGAIN, ENOMEM, EPERM } from '../../../kernel-ts/errno';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function limit(mm: MmStruct, resource: number, cur: number): void {
  mm.rlim.set(resource, { cur: BigInt(cur), max: RLIM_INFINITY });
}

function logText(b: ReturnType<typeof boot>): string[] {
  return b.kmm.printk.all().map((r) => r.text).filter((t) => !t.startsWith('Memory:'));
}

describe('RLIMIT_AS (may_expand_vm)', () => {
  it('bounds mmap, brk, mremap growth and stack growth; the limit itself is reachable', () => {
    const b = boot();
    const { kmm } = b;
    const mm = newMm(kmm);
    mm.startBrk = mm.brk = 0x800000;
    const stack = kmm.doMmap(mm, 0x7000000, 4 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN);
    limit(mm, RLIMIT_AS, 16 * P);
    const a = kmm.doMmap(mm, 0, 8 * P, RW, ANON);
    expect(a).toBeGreaterThan(0);
    expect(kmm.doMmap(mm, 0, 5 * P, PROT_READ, ANON)).toBe(-ENOMEM);
    // MAP_FIXED over mapped pages adds only the pages not yet mapped.
    expect(kmm.doMmap(mm, a, 8 * P, PROT_READ, ANON | MAP_FIXED)).toBe(a);
    expect(kmm.doMmap(mm, a - 5 * P, 13 * P, PROT_READ, ANON | MAP_FIXED)).toBe(-ENOMEM);
    expect(kmm.doBrk(mm, 0x800000 + 5 * P)).toBe(0x800000);
    expect(kmm.doMremap(mm, a, 8 * P, 13 * P, MREMAP_MAYMOVE)).toBe(-ENOMEM);
    expect(kmm.doMremap(mm, a, 8 * P, 12 * P, MREMAP_MAYMOVE)).toBeGreaterThan(0);
    expect(mm.totalVm).toBe(16);
    // The stack: one page below it is past the limit.
    expect(fault(b, mm, stack - P, PF_U | PF_W)).toBe(VM_FAULT_SIGSEGV_MAPERR);
    expect(mm.totalVm).toBe(16);
    limit(mm, RLIMIT_AS, 17 * P);
    expect(fault(b, mm, stack - P, PF_U | PF_W)).toBe(VM_FAULT_OK);
    expect(mm.totalVm).toBe(17);
  });
});

describe('RLIMIT_DATA', () => {
  it('counts private writable mappings that are not stacks (is_data_mapping)', () => {
    expect(isDataMapping(VM_READ | VM_WRITE)).toBe(true);
    expect(isDataMapping(VM_READ)).toBe(false);
    expect(isDataMapping(VM_READ | VM_WRITE | VM_SHARED)).toBe(false);
    expect(isDataMapping(VM_READ | VM_WRITE | VM_GROWSDOWN)).toBe(false);
  });

  it('bounds private writable mmap (not read-only or shared ones), and warns once as Linux does', () => {
    const b = boot({ current: () => ({ comm: 'prog', pid: 7 }) });
    const { kmm } = b;
    const mm = newMm(kmm);
    limit(mm, RLIMIT_DATA, 4 * P);
    expect(kmm.doMmap(mm, 0, 4 * P, RW, ANON)).toBeGreaterThan(0);
    expect(kmm.doMmap(mm, 0, P, RW, ANON)).toBe(-ENOMEM);
    expect(kmm.doMmap(mm, 0, 64 * P, PROT_READ, ANON)).toBeGreaterThan(0);
    expect(kmm.doMmap(mm, 0, 64 * P, RW, MAP_SHARED | MAP_ANONYMOUS)).toBeGreaterThan(0);
    expect(kmm.doMmap(mm, 0, 2 * P, RW, ANON)).toBe(-ENOMEM);
    expect(logText(b)).toEqual(['prog (7): VmData 20480 exceed data ulimit 16384. Update limits or use boot option ignore_rlimit_data.']);
  });

  it('allows a data mapping under a soft limit of 0 within the hard limit (Linux keeps this for Valgrind)', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    mm.rlim.set(RLIMIT_DATA, { cur: 0n, max: BigInt(4 * P) });
    expect(kmm.doMmap(mm, 0, 4 * P, RW, ANON)).toBeGreaterThan(0);
    expect(kmm.doMmap(mm, 0, P, RW, ANON)).toBe(-ENOMEM);
  });

  it('bounds brk: heap plus data segment (check_data_rlimit, shrinks included), then the data pages (may_expand_vm)', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    mm.startData = 0x600000;
    mm.endData = 0x600000 + 2 * P;
    mm.startBrk = mm.brk = 0x800000;
    limit(mm, RLIMIT_DATA, 6 * P);
    expect(kmm.doBrk(mm, 0x800000 + 4 * P)).toBe(0x800000 + 4 * P);
    expect(kmm.doBrk(mm, 0x800000 + 4 * P + 1)).toBe(0x800000 + 4 * P);
    limit(mm, RLIMIT_DATA, 5 * P);
    expect(kmm.doBrk(mm, 0x800000 + 3 * P + 8)).toBe(0x800000 + 4 * P); // still over: even a shrink is refused
    expect(kmm.doBrk(mm, 0x800000 + 3 * P)).toBe(0x800000 + 3 * P);
    // may_expand_vm counts the data pages themselves: a private writable mapping elsewhere fills the room.
    limit(mm, RLIMIT_DATA, 64 * P);
    expect(kmm.doMmap(mm, 0, 60 * P, RW, ANON)).toBeGreaterThan(0);
    expect(kmm.doBrk(mm, 0x800000 + 5 * P)).toBe(0x800000 + 3 * P);
  });
});

describe('RLIMIT_STACK and RLIMIT_MEMLOCK', () => {
  it('stack growth stops at RLIMIT_STACK (the size from the stack top)', () => {
    const b = boot();
    const { kmm } = b;
    const mm = newMm(kmm);
    const top = 0x7000000;
    kmm.doMmap(mm, top - 4 * P, 4 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN);
    limit(mm, RLIMIT_STACK, 8 * P);
    expect(fault(b, mm, top - 8 * P, PF_U | PF_W)).toBe(VM_FAULT_OK);
    expect(fault(b, mm, top - 9 * P, PF_U | PF_W)).toBe(VM_FAULT_SIGSEGV_MAPERR);
    expect(mm.vmas.findVma(top - P)!.vmStart).toBe(top - 8 * P);
  });

  it('MAP_LOCKED is -EAGAIN past RLIMIT_MEMLOCK, -EPERM when it is 0', () => {
    const { kmm } = boot();
    const mm = newMm(kmm);
    limit(mm, RLIMIT_MEMLOCK, 4 * P);
    expect(kmm.doMmap(mm, 0, 4 * P, RW, ANON | MAP_LOCKED)).toBeGreaterThan(0);
    expect(mm.rss).toBe(4);
    expect(kmm.doMmap(mm, 0, P, RW, ANON | MAP_LOCKED)).toBe(-EAGAIN);
    expect(kmm.doMmap(mm, 0, P, RW, ANON)).toBeGreaterThan(0);
    limit(mm, RLIMIT_MEMLOCK, 0);
    expect(kmm.doMmap(mm, 0, P, RW, ANON | MAP_LOCKED)).toBe(-EPERM);
  });
});

describe('heuristic overcommit (__vm_enough_memory)', () => {
  it('refuses a private writable mapping larger than RAM, with Linux line; MAP_NORESERVE, read-only and shared ones are not charged', () => {
    const b = boot({ current: () => ({ comm: 'hog', pid: 3 }) });
    const { kmm } = b;
    const mm = newMm(kmm);
    expect(kmm.doMmap(mm, 0, 2 ** 46, RW, ANON)).toBe(-ENOMEM);
    expect(logText(b)).toEqual(['__vm_enough_memory: pid: 3, comm: hog, bytes: 70368744177664 not enough memory for the allocation']);
    for (const [prot, flags] of [[RW, ANON | MAP_NORESERVE], [PROT_READ, ANON], [PROT_NONE, ANON]] as const) {
      const a = kmm.doMmap(mm, 0, 2 ** 46, prot, flags);
      expect(a).toBeGreaterThan(0);
      expect(kmm.doMunmap(mm, a, 2 ** 46)).toBe(0);
    }
    // One request of all the managed pages can be committed; one more page cannot. Under the
    // heuristic each request is judged alone: a growth by mremap is judged by what it adds.
    const n = kmm.buddy.nrManagedPages;
    expect(kmm.doMmap(mm, 0, (n + 1) * P, RW, ANON)).toBe(-ENOMEM);
    const a = kmm.doMmap(mm, 0, n * P, RW, ANON);
    expect(a).toBeGreaterThan(0);
    expect(kmm.doMremap(mm, a, n * P, (n + 1) * P, MREMAP_MAYMOVE)).toBeGreaterThan(0);
    const c = kmm.doMmap(mm, 0, P, RW, ANON);
    expect(kmm.doMremap(mm, c, P, (n + 2) * P, MREMAP_MAYMOVE)).toBe(-ENOMEM);
    expect(kmm.doMremap(mm, c, P, (n + 1) * P, MREMAP_MAYMOVE)).toBeGreaterThan(0);
  });

  it('rate-limits its line as printk_ratelimited: ten per five seconds, then how many were suppressed', () => {
    let now = 0;
    const b = boot({ clockNs: () => now, current: () => ({ comm: 'hog', pid: 3 }) });
    const { kmm } = b;
    const mm = newMm(kmm);
    for (let i = 0; i < 13; i++) expect(kmm.doMmap(mm, 0, 2 ** 46, RW, ANON)).toBe(-ENOMEM);
    expect(logText(b).length).toBe(10);
    now = 5e9;
    expect(kmm.doMmap(mm, 0, 2 ** 46, RW, ANON)).toBe(-ENOMEM);
    const log = logText(b);
    expect(log.length).toBe(12);
    expect(log[10]).toBe('__vm_enough_memory: 3 callbacks suppressed');
    expect(log[11]).toMatch(/^__vm_enough_memory: pid: 3, comm: hog, bytes: /);
  });
});

describe('vm.max_map_count', () => {
  /** An mm with `n` unmergeable one-page VMAs (alternately RW and R) and the limit set. */
  function filled(n: number, max: number): { kmm: ReturnType<typeof boot>['kmm']; mm: MmStruct } {
    const { kmm } = boot();
    const mm = newMm(kmm);
    kmm.maxMapCount = max;
    for (let i = 0; i < n; i++) kmm.doMmap(mm, 0x10000000 + 2 * i * P, P, i % 2 ? PROT_READ : RW, ANON | MAP_FIXED);
    expect(mm.vmas.length).toBe(n);
    return { kmm, mm };
  }

  it('mmap and brk are refused only past the limit (a new mapping may merge)', () => {
    const { kmm, mm } = filled(10, 10);
    mm.startBrk = mm.brk = 0x800000;
    expect(kmm.doMmap(mm, 0, P, PROT_READ, ANON)).toBeGreaterThan(0);
    expect(mm.vmas.length).toBe(11);
    expect(kmm.doMmap(mm, 0, P, PROT_READ, ANON)).toBe(-ENOMEM);
    expect(kmm.doBrk(mm, 0x800000 + P)).toBe(0x800000);
  });

  it('a hole punched by munmap is refused at the limit; unmapping an end or a whole VMA is not', () => {
    const { kmm, mm } = filled(9, 10);
    const a = kmm.doMmap(mm, 0x20000000, 3 * P, RW, ANON | MAP_FIXED);
    expect(mm.vmas.length).toBe(10);
    expect(kmm.doMunmap(mm, a + P, P)).toBe(-ENOMEM);
    expect(mm.vmas.length).toBe(10);
    expect(kmm.doMunmap(mm, a + 2 * P, P)).toBe(0);
    expect(kmm.doMunmap(mm, 0x10000000, P)).toBe(0);
    expect(mm.vmas.length).toBe(9);
    // MAP_FIXED over the middle of a VMA punches the same hole.
    kmm.doMmap(mm, 0x10000000, P, RW, ANON | MAP_FIXED);
    expect(kmm.doMmap(mm, a + P, P, PROT_READ, ANON | MAP_FIXED)).toBe(0x20000000 + P);
    expect(mm.vmas.length).toBe(11);
    kmm.maxMapCount = 12;
    const b = kmm.doMmap(mm, 0x30000000, 3 * P, RW, ANON | MAP_FIXED);
    expect(mm.vmas.length).toBe(12);
    expect(kmm.doMmap(mm, b + P, P, PROT_READ, ANON | MAP_FIXED)).toBe(-ENOMEM);
  });

  it('mprotect splits one at a time: the second refused leaves the first, as Linux; a merge adds no VMA', () => {
    const { kmm, mm } = filled(8, 10);
    const a = kmm.doMmap(mm, 0x20000000, 3 * P, RW, ANON | MAP_FIXED);
    expect(mm.vmas.length).toBe(9);
    expect(kmm.doMprotect(mm, a + P, P, PROT_READ)).toBe(-ENOMEM);
    expect(mm.vmas.length).toBe(10);
    expect(mm.vmas.findVma(a)!.vmEnd).toBe(a + P);
    expect(mm.vmas.findVma(a + P)!.vmFlags & VM_WRITE).toBe(VM_WRITE);
    // [a + P, a + 3P) is RW next to the RW [a, a + P)... give its first page to a read-only neighbour instead.
    const r = kmm.doMmap(mm, a - P, P, PROT_READ, ANON | MAP_FIXED);
    expect(r).toBe(a - P);
    expect(mm.vmas.length).toBe(11);
    expect(kmm.doMprotect(mm, a, P, PROT_READ)).toBe(0); // [a, a+P) merges into [a-P, a): no new VMA
    expect(mm.vmas.length).toBe(10);
    expect(kmm.doMprotect(mm, a + P, P, PROT_READ)).toBe(0); // again: the boundary moves
    expect(mm.vmas.length).toBe(10);
    expect(mm.vmas.findVma(a - P)!.vmEnd).toBe(a + 2 * P);
  });

  it('madvise that would split says -EAGAIN (madvise reports -ENOMEM so), mremap to a fixed address -ENOMEM', () => {
    const { kmm, mm } = filled(9, 10);
    const a = kmm.doMmap(mm, 0x20000000, 3 * P, RW, ANON | MAP_FIXED);
    expect(kmm.doMadvise(mm, a + P, P, MADV_DONTFORK)).toBe(-EAGAIN);
    expect(kmm.doMadvise(mm, a, 3 * P, MADV_DONTFORK)).toBe(0);
    expect(kmm.doMremap(mm, a, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x40000000)).toBe(-ENOMEM);
    kmm.maxMapCount = 15; // check_mremap_params: count + 2 >= max - 3
    expect(kmm.doMremap(mm, a, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x40000000)).toBe(-ENOMEM);
    kmm.maxMapCount = 16;
    expect(kmm.doMremap(mm, a, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x40000000)).toBe(0x40000000);
    // A move needs room for 4 more VMAs at most (prep_move_vma): at max - 3 it is refused.
    kmm.maxMapCount = mm.vmas.length + 3;
    kmm.doMmap(mm, 0x50000000 + P, P, PROT_READ, ANON | MAP_FIXED);
    const g = kmm.doMmap(mm, 0x50000000, P, RW, ANON | MAP_FIXED);
    expect(kmm.doMremap(mm, g, P, 2 * P, MREMAP_MAYMOVE)).toBe(-ENOMEM);
  });
});
