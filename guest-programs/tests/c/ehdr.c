/* ehdr.c: reads the program's own ELF header through __ehdr_start, which GNU
 * ld defines when the headers lie in a loaded segment. Linked with
 * -Ttext=0x10000 that segment starts at 0xf000, below vm.mmap_min_addr's
 * default of 65536: the first read of the header is a page fault there.
 * Prints where the header is, its magic, type, entry and segment count (a
 * header at address 0, as with -Ttext=0x1000, reads as not loaded). */
#include "rt.h"

extern const unsigned char __ehdr_start[] __attribute__((weak));
extern void _start(void);

static unsigned long u16(const unsigned char *p) { return p[0] | (unsigned long)p[1] << 8; }

static unsigned long u64(const unsigned char *p) {
  unsigned long v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

int main(void) {
  const unsigned char *e = __ehdr_start;
  if (e == 0) {
    puts_("ELF header: not in a loaded segment\n");
    return 0;
  }
  puts_("ELF header at ");
  put_hex((unsigned long)e);
  puts_("\n");
  check(e[0] == 0x7f && e[1] == 'E' && e[2] == 'L' && e[3] == 'F', "magic", e[0], 0x7f);
  check(u16(e + 16) == 2, "e_type ET_EXEC", (long)u16(e + 16), 2);
  check(u64(e + 24) == (unsigned long)_start, "e_entry is _start", (long)u64(e + 24), (long)_start);
  puts_("segments: ");
  put_dec((long)u16(e + 56));
  puts_("\n");
  return failures;
}
