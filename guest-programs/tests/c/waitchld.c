/* waitchld.c: wait4 blocked while a SIGCHLD handler is installed. The
 * child's exit wakes the waiting parent, which finds the zombie and returns
 * its pid and status; the handler runs on the way back to user mode (Linux
 * kernel/exit.c do_wait: the woken waiter scans its children again before
 * it looks at signal_pending() and returns -ERESTARTSYS). A signal that is
 * not a child's exit interrupts the wait: -EINTR without SA_RESTART, a
 * restarted wait4 with it. */
#include "rt.h"

#define EINTR 4

static volatile int chld_hits, usr1_hits, child;
static void on_chld(int sig) { (void)sig; chld_hits++; }
static void on_usr1(int sig) {
  (void)sig;
  usr1_hits++;
  kill(child, SIGUSR2);
}
static void on_usr2(int sig) { (void)sig; }

/* A child that exits with `code` once the parent is asleep (in wait4). */
static int child_exiting(int code) {
  int parent = getpid();
  int pid = fork();
  if (pid == 0) {
    wait_until_asleep(parent);
    exit(code);
  }
  return pid;
}

/* A child that sends the parent SIGUSR1 once it is asleep in wait4, and
 * exits with `code` only after the parent's handler answered with SIGUSR2
 * (blocked until the child's rt_sigsuspend), so the wait4 that SIGUSR1
 * interrupted cannot have found a zombie. */
static int child_signalling(int code) {
  int parent = getpid();
  int pid = fork();
  if (pid == 0) {
    wait_until_asleep(parent);
    kill(parent, SIGUSR1);
    unsigned long none = 0;
    sigsuspend(&none);
    exit(code);
  }
  return pid;
}

static void reaped(const char *label, int r, int pid, int status, int code) {
  check(r == pid, label, r - pid, 0);
  check(((status >> 8) & 0xff) == code && (status & 0x7f) == 0, "  WIFEXITED with the child's code", status, code << 8);
}

int main(void) {
  for (int flags = 0; flags < 2; flags++) {
    puts_(flags ? "SIGCHLD handler with SA_RESTART\n" : "SIGCHLD handler without SA_RESTART\n");
    struct k_sigaction chld = {on_chld, flags ? SA_RESTART : 0, 0};
    sigaction(SIGCHLD, &chld, 0);
    chld_hits = 0;
    int status = 0;
    int pid = child_exiting(40 + flags);
    int r = wait4(pid, &status, 0);
    reaped("wait4 returns the child's pid, not -EINTR", r, pid, status, 40 + flags);
    check(chld_hits == 1, "  the handler ran once", chld_hits, 1);

    pid = child_exiting(50 + flags);
    r = wait4(-1, &status, 0);
    reaped("wait4(-1) too", r, pid, status, 50 + flags);
    check(chld_hits == 2, "  the handler ran once more", chld_hits, 2);
  }

  /* Another signal, not a child's exit, during the wait. */
  struct k_sigaction dfl = {0, 0, 0};
  sigaction(SIGCHLD, &dfl, 0);
  struct k_sigaction usr1 = {on_usr1, 0, 0}, usr2 = {on_usr2, 0, 0};
  sigaction(SIGUSR1, &usr1, 0);
  sigaction(SIGUSR2, &usr2, 0);
  unsigned long usr2_bit = SIGBIT(SIGUSR2);
  sigprocmask(SIG_BLOCK, &usr2_bit, 0);
  int status = 0;
  int pid = child = child_signalling(60);
  int r = wait4(pid, &status, 0);
  check(r == -EINTR, "SIGUSR1 without SA_RESTART: wait4 is -EINTR", r, -EINTR);
  check(usr1_hits == 1, "  after the handler ran", usr1_hits, 1);
  r = wait4(pid, &status, 0);
  reaped("  the next wait4 reaps the child", r, pid, status, 60);

  usr1.flags = SA_RESTART;
  sigaction(SIGUSR1, &usr1, 0);
  pid = child = child_signalling(61);
  r = wait4(pid, &status, 0);
  reaped("SIGUSR1 with SA_RESTART: wait4 restarts and reaps the child", r, pid, status, 61);
  check(usr1_hits == 2, "  after the handler ran", usr1_hits, 2);
  return failures != 0;
}
