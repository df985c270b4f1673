/*
 * printf-oracle.c: one program, built twice: against glibc (the oracle:
 * riscv64-linux-gnu-gcc -static) and with -DVMLAB against vmlab.h and the
 * guest runtime library. tests/guest/libc-oracle.test.ts runs both under
 * qemu-riscv64 and wants the same bytes from each.
 */
#ifdef VMLAB
#include "vmlab.h"
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#endif

static void sn(size_t size, const char *fmt, long v) {
  char buf[64];
  memset(buf, '#', sizeof buf);
  int n = snprintf(buf, size, fmt, v);
  buf[63] = 0;
  printf("snprintf(%lu, \"%s\") = %d [%s]\n", size, fmt, n, size ? buf : "-");
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  int ints[] = {0, 1, -1, 42, -42, 2147483647, -2147483647 - 1, 1000000};
  const char *ifmts[] = {"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%8.3d", "%-8.3d|",
                         "%08.3d", "%u", "%x", "%X", "%#x", "%#o", "%o", "%.0d", "%+05d", "%-+6d|", "%hd", "%hhd",
                         "%hu", "%hhx"};
  for (unsigned f = 0; f < sizeof ifmts / sizeof *ifmts; f++) {
    for (unsigned i = 0; i < sizeof ints / sizeof *ints; i++) {
      printf("[");
      printf(ifmts[f], ints[i]);
      printf("] ");
    }
    printf("\n");
  }
  long longs[] = {0L, -1L, 0x7fffffffffffffffL, -0x7fffffffffffffffL - 1, 0x123456789abcdefL};
  const char *lfmts[] = {"%ld", "%lu", "%lx", "%lX", "%llx", "%lld", "%zu", "%zx", "%20ld", "%-20lx|", "%020lu", "%#lx"};
  for (unsigned f = 0; f < sizeof lfmts / sizeof *lfmts; f++) {
    for (unsigned i = 0; i < sizeof longs / sizeof *longs; i++) {
      printf("[");
      printf(lfmts[f], longs[i]);
      printf("] ");
    }
    printf("\n");
  }
  printf("[%p] [%p] [%20p] [%-20p] [%p]\n", (void *)0, (void *)0x1000, (void *)0xdeadbeef, (void *)0x10, (void *)-1L);
  printf("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%s] [%.3s] [%10s]\n", "abc", "abc", "abc", "abc", "abc", "", (char *)0,
         (char *)0);
  printf("[%c] [%3c] [%-3c] [%c%c%c] [%%] [%5%]\n", 'x', 'y', 'z', 'a', 0x62, 'c');
  printf("[%*d] [%-*d] [%*d] [%.*d] [%*.*s]\n", 6, 42, 6, 42, -6, 42, 4, 7, 8, 2, "hello");
  printf("%s=%d, %s=%x, %s=%c, %s=%lu, %s=%s, %s=%ld\n", "a", 1, "b", 0xbeef, "c", 'C', "d", 123456789012UL, "e",
         "str", "f", -5L);
  sn(0, "%ld", 12345);
  sn(1, "%ld", 12345);
  sn(3, "%ld", 12345);
  sn(6, "%ld", 12345);
  sn(64, "%ld", 12345);
  sn(4, "<%lx>", 0xabcdef);
  char big[700];
  for (int i = 0; i < 699; i++) big[i] = 'a' + i % 26;
  big[699] = 0;
  int n = printf("%s|%d\n", big, 7);
  printf("long printf returned %d\n", n);
  char buf[32];
  n = sprintf(buf, "%d-%s-%c", 12, "ab", 'z');
  printf("sprintf %d [%s]\n", n, buf);
  return 0;
}
