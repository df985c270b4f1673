/* strings.h: the BSD string functions. */
#ifndef _VMLAB_STRINGS_H
#define _VMLAB_STRINGS_H
#include "vmlab/types.h"

int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
void bzero(void *s, size_t n);
int ffs(int i);

#endif /* _VMLAB_STRINGS_H */
