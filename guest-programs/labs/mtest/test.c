/* test.c: the mtest report's test program, as the report prints it. Run it
 * in the background (`test &` in vmlab shell), find its buffer with
 * `echo "listvma" > /proc/mtest`, then findpage/writeval it; it spins until
 * killed (guest-programs/experiments/mtest.vmsh uses mtest-hold, which
 * gives up after 600 s, and mtest-test.c, which drives /proc/mtest itself). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main() {
  char* dummy = (char*) malloc(64 * sizeof(char));
  memset(dummy, 'A', 64 * sizeof(char));
  printf("Ready\n");
  while (1);
}
