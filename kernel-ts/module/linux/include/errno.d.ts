// <linux/errno.h>: the E* error numbers, Linux's values (include/uapi/asm-
// generic/errno-base.h and errno.h). A function that fails returns -E...;
// these are the kernel's own constants (kernel-ts/errno.ts), re-exported.
export * from '../../../errno';
