/*
 * vmlab/types.h: the scalar types the standard headers share (glibc's for
 * riscv64 lp64: bits/types.h, bits/typesizes.h). size_t, ptrdiff_t,
 * wchar_t and NULL come from the compiler's <stddef.h>, the intN_t from
 * its <stdint.h>, va_list from its <stdarg.h>.
 */
#ifndef _VMLAB_TYPES_H
#define _VMLAB_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
typedef long off_t;
typedef long off64_t;
typedef int pid_t;
typedef unsigned int mode_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned long dev_t;
typedef unsigned long ino_t;
typedef unsigned int nlink_t;
typedef int blksize_t;
typedef long blkcnt_t;
typedef long time_t;
typedef long clock_t;
typedef int clockid_t;
typedef unsigned int useconds_t;
typedef long suseconds_t;
typedef int id_t;
typedef unsigned int socklen_t;

/* glibc's __sigset_t: 1024 bits, of which the kernel reads the first 64. */
typedef struct {
  unsigned long __val[1024 / (8 * sizeof(unsigned long))];
} __sigset_t;

struct timespec {
  time_t tv_sec;
  long tv_nsec;
};

#endif /* _VMLAB_TYPES_H */
