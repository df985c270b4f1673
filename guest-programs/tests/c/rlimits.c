/* rlimits.c: getrlimit, setrlimit and prlimit64 as Linux has them (kernel/sys.c
 * do_prlimit): a bad resource or a soft limit above the hard one is -EINVAL; a
 * process without CAP_SYS_RESOURCE may lower its hard limit but never raise
 * it (-EPERM); RLIMIT_NOFILE's soft limit bounds new descriptors (-EMFILE,
 * dup2's -EBADF, F_DUPFD's -EINVAL); limits are inherited by fork and kept by
 * execve; prlimit64 reaches another process of the same user.
 * `rlimits qemu` stops before the checks qemu-riscv64 cannot make: run as
 * root, qemu may raise hard limits, its defaults are the host's, and it does
 * not execve a RISC-V program without binfmt_misc.
 * `rlimits show` (run by execve below) prints RLIMIT_NOFILE's soft limit. */
#include "rt.h"

#define EPERM 1
#define ESRCH 3
#define EBADF 9
#define EFAULT 14
#define EINVAL 22
#define EMFILE 24
#define F_DUPFD 0
#define SYS_dup3 24
#define SYS_fcntl 25

static int open_null(void) { return (int)syscall4(SYS_openat, -100, "/dev/null", 0, 0); }

static unsigned long nofile_soft(void) {
  struct rlimit r;
  getrlimit(RLIMIT_NOFILE, &r);
  return r.cur;
}

int main(int argc, char **argv, char **envp) {
  if (argc > 1 && argv[1][0] == 's') return (int)nofile_soft();
  int qemu = argc > 1 && argv[1][0] == 'q';
  struct rlimit stack0, as0, data0, nofile0, nproc0, r;
  getrlimit(RLIMIT_STACK, &stack0);
  getrlimit(RLIMIT_AS, &as0);
  getrlimit(RLIMIT_DATA, &data0);
  getrlimit(RLIMIT_NOFILE, &nofile0);
  getrlimit(RLIMIT_NPROC, &nproc0);

  long e = getrlimit(RLIM_NLIMITS, &r);
  check(e == -EINVAL, "getrlimit(RLIM_NLIMITS): -EINVAL", e, -EINVAL);
  r.cur = r.max = 1;
  e = setrlimit(RLIM_NLIMITS, &r);
  check(e == -EINVAL, "setrlimit(RLIM_NLIMITS): -EINVAL", e, -EINVAL);
  e = prlimit(0, 100, 0, &r);
  check(e == -EINVAL, "prlimit64(0, 100): -EINVAL", e, -EINVAL);
  r.cur = 20;
  r.max = 10;
  e = setrlimit(RLIMIT_NOFILE, &r);
  check(e == -EINVAL, "a soft limit above the hard one: -EINVAL", e, -EINVAL);
  e = getrlimit(RLIMIT_NOFILE, (struct rlimit *)8);
  check(e == -EFAULT, "getrlimit to a bad pointer: -EFAULT", e, -EFAULT);
  e = setrlimit(RLIMIT_NOFILE, (struct rlimit *)8);
  check(e == -EFAULT, "setrlimit from a bad pointer: -EFAULT", e, -EFAULT);
  e = prlimit(0x3ffffff0, RLIMIT_NOFILE, 0, &r);
  check(e == -ESRCH, "prlimit64 of no such process: -ESRCH", e, -ESRCH);

  /* RLIMIT_NOFILE: 16 descriptors, whatever the hard limit. */
  r.cur = 16;
  r.max = nofile0.max;
  e = setrlimit(RLIMIT_NOFILE, &r);
  check(e == 0, "setrlimit(RLIMIT_NOFILE, 16) lowers the soft limit", e, 0);
  check(nofile_soft() == 16, "  getrlimit reads 16 back", (long)nofile_soft(), 16);
  int fd, last = -1;
  while ((fd = open_null()) >= 0) last = fd;
  check(fd == -EMFILE && last == 15, "openat fills descriptors up to 15, then -EMFILE", last, 15);
  e = syscall3(SYS_dup3, 0, 16, 0);
  check(e == -EBADF, "dup3 onto descriptor 16: -EBADF", e, -EBADF);
  e = syscall3(SYS_fcntl, 0, F_DUPFD, 16);
  check(e == -EINVAL, "fcntl(F_DUPFD, 16): -EINVAL", e, -EINVAL);
  syscall1(SYS_close, 15);
  e = syscall3(SYS_fcntl, 0, F_DUPFD, 10);
  check(e == 15, "fcntl(F_DUPFD, 10) after closing 15 gives 15", e, 15);

  int pid = fork();
  if (pid == 0) exit((int)nofile_soft());
  int status = 0;
  waitpid(pid, &status);
  check(status == 16 << 8, "fork: the child has the same limit (exits with 16)", status >> 8, 16);
  for (int i = 3; i <= 15; i++) syscall1(SYS_close, i);
  if (qemu) return failures != 0;

  /* execve (qemu-riscv64 cannot run a RISC-V program by execve without binfmt_misc). */
  pid = fork();
  if (pid == 0) {
    char path[64] = "/bin/";
    const char *self = argv[0];
    int slash = 0;
    for (const char *p = self; *p; p++) slash |= *p == '/';
    if (slash) path[0] = 0;
    memcpy(path + strlen(path), self, strlen(self) + 1);
    char *args[] = {path, "show", 0};
    syscall3(SYS_execve, path, args, envp);
    exit(99);
  }
  waitpid(pid, &status);
  check(status == 16 << 8, "execve keeps it (the new program exits with 16)", status >> 8, 16);

  /* The defaults, as Linux's init_task has them (INIT_RLIMITS). */
  check(stack0.cur == 8 << 20 && stack0.max == RLIM_INFINITY, "RLIMIT_STACK starts at 8 MiB, hard unlimited", (long)stack0.cur, 8 << 20);
  check(as0.cur == RLIM_INFINITY && as0.max == RLIM_INFINITY, "RLIMIT_AS starts unlimited", (long)as0.cur, -1);
  check(data0.cur == RLIM_INFINITY && data0.max == RLIM_INFINITY, "RLIMIT_DATA starts unlimited", (long)data0.cur, -1);
  check(nofile0.cur == 1024 && nofile0.max == 4096, "RLIMIT_NOFILE starts at 1024, hard 4096", (long)nofile0.cur, 1024);
  check(nproc0.cur == nproc0.max && nproc0.cur > 0, "RLIMIT_NPROC starts equal soft and hard (max_threads / 2)", 0, 0);

  /* Hard limits only go down without CAP_SYS_RESOURCE. */
  r.cur = 16;
  r.max = nofile0.max + 1;
  e = setrlimit(RLIMIT_NOFILE, &r);
  check(e == -EPERM, "raising RLIMIT_NOFILE's hard limit: -EPERM", e, -EPERM);
  r.max = 100;
  e = setrlimit(RLIMIT_NOFILE, &r);
  check(e == 0, "lowering it to 100 is allowed", e, 0);
  r.max = nofile0.max;
  e = setrlimit(RLIMIT_NOFILE, &r);
  check(e == -EPERM, "  and raising it back: -EPERM", e, -EPERM);
  r.cur = r.max = 1UL << 40;
  e = setrlimit(RLIMIT_AS, &r);
  check(e == 0, "RLIMIT_AS to 1 TiB (soft and hard)", e, 0);
  r.cur = r.max = RLIM_INFINITY;
  e = setrlimit(RLIMIT_AS, &r);
  check(e == -EPERM, "  and back to unlimited: -EPERM", e, -EPERM);
  getrlimit(RLIMIT_AS, &r);
  check(r.cur == 1UL << 40 && r.max == 1UL << 40, "  RLIMIT_AS stays 1 TiB", (long)(r.cur >> 30), 1024);
  r.cur = 0x7fffffffffffffffUL;
  r.max = RLIM_INFINITY;
  e = prlimit(0, RLIMIT_STACK, &r, &stack0);
  check(e == 0 && stack0.cur == 8 << 20, "prlimit64 sets a new limit and returns the old one", (long)stack0.cur, 8 << 20);
  getrlimit(RLIMIT_STACK, &r);
  check(r.cur == 0x7fffffffffffffffUL, "  a value above 2^53 reads back exactly", (long)(r.cur - 0x7fffffffffffffffUL), 0);

  /* Another process of the same user: the child's limit set from here. */
  pid = fork();
  if (pid == 0) {
    sigsuspend(&(unsigned long){0});
    exit((int)nofile_soft());
  }
  wait_until_asleep(pid);
  r.cur = 7;
  r.max = 50;
  e = prlimit(pid, RLIMIT_NOFILE, &r, 0);
  check(e == 0, "prlimit64 of a child sets its limit", e, 0);
  e = prlimit(pid, RLIMIT_NOFILE, 0, &r);
  check(e == 0 && r.cur == 7 && r.max == 50, "  and reads it back", (long)r.cur, 7);
  kill(pid, SIGUSR1);
  waitpid(pid, &status);
  check(status == SIGUSR1, "  (the child dies of SIGUSR1)", status, SIGUSR1);
  return failures != 0;
}
