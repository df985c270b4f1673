/*
 * exit.c: exit() and atexit() as glibc orders them: the atexit handlers in
 * reverse order of registration, then every FILE flushed, then
 * exit_group. _exit/_Exit (syscall.s) and abort flush nothing.
 */
#include <stdlib.h>
#include <unistd.h>
#include "internal.h"

/* POSIX's ATEXIT_MAX is at least 32; glibc has no limit. */
#define ATEXIT_SLOTS 32

static void (*handlers[ATEXIT_SLOTS])(void);
static int nhandlers;

int atexit(void (*fn)(void)) {
  if (nhandlers == ATEXIT_SLOTS) return -1;
  handlers[nhandlers++] = fn;
  return 0;
}

void exit(int status) {
  while (nhandlers > 0) handlers[--nhandlers]();
  __stdio_flushall();
  _exit(status);
}
