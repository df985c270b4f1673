/* cowlater.c: after fork, mprotect, munmap and brk in one process do not
 * change the other's mappings (each has its own VMAs and page tables: Linux
 * kernel/fork.c dup_mmap); a write by the parent to a page it made read-only
 * after fork is SIGSEGV with SEGV_ACCERR, while the child still writes its
 * copy. */
#include "rt.h"

#define PAGE 4096UL
#define SEGV_ACCERR 2

static volatile int segv_code;
static volatile unsigned long segv_addr;
static char *volatile resume_page;

/* Records the fault and makes the page writable so the write can complete. */
static void on_segv(int sig, struct k_siginfo *info, void *uc) {
  (void)sig;
  (void)uc;
  segv_code = info->si_code;
  segv_addr = (unsigned long)info->si_addr;
  mprotect(resume_page, PAGE, PROT_READ | PROT_WRITE);
}

static void on_usr1(int sig) { (void)sig; }

static int status_of(int pid) {
  int status = -1;
  waitpid(pid, &status);
  return status;
}

/* A child that runs `fn` and exits 0 if it returned true, 1 otherwise. */
static int in_child(int (*fn)(void)) {
  int pid = fork();
  if (pid == 0) exit(fn() ? 0 : 1);
  return status_of(pid);
}

/* volatile: the compiler must not move accesses across the faults and forks. */
static volatile char *a, *b, *c, *heap;

/* Changes made by the child after fork: the parent must not see them. */
static int child_changes(void) {
  mprotect((void *)a, PAGE, PROT_READ);
  munmap((void *)b, PAGE);
  sys_brk((void *)heap);
  c[0] = 'c';
  return 1;
}

/* What the child sees after the parent changed things. */
static int child_sees_old(void) {
  a[0] = 'k'; /* still writable in the child */
  return a[0] == 'k' && b[0] == 'B' && heap[PAGE] == 'H' && c[0] == 'C';
}

int main(void) {
  struct k_sigaction act = {(void *)on_segv, SA_SIGINFO, 0};
  sigaction(SIGSEGV, &act, 0);
  a = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  b = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  c = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  heap = sys_brk(0);
  heap = (char *)(((unsigned long)heap + PAGE - 1) & ~(PAGE - 1));
  sys_brk((void *)(heap + 2 * PAGE));
  a[0] = 'A';
  b[0] = 'B';
  c[0] = 'C';
  heap[PAGE] = 'H';

  /* The child's changes stay in the child. */
  check(in_child(child_changes) == 0, "the child mprotects, munmaps, shrinks brk, writes", 0, 0);
  a[0] = 'a';
  check(a[0] == 'a', "the parent still writes the page the child made read-only", a[0], 'a');
  check(b[0] == 'B', "the parent still reads the page the child unmapped", b[0], 'B');
  check(heap[PAGE] == 'H', "the parent still has the heap the child gave back", heap[PAGE], 'H');
  check(c[0] == 'C', "the parent does not see the child's write", c[0], 'C');
  a[0] = 'A';

  /* The parent's changes after fork stay in the parent. The child waits in
   * rt_sigsuspend until the parent, done, sends SIGUSR1 (blocked until then). */
  struct k_sigaction go = {on_usr1, 0, 0};
  sigaction(SIGUSR1, &go, 0);
  unsigned long usr1 = SIGBIT(SIGUSR1), none = 0;
  sigprocmask(SIG_BLOCK, &usr1, 0);
  int pid = fork();
  if (pid == 0) {
    sigsuspend(&none);
    exit(child_sees_old() ? 0 : 1);
  }
  mprotect((void *)a, PAGE, PROT_READ);
  munmap((void *)b, PAGE);
  sys_brk((void *)heap);
  kill(pid, SIGUSR1);
  int st = status_of(pid);
  check(st == 0, "the child keeps its mappings after the parent changed its own", st, 0);

  /* The parent writes the page it made read-only: SIGSEGV, SEGV_ACCERR. */
  resume_page = (char *)a;
  a[0] = 'P';
  check(segv_code == SEGV_ACCERR, "the write is SIGSEGV with SEGV_ACCERR", segv_code, SEGV_ACCERR);
  check(segv_addr == (unsigned long)a, "  si_addr is the page", (long)(segv_addr - (unsigned long)a), 0);
  check(a[0] == 'P', "  the write completes once the handler made it writable", a[0], 'P');

  /* And a page made read-only before fork stays read-only in the child, writable in the parent afterwards. */
  mprotect((void *)c, PAGE, PROT_READ);
  pid = fork();
  if (pid == 0) {
    resume_page = (char *)c;
    segv_code = 0;
    c[0] = 'x';
    exit(segv_code == SEGV_ACCERR && c[0] == 'x' ? 0 : 1);
  }
  mprotect((void *)c, PAGE, PROT_READ | PROT_WRITE);
  c[0] = 'p';
  st = status_of(pid);
  check(st == 0, "the child of a read-only page gets SEGV_ACCERR too", st, 0);
  check(c[0] == 'p', "the parent's write is its own", c[0], 'p');
  return failures != 0;
}
