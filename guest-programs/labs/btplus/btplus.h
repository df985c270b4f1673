/* btplus.h: what the CS614 assignment-2 test programs (part1_1.c ... part3.c)
 * share: the btplus driver's ioctls (insmod btplus; docs/experiments/btplus.md),
 * a PASS/FAIL checker, and probes that touch an address under a SIGSEGV
 * handler and give back the x86 page-fault error code vmlab's signal frame
 * carries (0 when the access did not fault). */
#ifndef BTPLUS_H
#define BTPLUS_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmlab/signal.h"

#define PAGE_SIZE 4096UL

struct mve_to_args { unsigned long start, dest; };
struct mve_args { unsigned long start; unsigned long *newaddr; };

#define IOCTL_MVE_VMA_TO _IOW('b', 1, struct mve_to_args)
#define IOCTL_MVE_VMA _IOWR('b', 2, struct mve_args)
struct compact_args { unsigned long start, npages; unsigned long *table; };
struct walk_args { unsigned long va, entry, level; };
#define IOCTL_PROMOTE_VMA _IO('b', 3)
#define IOCTL_COMPACT_VMA _IOWR('b', 4, struct compact_args)
/* vmlab's addition: the leaf entry mapping va and its level (2: a PS=1 PMD, 1: a PTE). */
#define BTPLUS_WALK _IOWR('b', 5, struct walk_args)

#define MB (1UL << 20)
#define HPAGE_SIZE (2 * MB)
#define PROMOTE "/sys/kernel/kobject_cs614/promote"

static int checks, fails;

/* Prints "PASS: what" or "FAIL: what". */
static inline void check(int ok, const char *what) {
  checks++;
  if (!ok) fails++;
  printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
}

/* The summary line; the exit status (1 if any check failed). */
static inline int bt_done(void) {
  printf("%d check(s), %d failed\n", checks, fails);
  return fails != 0;
}

static sigjmp_buf probe_env;
static long probe_err;

static inline void on_segv(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)info;
  probe_err = *(long *)((char *)uc + VMLAB_UC_ERR);
  siglongjmp(probe_env, 1);
}

/* Reads a byte: 0, or the fault's error code (4: a user read of a page not present). */
static inline long probe_read(void *p) {
  if (sigsetjmp(probe_env, 1) == 0) {
    (void)*(volatile char *)p;
    return 0;
  }
  return probe_err;
}

/* Writes a byte (0x5a): 0, or the fault's error code (6: a user write to a page not present). */
static inline long probe_write(void *p) {
  if (sigsetjmp(probe_env, 1) == 0) {
    *(volatile char *)p = 0x5a;
    return 0;
  }
  return probe_err;
}

/* Opens /dev/btplus and installs the SIGSEGV handler; the fd (exits 2 without the driver). */
static inline int bt_open(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  int fd = open("/dev/btplus", O_RDWR);
  if (fd < 0) {
    perror("/dev/btplus");
    exit(2);
  }
  return fd;
}

/* The checks both part 1 programs make after a move of npages pages from old to new: every page's
 * fill word (0x100 + i) << 4, at offsets 0 and 2040, is at the same offset of the new range; the new
 * range reads and writes; the old range faults with error code 0x4 on a read and 0x6 on a write. */
static inline void check_moved(char *old, char *new, int npages) {
  int same = 1;
  for (int i = 0; i < npages; i++) {
    unsigned long want = (0x100UL + i) << 4;
    if (*(unsigned long *)(new + i * PAGE_SIZE) != want || *(unsigned long *)(new + i * PAGE_SIZE + 2040) != want) same = 0;
  }
  check(same, "every page's contents are at the same offset of the new range");
  check(probe_read(new) == 0, "read of the new range succeeds");
  check(probe_write(new + 3 * PAGE_SIZE + 100) == 0, "write to the new range succeeds");
  check(probe_read(old) == 4, "read of the old range faults, error code 0x4");
  check(probe_write(old + PAGE_SIZE) == 6, "write to the old range faults, error code 0x6");
}

/* An anonymous read-write VMA of npages pages, each page's words at 0 and 2040 set to (0x100 + i) << 4. */
static inline char *filled(int npages) {
  char *p = mmap(NULL, npages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  for (int i = 0; i < npages; i++) {
    *(unsigned long *)(p + i * PAGE_SIZE) = (0x100UL + i) << 4;
    *(unsigned long *)(p + i * PAGE_SIZE + 2040) = (0x100UL + i) << 4;
  }
  return p;
}

/* An anonymous read-write VMA of len bytes that starts on a 2 MiB boundary (mapped 2 MiB longer, then trimmed). */
static inline char *map_aligned(unsigned long len) {
  char *p = mmap(NULL, len + HPAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  char *a = (char *)(((unsigned long)p + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1));
  if (a > p) munmap(p, a - p);
  if (p + len + HPAGE_SIZE > a + len) munmap(a + len, p + len + HPAGE_SIZE - (a + len));
  return a;
}

/* BTPLUS_WALK: 2 when va is mapped by a PS=1 PMD, 1 by a PTE, 0 not mapped. */
static inline long walk_level(int fd, void *va) {
  struct walk_args w = {(unsigned long)va, 0, 0};
  return ioctl(fd, BTPLUS_WALK, &w) == 0 ? (long)w.level : 0;
}

/* The /proc/self/pagemap entries of the n pages at va. */
static inline void pagemap(void *va, unsigned long *e, int n) {
  int pm = open("/proc/self/pagemap", O_RDONLY);
  lseek(pm, (unsigned long)va / PAGE_SIZE * 8, SEEK_SET);
  if (read(pm, e, n * 8) != n * 8) memset(e, 0, n * 8);
  close(pm);
}

#define PM_PRESENT (1UL << 63)
#define PM_PFN(e) ((e) & ((1UL << 55) - 1))

/* 1 if pagemap shows the 512 pages at va present, on consecutive frames of one 2 MiB-aligned block. */
static inline int hpage_run(void *va) {
  static unsigned long e[512];
  pagemap(va, e, 512);
  if (!(e[0] & PM_PRESENT) || PM_PFN(e[0]) % 512 != 0) return 0;
  for (int i = 0; i < 512; i++)
    if (!(e[i] & PM_PRESENT) || PM_PFN(e[i]) != PM_PFN(e[0]) + i) return 0;
  return 1;
}

/* IOCTL_PROMOTE_VMA, then 1 written to promote; waits for the thread to write 0 back. 1 if it did. */
static inline int promote_round(int fd) {
  if (ioctl(fd, IOCTL_PROMOTE_VMA) != 0) return 0;
  int f = open(PROMOTE, O_RDWR);
  write(f, "1\n", 2);
  close(f);
  for (int tries = 0; tries < 1000; tries++) {
    usleep(1000); /* the thread runs between time slices */
    char c = 0;
    f = open(PROMOTE, O_RDONLY);
    read(f, &c, 1);
    close(f);
    if (c == '0') return 1;
  }
  return 0;
}

#endif /* BTPLUS_H */
