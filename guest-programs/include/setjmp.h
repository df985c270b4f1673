/*
 * setjmp.h: glibc's riscv64 lp64 jmp_buf (248 bytes: pc, s0..s11, sp;
 * whether the mask was saved; the mask). vmlab's setjmp keeps ra, sp,
 * s0..s11 in the first 14 slots, the flag at 112 and the mask at 120.
 * setjmp does not save the signal mask (glibc's _setjmp); sigsetjmp(env, 1) does.
 */
#ifndef _VMLAB_SETJMP_H
#define _VMLAB_SETJMP_H
#include "vmlab/types.h"

struct __jmp_buf_tag {
  long __jmpbuf[14];
  int __mask_was_saved;
  __sigset_t __saved_mask;
};
typedef struct __jmp_buf_tag jmp_buf[1];
typedef struct __jmp_buf_tag sigjmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
int _setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));
void _longjmp(jmp_buf env, int val) __attribute__((noreturn));
int sigsetjmp(sigjmp_buf env, int savemask) __attribute__((returns_twice));
void siglongjmp(sigjmp_buf env, int val) __attribute__((noreturn));

#endif /* _VMLAB_SETJMP_H */
