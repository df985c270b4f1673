// <linux/ioctl.h> (include/uapi/asm-generic/ioctl.h): the encoding of ioctl
// command numbers. A command is a 32-bit unsigned int:
//
//   bits 31..30  direction (_IOC_NONE 0, _IOC_WRITE 1, _IOC_READ 2)
//   bits 29..16  size of the argument's type (14 bits)
//   bits 15..8   type (the driver's "magic" character)
//   bits  7..0   number
//
// The results are numbers (cmd is an unsigned int: 0 .. 2^32 - 1), as the
// `cmd` a file_operations.unlocked_ioctl receives:
//
//   const PHYSICALVIEW_WALK = _IOWR('k', 1, 16);   // 0xc0106b01

/** The size of the argument's type: bytes (C's sizeof), 0 .. 16383. */
export type ioctl_size = number;
/** The type (magic) as in C: a one-character string ('k') or its code (0x6b). */
export type ioctl_type = string | number;

/** The widths and positions of the four fields (asm-generic/ioctl.h). */
export declare const _IOC_NRBITS: 8;
export declare const _IOC_TYPEBITS: 8;
export declare const _IOC_SIZEBITS: 14;
export declare const _IOC_DIRBITS: 2;
export declare const _IOC_NRSHIFT: 0;
export declare const _IOC_TYPESHIFT: 8;
export declare const _IOC_SIZESHIFT: 16;
export declare const _IOC_DIRSHIFT: 30;
/** Direction bits: no data, user writes (kernel reads: copy_from_user), user reads (copy_to_user). */
export declare const _IOC_NONE: 0;
export declare const _IOC_WRITE: 1;
export declare const _IOC_READ: 2;

/**
 * _IOC(dir, type, nr, size): the command number (asm-generic/ioctl.h).
 * A field out of its range (a nr above 255, a size above 16383, a type
 * string that is not one character) throws a TypeError naming _IOC, as
 * Linux's _IOC_TYPECHECK refuses to compile it.
 */
export declare function _IOC(dir: number, type: ioctl_type, nr: number, size: ioctl_size): number;
/** _IO(type, nr): a command without an argument. */
export declare function _IO(type: ioctl_type, nr: number): number;
/** _IOR(type, nr, size): user space reads `size` bytes (the driver copy_to_user's). `size` is C's sizeof(argtype). */
export declare function _IOR(type: ioctl_type, nr: number, size: ioctl_size): number;
/** _IOW(type, nr, size): user space writes `size` bytes (the driver copy_from_user's). */
export declare function _IOW(type: ioctl_type, nr: number, size: ioctl_size): number;
/** _IOWR(type, nr, size): both ways. _IOWR('k', 1, 16) = 0xc0106b01. */
export declare function _IOWR(type: ioctl_type, nr: number, size: ioctl_size): number;
/** _IOC_DIR(cmd): the direction bits (31..30). */
export declare function _IOC_DIR(cmd: number): number;
/** _IOC_TYPE(cmd): the type (15..8). */
export declare function _IOC_TYPE(cmd: number): number;
/** _IOC_NR(cmd): the number (7..0). */
export declare function _IOC_NR(cmd: number): number;
/** _IOC_SIZE(cmd): the size (29..16). */
export declare function _IOC_SIZE(cmd: number): number;
