// Address-space layout randomization helpers for the ELF loader (Linux
// arch/x86/mm/mmap.c arch_pick_mmap_layout/mmap_base, arch/x86/kernel/process.c
// arch_randomize_brk, mm/util.c randomize_page, fs/binfmt_elf.c
// randomize_stack_top). `random` is the loader's seeded generator returning
// numbers in [0, 1); get_random_long() becomes as many random bits as needed.
import { PAGE_SIZE } from './page';
import { DEFAULT_MAP_WINDOW, STACK_GUARD_GAP } from './vma';
import { RLIMIT_STACK_DEFAULT } from './memory';
import type { MmStruct } from './mm-struct';

/** x86-64 mmap_rnd_bits default (CONFIG_ARCH_MMAP_RND_BITS = 28). */
export const MMAP_RND_BITS = 28;
/** x86-64 STACK_RND_MASK: 22 bits of pages (16 GiB). */
export const STACK_RND_MASK = 0x3fffff;
/**
 * arch_randomize_brk's range: 32 MiB, x86-64 Linux before 6.9 (since then
 * 64-bit tasks get SZ_1G; kept at 32 MiB while the loader's tests assume it).
 */
export const BRK_RND_RANGE = 0x02000000;
const SIZE_128M = 128 << 20;

/** A uniformly random integer in [0, 2^bits), bits <= 52. */
export function randomBits(random: () => number, bits: number): number {
  return Math.floor(random() * 2 ** bits);
}

function pageAlign(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** Linux arch_mmap_rnd(): the mmap base's random offset in bytes. */
export function archMmapRnd(random: () => number): number {
  return randomBits(random, MMAP_RND_BITS) * PAGE_SIZE;
}

/**
 * Linux mmap_base(): the top of the top-down mmap area, below the stack's
 * rlimit (RLIMIT_STACK's soft limit; Infinity for RLIM_INFINITY), its random
 * range and the guard gap (clamped to 128 MiB .. 5/6 of the 47-bit window).
 */
export function mmapBase(rnd: number, randomize: boolean, taskSize: number = DEFAULT_MAP_WINDOW, rlimStack: number = RLIMIT_STACK_DEFAULT): number {
  let gap = rlimStack + STACK_GUARD_GAP + (randomize ? STACK_RND_MASK * PAGE_SIZE : 0);
  const gapMax = Math.floor(taskSize / 6) * 5;
  gap = Math.min(Math.max(gap, SIZE_128M), gapMax);
  return pageAlign(taskSize - gap - rnd);
}

/**
 * Linux arch_pick_mmap_layout() for a 64-bit task: sets mm.mmapBase (top-down
 * layout, below room for a stack of `rlimStack` bytes) and mm.mmapLegacyBase
 * (TASK_UNMAPPED_BASE + rnd, the bottom-up fallback). x86-64 keeps the
 * top-down layout with an unlimited stack (the gap is then 5/6 of the window).
 */
export function archPickMmapLayout(mm: MmStruct, random: () => number, randomize: boolean, rlimStack: number = RLIMIT_STACK_DEFAULT): void {
  const rnd = randomize ? archMmapRnd(random) : 0;
  mm.mmapBase = mmapBase(rnd, randomize, DEFAULT_MAP_WINDOW, rlimStack);
  mm.mmapLegacyBase = pageAlign(DEFAULT_MAP_WINDOW / 3) + rnd;
}

/** Linux randomize_page(start, range): a page-aligned address in [start, start + range). */
export function randomizePage(start: number, range: number, random: () => number): number {
  if (start % PAGE_SIZE !== 0) {
    range -= pageAlign(start) - start;
    start = pageAlign(start);
  }
  const pages = Math.floor(range / PAGE_SIZE);
  if (pages <= 0) return start;
  return start + Math.floor(random() * pages) * PAGE_SIZE;
}

/** Linux arch_randomize_brk(): the randomized start of the heap, within BRK_RND_RANGE above mm.brk. */
export function archRandomizeBrk(mm: MmStruct, random: () => number): number {
  return randomizePage(mm.brk, BRK_RND_RANGE, random);
}

/** Linux randomize_stack_top(): the stack top lowered by a random number of pages (22 bits). */
export function randomizeStackTop(stackTop: number, random: () => number, randomize: boolean): number {
  const top = pageAlign(stackTop);
  return randomize ? top - randomBits(random, 22) * PAGE_SIZE : top;
}
