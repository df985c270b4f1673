/* hello.c: argv and an exit status of 3. */
#include "rt.h"

int main(int argc, char **argv) {
  puts_("hello from C, argc=");
  put_dec(argc);
  puts_("\n");
  for (int i = 1; i < argc; i++) {
    puts_(argv[i]);
    puts_("\n");
  }
  return 3;
}
