/* memlimits.c: the memory limits as Linux enforces them (mm/mmap.c
 * may_expand_vm, check_data_rlimit, acct_stack_growth; mm/util.c
 * __vm_enough_memory under the default heuristic overcommit):
 *   - a private writable mapping larger than RAM is -ENOMEM (MAP_NORESERVE
 *     or a read-only one is not charged);
 *   - RLIMIT_AS bounds all mappings: mmap -ENOMEM, brk unchanged, mremap
 *     growth -ENOMEM, stack growth SIGSEGV;
 *   - RLIMIT_DATA bounds private writable mappings and brk;
 *   - RLIMIT_STACK bounds stack growth (SIGSEGV);
 *   - RLIMIT_MEMLOCK bounds MAP_LOCKED (-EAGAIN).
 * `memlimits qemu` stops after the first check: qemu-riscv64 cannot map 2^46
 * bytes at all (they do not fit its guest address space), and it accepts
 * setrlimit of AS, DATA and STACK without applying them (they would bind
 * qemu itself). */
#include "rt.h"

#define PAGE 4096UL
#define EAGAIN 11
#define ENOMEM 12
#define MAP_NORESERVE 0x4000
#define MAP_LOCKED 0x2000
#define MREMAP_MAYMOVE 1

static long mremap(void *old, size_t old_len, size_t new_len, int flags) {
  return syscall6(SYS_mremap, (long)old, (long)old_len, (long)new_len, flags, 0, 0);
}

static int memcmp_(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return a[i] - b[i];
  return 0;
}

/* A "Vm...:" value of /proc/self/status, in bytes. */
static unsigned long vm_bytes(const char *field) {
  char buf[4096];
  int fd = (int)syscall4(SYS_openat, -100, "/proc/self/status", 0, 0);
  long n = read(fd, buf, sizeof buf - 1);
  syscall1(SYS_close, fd);
  buf[n > 0 ? n : 0] = 0;
  size_t len = strlen(field);
  for (long i = 0; i < n; i++) {
    if ((i == 0 || buf[i - 1] == '\n') && !memcmp_(buf + i, field, len)) {
      unsigned long v = 0;
      for (char *p = buf + i + len; *p; p++)
        if (*p >= '0' && *p <= '9') v = v * 10 + (unsigned long)(*p - '0');
        else if (v != 0 || *p == '\n') break;
      return v * 1024;
    }
  }
  return 0;
}

static void *map(size_t len, int prot, int flags) { return mmap(0, len, prot, flags | MAP_ANONYMOUS, -1, 0); }

static void set(int resource, unsigned long cur) {
  struct rlimit r;
  getrlimit(resource, &r);
  r.cur = cur;
  setrlimit(resource, &r);
}

/* Touches the stack `depth` bytes below here, a page at a time, from a child; returns its wait status. */
static volatile char *sink;
static void dig(unsigned long depth) {
  volatile char pad[PAGE];
  pad[0] = 1;
  sink = pad;
  if (depth > PAGE) dig(depth - PAGE);
  pad[1] = pad[0]; /* no tail call: each frame stays */
}
static int child_digs(unsigned long depth) {
  int pid = fork();
  if (pid == 0) {
    dig(depth);
    exit(0);
  }
  int status = 0;
  waitpid(pid, &status);
  return status;
}

int main(int argc, char **argv) {
  int qemu = argc > 1 && argv[1][0] == 'q';
  /* Heuristic overcommit: 2^46 bytes can never be backed. */
  void *p = map(1UL << 46, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  check(p == (void *)-ENOMEM, "mmap of 2^46 private writable bytes: -ENOMEM", (long)p, -ENOMEM);
  if (qemu) return failures != 0;
  p = map(1UL << 46, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE);
  check((long)p > 0, "  with MAP_NORESERVE it is not charged: mapped", 0, 0);
  munmap(p, 1UL << 46);
  p = map(1UL << 46, PROT_READ, MAP_PRIVATE);
  check((long)p > 0, "  read-only it is not charged either: mapped", 0, 0);
  munmap(p, 1UL << 46);

  /* RLIMIT_AS: room for 16 more pages. */
  unsigned long size = vm_bytes("VmSize:");
  set(RLIMIT_AS, size + 16 * PAGE);
  char *a = map(8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  check((long)a > 0, "RLIMIT_AS: 8 pages of the 16 left map", 0, 0);
  p = map(9 * PAGE, PROT_READ, MAP_PRIVATE);
  check(p == (void *)-ENOMEM, "  9 more: -ENOMEM (read-only too)", (long)p, -ENOMEM);
  p = map(8 * PAGE, PROT_READ, MAP_SHARED);
  check((long)p > 0, "  8 more shared: mapped, the limit reached exactly", 0, 0);
  unsigned long brk0 = (unsigned long)sys_brk(0);
  unsigned long top = (brk0 + PAGE - 1) & ~(PAGE - 1);
  check((unsigned long)sys_brk((void *)(top + PAGE)) == brk0, "  brk growth: refused, the break unchanged", 0, 0);
  long r = mremap(a, 8 * PAGE, 9 * PAGE, MREMAP_MAYMOVE);
  check(r == -ENOMEM, "  mremap growth: -ENOMEM", r, -ENOMEM);
  a[0] = 'a';
  r = mremap(a, 8 * PAGE, 4 * PAGE, 0);
  check(r == (long)a && a[0] == 'a', "  mremap shrink: allowed", r - (long)a, 0);
  r = mremap(a, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
  check(r > 0, "  and growing back into the room it freed: allowed", 0, 0);
  int st = child_digs(256 * PAGE);
  check(st == SIGSEGV, "  stack growth past it: SIGSEGV", st, SIGSEGV);
  munmap(p, 8 * PAGE);
  munmap((void *)r, 8 * PAGE);
  set(RLIMIT_AS, RLIM_INFINITY);

  /* RLIMIT_DATA: private writable memory and the heap, 4 pages more than now. */
  unsigned long data = vm_bytes("VmData:");
  set(RLIMIT_DATA, data + 4 * PAGE);
  a = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  check((long)a > 0, "RLIMIT_DATA: 4 private writable pages map", 0, 0);
  p = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  check(p == (void *)-ENOMEM, "  one more: -ENOMEM", (long)p, -ENOMEM);
  p = map(64 * PAGE, PROT_READ, MAP_PRIVATE);
  check((long)p > 0, "  read-only pages are not data: mapped", 0, 0);
  munmap(p, 64 * PAGE);
  p = map(64 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
  check((long)p > 0, "  shared writable pages are not data: mapped", 0, 0);
  munmap(p, 64 * PAGE);
  munmap(a, 4 * PAGE);
  check((unsigned long)sys_brk((void *)(top + 8 * PAGE)) == brk0, "  brk 8 pages up: refused", 0, 0);
  check((unsigned long)sys_brk((void *)(top + 2 * PAGE)) == top + 2 * PAGE, "  brk 2 pages up: allowed", 0, 0);
  sys_brk((void *)brk0);
  set(RLIMIT_DATA, RLIM_INFINITY);

  /* RLIMIT_STACK: 256 KiB; a child digging 128 KiB is fine, 1 MiB dies. */
  set(RLIMIT_STACK, 64 * PAGE);
  st = child_digs(32 * PAGE);
  check(st == 0, "RLIMIT_STACK 256 KiB: a child using 128 KiB of stack exits 0", st, 0);
  st = child_digs(256 * PAGE);
  check(st == SIGSEGV, "  one using 1 MiB: SIGSEGV", st, SIGSEGV);
  set(RLIMIT_STACK, 8 << 20);

  /* RLIMIT_MEMLOCK (8 MiB): MAP_LOCKED counts against it. */
  p = map(1024 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_LOCKED);
  check((long)p > 0, "RLIMIT_MEMLOCK: 4 MiB MAP_LOCKED maps", 0, 0);
  void *q = map(1025 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_LOCKED);
  check(q == (void *)-EAGAIN, "  4 MiB + 4 KiB more: -EAGAIN", (long)q, -EAGAIN);
  munmap(p, 1024 * PAGE);
  return failures != 0;
}
