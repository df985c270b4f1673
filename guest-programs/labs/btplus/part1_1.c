/* part1_1.c: part 1.1 of CS614 assignment 2 (insmod btplus;
 * docs/experiments/btplus.md): IOCTL_MVE_VMA_TO moves the VMA that starts at
 * the given address to a page-aligned destination. -1 when the destination is
 * not free or the start is not a VMA's; after the move the whole VMA is at
 * the destination (the same contents at the same offsets), the new range is
 * valid and the old one faults. Prints PASS/FAIL per check; exits 1 if any
 * failed. (guest-programs/programs/btplus-part1_1.s is the same in assembly.) */
#include "btplus.h"

#define NPAGES 4

static int move_to(int fd, unsigned long start, unsigned long dest) {
  struct mve_to_args a = {start, dest};
  return ioctl(fd, IOCTL_MVE_VMA_TO, &a);
}

int main(void) {
  int fd = bt_open();
  char *buf = filled(NPAGES);
  /* Another VMA, not merged with buf (different protection), and a free range of buf's size. */
  char *other = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *dest = mmap(NULL, NPAGES * PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(dest, NPAGES * PAGE_SIZE);

  int r = move_to(fd, (unsigned long)buf + PAGE_SIZE, (unsigned long)dest);
  check(r == -1 && errno == EINVAL, "start inside a VMA is refused (-1, EINVAL)");
  r = move_to(fd, (unsigned long)buf, (unsigned long)dest + 1);
  check(r == -1 && errno == EINVAL, "unaligned destination is refused (-1, EINVAL)");
  r = move_to(fd, (unsigned long)buf, (unsigned long)other - PAGE_SIZE);
  check(r == -1 && errno == EINVAL, "destination overlapping another VMA is refused (-1, EINVAL)");
  r = move_to(fd, (unsigned long)buf, 1UL << 47);
  check(r == -1 && errno == EINVAL, "destination beyond the user address space is refused (-1, EINVAL)");
  r = move_to(fd, (unsigned long)dest, (unsigned long)dest + (16 << 20));
  check(r == -1 && errno == EINVAL, "start that is not mapped is refused (-1, EINVAL)");

  r = move_to(fd, (unsigned long)buf, (unsigned long)dest);
  check(r == 0, "IOCTL_MVE_VMA_TO returns 0");
  printf("moved [%p, +%d) to %p\n", buf, (int)(NPAGES * PAGE_SIZE), dest);
  check_moved(buf, dest, NPAGES);
  r = move_to(fd, (unsigned long)buf, (unsigned long)dest + (16 << 20));
  check(r == -1 && errno == EINVAL, "the old start is no longer a VMA (-1, EINVAL)");
  return bt_done();
}
