/*
 * scanf.c: the scanf family, built twice (glibc, and `vmlab cc`) to print
 * the same bytes (tests/guest/libc-c.test.ts): every integer conversion
 * with its length modifiers, widths, %s %c %[...] %n %%, * suppression, and
 * the return value at a matching failure and at the end of input; fscanf
 * from a file and scanf from stdin (the same file as fd 0).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int via_v(const char *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsscanf(s, fmt, ap);
  va_end(ap);
  return r;
}

int main(void) {
  int a = -1, b = -1, c = -1, n = -1, m = -1;
  long l = -1;
  long long ll = -1;
  unsigned u = 0;
  unsigned long ul = 0;
  short h = -1;
  signed char hh = -1;
  char s1[32] = "", s2[32] = "", ch[8] = "";
  void *p = NULL;

  printf("%d: %d %d %d\n", sscanf("12 -34 +56", "%d %d %d", &a, &b, &c), a, b, c);
  printf("%d: %d %d %d\n", sscanf("0x1f 017 99", "%i %i %i", &a, &b, &c), a, b, c);
  printf("%d: %x %o %u\n", sscanf("ff 777 4294967295", "%x %o %u", &u, (unsigned *)&a, (unsigned *)&b), u, a, b);
  printf("%d: %X\n", sscanf("0XABC", "%X", &u), u);
  printf("%d: %u\n", sscanf("-1", "%u", &u), u);
  printf("%d: %ld %lld %lu\n", sscanf("-9000000000 123456789012345 18446744073709551615", "%ld %lld %lu", &l, &ll, &ul), l, ll, ul);
  printf("%d: %hd %hhd\n", sscanf("70000 300", "%hd %hhd", &h, &hh), h, hh);
  printf("%d: %ld\n", sscanf("99999999999999999999", "%ld", &l), l);
  printf("%d: %d %d\n", sscanf("123456", "%3d%2d", &a, &b), a, b);
  printf("%d: %d %d\n", sscanf("12345", "%*2d%d", &a), a, b);
  printf("%d: \"%s\" \"%s\"\n", sscanf("  hello   world  ", "%s%s", s1, s2), s1, s2);
  printf("%d: \"%s\" \"%s\"\n", sscanf("abcdefgh", "%3s%10s", s1, s2), s1, s2);
  memset(ch, 0, sizeof ch);
  printf("%d: \"%s\"\n", sscanf("  xyz", "%c", ch), ch);
  memset(ch, 0, sizeof ch);
  printf("%d: \"%s\"\n", sscanf("  xyz", " %3c", ch), ch);
  memset(ch, 0, sizeof ch);
  printf("%d: \"%s\"\n", sscanf("ab", "%5c", ch), ch);
  printf("%d: \"%s\" \"%s\"\n", sscanf("key=value;rest", "%[^=]=%[^;]", s1, s2), s1, s2);
  printf("%d: \"%s\"\n", sscanf("abc123def", "%[a-c]", s1), s1);
  printf("%d: \"%s\"\n", sscanf("]]x", "%[]]", s1), s1);
  printf("%d: \"%s\"\n", sscanf("a-b-c!", "%[-a-c]", s1), s1);
  printf("%d: \"%s\"\n", sscanf("abcdef", "%2[a-z]", s1), s1);
  printf("%d: %d %d %d\n", sscanf("  42  rest", "%n%d%n", &n, &a, &m), n, a, m);
  printf("%d: %d\n", sscanf("100%", "%d%%", &a), a);
  printf("%d: %d\n", sscanf("5 %", "%d %%", &a), a);
  printf("%d: %d %d\n", sscanf("7,8", "%d,%d", &a, &b), a, b);
  a = b = -1;
  printf("matching failure %d: %d %d\n", sscanf("7;8", "%d,%d", &a, &b), a, b);
  printf("no digits %d: %d\n", sscanf("abc", "%d", &a), a);
  printf("empty %d\n", sscanf("", "%d", &a));
  printf("blanks %d\n", sscanf("   ", "%d", &a));
  printf("ends after one %d: %d\n", sscanf("9", "%d %d", &a, &b), a);
  printf("suppressed then end %d\n", sscanf("9", "%*d %d", &b));
  printf("literal at end %d\n", sscanf("", "x%d", &a));
  printf("only %%n %d: %d\n", sscanf("", "%n", &n), n);
  printf("whitespace only %d\n", sscanf("", " "));
  printf("%d: %p\n", sscanf("0x1234abcd", "%p", &p), p);
  printf("vsscanf %d: %d %s\n", via_v("31 days", "%d %s", &a, s1), a, s1);

  char path[64];
  snprintf(path, sizeof path, "/tmp/vmlab-scanf-%d", (int)getpid());
  FILE *f = fopen(path, "w");
  fputs("10 20 thirty\n40\nline two\n", f);
  fclose(f);
  f = fopen(path, "r");
  printf("fscanf %d: %d %d %s\n", fscanf(f, "%d %d %s", &a, &b, s1), a, b, s1);
  printf("fscanf %d: %d\n", fscanf(f, "%d", &a), a);
  printf("fscanf %d: \"%s\"\n", fscanf(f, " %[^\n]", s1), s1);
  printf("fscanf at end %d feof %d\n", fscanf(f, "%d", &a), feof(f) != 0);
  fclose(f);

  close(0);
  int fd = open(path, O_RDONLY);
  printf("stdin fd %d\n", fd);
  printf("scanf %d: %d %d\n", scanf("%d%d", &a, &b), a, b);
  printf("getchar after: '%c'\n", getchar());
  printf("scanf %d: %s\n", scanf("%s", s1), s1);
  unlink(path);
  return 0;
}
