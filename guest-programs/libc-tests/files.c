/*
 * files.c: the path, pipe and memory-locking system calls (mkdir, rmdir,
 * unlink, access, chmod/fchmod/fchmodat, chdir/fchdir/getcwd, umask,
 * truncate, pipe2 and a write
 * bigger than the pipe, msync,
 * mlock/munlock/mlockall), built twice (glibc, and `vmlab cc`) to print the
 * same bytes (tests/guest/libc-c.test.ts). It works in a directory of its
 * own under /tmp and removes it again; nothing it prints depends on the
 * pid or on the host's umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(const char *what, int r) {
  if (r == 0)
    printf("%s: 0\n", what);
  else
    printf("%s: %d %s\n", what, r, strerror(errno));
}

static const char *mode_of(const char *path) {
  static char buf[16];
  struct stat st;
  if (stat(path, &st) != 0) return strerror(errno);
  snprintf(buf, sizeof buf, "%s%03o", S_ISDIR(st.st_mode) ? "d" : S_ISREG(st.st_mode) ? "-" : "?", st.st_mode & 0777);
  return buf;
}

/* VmLck from /proc/self/status, in kB (-1 if there is none). */
static long vmlck(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  if (f == NULL) return -1;
  while (fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, "VmLck:", 6) == 0) kb = strtol(line + 6, NULL, 10);
  fclose(f);
  return kb;
}

static void paths(const char *top) {
  umask(022);
  printf("umask old %03o\n", (unsigned)umask(077));
  check("mkdir top", mkdir(top, 0777));
  printf("top mode %s\n", mode_of(top));
  check("mkdir again", mkdir(top, 0777));
  check("chdir top", chdir(top));
  char cwd[256];
  printf("getcwd %s\n", getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, top) == 0 ? "is top" : "differs");
  printf("getcwd small %s\n", getcwd(cwd, 4) == NULL ? strerror(errno) : "fits");
  check("mkdir sub", mkdir("sub", 0755));
  printf("sub mode %s\n", mode_of("sub"));
  int fd = open("sub/file", O_WRONLY | O_CREAT | O_TRUNC, 0666);
  printf("open sub/file %s, mode %s\n", fd >= 0 ? "ok" : strerror(errno), mode_of("sub/file"));
  write(fd, "0123456789abcdef", 16);
  close(fd);
  check("access F_OK", access("sub/file", F_OK));
  check("access R_OK|W_OK", access("sub/file", R_OK | W_OK));
  check("access X_OK on 0600", access("sub/file", X_OK));
  check("access X_OK on dir", access("sub", X_OK));
  check("access missing", access("sub/none", F_OK));
  check("access bad mode", access("sub/file", 8));
  check("access through file", access("sub/file/x", F_OK));
  check("faccessat AT_EACCESS", faccessat(AT_FDCWD, "sub/file", R_OK, AT_EACCESS));
  check("faccessat bad flag", faccessat(AT_FDCWD, "sub/file", R_OK, 0x4));
  check("chmod 0640", chmod("sub/file", 0640));
  printf("after chmod %s\n", mode_of("sub/file"));
  int cfd = open("sub/file", O_RDONLY);
  check("fchmod 0604", fchmod(cfd, 0604));
  printf("after fchmod %s\n", mode_of("sub/file"));
  close(cfd);
  check("fchmod closed fd", fchmod(cfd, 0600));
  check("fchmodat 0600", fchmodat(AT_FDCWD, "sub/file", 0600, 0));
  check("fchmodat NOFOLLOW", fchmodat(AT_FDCWD, "sub/file", 0611, AT_SYMLINK_NOFOLLOW));
  printf("after fchmodat %s\n", mode_of("sub/file"));
  check("fchmodat bad flag", fchmodat(AT_FDCWD, "sub/file", 0600, 0x4));
  check("chmod missing", chmod("sub/none", 0600));
  check("chmod dir 0711", chmod("sub", 0711));
  printf("sub now %s\n", mode_of("sub"));
  check("chmod dir back", chmod("sub", 0755));
  check("fchmodat 0600 again", fchmodat(AT_FDCWD, "sub/file", 0600, 0));
  check("truncate 5", truncate("sub/file", 5));
  struct stat st;
  stat("sub/file", &st);
  printf("size %ld\n", (long)st.st_size);
  check("truncate -1", truncate("sub/file", -1));
  check("truncate dir", truncate("sub", 0));
  check("truncate missing", truncate("nothing", 0));
  check("rmdir nonempty", rmdir("sub"));
  check("rmdir file", rmdir("sub/file"));
  check("rmdir dot", rmdir("sub/."));
  check("rmdir dotdot", rmdir("sub/.."));
  check("unlink dir", unlink("sub"));
  check("unlink trailing slash", unlink("sub/file/"));
  check("unlink missing", unlink("sub/none"));
  check("unlinkat bad flag", unlinkat(AT_FDCWD, "sub/file", 0x100));
  int dfd = open("sub", O_RDONLY | O_DIRECTORY);
  check("mkdirat", mkdirat(dfd, "deeper", 0700));
  printf("deeper mode %s\n", mode_of("sub/deeper"));
  check("unlinkat AT_REMOVEDIR", unlinkat(dfd, "deeper", AT_REMOVEDIR));
  check("fchdir sub", fchdir(dfd));
  printf("after fchdir: file %s\n", access("file", F_OK) == 0 ? "here" : strerror(errno));
  close(dfd);
  check("fchdir bad fd", fchdir(99));
  int ffd = open("file", O_RDONLY);
  check("fchdir file", fchdir(ffd));
  close(ffd);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    printf("child sees file: %s\n", access("file", F_OK) == 0 ? "yes" : "no");
    chdir("..");
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  printf("parent still in sub: %s\n", access("file", F_OK) == 0 ? "yes" : "no");
  check("chdir ..", chdir(".."));
  check("chdir file", chdir("sub/file"));
  check("chdir missing", chdir("nowhere"));
  check("unlink file", unlink("sub/file"));
  check("rmdir sub", rmdir("sub"));
  check("rmdir top (cwd)", rmdir(top));
  printf("getcwd removed %s\n", getcwd(cwd, sizeof cwd) == NULL ? strerror(errno) : "still there");
  check("chdir /", chdir("/"));
  check("mkdir /", mkdir("/", 0777));
  check("rmdir /", rmdir("/"));
}

static void pipes(void) {
  int p[2];
  check("pipe2 bad flags", pipe2(p, O_APPEND));
  check("pipe", pipe(p));
  struct stat st;
  fstat(p[0], &st);
  printf("fifo %d, fds %d %d\n", S_ISFIFO(st.st_mode), p[0] > 2, p[1] > p[0]);
  printf("write %zd\n", write(p[1], "hello", 5));
  char buf[64];
  ssize_t n = read(p[0], buf, sizeof buf);
  printf("read %zd \"%.*s\"\n", n, (int)n, buf);
  printf("lseek %ld %s\n", (long)lseek(p[0], 0, SEEK_CUR), strerror(errno));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    for (int i = 0; i < 3; i++) {
      char line[32];
      int len = snprintf(line, sizeof line, "line %d\n", i);
      write(p[1], line, len);
    }
    _exit(0);
  }
  close(p[1]);
  size_t total = 0;
  while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
  buf[total] = '\0';
  printf("from child (%zu bytes, then %zd):\n%s", total, n, buf);
  waitpid(pid, NULL, 0);
  close(p[0]);

  /* One blocking write three times the pipe's size: the writer sleeps for room until all of it is in. */
  static char big[200000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7 + i / 251);
  check("pipe for a big write", pipe(p));
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    close(p[0]);
    n = write(p[1], big, sizeof big);
    printf("child's one write %zd\n", n);
    fflush(stdout);
    _exit(0);
  }
  close(p[1]);
  size_t got = 0, differ = 0;
  char chunk[3000];
  while ((n = read(p[0], chunk, sizeof chunk)) > 0) {
    for (ssize_t i = 0; i < n; i++) differ += chunk[i] != big[got + i];
    got += n;
  }
  waitpid(pid, NULL, 0);
  printf("parent read %zu bytes, %zu differ, then %zd\n", got, differ, n);
  close(p[0]);

  check("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(p, O_NONBLOCK | O_CLOEXEC));
  printf("cloexec %d nonblock %d\n", fcntl(p[0], F_GETFD) & FD_CLOEXEC, (fcntl(p[1], F_GETFL) & O_NONBLOCK) != 0);
  n = read(p[0], buf, sizeof buf);
  printf("empty read %zd %s\n", n, strerror(errno));
  n = write(p[1], big, 70000);
  printf("big write %zd\n", n);
  n = write(p[1], big, 10);
  printf("full write %zd %s\n", n, strerror(errno));
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  n = write(p[1], "x", 1);
  printf("no reader %zd %s\n", n, strerror(errno));
  close(p[1]);
}

static void memory(const char *top) {
  long pg = sysconf(_SC_PAGESIZE);
  mkdir(top, 0700);
  char path[128];
  snprintf(path, sizeof path, "%s/map", top);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ftruncate(fd, 2 * pg);
  char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  strcpy(m + pg, "through the mapping");
  check("msync MS_SYNC", msync(m, 2 * pg, MS_SYNC));
  char buf[32] = {0};
  pread(fd, buf, 19, pg);
  printf("file reads \"%s\"\n", buf);
  check("msync MS_ASYNC", msync(m, pg, MS_ASYNC));
  check("msync unaligned", msync(m + 1, pg, MS_SYNC));
  check("msync both", msync(m, pg, MS_SYNC | MS_ASYNC));
  check("msync bad flag", msync(m, pg, 8));
  check("msync len 0", msync(m, 0, MS_SYNC));
  munmap(m + pg, pg);
  check("msync into hole", msync(m, 2 * pg, MS_SYNC));
  check("msync async into hole", msync(m, 2 * pg, MS_ASYNC));
  munmap(m, pg);
  close(fd);
  unlink(path);
  rmdir(top);

  char *a = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long before = vmlck();
  check("mlock 2 pages", mlock(a + 10, pg));
  printf("VmLck +%ld kB\n", vmlck() - before);
  check("madvise DONTNEED locked", madvise(a, pg, MADV_DONTNEED));
  check("msync MS_INVALIDATE locked", msync(a, pg, MS_INVALIDATE));
  check("munlock", munlock(a, 2 * pg));
  printf("VmLck +%ld kB\n", vmlck() - before);
  munmap(a + 3 * pg, pg);
  check("mlock into hole", mlock(a, 4 * pg));
  printf("VmLck +%ld kB (the part before the hole stays locked)\n", vmlck() - before);
  check("munlock into hole", munlock(a, 4 * pg));
  printf("VmLck +%ld kB\n", vmlck() - before);
  check("mlockall 0", mlockall(0));
  check("mlockall MCL_ONFAULT", mlockall(MCL_ONFAULT));
  check("munlockall", munlockall());
  printf("VmLck +%ld kB\n", vmlck() - before);
}

int main(void) {
  char top[64];
  snprintf(top, sizeof top, "/tmp/vmlab-files-%d", (int)getpid());
  paths(top);
  pipes();
  memory(top);
  return 0;
}
