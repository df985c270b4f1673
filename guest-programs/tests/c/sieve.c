/* sieve.c: arithmetic (mul, div, rem) and a byte array: primes below 200000. */
#include "rt.h"

#define N 200000
static unsigned char composite[N];

int main(void) {
  long count = 0, sum = 0;
  for (long i = 2; i < N; i++) {
    if (composite[i]) continue;
    count++;
    sum += i;
    for (long j = i * i; j < N; j += i) composite[j] = 1;
  }
  puts_("primes below 200000: ");
  put_dec(count);
  puts_(", sum ");
  put_dec(sum);
  puts_("\n");
  long q = 0, r = 0;
  for (long a = -50; a <= 50; a += 7)
    for (long b = -9; b <= 9; b += 4) {
      q += a / b;
      r += a % b;
    }
  puts_("div/rem: ");
  put_dec(q);
  puts_(" ");
  put_dec(r);
  puts_("\n");
  put_hex(0xdeadbeefcafeUL * 977);
  puts_("\n");
  return 0;
}
