/*
 * signal.c: sigaction and friends with glibc's user-space layouts (what
 * <signal.h> declares): struct sigaction is handler, a 128-byte sigset_t,
 * int flags, restorer; the riscv64 kernel's is handler, unsigned long
 * flags, an 8-byte mask (no restorer: handlers return through the vDSO).
 * These replace the assembly half's sigaction, signal, sigemptyset and
 * sigfillset, which take the kernel's layout (vmlab cc weakens those).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

#define SYS_rt_sigaction 134

struct k_sigaction {
  void *handler;
  unsigned long flags;
  unsigned long mask;
};

/* glibc's __libc_sigaction: the old action's mask fills the first 8 bytes of *old, the rest is left alone. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  struct k_sigaction kact, kold;
  if (act != NULL) {
    kact.handler = (void *)act->sa_handler;
    kact.flags = (unsigned int)act->sa_flags;
    kact.mask = act->sa_mask.__val[0];
  }
  if (syscall(SYS_rt_sigaction, sig, act ? &kact : NULL, old ? &kold : NULL, KERNEL_SIGSET_SIZE) < 0) return -1;
  if (old != NULL) {
    old->sa_handler = (__sighandler_t)kold.handler;
    old->sa_flags = (int)kold.flags;
    old->sa_mask.__val[0] = kold.mask;
  }
  return 0;
}

/* BSD semantics, as glibc's signal(): SA_RESTART, the handled signal not blocked beyond itself. */
__sighandler_t signal(int sig, __sighandler_t handler) {
  struct sigaction act, old;
  memset(&act, 0, sizeof act);
  act.sa_handler = handler;
  act.sa_flags = SA_RESTART;
  if (sigaction(sig, &act, &old) < 0) return SIG_ERR;
  return old.sa_handler;
}

int sigemptyset(sigset_t *set) {
  memset(set, 0, sizeof *set);
  return 0;
}

/* Every signal but glibc's two internal ones, 32 (SIGCANCEL) and 33 (SIGSETXID): __clear_internal_signals. */
int sigfillset(sigset_t *set) {
  memset(set, 0xff, sizeof *set);
  set->__val[0] &= ~(3UL << 31);
  return 0;
}
