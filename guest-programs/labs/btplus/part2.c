/* part2.c: part 2 of CS614 assignment 2 (insmod btplus;
 * docs/experiments/btplus.md): huge pages made and broken. A 2 MiB-aligned
 * 4 MiB anonymous VMA is filled page by page; IOCTL_PROMOTE_VMA starts the
 * driver's promotion thread, writing 1 to /sys/kernel/kobject_cs614/promote
 * wakes it, and it writes 0 back when both 2 MiB ranges are huge pages.
 * Then the two cases of the assignment's Figure 2: (a) munmap of the top
 * 1 MiB keeps the lower huge page and demotes the cut one; (b) munmap of the
 * middle 2 MiB of a second such VMA demotes both. Prints PASS/FAIL per check;
 * exits 1 if any failed. (guest-programs/programs/btplus-part2.s is the same in assembly.) */
#include "btplus.h"

static void fill4m(char *base) {
  for (unsigned long i = 0; i < 1024; i++) *(unsigned long *)(base + i * PAGE_SIZE) = i + 1;
}

/* 1 if every page in [from, to) still holds its number + 1. */
static int verify(char *base, unsigned long from, unsigned long to) {
  for (unsigned long i = from; i < to; i++)
    if (*(unsigned long *)(base + i * PAGE_SIZE) != i + 1) return 0;
  return 1;
}

int main(void) {
  int fd = bt_open();
  char *a = map_aligned(4 * MB);
  fill4m(a);
  check(walk_level(fd, a) == 1, "before promotion the VMA is mapped by 4KB PTEs");
  check(promote_round(fd), "the promotion thread wrote 0 back to promote");
  check(walk_level(fd, a) == 2, "[a, a+2M) is mapped by one 2MB page (PS=1 PMD)");
  check(walk_level(fd, a + 2 * MB + 3 * PAGE_SIZE) == 2, "[a+2M, a+4M) is mapped by one 2MB page (PS=1 PMD)");
  check(hpage_run(a), "pagemap: a's 512 pages are consecutive frames of one 2MB-aligned block");
  check(hpage_run(a + 2 * MB), "pagemap: a+2M's 512 pages are consecutive frames of one 2MB-aligned block");
  check(verify(a, 0, 1024), "every page's contents survived the promotion");

  /* Case a: munmap [a+3M, a+4M). */
  munmap(a + 3 * MB, MB);
  check(walk_level(fd, a) == 2, "case a: the remaining 2MB-aligned 2MB part keeps its huge page");
  check(hpage_run(a), "case a: ... still one 2MB block in pagemap");
  check(walk_level(fd, a + 2 * MB) == 1, "case a: the huge page munmap cut is demoted to 4KB PTEs");
  check(verify(a, 0, 768), "case a: the contents of the remaining 3MB are intact");
  check(probe_read(a + 3 * MB + 5 * PAGE_SIZE) == 4, "case a: the unmapped 1MB faults on read (0x4)");

  /* Case b: a second VMA, promoted, then munmap of its middle 2 MiB. */
  char *b = map_aligned(4 * MB);
  fill4m(b);
  promote_round(fd);
  check(walk_level(fd, b) == 2 && walk_level(fd, b + 2 * MB) == 2, "case b: the second VMA was promoted to two 2MB pages");
  munmap(b + MB, 2 * MB);
  check(walk_level(fd, b) == 1, "case b: the lower 1MB part is demoted to 4KB PTEs");
  check(walk_level(fd, b + 3 * MB) == 1, "case b: the upper 1MB part is demoted to 4KB PTEs");
  check(verify(b, 0, 256) && verify(b, 768, 1024), "case b: the contents of both parts are intact");
  check(probe_write(b + 2 * MB) == 6, "case b: the unmapped middle faults on write (0x6)");
  return bt_done();
}
