/*
 * unistd.c: the POSIX calls the assembly half (syscall.s, unistd.s) lacks,
 * each over syscall() (which sets errno), with glibc's argument handling:
 * the *at forms of path calls, dup2 as dup3 or a check, stat as newfstatat.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

int dup(int fd) { return (int)syscall(SYS_dup, fd); }
int dup3(int fd, int fd2, int flags) { return (int)syscall(SYS_dup3, fd, fd2, flags); }
int dup2(int fd, int fd2) {
  if (fd == fd2) return fcntl(fd, F_GETFD) < 0 ? -1 : fd2;
  return dup3(fd, fd2, 0);
}
int pipe2(int fds[2], int flags) { return (int)syscall(SYS_pipe2, fds, flags); }
int pipe(int fds[2]) { return pipe2(fds, 0); }
ssize_t readv(int fd, const struct iovec *iov, int n) { return syscall(SYS_readv, fd, iov, n); }
ssize_t pread(int fd, void *buf, size_t n, off_t off) { return syscall(SYS_pread64, fd, buf, n, off); }
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) { return syscall(SYS_pwrite64, fd, buf, n, off); }
int ftruncate(int fd, off_t len) { return (int)syscall(SYS_ftruncate, fd, len); }
int truncate(const char *path, off_t len) { return (int)syscall(SYS_truncate, path, len); }
int unlinkat(int dirfd, const char *path, int flags) { return (int)syscall(SYS_unlinkat, dirfd, path, flags); }
int unlink(const char *path) { return unlinkat(AT_FDCWD, path, 0); }
int rmdir(const char *path) { return unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }
/* glibc's faccessat: faccessat2 when there are flags, the three-argument call otherwise. */
int faccessat(int dirfd, const char *path, int mode, int flags) {
  if (flags == 0) return (int)syscall(SYS_faccessat, dirfd, path, mode);
  return (int)syscall(SYS_faccessat2, dirfd, path, mode, flags);
}
int access(const char *path, int mode) { return faccessat(AT_FDCWD, path, mode, 0); }
int chdir(const char *path) { return (int)syscall(SYS_chdir, path); }
int fchdir(int fd) { return (int)syscall(SYS_fchdir, fd); }
int mkdirat(int dirfd, const char *path, mode_t mode) { return (int)syscall(SYS_mkdirat, dirfd, path, mode); }
int mkdir(const char *path, mode_t mode) { return mkdirat(AT_FDCWD, path, mode); }
/*
 * Flags need fchmodat2 (Linux 6.6); where it is missing (ENOSYS, as under an
 * older qemu), glibc's fallback: only AT_SYMLINK_NOFOLLOW is allowed, and a
 * symbolic link cannot have a mode.
 */
int fchmodat(int dirfd, const char *path, mode_t mode, int flags) {
  if (flags == 0) return (int)syscall(SYS_fchmodat, dirfd, path, mode);
  int r = (int)syscall(SYS_fchmodat2, dirfd, path, mode, flags);
  if (r == 0 || errno != ENOSYS) return r;
  if (flags != AT_SYMLINK_NOFOLLOW) {
    errno = EINVAL;
    return -1;
  }
  struct stat st;
  if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0) return -1;
  if (S_ISLNK(st.st_mode)) {
    errno = EOPNOTSUPP;
    return -1;
  }
  return (int)syscall(SYS_fchmodat, dirfd, path, mode);
}
int chmod(const char *path, mode_t mode) { return fchmodat(AT_FDCWD, path, mode, 0); }
int fchmod(int fd, mode_t mode) { return (int)syscall(SYS_fchmod, fd, mode); }
mode_t umask(mode_t mask) { return (mode_t)syscall(SYS_umask, mask); }
int creat(const char *path, mode_t mode) { return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode); }
int fstatat(int dirfd, const char *path, struct stat *st, int flags) {
  return (int)syscall(SYS_newfstatat, dirfd, path, st, flags);
}
int stat(const char *path, struct stat *st) { return fstatat(AT_FDCWD, path, st, 0); }
int lstat(const char *path, struct stat *st) { return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW); }
int fstat(int fd, struct stat *st) { return (int)syscall(SYS_fstat, fd, st); }
int msync(void *addr, size_t len, int flags) { return (int)syscall(SYS_msync, addr, len, flags); }
int mlock(const void *addr, size_t len) { return (int)syscall(SYS_mlock, addr, len); }
int munlock(const void *addr, size_t len) { return (int)syscall(SYS_munlock, addr, len); }
int mlockall(int flags) { return (int)syscall(SYS_mlockall, flags); }
int munlockall(void) { return (int)syscall(SYS_munlockall); }
uid_t getuid(void) { return (uid_t)syscall(SYS_getuid); }
uid_t geteuid(void) { return (uid_t)syscall(SYS_geteuid); }
gid_t getgid(void) { return (gid_t)syscall(SYS_getgid); }
gid_t getegid(void) { return (gid_t)syscall(SYS_getegid); }

int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  long arg = va_arg(ap, long);
  va_end(ap);
  return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

/* getcwd(NULL, 0) allocates, as glibc's does. */
char *getcwd(char *buf, size_t size) {
  char *mine = NULL;
  if (buf == NULL) {
    if (size == 0) size = PATH_MAX;
    buf = mine = malloc(size);
    if (buf == NULL) return NULL;
  }
  if (syscall(SYS_getcwd, buf, size) < 0) {
    free(mine);
    return NULL;
  }
  return buf;
}

/* A terminal answers TCGETS (glibc's isatty is tcgetattr); 0 with errno ENOTTY otherwise. */
int isatty(int fd) {
  unsigned char termios[64];
  return ioctl(fd, TCGETS, termios) == 0;
}

int getpagesize(void) {
  unsigned long pg = getauxval(AT_PAGESZ);
  return pg != 0 ? (int)pg : 4096;
}

long sysconf(int name) {
  switch (name) {
  case _SC_PAGESIZE: return getpagesize();
  case _SC_CLK_TCK: return 100;
  case _SC_NPROCESSORS_CONF:
  case _SC_NPROCESSORS_ONLN: return 1;
  case _SC_OPEN_MAX: return 1024;
  case _SC_ARG_MAX: return 2097152;
  default: errno = EINVAL; return -1;
  }
}

int execvp(const char *file, char *const argv[]) {
  if (strchr(file, '/') != NULL) return execve(file, argv, environ);
  const char *path = getenv("PATH");
  if (path == NULL) path = "/bin:/usr/bin";
  char buf[PATH_MAX];
  int saw_eacces = 0;
  while (*path != '\0') {
    size_t n = strcspn(path, ":");
    if (n + strlen(file) + 2 <= sizeof buf) {
      memcpy(buf, path, n);
      buf[n] = '/';
      strcpy(buf + n + 1, file);
      execve(buf, argv, environ);
      if (errno == EACCES) saw_eacces = 1;
    }
    path += n;
    if (*path == ':') path++;
  }
  errno = saw_eacces ? EACCES : ENOENT;
  return -1;
}

/* execl/execlp: the arguments up to the NULL, at most 64. */
#define EXECL_MAX 64
static int collect(const char *arg, va_list ap, char **argv) {
  int n = 0;
  argv[n++] = (char *)arg;
  while (arg != NULL) {
    if (n == EXECL_MAX) {
      errno = E2BIG;
      return -1;
    }
    arg = va_arg(ap, const char *);
    argv[n++] = (char *)arg;
  }
  return 0;
}
int execl(const char *path, const char *arg, ...) {
  char *argv[EXECL_MAX + 1];
  va_list ap;
  va_start(ap, arg);
  int r = collect(arg, ap, argv);
  va_end(ap);
  return r < 0 ? -1 : execve(path, argv, environ);
}
int execlp(const char *file, const char *arg, ...) {
  char *argv[EXECL_MAX + 1];
  va_list ap;
  va_start(ap, arg);
  int r = collect(arg, ap, argv);
  va_end(ap);
  return r < 0 ? -1 : execvp(file, argv);
}

time_t time(time_t *t) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return -1;
  if (t != NULL) *t = ts.tv_sec;
  return ts.tv_sec;
}

clock_t clock(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return (clock_t)-1;
  return ts.tv_sec * CLOCKS_PER_SEC + ts.tv_nsec / 1000;
}

/* clock_nanosleep returns the error number instead of setting errno. */
int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem) {
  int saved = errno;
  if (syscall(SYS_clock_nanosleep, clock, flags, req, rem) == 0) return 0;
  int e = errno;
  errno = saved;
  return e;
}

int sigsuspend(const sigset_t *mask) { return (int)syscall(SYS_rt_sigsuspend, mask, KERNEL_SIGSET_SIZE); }
int sigpending(sigset_t *set) { return (int)syscall(SYS_rt_sigpending, set, KERNEL_SIGSET_SIZE); }

/*
 * argv[0] without help from crt0: Linux lays out the initial stack as argc,
 * argv[0..argc-1], NULL, envp[0..] (create_elf_tables), and crt0 sets
 * environ = &envp[0], so argc is the word n + 2 below environ for the n
 * that equals it (a pointer is never as small as an argument count).
 */
const char *__argv0(void) {
  long *e = (long *)environ;
  if (e == NULL) return "";
  for (long n = 0; n < 4096; n++)
    if (e[-(n + 2)] == n) return n > 0 ? (const char *)e[-(n + 1)] : "";
  return "";
}

/* glibc's message: "PROG: FILE:LINE: FUNC: Assertion `EXPR' failed." (PROG the last part of argv[0]). */
void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function) {
  const char *prog = __argv0();
  const char *slash = strrchr(prog, '/');
  if (slash != NULL) prog = slash + 1;
  fprintf(stderr, "%s%s%s:%u: %s%sAssertion `%s' failed.\n", prog, *prog ? ": " : "", file, line,
          function ? function : "", function ? ": " : "", assertion);
  abort();
}
