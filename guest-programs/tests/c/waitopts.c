/* waitopts.c: wait4(2) options and statuses (Linux kernel/exit.c
 * SYSCALL_DEFINE4(wait4), do_wait, wait_task_zombie). */
#include "rt.h"

#define EINVAL 22
#define ECHILD 10
#define ESRCH 3
#define EINTR 4
#define SENTINEL 0x5a5a5a5a

static void on_usr1(int sig) { (void)sig; }

static void nohang(const char *label, int pid) {
  int status = SENTINEL;
  int r = wait4(pid, &status, WNOHANG);
  check(r == 0, label, r, 0);
  check(status == SENTINEL, "  *status is untouched", status, SENTINEL);
}

int main(void) {
  int child = fork();
  if (child == 0) {
    /* Spin until killed: always runnable, never exits by itself. */
    for (;;) syscall0(SYS_sched_yield);
  }
  if (!check(child > 0, "fork", child, 1)) return 1;

  nohang("WNOHANG, pid -1, live child: 0", -1);
  nohang("WNOHANG, the child's pid, live child: 0", child);
  nohang("WNOHANG, pid 0 (our group), live child: 0", 0);

  int status = SENTINEL;
  /* eligible_child(): a fork child is no "clone" child (its exit signal is SIGCHLD). */
  int r = wait4(child, &status, (int)0x80000000 | WNOHANG); /* __WCLONE */
  check(r == -ECHILD, "WNOHANG|__WCLONE, a fork child: -ECHILD", r, -ECHILD);
  r = wait4(-1, &status, (int)0xc0000000 | WNOHANG); /* __WALL|__WCLONE */
  check(r == 0, "WNOHANG|__WALL|__WCLONE, live child: 0", r, 0);
  r = wait4((int)0x80000000, &status, WNOHANG);
  check(r == -ESRCH, "pid INT_MIN: -ESRCH", r, -ESRCH);
  check(status == SENTINEL, "  *status is untouched", status, SENTINEL);
  r = wait4(child, &status, 0x4); /* WEXITED: waitid's, not wait4's */
  check(r == -EINVAL, "wait4 with WEXITED: -EINVAL", r, -EINVAL);
  r = wait4(child, &status, 0x01000000); /* WNOWAIT */
  check(r == -EINVAL, "wait4 with WNOWAIT: -EINVAL", r, -EINVAL);
  r = wait4(child, &status, 0x100 | WNOHANG);
  check(r == -EINVAL, "wait4 with bit 8: -EINVAL", r, -EINVAL);
  check(status == SENTINEL, "  *status is untouched", status, SENTINEL);
  r = wait4(child + 1000, &status, WNOHANG);
  check(r == -ECHILD, "WNOHANG, a pid that is not our child: -ECHILD", r, -ECHILD);

  check(kill(child, SIGKILL) == 0, "kill(child, SIGKILL)", 0, 0);
  r = wait4(child, &status, 0);
  check(r == child, "wait4 reaps the killed child", r - child, 0);
  check((status & 0x7f) != 0 && (status & 0x7f) != 0x7f, "  WIFSIGNALED", status, SIGKILL);
  check((status & 0x7f) == SIGKILL, "  WTERMSIG is SIGKILL", status & 0x7f, SIGKILL);
  check((status & 0x80) == 0, "  no core dump", status & 0x80, 0);
  r = wait4(-1, &status, WNOHANG);
  check(r == -ECHILD, "WNOHANG with no children left: -ECHILD", r, -ECHILD);

  /* A child waiting in rt_sigsuspend for a SIGUSR1 the parent may send
   * before it gets there (then pending, blocked): polling with WNOHANG
   * gives 0 until the child has exited, then its pid and status. */
  struct k_sigaction usr1 = {on_usr1, 0, 0};
  sigaction(SIGUSR1, &usr1, 0);
  unsigned long bit = SIGBIT(SIGUSR1), none = 0;
  sigprocmask(SIG_BLOCK, &bit, 0);
  child = fork();
  if (child == 0) exit(sigsuspend(&none) == -EINTR ? 7 : 8);
  kill(child, SIGUSR1);
  while ((r = wait4(child, &status, WNOHANG)) == 0) syscall0(SYS_sched_yield);
  check(r == child, "WNOHANG polling reaps the child once it exits", r - child, 0);
  check(status == 7 << 8, "  its status: exit(7), rt_sigsuspend returned -EINTR", status, 7 << 8);
  return failures != 0;
}
