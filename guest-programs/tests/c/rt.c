/* rt.c: _start and the helpers declared in rt.h. */
#include "rt.h"

/* _start: argc at 0(sp), argv after it, envp after argv's NULL; gp for
 * linker relaxation; main's return value is the exit status. */
__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    ".option push\n"
    ".option norelax\n"
    "  la gp, __global_pointer$\n"
    ".option pop\n"
    "  ld a0, 0(sp)\n"
    "  addi a1, sp, 8\n"
    "  slli t0, a0, 3\n"
    "  add a2, a1, t0\n"
    "  addi a2, a2, 8\n"
    "  call main\n"
    "  li a7, 94\n"
    "  ecall\n");

int failures;

/* gcc -O2 would turn these loops into calls to memset/memcpy themselves. */
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALLS void *memset(void *s, int c, size_t n) {
  unsigned char *p = s;
  while (n--) *p++ = (unsigned char)c;
  return s;
}

NO_LIBCALLS void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

void puts_(const char *s) { write(1, s, strlen(s)); }

void put_dec(long v) {
  char buf[24];
  int i = sizeof buf;
  unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
  do buf[--i] = (char)('0' + u % 10);
  while ((u /= 10) != 0);
  if (v < 0) buf[--i] = '-';
  write(1, buf + i, sizeof buf - i);
}

void put_hex(unsigned long v) {
  char buf[20];
  int i = sizeof buf;
  do buf[--i] = "0123456789abcdef"[v & 15];
  while ((v >>= 4) != 0);
  buf[--i] = 'x';
  buf[--i] = '0';
  write(1, buf + i, sizeof buf - i);
}

int check(int cond, const char *label, long got, long expected) {
  if (cond) {
    puts_("ok ");
    puts_(label);
    puts_("\n");
  } else {
    failures++;
    puts_("FAIL ");
    puts_(label);
    puts_(": got ");
    put_dec(got);
    puts_(", expected ");
    put_dec(expected);
    puts_("\n");
  }
  return cond;
}

/* Waits (yielding) until /proc/PID/status says "State:\tS": the process is
 * asleep, e.g. blocked in wait4 or rt_sigsuspend. Linux and vmlab alike. */
void wait_until_asleep(int pid) {
  char path[32] = "/proc/", buf[512];
  int n = 6;
  char digits[12];
  int d = 0;
  do digits[d++] = (char)('0' + pid % 10);
  while ((pid /= 10) != 0);
  while (d > 0) path[n++] = digits[--d];
  memcpy(path + n, "/status", 8);
  for (;;) {
    int fd = (int)syscall4(SYS_openat, -100, path, 0, 0);
    if (fd < 0) return;
    long got = read(fd, buf, sizeof buf - 1);
    syscall1(SYS_close, fd);
    buf[got > 0 ? got : 0] = 0;
    for (long i = 0; i + 8 < got; i++)
      if (buf[i] == '\n' && buf[i + 1] == 'S' && buf[i + 2] == 't' && buf[i + 7] == '\t') {
        if (buf[i + 8] == 'S') return;
        break;
      }
    syscall0(SYS_sched_yield);
  }
}
