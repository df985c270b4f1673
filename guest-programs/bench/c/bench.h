/*
 * bench.h: what the C benchmark programs share (guest-programs/bench/c).
 * Each program takes its sizes from argv (defaults: the `vmlab bench`
 * sizes, about 1-3 s under qemu-riscv64), computes a 64-bit checksum of
 * everything it did, and prints one line ending in it, so a run under
 * vmlab and one under qemu-riscv64 are compared by their output.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* argv[i] as a positive number, or dflt when absent; exits 2 on a bad one. */
static unsigned long bench_arg(int argc, char **argv, int i, unsigned long dflt) {
  if (i >= argc) return dflt;
  char *end;
  unsigned long v = strtoul(argv[i], &end, 0);
  if (*argv[i] == '\0' || *end != '\0' || v == 0) {
    printf("bad argument %d: '%s' (a positive number)\n", i, argv[i]);
    exit(2);
  }
  return v;
}

/* A step of splitmix64: the programs' one source of pseudo-random numbers. */
static inline uint64_t bench_mix(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

#endif
