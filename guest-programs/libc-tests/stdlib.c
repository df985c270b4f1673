/*
 * stdlib.c: numbers, sorting, random numbers, strings and character
 * classes, built twice (glibc, and `vmlab cc`) to print the same bytes
 * (tests/guest/libc-c.test.ts).
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct pair {
  int key;
  int order;
};

static int by_key(const void *a, const void *b) {
  return ((const struct pair *)a)->key - ((const struct pair *)b)->key;
}
static int by_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(void) {
  char *end;
  printf("strtol %ld %ld %ld %ld\n", strtol("  -123xyz", &end, 10), strtol("0x1f", NULL, 16), strtol("0777", NULL, 0), strtol("z", NULL, 36));
  printf("end \"%s\"\n", end);
  printf("strtoul %lu %llu %lld\n", strtoul("4294967296", NULL, 10), strtoull("0xffffffffffffffff", NULL, 0), strtoll("-9000000000", NULL, 10));
  errno = 0;
  printf("strtoul overflow %lu errno %d\n", strtoul("99999999999999999999", NULL, 10), errno);
  errno = 0;
  printf("strtol clamps %ld errno %d", strtol("9223372036854775808", &end, 10), errno);
  errno = 0;
  printf(" %ld errno %d", strtol("-9223372036854775809", NULL, 10), errno);
  errno = 0;
  printf(" %ld %ld errno %d", strtol("-9223372036854775808", NULL, 10), strtol("0x7fffffffffffffff", NULL, 16), errno);
  printf(" %ld end \"%s\"\n", strtol("-99999999999999999999z", &end, 10), end);
  printf("atoi %d atol %ld atoll %lld\n", atoi("42abc"), atol("-7"), atoll("123456789012"));
  printf("abs %d labs %ld llabs %lld\n", abs(-5), labs(-6L), llabs(-7LL));
  div_t d = div(17, 5);
  ldiv_t ld = ldiv(-17L, 5L);
  printf("div %d %d ldiv %ld %ld\n", d.quot, d.rem, ld.quot, ld.rem);
  printf("PRId64 %" PRId64 " PRIx32 %" PRIx32 " PRIuPTR %" PRIuPTR "\n", (int64_t)-1, (uint32_t)0xabc, (uintptr_t)99);
  printf("limits %d %d %ld %lu %d\n", INT_MAX, INT_MIN, LONG_MIN, ULONG_MAX, CHAR_BIT);

  srand(1);
  printf("rand:");
  for (int i = 0; i < 5; i++) printf(" %d", rand());
  srand(42);
  printf("\nsrand(42):");
  for (int i = 0; i < 5; i++) printf(" %d", rand());
  srand(0);
  printf("\nsrand(0): %d\n", rand());

  struct pair p[9];
  int keys[9] = {5, 3, 5, 1, 3, 9, 1, 5, 0};
  for (int i = 0; i < 9; i++) p[i] = (struct pair){keys[i], i};
  qsort(p, 9, sizeof *p, by_key);
  printf("qsort (stable):");
  for (int i = 0; i < 9; i++) printf(" %d.%d", p[i].key, p[i].order);
  int sorted[] = {1, 3, 5, 7, 9, 11};
  int key = 7, missing = 4;
  int *hit = bsearch(&key, sorted, 6, sizeof(int), by_int);
  printf("\nbsearch 7 at %ld, 4 %s\n", (long)(hit - sorted), bsearch(&missing, sorted, 6, sizeof(int), by_int) ? "found" : "absent");

  char buf[64] = "alpha,beta,,gamma";
  printf("strtok:");
  for (char *t = strtok(buf, ","); t != NULL; t = strtok(NULL, ",")) printf(" [%s]", t);
  printf("\nstrstr %s, %s\n", strstr("haystack", "st"), strstr("haystack", "xyz") ? "?" : "NULL");
  printf("strspn %zu strcspn %zu strpbrk %s\n", strspn("aabbc", "ab"), strcspn("hello", "l"), strpbrk("hello", "ol"));
  char *dup = strdup("copy");
  char *ndup = strndup("truncate", 5);
  printf("strdup %s strndup %s\n", dup, ndup);
  free(dup);
  free(ndup);
  char cat[16] = "ab";
  strncat(cat, "cdefgh", 3);
  printf("strncat %s memchr %s\n", cat, (char *)memchr("findme", 'd', 6));
  printf("strcasecmp %d %d strncasecmp %d\n", strcasecmp("HeLLo", "hello") == 0, strcasecmp("a", "B") < 0, strncasecmp("abcX", "ABCy", 3));
  printf("strsignal: %s / %s / %s\n", strsignal(SIGSEGV), strsignal(SIGKILL), strsignal(SIGUSR1));
  printf("strerror: %s / %s\n", strerror(ENOENT), strerror(EINVAL));

  printf("ctype:");
  for (int c = 0; c < 128; c += 11)
    printf(" %d:%d%d%d%d%d%d%d%d", c, !!isalpha(c), !!isdigit(c), !!isspace(c), !!ispunct(c), !!isupper(c), !!isxdigit(c), !!isprint(c), !!iscntrl(c));
  printf("\ntoupper %c tolower %c %c\n", toupper('q'), tolower('Q'), toupper('5'));

  time_t t = time(NULL);
  printf("time %s\n", t > 1600000000 ? "after 2020" : "before 2020");
  struct timespec ts = {0, 1000000};
  printf("nanosleep %d\n", nanosleep(&ts, NULL));
  printf("getenv HOME %s, nothing %s\n", getenv("HOME"), getenv("NO_SUCH_VARIABLE") ? "?" : "NULL");
  fflush(stdout);
  assert(1 + 1 == 2);
  return 0;
}
