/*
 * c-smoke.c: the C view of the library, built twice like printf-oracle.c
 * (glibc, and `vmlab cc -DVMLAB` with vmlab.h): struct sigaction, siginfo_t, jmp_buf,
 * the wait macros, the mmap constants and errno must mean the same in both.
 */
#ifdef VMLAB
#include "vmlab.h"
#else
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

static sigjmp_buf env;
static void *fault_addr;
static int fault_code;

static void on_segv(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)uc;
  fault_addr = info->si_addr;
  fault_code = info->si_code;
  siglongjmp(env, 1);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0); /* nothing buffered across fork */
  printf("argc %d, argv[1] %s\n", argc, argc > 1 ? argv[1] : "-");

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  printf("sigaction %d\n", sigaction(SIGSEGV, &sa, NULL));
  char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (sigsetjmp(env, 1) == 0) {
    page[123] = 1;
    printf("no fault?\n");
  }
  printf("fault at page+%ld, code %d\n", (long)((char *)fault_addr - page), fault_code);
  if (sigsetjmp(env, 1) == 0) *(volatile int *)8 = 1;
  printf("fault at %p, code %d\n", fault_addr, fault_code);

  int *a = malloc(100 * sizeof *a);
  for (int i = 0; i < 100; i++) a[i] = i * i;
  a = realloc(a, 100000 * sizeof *a);
  long sum = 0;
  for (int i = 0; i < 100; i++) sum += a[i];
  printf("realloc kept %ld\n", sum);
  free(a);

  pid_t pid = fork();
  if (pid == 0) exit(7);
  int status = 0;
  printf("waitpid %d, exited %d, status %d\n", waitpid(pid, &status, 0) == pid, WIFEXITED(status), WEXITSTATUS(status));

  errno = 0;
  int fd = open("/no/such/file", O_RDONLY, 0);
  printf("open %d errno %d\n", fd, errno);
  printf("strtoul %lu %lu\n", strtoul("0x10", NULL, 0), strtoul("777", NULL, 8));
  for (int e = -1; e <= 40; e++) printf("strerror(%d) = %s\n", e, strerror(e));
  printf("strerror(4095) = %s\n", strerror(4095));
  errno = ENOENT;
  perror("perror");
  perror(NULL);
  return 3;
}
