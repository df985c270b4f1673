/* bigmap.c: mmap 64 MiB, touch every page, unmap the middle 16 MiB, check
 * the rest still holds its data, mprotect a page read-only, unmap all. */
#include "rt.h"

#define MiB (1L << 20)
#define LEN (64 * MiB)
#define PAGE 4096L

int main(void) {
  char *p = mmap(0, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!check((long)p > 0, "mmap 64 MiB", (long)p < 0 ? (long)p : 0, 0)) return 1;
  for (long off = 0; off < LEN; off += PAGE) *(long *)(p + off) = off / PAGE;
  long sum = 0;
  for (long off = 0; off < LEN; off += PAGE) sum += *(long *)(p + off);
  check(sum == 134209536L, "every page holds its index", sum, 134209536L);
  check(munmap(p + 24 * MiB, 16 * MiB) == 0, "munmap the middle 16 MiB", 0, 0);
  long rest = 0;
  for (long off = 0; off < LEN; off += PAGE)
    if (off < 24 * MiB || off >= 40 * MiB) rest += *(long *)(p + off);
  check(rest == 134209536L - 33552384L, "the rest keeps its data", rest, 134209536L - 33552384L);
  check(mprotect(p, PAGE, PROT_READ) == 0, "mprotect one page read-only", 0, 0);
  check(*(long *)p == 0, "the read-only page reads", *(long *)p, 0);
  check(munmap(p, LEN) == 0, "munmap everything (holes included)", 0, 0);
  check(munmap(p, 1) == 0, "munmap of nothing is fine", 0, 0);
  check((long)mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == -22, "mmap of 0 bytes is EINVAL", 0, 0);
  return failures != 0;
}
