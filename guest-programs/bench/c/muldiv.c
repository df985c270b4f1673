/*
 * muldiv.c: a chain of M-extension operations, each feeding the next:
 * mul, mulh (the high half of 64x64, unsigned and signed), div/divu,
 * rem/remu and the 32-bit mulw/divw/remw; divisors are never zero.
 * Usage: muldiv [ITERATIONS]
 */
#include "bench.h"

int main(int argc, char **argv) {
  unsigned long n = bench_arg(argc, argv, 1, 45000000);
  uint64_t x = 0x2545f4914f6cdd1dull, acc = 0;
  int64_t s = -1234567891011ll;
  uint32_t w = 0xdeadbeef;
  for (unsigned long i = 0; i < n; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t hi = (uint64_t)(((unsigned __int128)x * 0x9e3779b97f4a7c15ull) >> 64);
    int64_t shi = (int64_t)(((__int128)s * (int64_t)x) >> 64);
    uint64_t q = x / ((hi | 1) >> 20 | 1);
    uint64_t r = x % (q | 3);
    int64_t sq = s / (int64_t)((i & 0xffff) + 7);
    int64_t sr = shi % (int64_t)(r | 5);
    w = w * 2654435761u + (uint32_t)q;
    int32_t wq = (int32_t)w / (int32_t)((w >> 8) | 1);
    int32_t wr = (int32_t)w % 1000003;
    s = sq * 31 - sr + shi + wq;
    if (s == 0) s = 1;
    acc += hi ^ q ^ r ^ (uint64_t)s ^ (uint64_t)(int64_t)wr;
  }
  printf("muldiv %lu iterations: checksum %016lx\n", n, acc ^ x);
  return 0;
}
