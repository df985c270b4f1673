/* part3.c: part 3 of CS614 assignment 2 (insmod btplus;
 * docs/experiments/btplus.md): IOCTL_COMPACT_VMA. A 2 MiB-aligned 4 MiB
 * anonymous VMA has every odd page written (512 present pages, 512 holes).
 * Compaction moves the present pages, in order, to the lowest pages of the
 * range and fills the table with <old, new> pairs: through the table every
 * value is found again, the pages after the compacted ones are not present
 * (/proc/self/pagemap), and the now fully present first 2 MiB is promoted
 * to a huge page. Bad requests (npages 0, a range past the VMA end, a bad
 * table pointer, a range with no present page) come back -1 with EINVAL or
 * EFAULT. Prints PASS/FAIL per check; exits 1 if any failed.
 * (guest-programs/programs/btplus-part3.s is the same in assembly.) */
#include "btplus.h"

static int fd;

/* 1 if IOCTL_COMPACT_VMA refuses the request with -1 and errno err. */
static int compact_fails(void *start, unsigned long npages, unsigned long *table, int err) {
  struct compact_args c = {(unsigned long)start, npages, table};
  return ioctl(fd, IOCTL_COMPACT_VMA, &c) == -1 && errno == err;
}

static int present(void *va) {
  unsigned long e;
  pagemap(va, &e, 1);
  return (e & PM_PRESENT) != 0;
}

int main(void) {
  fd = bt_open();
  unsigned long *table = malloc(1024 * 16);
  char *p = map_aligned(4 * MB);
  for (unsigned long i = 1; i < 1024; i += 2) *(unsigned long *)(p + i * PAGE_SIZE) = i + 1;

  check(compact_fails(p, 0, table, EINVAL), "npages 0 is refused (-1, EINVAL)");
  check(compact_fails(p, 1025, table, EINVAL), "a range past the VMA end is refused (-1, EINVAL)");
  check(compact_fails(p, 1024, (unsigned long *)16, EFAULT), "a bad table pointer is refused (-1, EFAULT)");
  char *untouched = mmap(NULL, 4 * PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(compact_fails(untouched, 4, table, EINVAL), "a range with no present page is refused (-1, EINVAL)");

  struct compact_args c = {(unsigned long)p, 1024, table};
  check(ioctl(fd, IOCTL_COMPACT_VMA, &c) == 0, "IOCTL_COMPACT_VMA returns 0");
  int ok = 1;
  for (unsigned long k = 0; k < 512; k++)
    if (table[2 * k] != (unsigned long)p + (2 * k + 1) * PAGE_SIZE || table[2 * k + 1] != (unsigned long)p + k * PAGE_SIZE) ok = 0;
  check(ok, "the table holds <old, new> for the 512 present pages, in order, new = the lowest pages");
  ok = 1;
  for (unsigned long k = 0; k < 512; k++)
    if (*(unsigned long *)table[2 * k + 1] != (table[2 * k] - (unsigned long)p) / PAGE_SIZE + 1) ok = 0;
  check(ok, "through the table every value is found at its new address");
  check(!present(p + 2 * MB) && !present(p + 4 * MB - PAGE_SIZE), "the pages after the compacted ones are not present (pagemap)");
  check(walk_level(fd, p) == 2, "the fully present first 2MB is promoted (PS=1 PMD)");
  check(hpage_run(p), "pagemap: its 512 pages are consecutive frames of one 2MB-aligned block");
  return bt_done();
}
