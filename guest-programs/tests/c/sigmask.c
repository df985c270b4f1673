/* sigmask.c: blocked signals stay pending and are delivered once on
 * unblock; rt_sigsuspend with a temporary mask; SIGKILL and SIGSTOP cannot
 * be blocked (Linux kernel/signal.c: sigprocmask, sigsuspend,
 * do_sigpending, and sigdelsetmask(..., sigmask(SIGKILL)|sigmask(SIGSTOP))). */
#include "rt.h"

#define EINTR 4

static volatile int hits;
static volatile unsigned long mask_in_handler;

static void on_usr1(int sig) {
  (void)sig;
  hits++;
  sigprocmask(SIG_BLOCK, 0, (unsigned long *)&mask_in_handler);
}

static unsigned long current_mask(void) {
  unsigned long m;
  sigprocmask(SIG_BLOCK, 0, &m);
  return m;
}

int main(void) {
  struct k_sigaction act = {on_usr1, 0, 0};
  check(sigaction(SIGUSR1, &act, 0) == 0, "sigaction(SIGUSR1)", 0, 0);
  unsigned long usr1 = SIGBIT(SIGUSR1), none = 0, pend = 0;

  /* Blocked: pending, not delivered; unblocked: delivered exactly once. */
  sigprocmask(SIG_BLOCK, &usr1, 0);
  kill(getpid(), SIGUSR1);
  check(hits == 0, "a blocked SIGUSR1 is not delivered", hits, 0);
  sigpending(&pend);
  check(pend == usr1, "rt_sigpending shows it", (long)pend, (long)usr1);
  kill(getpid(), SIGUSR1);
  sigpending(&pend);
  check(pend == usr1, "sent twice, still one pending bit", (long)pend, (long)usr1);
  sigprocmask(SIG_UNBLOCK, &usr1, 0);
  check(hits == 1, "unblocking delivers it exactly once", hits, 1);
  sigpending(&pend);
  check(pend == 0, "nothing pending after delivery", (long)pend, 0);

  /* rt_sigsuspend with a temporary mask that lets the pending one in. */
  sigprocmask(SIG_BLOCK, &usr1, 0);
  kill(getpid(), SIGUSR1);
  unsigned long usr2 = SIGBIT(SIGUSR2);
  int r = sigsuspend(&usr2);
  check(r == -EINTR, "rt_sigsuspend returns -EINTR", r, -EINTR);
  check(hits == 2, "after the handler ran", hits, 2);
  check(mask_in_handler == (usr2 | usr1), "the handler ran with the temporary mask + SIGUSR1", (long)mask_in_handler, (long)(usr2 | usr1));
  check(current_mask() == usr1, "the old mask is back", (long)current_mask(), (long)usr1);
  sigpending(&pend);
  check(pend == 0, "nothing pending after rt_sigsuspend", (long)pend, 0);

  /* Blocking everything leaves SIGKILL and SIGSTOP out. */
  unsigned long all = ~0UL, got = 0;
  sigprocmask(SIG_SETMASK, &all, 0);
  sigprocmask(SIG_BLOCK, 0, &got);
  check((got & SIGBIT(SIGKILL)) == 0, "SIGKILL cannot be blocked", (long)(got & SIGBIT(SIGKILL)), 0);
  check((got & SIGBIT(SIGSTOP)) == 0, "SIGSTOP cannot be blocked", (long)(got & SIGBIT(SIGSTOP)), 0);
  unsigned long kill_stop = SIGBIT(SIGKILL) | SIGBIT(SIGSTOP);
  sigprocmask(SIG_SETMASK, &kill_stop, &got);
  /* Linux keeps all 64 bits; qemu-riscv64 cannot block the top two
   * real-time signals (its host needs them), so only signals 1..32 are compared. */
  check((got & 0xffffffffUL) == (0xffffffffUL & ~kill_stop), "the old mask read back has all but those two",
        (long)(got & 0xffffffffUL), (long)(0xffffffffUL & ~kill_stop));
  check(current_mask() == 0, "blocking only SIGKILL|SIGSTOP blocks nothing", (long)current_mask(), 0);
  sigprocmask(SIG_SETMASK, &none, 0);
  return failures != 0;
}
