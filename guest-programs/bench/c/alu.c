/*
 * alu.c: a 64-bit ALU loop: adds, xors, shifts, rotates, compares and a
 * data-dependent branch, all in registers (no memory access in the loop).
 * Usage: alu [ITERATIONS]
 */
#include "bench.h"

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

int main(int argc, char **argv) {
  unsigned long n = bench_arg(argc, argv, 1, 150000000);
  uint64_t a = 0x0123456789abcdefull, b = 0xfedcba9876543210ull, c = 1, d = 0;
  for (unsigned long i = 0; i < n; i++) {
    a += b ^ (c << 7);
    b = rotl(b ^ a, 13);
    c = (c + i) ^ (a >> 11);
    if ((int64_t)(a - b) < 0) d += c;
    else d ^= b >> 3;
  }
  printf("alu %lu iterations: checksum %016lx\n", n, a ^ b ^ c ^ d);
  return 0;
}
