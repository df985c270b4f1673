/* mremaptop.c: mremap(2) of an old range that runs past TASK_SIZE is -EINVAL
 * before anything changes (Linux: the shrink's do_vmi_munmap checks
 * `len > TASK_SIZE - start`; mremap_to does it for MREMAP_FIXED). vmlab once
 * unmapped into the kernel half there, corrupting the page tables every
 * process shares (issue 12, finding 2). Afterwards the mapping is intact, and
 * a child can still fork, run and exit. */
#include "rt.h"

#define PAGE 4096UL
#define EINVAL 22
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

static long mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr) {
  return syscall6(SYS_mremap, (long)old, (long)old_len, (long)new_len, flags, (long)new_addr, 0);
}

int main(int argc, char **argv) {
  /* `mremaptop qemu` stops before the check qemu-riscv64 gets wrong (the last). */
  int qemu = argc > 1 && argv[1][0] == 'q';
  char *p = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!check(p != MAP_FAILED, "mmap 2 pages", 0, 0)) return 1;
  p[0] = 'a';
  p[PAGE] = 'b';
  /* Past any TASK_SIZE (47, 48 or 57 bits), whatever the address of p. */
  unsigned long past = (1UL << 63) - (unsigned long)p;
  long r = mremap(p, past, PAGE, 0, 0);
  check(r == -EINVAL, "shrinking a range that runs past TASK_SIZE: -EINVAL", r, -EINVAL);
  r = mremap(p, past, PAGE, MREMAP_MAYMOVE, 0);
  check(r == -EINVAL, "  with MREMAP_MAYMOVE: -EINVAL", r, -EINVAL);
  char *dst = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  r = mremap(p, past, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
  check(r == -EINVAL, "  with MREMAP_FIXED: -EINVAL", r, -EINVAL);
  check(p[0] == 'a' && p[PAGE] == 'b', "both pages are intact", p[0], 'a');
  r = mremap(p, 2 * PAGE, PAGE, 0, 0);
  check(r == (long)p, "a shrink within the mapping still works", r - (long)p, 0);

  int pid = fork();
  if (pid == 0) exit(p[0] == 'a' ? 7 : 1);
  int status = 0;
  waitpid(pid, &status);
  check(status == (7 << 8), "a child forks, reads the page and exits 7", status, 7 << 8);
  if (qemu) return failures != 0;

  /* qemu's mremap says -ENOMEM; Linux's shrink unmaps [p + 4096, p + 2^64 - 4096): past TASK_SIZE. */
  r = mremap(p, -PAGE, PAGE, 0, 0);
  check(r == -EINVAL, "an old length of 2^64 - 4096: -EINVAL", r, -EINVAL);
  return failures != 0;
}
