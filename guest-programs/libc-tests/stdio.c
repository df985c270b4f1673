/*
 * stdio.c: the C library's FILE streams and formats, built twice (glibc, and
 * `vmlab cc`); both builds must print the same bytes (tests/guest/libc-c.test.ts).
 * Standard output is a pipe in the tests, so it is fully buffered: what a
 * fork duplicates, what _exit loses and what exit writes out show that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void formats(void) {
  printf("[%d|%i|%u|%x|%X|%o|%c|%s|%%]\n", -42, 42, 42u, 0xbeef, 0xbeef, 8, 'z', "str");
  printf("[%ld|%lu|%lx|%llx|%zu|%zd]\n", -9000000000L, 18000000000UL, 0xfeedfacecafeL, 0x123456789abcdefULL, (size_t)77, (ssize_t)-77);
  printf("[%5d|%-5d|%05d|%+d|% d|%#x|%#o|%#X]\n", 42, 42, 42, 42, 42, 255, 8, 255);
  printf("[%.3d|%8.3d|%-8.3d|%.0d|%.s|%.2s|%10.4s|%-10s]\n", 7, 7, 7, 0, "abc", "abc", "abcdef", "left");
  printf("[%*d|%-*d|%.*s|%c%c]\n", 6, 1, 6, 2, 3, "abcdef", 'o', 'k');
  printf("[%p|%p|%s]\n", (void *)0x1234, (void *)0, (char *)0);
  printf("[%hhd|%hd|%hhu|%hu]\n", 300, 70000, 300, 70000);
  printf("[%jd|%td|%lld|%llu]\n", (long long)-1 << 40, (ptrdiff_t)-5, -1LL, -1ULL);
  char small[8];
  int n = snprintf(small, sizeof small, "%s-%d", "truncated", 12345);
  printf("snprintf %d \"%s\"\n", n, small);
  char big[600];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  n = printf("%s\n", big); /* longer than vfprintf's stack buffer */
  printf("printed %d\n", n);
  fprintf(stdout, "fprintf to stdout %d\n", 1);
  fputs("fputs\n", stdout);
  fputc('c', stdout);
  putc('\n', stdout);
  putchar('p');
  puts("uts");
  fwrite("fwrite\n", 1, 7, stdout);
  printf("puts returns %d, fputs returns %d\n", puts("r"), fputs("", stdout));
}

static void files(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/stdio-test-%d", (int)getpid());
  FILE *f = fopen(path, "w+");
  if (f == NULL) {
    perror("fopen");
    return;
  }
  for (int i = 0; i < 3; i++) fprintf(f, "line %d\n", i);
  printf("ftell %ld\n", ftell(f));
  rewind(f);
  char line[32];
  while (fgets(line, sizeof line, f) != NULL) printf("read: %s", line);
  printf("feof %d ferror %d\n", feof(f), ferror(f));
  fseek(f, 5, SEEK_SET);
  int c = fgetc(f);
  ungetc('Z', f);
  printf("fgetc '%c', then ungetc'd '%c', ftell %ld\n", c, fgetc(f), ftell(f));
  fseek(f, 0, SEEK_END);
  fputs("tail\n", f);
  fclose(f);
  f = fopen(path, "r");
  char all[64] = {0};
  size_t got = fread(all, 1, sizeof all - 1, f);
  printf("fread %zu bytes, last line %s", got, strrchr(all, 'l') - 0 == NULL ? "?" : all + got - 5);
  printf("fread at the end %zu, feof %d\n", fread(all, 1, 4, f), feof(f));
  fclose(f);
  printf("fopen of a missing file: %s, errno %d\n", fopen("/nonexistent/x", "r") == NULL ? "NULL" : "?", errno);
  printf("bad mode: %s, errno %d\n", fopen(path, "q") == NULL ? "NULL" : "?", errno);
  remove(path); /* (its result is not printed: vmlab has no unlinkat yet) */
}

static void buffering(void) {
  /* Fully buffered (a pipe): the child inherits the unwritten line and writes it too. */
  printf("before fork (buffered)\n");
  pid_t pid = fork();
  if (pid == 0) {
    printf("child\n");
    exit(0); /* writes "before fork" and "child" */
  }
  int status;
  waitpid(pid, &status, 0);
  printf("parent after child exit %d\n", WEXITSTATUS(status));
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    printf("lost: _exit writes nothing out\n");
    _exit(3);
  }
  waitpid(pid, &status, 0);
  printf("child _exit %d\n", WEXITSTATUS(status));
  /* Unbuffered stdout: each call writes at once. */
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("unbuffered\n");
  setvbuf(stdout, NULL, _IOFBF, 0);
  fprintf(stderr, "stderr is unbuffered\n");
}

static void bye1(void) { printf("atexit 1 (runs last)\n"); }
static void bye2(void) { printf("atexit 2 (runs first)\n"); }

int main(void) {
  formats();
  files();
  buffering();
  atexit(bye1);
  atexit(bye2);
  printf("main returns 5\n");
  return 5;
}
