/* brkfail.c: brk(2) requests the kernel cannot honour return the current
 * break unchanged, and neither move the break nor map anything (Linux
 * mm/mmap.c SYSCALL_DEFINE1(brk): the "goto out" paths return mm->brk). */
#include "rt.h"

#define PAGE 4096UL
#define ENOMEM 12

static unsigned long brk_(unsigned long a) { return (unsigned long)sys_brk((void *)a); }

/* mprotect of an unmapped page is -ENOMEM: nothing is mapped there. */
static int unmapped(unsigned long a) { return mprotect((void *)a, PAGE, PROT_READ) == -ENOMEM; }

static void refused(const char *label, unsigned long req, unsigned long cur) {
  unsigned long r = brk_(req);
  check(r == cur, label, (long)(r - cur), 0);
}

int main(int argc, char **argv) {
  /* `brkfail qemu` stops before the checks qemu-riscv64 gets wrong (below). */
  int qemu = argc > 1 && argv[1][0] == 'q';
  unsigned long cur = brk_(0);
  unsigned long top = (cur + PAGE - 1) & ~(PAGE - 1);
  check(cur != 0, "brk(0) is the break", 0, 0);

  refused("brk(cur + 2^46) is refused", cur + (1UL << 46), cur);
  refused("brk(2^46) is refused", 1UL << 46, cur);
  refused("brk(2^47) is refused", 1UL << 47, cur);
  refused("brk(2^56) is refused", 1UL << 56, cur);
  refused("brk(0xffffffc000000000) (kernel half) is refused", 0xffffffc000000000UL, cur);
  refused("brk(-4096) is refused", -PAGE, cur);
  check(brk_(0) == cur, "the break did not move", (long)(brk_(0) - cur), 0);
  check(unmapped(top), "nothing was mapped above the break", 0, 0);

  /* A mapping 4 pages above the break: growing into it is refused. */
  unsigned long m = top + 4 * PAGE;
  char *p = mmap((void *)m, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | 0x10, -1, 0);
  if (!check(p == (char *)m, "mmap(MAP_FIXED) 4 pages above the break", (long)p, (long)m)) return 1;
  p[0] = 'M';
  refused("brk into the mapping is refused", m + PAGE, cur);
  refused("brk past the mapping is refused", m + 16 * PAGE, cur);
  check(brk_(0) == cur, "the break did not move either", (long)(brk_(0) - cur), 0);
  check(unmapped(top), "nothing was mapped between the break and the mapping", 0, 0);
  check(p[0] == 'M', "the mapping is untouched", p[0], 'M');

  /* A request the kernel can honour still works, and shrinking gives it back. */
  unsigned long want = top + 2 * PAGE;
  check(brk_(want) == want, "brk(top + 2 pages) grows the heap", (long)(brk_(0) - want), 0);
  ((char *)top)[PAGE] = 'h';
  check(((char *)top)[PAGE] == 'h', "the new heap page is writable", 0, 0);
  refused("brk into the mapping is still refused", m + PAGE, want);
  check(brk_(cur) == cur, "brk(cur) shrinks it back", 0, 0);
  /* qemu-riscv64 (7.2) differs from Linux from here on: its brk never
   * unmaps on a shrink, and it lets the heap grow right up to the next
   * mapping (and then aborts), where Linux keeps one free page below it
   * ("newbrk + PAGE_SIZE > vm_start_gap(next)" in SYSCALL_DEFINE1(brk)). */
  if (qemu) return failures != 0;
  check(unmapped(top), "the heap pages are gone", 0, 0);
  refused("brk to the mapping's start is refused", m, cur);
  munmap(p, PAGE);
  return failures != 0;
}
