/* nproc.c: RLIMIT_NPROC as Linux applies it (kernel/fork.c copy_process):
 * fork fails with -EAGAIN when the user already has as many processes as the
 * soft limit, zombies not yet reaped included; the limit is inherited. Run
 * it as a user with no other process (vmlab: it is the only one). */
#include "rt.h"

#define EAGAIN 11

static void set_nproc(unsigned long soft) {
  struct rlimit r;
  getrlimit(RLIMIT_NPROC, &r);
  r.cur = soft;
  setrlimit(RLIMIT_NPROC, &r);
}

/* Yields until /proc/PID/status says "State:\tZ": the child has exited and is not reaped. */
static void wait_until_zombie(int pid) {
  char path[32] = "/proc/", buf[512], digits[12];
  int n = 6, d = 0;
  do digits[d++] = (char)('0' + pid % 10);
  while ((pid /= 10) != 0);
  while (d > 0) path[n++] = digits[--d];
  memcpy(path + n, "/status", 8);
  for (;;) {
    int fd = (int)syscall4(SYS_openat, -100, path, 0, 0);
    if (fd < 0) return;
    long got = read(fd, buf, sizeof buf - 1);
    syscall1(SYS_close, fd);
    for (long i = 0; i + 8 < got; i++)
      if (buf[i] == '\n' && buf[i + 1] == 'S' && buf[i + 2] == 't' && buf[i + 7] == '\t') {
        if (buf[i + 8] == 'Z') return;
        break;
      }
    syscall0(SYS_sched_yield);
  }
}

int main(void) {
  struct rlimit r0;
  getrlimit(RLIMIT_NPROC, &r0);
  set_nproc(1);
  long pid = fork();
  if (pid == 0) exit(0);
  check(pid == -EAGAIN, "RLIMIT_NPROC 1, one process: fork is -EAGAIN", pid, -EAGAIN);

  set_nproc(2);
  pid = fork();
  if (pid == 0) exit(3);
  check(pid > 0, "RLIMIT_NPROC 2: the first fork succeeds", pid > 0, 1);
  int status = 0;
  wait_until_zombie((int)pid);
  long again = fork();
  if (again == 0) exit(0);
  check(again == -EAGAIN, "  the second is -EAGAIN while the first child is a zombie", again, -EAGAIN);
  waitpid((int)pid, &status);
  check(status == 3 << 8, "  the zombie reaped (it exited 3)", status >> 8, 3);
  pid = fork();
  if (pid == 0) {
    /* The child has the limit too: with its parent, two processes; it cannot fork. */
    long grandchild = fork();
    if (grandchild == 0) exit(0);
    exit(grandchild == -EAGAIN ? 4 : 5);
  }
  check(pid > 0, "  and fork works again", pid > 0, 1);
  waitpid((int)pid, &status);
  check(status == 4 << 8, "  the child inherits the limit: its own fork is -EAGAIN", status >> 8, 4);

  set_nproc(0);
  pid = fork();
  if (pid == 0) exit(0);
  check(pid == -EAGAIN, "RLIMIT_NPROC 0: fork is -EAGAIN", pid, -EAGAIN);
  set_nproc(r0.cur);
  pid = fork();
  if (pid == 0) exit(0);
  check(pid > 0, "the old limit back: fork works", pid > 0, 1);
  waitpid((int)pid, &status);
  return failures != 0;
}
