/* heap.c: a bump allocator on brk(2): grow by 1 MiB steps to 8 MiB, fill,
 * checksum, shrink. */
#include "rt.h"

#define STEP (1L << 20)
#define STEPS 8

int main(void) {
  char *base = sys_brk(0);
  char *cur = base;
  for (int i = 0; i < STEPS; i++) {
    char *want = cur + STEP;
    char *got = sys_brk(want);
    if (!check(got == want, "brk grows by 1 MiB", got - base, want - base)) return 1;
    cur = got;
  }
  unsigned long sum = 0;
  for (long i = 0; i < STEPS * STEP; i += 64) base[i] = (char)(i >> 6);
  for (long i = 0; i < STEPS * STEP; i += 64) sum += (unsigned char)base[i];
  check(sum == 16711680UL, "8 MiB of heap holds its bytes", (long)sum, 16711680L);
  check(sys_brk(base) == base, "brk shrinks back", 0, 0);
  return failures != 0;
}
