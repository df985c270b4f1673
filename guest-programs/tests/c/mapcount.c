/* mapcount.c: vm.max_map_count as Linux applies it (mm/mmap.c do_mmap,
 * do_brk_flags; mm/vma.c split_vma, vms_gather_munmap_vmas; mm/mremap.c):
 * mmap and brk are refused once the count is past the limit (a count at the
 * limit still maps: the new mapping might merge), and so is any split that
 * would add a VMA at the limit: a hole punched by munmap, mprotect or
 * madvise of part of a mapping (madvise says -EAGAIN), mremap moving to a
 * fixed address. Unmapping
 * whole mappings, or one end of one, is always allowed.
 * `mapcount set` first lowers the limit to 24 above its own count through
 * /proc/sys/vm/max_map_count (vmlab lets any process write it; Linux wants
 * root, and the sysctl is the whole machine's); plain `mapcount` works at
 * the limit it reads (Linux's default 65530: it makes some 65,000 mappings).
 * Under qemu-riscv64 /proc/self/maps is qemu's own, so it cannot run there. */
#include "rt.h"

#define PAGE 4096UL
#define EAGAIN 11
#define ENOMEM 12
#define MAP_FIXED 0x10
#define MAP_NORESERVE 0x4000
#define MADV_DONTFORK 10
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define SYS_madvise 233

static long read_file(const char *path, char *buf, long size) {
  int fd = (int)syscall4(SYS_openat, -100, path, 0, 0);
  if (fd < 0) return fd;
  long n = 0, got;
  while (n < size && (got = read(fd, buf + n, size - n)) > 0) n += got;
  syscall1(SYS_close, fd);
  return n;
}

/* The lines of /proc/self/maps: the mm's VMAs (an x86-64 host's [vsyscall]
 * line is no VMA: it is left out, for running this natively). */
static long count(void) {
  static char buf[1 << 20];
  long lines = 0, col = 0;
  int vsyscall = 0;
  int fd = (int)syscall4(SYS_openat, -100, "/proc/self/maps", 0, 0);
  long got;
  while ((got = read(fd, buf, sizeof buf)) > 0)
    for (long i = 0; i < got; i++) {
      if (buf[i] == '\n') {
        lines++;
        col = 0;
      } else if (col++ == 0 && buf[i] == 'f') {
        vsyscall = 1; /* ffffffffff600000-...: the only line starting with f */
      }
    }
  syscall1(SYS_close, fd);
  return lines - vsyscall;
}

static long max_map_count(void) {
  char buf[32];
  long n = read_file("/proc/sys/vm/max_map_count", buf, sizeof buf), v = 0;
  for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) v = v * 10 + (buf[i] - '0');
  return v;
}

static int set_max_map_count(long v) {
  char buf[24];
  int i = sizeof buf;
  buf[--i] = '\n';
  do buf[--i] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  int fd = (int)syscall4(SYS_openat, -100, "/proc/sys/vm/max_map_count", 1, 0);
  if (fd < 0) return fd;
  long w = write(fd, buf + i, sizeof buf - i);
  syscall1(SYS_close, fd);
  return w < 0 ? (int)w : 0;
}

static void *map_at(void *at, size_t len, int prot) {
  return mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1, 0);
}

int main(int argc, char **argv) {
  long old = max_map_count();
  long limit = old;
  if (argc > 1 && argv[1][0] == 's' && set_max_map_count(count() + 24) == 0) limit = max_map_count();
  check(max_map_count() == limit, "vm.max_map_count reads back", max_map_count() - limit, 0);

  /* A PROT_NONE reservation; mappings made inside it never merge with each other. */
  unsigned long n = (unsigned long)limit + 64;
  char *res = mmap(0, n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (!check((long)res > 0, "a PROT_NONE reservation", (long)res, 0)) return 1;
  char *m = res + (n - 8) * PAGE;  /* three read-write pages */
  char *m2 = res + (n - 4) * PAGE; /* and three more */
  map_at(m, 3 * PAGE, PROT_READ | PROT_WRITE);
  map_at(m2, 3 * PAGE, PROT_READ | PROT_WRITE);
  /* Fill the rest of the way with single pages, alternately RW and R, up to limit - 1. */
  long c = count();
  unsigned long i = 0;
  while (c < limit - 1) {
    map_at(res + i * PAGE, PAGE, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE);
    i++;
    c++;
  }
  check(count() == limit - 1, "filled to one below the limit", count() - (limit - 1), 0);

  /* mprotect of a middle page needs two splits: the first is made, the second refused. */
  long r = mprotect(m + PAGE, PAGE, PROT_READ);
  check(r == -ENOMEM, "mprotect of a middle page: -ENOMEM", r, -ENOMEM);
  check(count() == limit, "  after one split (the count is now at the limit)", count() - limit, 0);

  void *p = map_at(0, PAGE, PROT_READ);
  check((long)p > 0, "mmap at the limit: allowed (one past it)", 0, 0);
  void *q = map_at(0, PAGE, PROT_READ);
  check(q == (void *)-ENOMEM, "mmap past the limit: -ENOMEM", (long)q, -ENOMEM);
  r = munmap(m2 + PAGE, PAGE);
  check(r == -ENOMEM, "munmap of a middle page: -ENOMEM", r, -ENOMEM);
  r = syscall3(SYS_madvise, m2, PAGE, MADV_DONTFORK);
  check(r == -EAGAIN, "madvise of one page of three: -EAGAIN (madvise's word for -ENOMEM)", r, -EAGAIN);
  r = syscall6(SYS_mremap, (long)m2, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (long)(res + i * PAGE), 0);
  check(r == -ENOMEM, "mremap to a fixed address: -ENOMEM", r, -ENOMEM);
  unsigned long brk0 = (unsigned long)sys_brk(0);
  unsigned long top = (brk0 + PAGE - 1) & ~(PAGE - 1);
  check((unsigned long)sys_brk((void *)(top + PAGE)) == brk0, "brk growth: refused", 0, 0);
  r = munmap(m2 + 2 * PAGE, PAGE);
  check(r == 0, "munmap of the last page of three: allowed", r, 0);
  r = munmap(p, PAGE);
  check(r == 0 && count() == limit, "munmap of a whole mapping: allowed", count() - limit, 0);
  r = mprotect(m2, 2 * PAGE, PROT_READ);
  check(r == 0, "mprotect of a whole mapping: allowed", r, 0);

  r = munmap(res, n * PAGE);
  check(r == 0, "munmap of everything: allowed", r, 0);
  p = map_at(0, PAGE, PROT_READ);
  check((long)p > 0, "mmap works again", 0, 0);
  if (limit != old) set_max_map_count(old);
  return failures != 0;
}
