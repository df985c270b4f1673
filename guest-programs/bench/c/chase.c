/*
 * chase.c: a pointer chase over a fresh anonymous mapping of MIB MiB:
 * one node per 4 KiB page at a pseudo-random offset in it, linked in one
 * random cycle (Sattolo's shuffle, seeded), then HOPS loads, each depending
 * on the one before: nearly every hop misses the TLB and the caches.
 * Building the cycle writes every page (one demand-zero fault each).
 * Usage: chase [MIB [HOPS]]
 */
#include <sys/mman.h>
#include "bench.h"

#define PAGE 4096

int main(int argc, char **argv) {
  unsigned long mib = bench_arg(argc, argv, 1, 256);
  unsigned long hops = bench_arg(argc, argv, 2, 2000000);
  size_t pages = (mib << 20) / PAGE;
  char *arena = mmap(0, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uint32_t *order = malloc(pages * sizeof *order);
  if (arena == MAP_FAILED || order == 0) {
    printf("chase: no memory for %lu MiB\n", mib);
    return 1;
  }
  uint64_t rng = 7;
  for (size_t i = 0; i < pages; i++) order[i] = (uint32_t)i;
  for (size_t i = pages - 1; i > 0; i--) { /* Sattolo: j < i, one single cycle */
    size_t j = bench_mix(&rng) % i;
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
#define NODE(p) ((void **)(arena + (size_t)(p) * PAGE + (((p) * 0x9e3779b1u >> 20) & 0xff8)))
  for (size_t i = 0; i < pages; i++) *NODE(order[i]) = NODE(order[(i + 1) % pages]);
  void **p = NODE(order[0]);
  uint64_t sum = 0;
  for (unsigned long i = 0; i < hops; i++) {
    p = (void **)*p;
    sum += (uintptr_t)p >> 3;
  }
  /* the checksum is of offsets, not addresses: the same wherever mmap put the arena */
  printf("chase %lu MiB %lu hops: checksum %016lx\n", mib, hops, sum - hops * ((uintptr_t)arena >> 3));
  return 0;
}
