/*
 * calls.c: recursion and indirect calls: a tree recursion whose every node
 * calls one of eight leaf functions through a table of function pointers,
 * chosen by the data, plus a mutual recursion (even/odd descent).
 * Usage: calls [ROUNDS]
 */
#include "bench.h"

#define NOINLINE __attribute__((noinline))

NOINLINE static uint64_t op0(uint64_t x, uint64_t y) { return x + y; }
NOINLINE static uint64_t op1(uint64_t x, uint64_t y) { return x ^ (y << 1); }
NOINLINE static uint64_t op2(uint64_t x, uint64_t y) { return x - (y >> 3); }
NOINLINE static uint64_t op3(uint64_t x, uint64_t y) { return (x << 5) ^ y; }
NOINLINE static uint64_t op4(uint64_t x, uint64_t y) { return x + y * 3; }
NOINLINE static uint64_t op5(uint64_t x, uint64_t y) { return (x | y) - (x & y); }
NOINLINE static uint64_t op6(uint64_t x, uint64_t y) { return (x >> 7) + y; }
NOINLINE static uint64_t op7(uint64_t x, uint64_t y) { return ~x + (y ^ 0x55); }

/* Not const and not static: the compiler cannot turn the calls into direct ones. */
uint64_t (*ops[8])(uint64_t, uint64_t) = {op0, op1, op2, op3, op4, op5, op6, op7};

/* A binary tree of calls, depth levels deep; each node applies an op picked by its value. */
NOINLINE static uint64_t tree(int depth, uint64_t x) {
  if (depth == 0) return ops[x & 7](x, (uint64_t)depth + 1);
  uint64_t l = tree(depth - 1, x * 5 + 1);
  uint64_t r = tree(depth - 1, x ^ l);
  return ops[(l >> 3) & 7](l, r);
}

NOINLINE static uint64_t odd(unsigned n, uint64_t x);
NOINLINE static uint64_t even(unsigned n, uint64_t x) { return n == 0 ? x : odd(n - 1, ops[n & 7](x, n)) + 1; }
NOINLINE static uint64_t odd(unsigned n, uint64_t x) { return n == 0 ? ~x : even(n - 1, x * 3) ^ n; }

int main(int argc, char **argv) {
  unsigned long rounds = bench_arg(argc, argv, 1, 800);
  uint64_t sum = 0;
  for (unsigned long i = 0; i < rounds; i++) {
    sum += tree(14, sum + i);
    sum ^= even(2000 + (unsigned)(i & 63), sum);
  }
  printf("calls %lu rounds: checksum %016lx\n", rounds, sum);
  return 0;
}
