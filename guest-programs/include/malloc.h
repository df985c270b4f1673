/* malloc.h: the heap functions (malloc.s), with malloc_usable_size. */
#ifndef _VMLAB_MALLOC_H
#define _VMLAB_MALLOC_H
#include <stddef.h>

void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);
size_t malloc_usable_size(void *p);

#endif /* _VMLAB_MALLOC_H */
