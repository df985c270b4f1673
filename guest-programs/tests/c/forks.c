/* forks.c: three children, each changes a copy-on-write global and exits
 * with its own status; the parent reaps them in order. */
#include "rt.h"

static long shared_value = 100;
static char big[3 * 4096];

int main(void) {
  int pids[3];
  for (int i = 0; i < 3; i++) {
    big[i * 4096] = 'a' + i;
    int pid = fork();
    if (pid == 0) {
      shared_value += i + 1;
      big[i * 4096] = 'X';
      exit((int)shared_value);
    }
    if (!check(pid > 0, "fork", pid, 1)) return 1;
    pids[i] = pid;
  }
  for (int i = 0; i < 3; i++) {
    int status = 0;
    int r = waitpid(pids[i], &status);
    check(r == pids[i], "wait4 reaps the child", r - pids[i], 0);
    check(((status >> 8) & 0xff) == 101 + i, "the child's exit status", (status >> 8) & 0xff, 101 + i);
  }
  check(shared_value == 100, "the parent's global is unchanged", shared_value, 100);
  check(big[0] == 'a' && big[4096] == 'b' && big[8192] == 'c', "the parent's pages are its own", 0, 0);
  int status;
  check(waitpid(-1, &status) == -10, "no children left: ECHILD", 0, 0);
  return failures != 0;
}
