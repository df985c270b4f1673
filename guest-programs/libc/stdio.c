/*
 * stdio.c: FILE streams over the fd calls, buffered as glibc's libio
 * buffers them. A stream decides its buffering at its first read or write
 * (glibc's _IO_file_doallocate): stderr is unbuffered; any other stream is
 * line-buffered when its fd is a terminal (a character device that answers
 * TCGETS) and fully buffered otherwise, with a buffer of st_blksize bytes,
 * at most BUFSIZ. A line-buffered stream writes out through its last
 * newline; reading from any stream first writes out the line-buffered ones
 * (_IO_flush_all_linebuffered), so a prompt shows before input is read;
 * exit() writes out every stream (exit.c). End of file is sticky, as in
 * glibc since 2.28. The formatting is the assembly library's vsnprintf
 * (stdio.s); dprintf/vdprintf there write to the fd at once, as glibc's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

enum {
  F_READ = 1,     /* opened for reading */
  F_WRITE = 2,    /* opened for writing */
  F_EOF = 4,      /* feof() */
  F_ERR = 8,      /* ferror() */
  F_MYBUF = 16,   /* buf was malloc'ed here and is freed by fclose */
  F_DECIDED = 32, /* mode is settled (the first I/O or setvbuf) */
  F_STATIC = 64,  /* stdin, stdout, stderr: the FILE itself is not malloc'ed */
};

struct _IO_FILE {
  int fd;
  int flags;
  int mode;       /* _IOFBF, _IOLBF or _IONBF once F_DECIDED */
  int ungot;      /* a byte pushed back by ungetc, or EOF */
  char *buf;      /* NULL until the first I/O */
  size_t size;
  size_t wlen;    /* bytes of buf waiting to be written */
  size_t rpos;    /* buf[rpos..rlen) is read but not yet consumed */
  size_t rlen;
  char one;       /* the buffer of an unbuffered stream's reads */
  struct _IO_FILE *next;
};

static FILE f_stderr = {2, F_WRITE | F_STATIC | F_DECIDED, _IONBF, EOF, 0, 0, 0, 0, 0, 0, 0};
static FILE f_stdout = {1, F_WRITE | F_STATIC, _IOFBF, EOF, 0, 0, 0, 0, 0, 0, &f_stderr};
static FILE f_stdin = {0, F_READ | F_STATIC, _IOFBF, EOF, 0, 0, 0, 0, 0, 0, &f_stdout};
FILE *stdin = &f_stdin;
FILE *stdout = &f_stdout;
FILE *stderr = &f_stderr;
/* Every open stream, for exit() and the flush before a read. */
static FILE *streams = &f_stdin;

/* The buffering a stream gets at its first I/O (see the file comment). */
static void decide(FILE *f) {
  size_t size = BUFSIZ;
  struct stat st;
  if (fstat(f->fd, &st) == 0) {
    if (!(f->flags & F_DECIDED) && S_ISCHR(st.st_mode) && isatty(f->fd)) f->mode = _IOLBF;
    if (st.st_blksize > 0 && (size_t)st.st_blksize < BUFSIZ) size = (size_t)st.st_blksize;
  }
  f->flags |= F_DECIDED;
  if (f->buf == NULL && f->mode != _IONBF) {
    f->buf = malloc(size);
    if (f->buf != NULL) {
      f->size = size;
      f->flags |= F_MYBUF;
    } else {
      f->mode = _IONBF;
    }
  }
}

static int write_all(FILE *f, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(f->fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      f->flags |= F_ERR;
      return EOF;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Writes out the bytes waiting in f's buffer: 0, or EOF with the error flag set. */
static int flush_out(FILE *f) {
  size_t n = f->wlen;
  f->wlen = 0;
  return n ? write_all(f, f->buf, n) : 0;
}

/* Gives back what was read ahead (the fd's position moves back to the stream's) before f writes or seeks. */
static void drop_input(FILE *f) {
  size_t ahead = f->rlen - f->rpos + (f->ungot != EOF);
  if (ahead > 0) lseek(f->fd, -(off_t)ahead, SEEK_CUR);
  f->rpos = f->rlen = 0;
  f->ungot = EOF;
}

/* The one way bytes go out: n bytes of p through f's buffer; 0 or EOF. */
static int put(FILE *f, const char *p, size_t n) {
  if (!(f->flags & F_WRITE)) {
    f->flags |= F_ERR;
    errno = EBADF;
    return EOF;
  }
  if (f->rlen > f->rpos || f->ungot != EOF) drop_input(f);
  if (!(f->flags & F_DECIDED) || (f->buf == NULL && f->mode != _IONBF)) decide(f);
  if (f->mode == _IONBF) return flush_out(f) == 0 ? write_all(f, p, n) : EOF;
  size_t through = 0; /* a line-buffered stream writes out through the last newline */
  if (f->mode == _IOLBF)
    for (size_t i = n; i > 0; i--)
      if (p[i - 1] == '\n') {
        through = i;
        break;
      }
  while (n > 0) {
    if (f->wlen == 0 && n >= f->size) { /* a whole buffer or more: straight out */
      size_t whole = n - n % f->size;
      if (write_all(f, p, whole) != 0) return EOF;
      p += whole;
      n -= whole;
      through = through > whole ? through - whole : 0;
      continue;
    }
    size_t room = f->size - f->wlen;
    size_t k = n < room ? n : room;
    memcpy(f->buf + f->wlen, p, k);
    f->wlen += k;
    p += k;
    n -= k;
    through = through > k ? through - k : 0;
    if (f->wlen == f->size && flush_out(f) != 0) return EOF;
  }
  if (f->mode == _IOLBF && (through > 0 || memchr(f->buf, '\n', f->wlen) != NULL)) return flush_out(f);
  return 0;
}

void __stdio_flushall(void) {
  for (FILE *f = streams; f != NULL; f = f->next)
    if (f->wlen > 0) flush_out(f);
}

/* Fills f's buffer: the number of bytes now unread, 0 at end of file or on error. */
static size_t refill(FILE *f) {
  if (!(f->flags & F_READ)) {
    f->flags |= F_ERR;
    errno = EBADF;
    return 0;
  }
  if (f->flags & F_EOF) return 0;
  if (!(f->flags & F_DECIDED) || (f->buf == NULL && f->mode != _IONBF)) decide(f);
  for (FILE *g = streams; g != NULL; g = g->next)
    if (g->mode == _IOLBF && g->wlen > 0) flush_out(g);
  if (f->wlen > 0 && flush_out(f) != 0) return 0;
  char *dst = f->mode == _IONBF ? &f->one : f->buf;
  size_t cap = f->mode == _IONBF ? 1 : f->size;
  ssize_t n;
  do n = read(f->fd, dst, cap);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    f->flags |= n == 0 ? F_EOF : F_ERR;
    return 0;
  }
  if (f->mode == _IONBF) f->buf = &f->one;
  f->rpos = 0;
  f->rlen = (size_t)n;
  return (size_t)n;
}

int fgetc(FILE *f) {
  if (f->ungot != EOF) {
    int c = f->ungot;
    f->ungot = EOF;
    return c;
  }
  if (f->rpos == f->rlen && refill(f) == 0) return EOF;
  return (unsigned char)f->buf[f->rpos++];
}
int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

int ungetc(int c, FILE *f) {
  if (c == EOF || f->ungot != EOF) return EOF;
  f->ungot = (unsigned char)c;
  f->flags &= ~F_EOF;
  return (unsigned char)c;
}

/* NULL when nothing was read, or when a read failed during this call (glibc). */
char *fgets(char *s, int n, FILE *f) {
  if (n <= 0) return NULL;
  int olderr = f->flags & F_ERR;
  f->flags &= ~F_ERR;
  int i = 0;
  while (i < n - 1) {
    int c = fgetc(f);
    if (c == EOF) break;
    s[i++] = (char)c;
    if (c == '\n') break;
  }
  int failed = f->flags & F_ERR;
  f->flags |= olderr;
  if (i == 0 || failed) return NULL;
  s[i] = '\0';
  return s;
}

size_t fread(void *p, size_t size, size_t n, FILE *f) {
  size_t want = size * n, got = 0;
  if (want == 0) return 0;
  char *dst = p;
  if (f->ungot != EOF) {
    dst[got++] = (char)f->ungot;
    f->ungot = EOF;
  }
  while (got < want) {
    if (f->rpos == f->rlen && refill(f) == 0) break;
    size_t k = f->rlen - f->rpos;
    if (k > want - got) k = want - got;
    memcpy(dst + got, f->buf + f->rpos, k);
    f->rpos += k;
    got += k;
  }
  return got / size;
}

int fputc(int c, FILE *f) {
  char b = (char)c;
  return put(f, &b, 1) == 0 ? (unsigned char)c : EOF;
}
int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

/* glibc's fputs returns 1, its puts the length written (at most INT_MAX). */
int fputs(const char *s, FILE *f) { return put(f, s, strlen(s)) == 0 ? 1 : EOF; }

int puts(const char *s) {
  size_t n = strlen(s);
  if (put(stdout, s, n) != 0 || put(stdout, "\n", 1) != 0) return EOF;
  return n + 1 > 2147483647 ? 2147483647 : (int)(n + 1);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f) {
  if (size == 0 || n == 0) return 0;
  return put(f, p, size * n) == 0 ? n : 0;
}

int vfprintf(FILE *f, const char *fmt, va_list ap) {
  char small[512];
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  char *text = small;
  if (n >= (int)sizeof small) {
    text = malloc((size_t)n + 1);
    if (text == NULL) {
      va_end(again);
      return -1;
    }
    vsnprintf(text, (size_t)n + 1, fmt, again);
  }
  va_end(again);
  int r = n < 0 ? -1 : put(f, text, (size_t)n) == 0 ? n : -1;
  if (text != small) free(text);
  return r;
}

int fprintf(FILE *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(f, fmt, ap);
  va_end(ap);
  return n;
}

int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(stdout, fmt, ap);
  va_end(ap);
  return n;
}

int fflush(FILE *f) {
  if (f == NULL) {
    int r = 0;
    for (FILE *g = streams; g != NULL; g = g->next)
      if (g->wlen > 0 && flush_out(g) != 0) r = EOF;
    return r;
  }
  if (f->wlen > 0) return flush_out(f);
  if (f->rlen > f->rpos || f->ungot != EOF) drop_input(f);
  return 0;
}

/* fopen's mode: r w a, '+', and glibc's 'x' (O_EXCL) and 'e' (O_CLOEXEC); 'b' means nothing. -1 if bad. */
static int open_flags(const char *mode, int *fflags) {
  int o;
  switch (*mode) {
  case 'r': o = O_RDONLY; *fflags = F_READ; break;
  case 'w': o = O_WRONLY | O_CREAT | O_TRUNC; *fflags = F_WRITE; break;
  case 'a': o = O_WRONLY | O_CREAT | O_APPEND; *fflags = F_WRITE; break;
  default: return -1;
  }
  for (const char *m = mode + 1; *m; m++) {
    if (*m == '+') {
      o = (o & ~O_ACCMODE) | O_RDWR;
      *fflags = F_READ | F_WRITE;
    } else if (*m == 'x') {
      o |= O_EXCL;
    } else if (*m == 'e') {
      o |= O_CLOEXEC;
    }
  }
  return o;
}

static FILE *new_stream(int fd, int fflags) {
  FILE *f = calloc(1, sizeof *f);
  if (f == NULL) return NULL;
  f->fd = fd;
  f->flags = fflags;
  f->mode = _IOFBF;
  f->ungot = EOF;
  f->next = streams;
  streams = f;
  return f;
}

FILE *fopen(const char *path, const char *mode) {
  int fflags;
  int o = open_flags(mode, &fflags);
  if (o < 0) {
    errno = EINVAL;
    return NULL;
  }
  int fd = open(path, o, 0666);
  if (fd < 0) return NULL;
  FILE *f = new_stream(fd, fflags);
  if (f == NULL) close(fd);
  return f;
}

FILE *fdopen(int fd, const char *mode) {
  int fflags;
  if (open_flags(mode, &fflags) < 0) {
    errno = EINVAL;
    return NULL;
  }
  return new_stream(fd, fflags);
}

int fclose(FILE *f) {
  int r = fflush(f);
  if (close(f->fd) != 0) r = EOF;
  for (FILE **pp = &streams; *pp != NULL; pp = &(*pp)->next)
    if (*pp == f) {
      *pp = f->next;
      break;
    }
  if (f->flags & F_MYBUF) free(f->buf);
  if (!(f->flags & F_STATIC)) free(f);
  return r;
}

int setvbuf(FILE *f, char *buf, int mode, size_t size) {
  if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF) {
    errno = EINVAL;
    return EOF;
  }
  f->mode = mode;
  f->flags |= F_DECIDED;
  if (buf != NULL && mode != _IONBF) {
    if (f->flags & F_MYBUF) free(f->buf);
    f->flags &= ~F_MYBUF;
    f->buf = buf;
    f->size = size;
  }
  return 0;
}

void setbuf(FILE *f, char *buf) { setvbuf(f, buf, buf ? _IOFBF : _IONBF, BUFSIZ); }

int fileno(FILE *f) { return f->fd; }
int feof(FILE *f) { return (f->flags & F_EOF) != 0; }
int ferror(FILE *f) { return (f->flags & F_ERR) != 0; }
void clearerr(FILE *f) { f->flags &= ~(F_EOF | F_ERR); }

int fseek(FILE *f, long off, int whence) {
  if (f->wlen > 0 && flush_out(f) != 0) return -1;
  if (whence == SEEK_CUR) off -= (long)(f->rlen - f->rpos) + (f->ungot != EOF);
  f->rpos = f->rlen = 0;
  f->ungot = EOF;
  if (lseek(f->fd, off, whence) < 0) return -1;
  f->flags &= ~F_EOF;
  return 0;
}

long ftell(FILE *f) {
  off_t pos = lseek(f->fd, 0, SEEK_CUR);
  if (pos < 0) return -1;
  return pos + (long)f->wlen - (long)(f->rlen - f->rpos) - (f->ungot != EOF);
}

void rewind(FILE *f) {
  fseek(f, 0, SEEK_SET);
  clearerr(f);
}

int remove(const char *path) {
  if (unlink(path) == 0) return 0;
  return errno == EISDIR ? rmdir(path) : -1;
}
