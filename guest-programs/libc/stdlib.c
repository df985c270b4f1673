/*
 * stdlib.c: the <stdlib.h> functions the assembly half lacks, written to
 * give glibc's results: rand/random are glibc's TYPE_3 additive feedback
 * generator (srand(1) is the initial state), qsort is a stable merge sort
 * as glibc's msort, so equal elements keep their order.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*
 * strtol: the assembly half's strtoul parses (white space, sign, base
 * prefix, *end, ULONG_MAX with ERANGE past 64 bits); the signed range is
 * checked here as glibc does: past LONG_MAX is LONG_MAX, below LONG_MIN is
 * LONG_MIN, both with errno = ERANGE.
 */
long strtol(const char *restrict s, char **restrict end, int base) {
  const char *p = s;
  while (*p == ' ' || (unsigned char)(*p - '\t') < 5) p++;
  int neg = *p == '-';
  int saved = errno;
  errno = 0;
  unsigned long v = strtoul(s, end, base);
  if (errno == ERANGE) return neg ? LONG_MIN : LONG_MAX;
  errno = saved;
  unsigned long magnitude = neg ? -v : v;
  if (!neg && magnitude > (unsigned long)LONG_MAX) {
    errno = ERANGE;
    return LONG_MAX;
  }
  if (neg && magnitude > (unsigned long)LONG_MAX + 1) {
    errno = ERANGE;
    return LONG_MIN;
  }
  return (long)v;
}
long atol(const char *s) { return strtol(s, NULL, 10); }

long long atoll(const char *s) { return strtol(s, NULL, 10); }
long long strtoll(const char *s, char **end, int base) { return strtol(s, end, base); }
unsigned long long strtoull(const char *s, char **end, int base) { return strtoul(s, end, base); }
intmax_t strtoimax(const char *s, char **end, int base) { return strtol(s, end, base); }
uintmax_t strtoumax(const char *s, char **end, int base) { return strtoul(s, end, base); }

int abs(int n) { return n < 0 ? -n : n; }
long labs(long n) { return n < 0 ? -n : n; }
long long llabs(long long n) { return n < 0 ? -n : n; }
intmax_t imaxabs(intmax_t n) { return n < 0 ? -n : n; }
div_t div(int a, int b) { return (div_t){a / b, a % b}; }
ldiv_t ldiv(long a, long b) { return (ldiv_t){a / b, a % b}; }
lldiv_t lldiv(long long a, long long b) { return (lldiv_t){a / b, a % b}; }

/* glibc's random_r.c, TYPE_3: x[i] = x[i-3] + x[i-31] (mod 2^32), output x >> 1. */
#define DEG 31
#define SEP 3
static struct {
  int32_t r[DEG];
  int f, b; /* front and rear indices */
  int seeded;
} rnd;

void srandom(unsigned int seed) {
  int32_t word = seed == 0 ? 1 : (int32_t)seed;
  rnd.r[0] = word;
  for (int i = 1; i < DEG; i++) {
    /* 16807 * word % 2147483647 without overflow (Schrage), as glibc */
    long hi = word / 127773, lo = word % 127773;
    word = (int32_t)(16807 * lo - 2836 * hi);
    if (word < 0) word += 2147483647;
    rnd.r[i] = word;
  }
  rnd.f = SEP;
  rnd.b = 0;
  rnd.seeded = 1;
  for (int i = 0; i < 10 * DEG; i++) random();
}

long random(void) {
  if (!rnd.seeded) srandom(1);
  uint32_t val = (uint32_t)rnd.r[rnd.f] + (uint32_t)rnd.r[rnd.b];
  rnd.r[rnd.f] = (int32_t)val;
  if (++rnd.f == DEG) rnd.f = 0;
  if (++rnd.b == DEG) rnd.b = 0;
  return val >> 1;
}

void srand(unsigned int seed) { srandom(seed); }
int rand(void) { return (int)random(); }

static void msort(char *b, size_t n, size_t size, int (*cmp)(const void *, const void *), char *tmp) {
  if (n <= 1) return;
  size_t n1 = n / 2, n2 = n - n1;
  char *b1 = b, *b2 = b + n1 * size;
  msort(b1, n1, size, cmp, tmp);
  msort(b2, n2, size, cmp, tmp);
  char *out = tmp;
  while (n1 > 0 && n2 > 0) {
    if (cmp(b1, b2) <= 0) {
      memcpy(out, b1, size);
      b1 += size;
      n1--;
    } else {
      memcpy(out, b2, size);
      b2 += size;
      n2--;
    }
    out += size;
  }
  if (n1 > 0) memcpy(out, b1, n1 * size);
  memcpy(b, tmp, (n - n2) * size);
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  if (n <= 1 || size == 0) return;
  char *tmp = malloc(n * size);
  if (tmp != NULL) {
    msort(base, n, size, cmp, tmp);
    free(tmp);
    return;
  }
  /* No memory for the merge: an insertion sort in place (also stable). */
  char *b = base;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && cmp(b + (j - 1) * size, b + j * size) > 0; j--)
      for (size_t k = 0; k < size; k++) {
        char t = b[(j - 1) * size + k];
        b[(j - 1) * size + k] = b[j * size + k];
        b[j * size + k] = t;
      }
}

void *bsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *p = (const char *)base + mid * size;
    int c = cmp(key, p);
    if (c == 0) return (void *)p;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return NULL;
}

void *reallocarray(void *p, size_t n, size_t m) {
  if (m != 0 && n > (size_t)-1 / m) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(p, n * m);
}
