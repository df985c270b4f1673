/*
 * vmlab.h: every declaration of vmlab's guest runtime library in one
 * include (the .s files in guest-programs/lib and the C half in
 * guest-programs/libc; docs/guest-libc.md): the standard headers beside
 * it, and the ioctl encoders. Numbers are Linux's for riscv64
 * (asm-generic), layouts glibc's for lp64 (tests/guest/headers-peer.test.ts
 * compares them). `vmlab cc prog.c -o prog` builds a program against them
 * and links it with both halves of the library (`vmlab cc -v` shows how).
 * Functions return -1 and set errno on failure, as libc's do.
 */
#ifndef VMLAB_H
#define VMLAB_H

#include "assert.h"
#include "ctype.h"
#include "errno.h"
#include "fcntl.h"
#include "inttypes.h"
#include "limits.h"
#include "malloc.h"
#include "sched.h"
#include "setjmp.h"
#include "signal.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"
#include "strings.h"
#include "time.h"
#include "unistd.h"
#include "sys/auxv.h"
#include "sys/ioctl.h"
#include "sys/mman.h"
#include "sys/random.h"
#include "sys/stat.h"
#include "sys/types.h"
#include "sys/uio.h"
#include "sys/utsname.h"
#include "sys/wait.h"

#endif /* VMLAB_H */
