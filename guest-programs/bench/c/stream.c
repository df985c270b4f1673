/*
 * stream.c: a memory stream over a fresh anonymous mapping: mmap MIB
 * MiB, then PASSES passes of STREAM-like kernels over its two halves
 * (a and b, 64-bit words): the first pass writes every page for the first
 * time (one demand-zero page fault per 4 KiB page), the others copy, scale
 * and add through memory. The mapping stays until exit, so the memory the
 * guest touches is MIB MiB at its peak.
 * Usage: stream [MIB [PASSES]]
 */
#include <sys/mman.h>
#include "bench.h"

int main(int argc, char **argv) {
  unsigned long mib = bench_arg(argc, argv, 1, 64);
  unsigned long passes = bench_arg(argc, argv, 2, 36);
  size_t bytes = mib << 20, n = bytes / 16;
  uint64_t *a = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) {
    printf("stream: mmap of %lu MiB failed\n", mib);
    return 1;
  }
  uint64_t *b = a + n;
  for (size_t i = 0; i < n; i++) a[i] = i * 0x9e3779b97f4a7c15ull;
  uint64_t sum = 0;
  for (unsigned long p = 0; p < passes; p++) {
    switch (p % 3) {
    case 0: /* copy */
      for (size_t i = 0; i < n; i++) b[i] = a[i];
      break;
    case 1: /* scale */
      for (size_t i = 0; i < n; i++) a[i] = b[i] * 3 + p;
      break;
    case 2: /* add */
      for (size_t i = 0; i < n; i++) b[i] += a[i];
      break;
    }
    uint64_t s = 0;
    for (size_t i = 0; i < n; i += 511) s += a[i] ^ (b[i] >> 1);
    sum = sum * 31 + s;
  }
  printf("stream %lu MiB %lu passes: checksum %016lx\n", mib, passes, sum);
  return 0;
}
