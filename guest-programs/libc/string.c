/* string.c: the <string.h> and <strings.h> functions the assembly half (string.s) lacks. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void *memchr(const void *s, int c, size_t n) {
  const unsigned char *p = s;
  for (; n > 0; n--, p++)
    if (*p == (unsigned char)c) return (void *)p;
  return NULL;
}

char *stpcpy(char *dst, const char *src) {
  while ((*dst = *src++) != '\0') dst++;
  return dst;
}

char *strncat(char *dst, const char *src, size_t n) {
  char *d = dst + strlen(dst);
  while (n-- > 0 && *src != '\0') *d++ = *src++;
  *d = '\0';
  return dst;
}

/* The "C" locale collates by byte value. */
int strcoll(const char *a, const char *b) { return strcmp(a, b); }

char *strstr(const char *h, const char *n) {
  size_t len = strlen(n);
  for (; *h != '\0' || len == 0; h++) {
    if (strncmp(h, n, len) == 0) return (char *)h;
    if (*h == '\0') break;
  }
  return NULL;
}

size_t strspn(const char *s, const char *accept) {
  size_t i = 0;
  while (s[i] != '\0' && strchr(accept, s[i]) != NULL) i++;
  return i;
}

size_t strcspn(const char *s, const char *reject) {
  size_t i = 0;
  while (s[i] != '\0' && strchr(reject, s[i]) == NULL) i++;
  return i;
}

char *strpbrk(const char *s, const char *accept) {
  s += strcspn(s, accept);
  return *s != '\0' ? (char *)s : NULL;
}

char *strtok_r(char *s, const char *delim, char **save) {
  if (s == NULL) s = *save;
  s += strspn(s, delim);
  if (*s == '\0') {
    *save = s;
    return NULL;
  }
  char *end = s + strcspn(s, delim);
  if (*end != '\0') *end++ = '\0';
  *save = end;
  return s;
}

char *strtok(char *s, const char *delim) {
  static char *save;
  return strtok_r(s, delim, &save);
}

char *strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  return d != NULL ? memcpy(d, s, n) : NULL;
}

char *strndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *d = malloc(len + 1);
  if (d == NULL) return NULL;
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

int strcasecmp(const char *a, const char *b) {
  const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
  int d;
  while ((d = lower(*x) - lower(*y)) == 0 && *x != '\0') x++, y++;
  return d;
}

int strncasecmp(const char *a, const char *b, size_t n) {
  const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
  for (; n > 0; n--, x++, y++) {
    int d = lower(*x) - lower(*y);
    if (d != 0 || *x == '\0') return d;
  }
  return 0;
}

void bzero(void *s, size_t n) { memset(s, 0, n); }

int ffs(int i) {
  if (i == 0) return 0;
  int n = 1;
  unsigned u = (unsigned)i;
  while ((u & 1) == 0) u >>= 1, n++;
  return n;
}

/* glibc's descriptions (sigabbrev's strings in sigdescr.h). */
static const char *const sigdescr[] = {
    [SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit", [SIGILL] = "Illegal instruction",
    [SIGTRAP] = "Trace/breakpoint trap", [SIGABRT] = "Aborted", [SIGBUS] = "Bus error",
    [SIGFPE] = "Floating point exception", [SIGKILL] = "Killed", [SIGUSR1] = "User defined signal 1",
    [SIGSEGV] = "Segmentation fault", [SIGUSR2] = "User defined signal 2", [SIGPIPE] = "Broken pipe",
    [SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated", [SIGSTKFLT] = "Stack fault",
    [SIGCHLD] = "Child exited", [SIGCONT] = "Continued", [SIGSTOP] = "Stopped (signal)",
    [SIGTSTP] = "Stopped", [SIGTTIN] = "Stopped (tty input)", [SIGTTOU] = "Stopped (tty output)",
    [SIGURG] = "Urgent I/O condition", [SIGXCPU] = "CPU time limit exceeded",
    [SIGXFSZ] = "File size limit exceeded", [SIGVTALRM] = "Virtual timer expired",
    [SIGPROF] = "Profiling timer expired", [SIGWINCH] = "Window changed", [SIGIO] = "I/O possible",
    [SIGPWR] = "Power failure", [SIGSYS] = "Bad system call",
};

char *strsignal(int sig) {
  static char buf[32];
  if (sig > 0 && sig < (int)(sizeof sigdescr / sizeof *sigdescr)) return (char *)sigdescr[sig];
  if (sig >= 32 && sig <= 64) snprintf(buf, sizeof buf, "Real-time signal %d", sig - 32);
  else snprintf(buf, sizeof buf, "Unknown signal %d", sig);
  return buf;
}

void psignal(int sig, const char *s) {
  if (s != NULL && *s != '\0') fprintf(stderr, "%s: %s\n", s, strsignal(sig));
  else fprintf(stderr, "%s\n", strsignal(sig));
}
