/* sys/types.h: the POSIX scalar types, glibc's for riscv64 lp64. */
#ifndef _VMLAB_SYS_TYPES_H
#define _VMLAB_SYS_TYPES_H
#include "../vmlab/types.h"
#endif
