/* mremapfault.c: mremap(2) of an old range that is not mapped is -EFAULT,
 * shrinking included (Linux mm/mremap.c: vma_lookup(mm, addr) == NULL is
 * -EFAULT before any resizing), and nothing changes. */
#include "rt.h"

#define PAGE 4096UL
#define EFAULT 14
#define ENOMEM 12
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

static long mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr) {
  return syscall6(SYS_mremap, (long)old, (long)old_len, (long)new_len, flags, (long)new_addr, 0);
}

static int unmapped(void *a) { return mprotect(a, PAGE, PROT_READ) == -ENOMEM; }

int main(void) {
  /* Four pages, the middle two unmapped: [p, p+P) mapped, [p+P, p+3P) a hole, [p+3P, p+4P) mapped. */
  char *p = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!check(p != MAP_FAILED, "mmap 4 pages", 0, 0)) return 1;
  p[0] = 'a';
  p[3 * PAGE] = 'd';
  munmap(p + PAGE, 2 * PAGE);
  char *hole = p + PAGE;

  long r = mremap(hole, 2 * PAGE, PAGE, 0, 0);
  check(r == -EFAULT, "shrinking an unmapped range: -EFAULT", r, -EFAULT);
  r = mremap(hole, PAGE, PAGE, 0, 0);
  check(r == -EFAULT, "same size, unmapped: -EFAULT", r, -EFAULT);
  r = mremap(hole, 2 * PAGE, PAGE, MREMAP_MAYMOVE, 0);
  check(r == -EFAULT, "shrinking with MREMAP_MAYMOVE, unmapped: -EFAULT", r, -EFAULT);
  r = mremap(hole, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
  check(r == -EFAULT, "growing an unmapped range: -EFAULT", r, -EFAULT);
  /* Starts in the hole, ends on the mapped last page: still -EFAULT, and that page stays. */
  r = mremap(hole + PAGE, 2 * PAGE, PAGE, 0, 0);
  check(r == -EFAULT, "shrinking a range that starts unmapped: -EFAULT", r, -EFAULT);
  check(p[3 * PAGE] == 'd', "  the mapped page after it is untouched", p[3 * PAGE], 'd');
  check(unmapped(hole) && unmapped(hole + PAGE), "  the hole stays a hole", 0, 0);

  /* Shrinking a mapped range works: [p, p+P) keeps its first... */
  char *q = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  q[0] = 'q';
  r = mremap(q, 2 * PAGE, PAGE, 0, 0);
  check(r == (long)q, "shrinking a mapped range returns its address", r - (long)q, 0);
  check(q[0] == 'q', "  and keeps the first page", q[0], 'q');
  check(unmapped(q + PAGE), "  and unmaps the rest", 0, 0);
  check(p[0] == 'a', "the first page is untouched", p[0], 'a');
  return failures != 0;
}
