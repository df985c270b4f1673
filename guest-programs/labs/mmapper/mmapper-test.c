/* mmapper-test.c: the user side of the mmap lab (insmod mmapper;
 * docs/experiments/mmapper.md), the lecture's test program grown into
 * checks: for each of the driver's three ways of mapping a kernel buffer
 * (remap_pfn_range of a kmalloc buffer, vmalloc_to_pfn page by page at mmap
 * time, the driver's fault handler) it maps /dev/mmapper, checks every byte
 * the kernel wrote, prints the frames behind the pages (/proc/self/pagemap)
 * and, for the fault-handler mode, how many faults the driver served. Then
 * the lecture's "hack test": the driver put_user()s an 'X' into a page not
 * yet faulted in (its own mapping, then anonymous memory), into an unmapped
 * address and into a kernel address. Exits 0 when every check passed.
 * `mmapper-test hold` maps the device (mode 3), touches one page and sleeps
 * an hour, keeping the module in use (rmmod refuses).
 * (guest-programs/programs/mmapper-test.s is the same in assembly.) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MMAPPER_SET_MODE _IO('m', 1)
#define MMAPPER_FAULTS _IO('m', 2)
#define MMAPPER_PUT_USER _IOW('m', 3, unsigned long)
#define LEN 16384
#define PAGES 4
#define PAGE_SIZE 4096

static const char *mode_names[] = {
    "kmalloc buffer, remap_pfn_range at mmap time",
    "vmalloc buffer, vmalloc_to_pfn page by page at mmap time",
    "vmalloc buffer, mapped page by page by the driver's fault handler",
};

static char *map_device(int fd) { return mmap(0, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0); }

/* Prints the driver's fault count; 0 if it is `expected`, else 1. */
static int faults_check(int fd, const char *when, int expected) {
  int n = ioctl(fd, MMAPPER_FAULTS, 0);
  printf("  faults %s: %d\n", when, n);
  return n != expected;
}

/* Asks the driver to put_user into addr; prints the result; 0 if it was -1 with errno EFAULT. */
static int put_user_fails(int fd, const char *what, unsigned long addr) {
  int r = ioctl(fd, MMAPPER_PUT_USER, addr);
  int e = errno;
  printf("  into %s (%p): ret %d, errno %d (%s)\n", what, (void *)addr, r, e, strerror(e));
  return !(r == -1 && e == EFAULT);
}

/* 1 if p[0..LEN) is what the kernel wrote: '0' + i % 10 in the kmalloc buffer, 'a' + i % 26 in the vmalloc one. */
static int check_pattern(const char *p, int mode) {
  for (int i = 0; i < LEN; i++)
    if (p[i] != (mode == 1 ? '0' + i % 10 : 'a' + i % 26)) return 0;
  return 1;
}

/* The frame behind addr (bits 0-54 of its pagemap entry), or -1 if not present. */
static long pfn_of(int pm, const void *addr) {
  unsigned long e;
  lseek(pm, (unsigned long)addr / PAGE_SIZE * 8, SEEK_SET);
  if (read(pm, &e, 8) != 8 || !(e & (1UL << 63))) return -1;
  return (long)(e & ((1UL << 55) - 1));
}

/* Prints the frames of the PAGES pages at p; 1 if all are present and consecutive. */
static int show_pfns(int pm, const char *p) {
  int contiguous = 1;
  long prev = -2;
  printf("  pfns:");
  for (int i = 0; i < PAGES; i++) {
    long pfn = pfn_of(pm, p + i * PAGE_SIZE);
    if (pfn < 0) {
      contiguous = 0;
      prev = -2;
      printf(" -");
      continue;
    }
    if (i > 0 && pfn != prev + 1) contiguous = 0;
    prev = pfn;
    printf(" 0x%lx", pfn);
  }
  printf(" (%s)\n", contiguous ? "contiguous" : "not contiguous");
  return contiguous;
}

int main(int argc, char *argv[]) {
  (void)argv;
  int fd = open("/dev/mmapper", O_RDWR);
  if (fd < 0) {
    perror("/dev/mmapper");
    return 1;
  }
  if (argc > 1) { /* hold */
    ioctl(fd, MMAPPER_SET_MODE, 3);
    char *p = map_device(fd);
    (void)*(volatile char *)p;
    printf("holding /dev/mmapper mapped at %p\n", p);
    fflush(stdout);
    sleep(3600);
    return 0;
  }
  int pm = open("/proc/self/pagemap", O_RDONLY), fails = 0;
  for (int mode = 1; mode <= 3; mode++) {
    printf("mode %d: %s\n", mode, mode_names[mode - 1]);
    fails += ioctl(fd, MMAPPER_SET_MODE, mode) != 0;
    char *p = map_device(fd);
    if (p == MAP_FAILED) {
      perror("mmap");
      fails++;
      continue;
    }
    printf("  mptr is %p for size %d\n", p, LEN);
    if (mode == 3) { /* nothing is mapped until touched */
      fails += faults_check(fd, "before touching", 0);
      (void)*(volatile char *)p;
      fails += faults_check(fd, "after reading page 0", 1);
    }
    int ok = check_pattern(p, mode);
    printf("  mmap: '%.32s'\n", p);
    printf("  pattern: %s\n", ok ? "ok" : "MISMATCH");
    fails += !ok;
    if (!show_pfns(pm, p) && mode == 1) fails++; /* remap_pfn_range of a kmalloc buffer: one contiguous run */
    if (mode == 3) fails += faults_check(fd, "after reading every page", PAGES);
    munmap(p, LEN);
  }

  puts("put_user from the driver:");
  /* A mode-3 mapping nobody touched: the kernel takes the fault inside put_user, the driver's handler maps the page. */
  ioctl(fd, MMAPPER_SET_MODE, 3);
  char *p = map_device(fd);
  int r = ioctl(fd, MMAPPER_PUT_USER, p);
  fails += r != 0;
  printf("  into the mode-3 mapping, not faulted in (%p): ret %d\n", p, r);
  fails += faults_check(fd, "after put_user", 1);
  printf("  mmap: '%.32s'\n", p); /* 'Xbcdefgh...': the 'a' overwritten */
  fails += p[0] != 'X';
  p[0] = 'a'; /* the buffer as it was, for the next run */
  munmap(p, LEN);
  /* Anonymous memory, mapped and never touched: the fault inside put_user allocates the page. */
  char *anon = mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  r = ioctl(fd, MMAPPER_PUT_USER, anon);
  char c = anon[0];
  fails += r != 0;
  fails += c != 'X';
  printf("  into an anonymous page never touched (%p): ret %d, value '%c'\n", anon, r, c);
  munmap(anon, PAGE_SIZE);
  /* The same address, now unmapped: -EFAULT, and the kernel carries on. */
  fails += put_user_fails(fd, "an unmapped address", (unsigned long)anon);
  /* A kernel address (the direct map): refused by access_ok. */
  fails += put_user_fails(fd, "a kernel address", 0xffff888000000000UL);
  if (fails) {
    printf("FAILED: %d check(s)\n", fails);
    return 1;
  }
  puts("all checks passed");
  return 0;
}
