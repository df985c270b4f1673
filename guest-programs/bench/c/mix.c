/*
 * mix.c: a CoreMark-like mix of four kernels per iteration, each folded into
 * a CRC-16 of the results (CoreMark's shape; not its code):
 *   list   - a linked list of 64 nodes: find, reverse, insertion sort by key;
 *   matrix - 16x16 int32 matrices: multiply, add a constant, column sums;
 *   state  - a state machine scanning a 256-byte text for numbers, words
 *            and punctuation (a switch per character);
 *   crc    - CRC-16/CCITT bit by bit over the kernels' outputs.
 * Usage: mix [ITERATIONS]
 */
#include "bench.h"

#define NODES 64
#define N 16
#define TEXT 256

struct node {
  struct node *next;
  int32_t key;
  int32_t data;
};

static struct node pool[NODES];
static int32_t ma[N][N], mb[N][N], mc[N][N];
static char text[TEXT];

static uint16_t crc16(uint16_t crc, uint32_t v) {
  for (int i = 0; i < 32; i++) {
    uint16_t bit = (uint16_t)(((crc >> 15) ^ (v >> i)) & 1);
    crc = (uint16_t)(crc << 1);
    if (bit) crc ^= 0x1021;
  }
  return crc;
}

static struct node *list_reverse(struct node *p) {
  struct node *r = 0;
  while (p) {
    struct node *n = p->next;
    p->next = r;
    r = p;
    p = n;
  }
  return r;
}

static struct node *list_sort(struct node *p) {
  struct node *sorted = 0;
  while (p) {
    struct node *n = p->next, **at = &sorted;
    while (*at && (*at)->key < p->key) at = &(*at)->next;
    p->next = *at;
    *at = p;
    p = n;
  }
  return sorted;
}

static uint32_t list_kernel(struct node **head, uint32_t seed) {
  uint32_t found = 0;
  for (struct node *p = *head; p; p = p->next) {
    if (p->key == (int32_t)(seed & 0xff)) found += (uint32_t)p->data;
    p->key = (int32_t)((p->key * 1103515245u + seed) & 0x3ff);
  }
  *head = list_sort(list_reverse(*head));
  return found + (uint32_t)(*head)->key;
}

static uint32_t matrix_kernel(int32_t k) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int32_t s = 0;
      for (int x = 0; x < N; x++) s += ma[i][x] * mb[x][j];
      mc[i][j] = s;
    }
  uint32_t sum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      ma[i][j] = (mc[i][j] >> 4) + k;
      sum += (uint32_t)mc[j][i];
    }
  return sum;
}

enum state { START, NUMBER, WORD, PUNCT, SPACE };

static uint32_t state_kernel(uint32_t seed) {
  uint32_t counts[5] = {0, 0, 0, 0, 0};
  enum state st = START;
  for (int i = 0; i < TEXT; i++) {
    char c = text[i];
    switch (st) {
    case START:
    case SPACE:
      st = c >= '0' && c <= '9' ? NUMBER : (c >= 'a' && c <= 'z') ? WORD : c == ' ' ? SPACE : PUNCT;
      break;
    case NUMBER:
      if (c == ' ') st = SPACE;
      else if (c < '0' || c > '9') st = c == '.' ? NUMBER : PUNCT;
      break;
    case WORD:
      if (c == ' ') st = SPACE;
      else if (c >= '0' && c <= '9') st = PUNCT;
      break;
    case PUNCT:
      st = c == ' ' ? SPACE : START;
      break;
    }
    counts[st]++;
  }
  /* change one character so the next scan differs */
  text[seed % TEXT] = "0123456789 abcxyz.,;"[seed % 20];
  return counts[NUMBER] * 3 + counts[WORD] * 5 + counts[PUNCT] * 7 + counts[SPACE];
}

int main(int argc, char **argv) {
  unsigned long n = bench_arg(argc, argv, 1, 60000);
  uint64_t rng = 42;
  for (int i = 0; i < NODES; i++) {
    pool[i].next = i + 1 < NODES ? &pool[i + 1] : 0;
    pool[i].key = (int32_t)(bench_mix(&rng) & 0x3ff);
    pool[i].data = (int32_t)(bench_mix(&rng) & 0xffff);
  }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      ma[i][j] = (int32_t)(bench_mix(&rng) & 0xff) - 128;
      mb[i][j] = (int32_t)(bench_mix(&rng) & 0xff) - 128;
    }
  for (int i = 0; i < TEXT; i++) text[i] = "0123456789 abcxyz.,;"[bench_mix(&rng) % 20];
  struct node *head = pool;
  uint16_t crc = 0xffff;
  for (unsigned long i = 0; i < n; i++) {
    uint32_t seed = (uint32_t)bench_mix(&rng);
    crc = crc16(crc, list_kernel(&head, seed));
    crc = crc16(crc, matrix_kernel((int32_t)(seed & 7)));
    crc = crc16(crc, state_kernel(seed));
  }
  printf("mix %lu iterations: crc %04x\n", n, crc);
  return 0;
}
