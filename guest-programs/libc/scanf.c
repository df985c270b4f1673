/*
 * scanf.c: the scanf family (sscanf, vsscanf, scanf, vscanf, fscanf,
 * vfscanf) over one engine that reads from a string or a FILE, with
 * glibc's rules (stdio-common/vfscanf-internal.c):
 * - a whitespace directive skips any amount of whitespace, none included;
 *   every conversion but %c, %[ and %n skips leading whitespace first, and
 *   so does %%;
 * - the character that ends a field is pushed back (ungetc), so it is the
 *   next one read;
 * - the result is the number of assignments (%n and *-suppressed ones do not
 *   count); input ending before the first assignment is EOF, even when a
 *   suppressed conversion succeeded before it (glibc's input_error); a
 *   matching failure returns the count so far;
 * - integers are converted as strtol/strtoul convert (saturating on
 *   overflow), then stored at the width the length modifier names;
 * - %c reads `width` characters (1 by default) and stores no NUL: input
 *   ending after the first still counts as a success, as in glibc.
 * No floating point (%f, %e, %g, %a answer a matching failure), as the
 * printf side has none.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the characters come from: a string (sscanf) or a stream. */
struct input {
  FILE *f;
  const char *s;
  long count; /* characters consumed, for %n */
};

static int in_get(struct input *in) {
  int c;
  if (in->f != NULL) {
    c = fgetc(in->f);
  } else {
    c = *in->s != '\0' ? (unsigned char)*in->s : EOF;
    if (c != EOF) in->s++;
  }
  if (c != EOF) in->count++;
  return c;
}

static void in_unget(struct input *in, int c) {
  if (c == EOF) return;
  in->count--;
  if (in->f != NULL)
    ungetc(c, in->f);
  else
    in->s--;
}

/* Skips whitespace; the first other character (or EOF) is left to read. */
static int skip_space(struct input *in) {
  int c;
  while ((c = in_get(in)) != EOF && isspace(c)) {
  }
  in_unget(in, c);
  return c;
}

/* Length modifiers. */
enum { LEN_INT, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T };

static void store_int(void *p, int len, unsigned long long v) {
  switch (len) {
  case LEN_HH: *(unsigned char *)p = (unsigned char)v; break;
  case LEN_H: *(unsigned short *)p = (unsigned short)v; break;
  case LEN_L: *(unsigned long *)p = (unsigned long)v; break;
  case LEN_LL: *(unsigned long long *)p = v; break;
  case LEN_J: *(uintmax_t *)p = (uintmax_t)v; break;
  case LEN_Z: *(size_t *)p = (size_t)v; break;
  case LEN_T: *(ptrdiff_t *)p = (ptrdiff_t)v; break;
  default: *(unsigned int *)p = (unsigned int)v; break;
  }
}

static int digit_in_base(int c, int base) {
  int d = isdigit(c) ? c - '0' : isalpha(c) ? tolower(c) - 'a' + 10 : 99;
  return d < base;
}

/*
 * Reads an integer field of at most `width` characters (0: no limit) in
 * `base` (0: as C source, for %i) into buf: sign, prefix, digits. The
 * number of characters taken, 0 when there was no digit (a matching
 * failure), -1 when input ended before any character of it.
 */
static int read_integer(struct input *in, int width, int base, char *buf, size_t cap, int *base_out) {
  size_t n = 0;
  int any_digit = 0;
  int c = in_get(in);
  if (c == EOF) return -1;
#define TAKE() (n + 1 < cap ? (void)(buf[n++] = (char)c) : (void)0, width--, c = width != 0 ? in_get(in) : EOF)
  if (width == 0) width = -1;
  if (c == '+' || c == '-') TAKE();
  if (c == '0' && (base == 0 || base == 16)) {
    TAKE();
    any_digit = 1;
    if (c == 'x' || c == 'X') {
      base = 16;
      TAKE();
    } else if (base == 0) {
      base = 8;
    }
  }
  if (base == 0) base = 10;
  while (c != EOF && digit_in_base(c, base)) {
    any_digit = 1;
    TAKE();
  }
#undef TAKE
  if (width != 0) in_unget(in, c);
  buf[n] = '\0';
  *base_out = base;
  return any_digit ? (int)n : 0;
}

/* Parses the scanset after '%[' (fmt points past the '['): fills in[256], returns the ']' or NULL. */
static const char *scanset(const char *fmt, unsigned char *set) {
  int negate = 0;
  if (*fmt == '^') {
    negate = 1;
    fmt++;
  }
  memset(set, 0, 256);
  if (*fmt == ']') set[(unsigned char)*fmt++] = 1;
  for (; *fmt != '\0' && *fmt != ']'; fmt++) {
    if (fmt[1] == '-' && fmt[2] != ']' && fmt[2] != '\0' && (unsigned char)fmt[2] >= (unsigned char)fmt[0]) {
      for (int c = (unsigned char)fmt[0]; c <= (unsigned char)fmt[2]; c++) set[c] = 1;
      fmt += 2;
    } else {
      set[(unsigned char)*fmt] = 1;
    }
  }
  if (*fmt != ']') return NULL;
  if (negate)
    for (int c = 0; c < 256; c++) set[c] = !set[c];
  return fmt;
}

static int vscan(struct input *in, const char *fmt, va_list ap) {
  int done = 0;
  unsigned char set[256];
  char num[80];
  for (; *fmt != '\0'; fmt++) {
    if (isspace((unsigned char)*fmt)) {
      skip_space(in);
      continue;
    }
    if (*fmt != '%' || fmt[1] == '%') {
      if (*fmt == '%') {
        fmt++;
        skip_space(in);
      }
      int c = in_get(in);
      if (c == EOF) goto input_failure;
      if (c != (unsigned char)*fmt) {
        in_unget(in, c);
        return done;
      }
      continue;
    }
    fmt++;
    int suppress = 0;
    if (*fmt == '*') {
      suppress = 1;
      fmt++;
    }
    int width = 0;
    while (isdigit((unsigned char)*fmt)) width = width * 10 + (*fmt++ - '0');
    int len = LEN_INT;
    if (*fmt == 'h') {
      len = fmt[1] == 'h' ? LEN_HH : LEN_H;
      fmt += fmt[1] == 'h' ? 2 : 1;
    } else if (*fmt == 'l') {
      len = fmt[1] == 'l' ? LEN_LL : LEN_L;
      fmt += fmt[1] == 'l' ? 2 : 1;
    } else if (*fmt == 'L' || *fmt == 'q') {
      len = LEN_LL;
      fmt++;
    } else if (*fmt == 'j') {
      len = LEN_J;
      fmt++;
    } else if (*fmt == 'z') {
      len = LEN_Z;
      fmt++;
    } else if (*fmt == 't') {
      len = LEN_T;
      fmt++;
    }
    int conv = *fmt;
    switch (conv) {
    case 'n':
      if (!suppress) store_int(va_arg(ap, void *), len, (unsigned long long)in->count);
      continue;
    case 'c': {
      if (width == 0) width = 1;
      char *out = suppress ? NULL : va_arg(ap, char *);
      int c = in_get(in);
      if (c == EOF) goto input_failure;
      do {
        if (out != NULL) *out++ = (char)c;
      } while (--width > 0 && (c = in_get(in)) != EOF);
      if (!suppress) done++;
      continue;
    }
    case 's':
    case '[': {
      if (conv == '[') {
        const char *end = scanset(fmt + 1, set);
        if (end == NULL) return done;
        fmt = end;
      } else {
        if (skip_space(in) == EOF) goto input_failure;
        for (int c = 0; c < 256; c++) set[c] = !isspace(c);
      }
      char *out = suppress ? NULL : va_arg(ap, char *);
      int n = 0;
      int c = EOF;
      while ((width == 0 || n < width) && (c = in_get(in)) != EOF && set[c]) {
        if (out != NULL) *out++ = (char)c;
        n++;
      }
      if ((width == 0 || n < width) && c != EOF) in_unget(in, c);
      if (n == 0) {
        if (c == EOF) goto input_failure;
        return done;
      }
      if (out != NULL) *out = '\0';
      if (!suppress) done++;
      continue;
    }
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
    case 'p': {
      int base = conv == 'd' || conv == 'u' ? 10 : conv == 'i' ? 0 : conv == 'o' ? 8 : 16;
      if (conv == 'p') len = LEN_L;
      if (skip_space(in) == EOF) goto input_failure;
      int got = read_integer(in, width, base, num, sizeof num, &base);
      if (got < 0) goto input_failure;
      if (got == 0) return done;
      if (suppress) continue;
      unsigned long long v;
      if (conv == 'd' || conv == 'i') {
        /* glibc converts with strtol (strtoll for ll/j/q) and truncates to the destination. */
        v = len == LEN_LL || len == LEN_J ? (unsigned long long)strtoll(num, NULL, base) : (unsigned long long)strtol(num, NULL, base);
      } else {
        v = len == LEN_LL || len == LEN_J ? strtoull(num, NULL, base) : strtoul(num, NULL, base);
      }
      if (conv == 'p')
        *va_arg(ap, void **) = (void *)(uintptr_t)v;
      else
        store_int(va_arg(ap, void *), len, v);
      done++;
      continue;
    }
    default:
      /* An unknown conversion (floating point included): a matching failure. */
      return done;
    }
  }
  return done;
input_failure:
  return done == 0 ? EOF : done;
}

int vsscanf(const char *restrict s, const char *restrict fmt, va_list ap) {
  struct input in = {NULL, s, 0};
  return vscan(&in, fmt, ap);
}

int sscanf(const char *restrict s, const char *restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsscanf(s, fmt, ap);
  va_end(ap);
  return r;
}

int vfscanf(FILE *restrict f, const char *restrict fmt, va_list ap) {
  struct input in = {f, NULL, 0};
  return vscan(&in, fmt, ap);
}

int fscanf(FILE *restrict f, const char *restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vfscanf(f, fmt, ap);
  va_end(ap);
  return r;
}

int vscanf(const char *restrict fmt, va_list ap) { return vfscanf(stdin, fmt, ap); }

int scanf(const char *restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vfscanf(stdin, fmt, ap);
  va_end(ap);
  return r;
}
