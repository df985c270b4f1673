/* part1_2.c: part 1.2 of CS614 assignment 2 (insmod btplus;
 * docs/experiments/btplus.md): IOCTL_MVE_VMA moves the VMA that starts at the
 * given address to the first hole above it that fits, and writes the new
 * start into the user's buffer. -1 when the start is not a VMA's, when no
 * hole above fits (a 32 TiB VMA: every hole above it is smaller), or when the
 * result cannot be written (then nothing moves). After the move the contents
 * are at the same offsets, the new range is valid and the old one faults.
 * Prints PASS/FAIL per check; exits 1 if any failed.
 * (guest-programs/programs/btplus-part1_2.s is the same in assembly, without the no-hole case.) */
#include "btplus.h"

#define NPAGES 4

static int move(int fd, unsigned long start, unsigned long *newaddr) {
  struct mve_args a = {start, newaddr};
  return ioctl(fd, IOCTL_MVE_VMA, &a);
}

int main(void) {
  int fd = bt_open();
  unsigned long newaddr = 0;
  char *buf = filled(NPAGES);

  int r = move(fd, (unsigned long)buf + PAGE_SIZE, &newaddr);
  check(r == -1 && errno == EINVAL, "start inside a VMA is refused (-1, EINVAL)");
  r = move(fd, (unsigned long)buf, (unsigned long *)16);
  check(r == -1 && errno == EFAULT, "a bad newaddr pointer is refused (-1, EFAULT)");
  check(probe_read(buf) == 0 && *(unsigned long *)buf == 0x1000, "... and the VMA was not moved");

  /* No hole: nothing above a 32 TiB reservation is that large (the user half is 128 TiB). */
  unsigned long huge = 1UL << 45;
  char *big = mmap(NULL, huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (big == MAP_FAILED) {
    check(0, "no hole above a 32 TiB VMA is refused (-1, EINVAL)");
  } else {
    r = move(fd, (unsigned long)big, &newaddr);
    check(r == -1 && errno == EINVAL, "no hole above a 32 TiB VMA is refused (-1, EINVAL)");
    munmap(big, huge);
  }

  r = move(fd, (unsigned long)buf, &newaddr);
  check(r == 0, "IOCTL_MVE_VMA returns 0");
  check(newaddr >= (unsigned long)buf + NPAGES * PAGE_SIZE, "the new start is in a hole above the old VMA");
  printf("moved [%p, +%d) to %p\n", buf, (int)(NPAGES * PAGE_SIZE), (void *)newaddr);
  check_moved(buf, (char *)newaddr, NPAGES);
  return bt_done();
}
