// <linux/ioctl.h>: the ioctl command encoders (include/uapi/asm-generic/ioctl.h).
// Pure arithmetic: no kernel state.
import type { LinuxEnv } from './env';
import type * as Ioctl from './include/ioctl';

const NRBITS = 8;
const TYPEBITS = 8;
const SIZEBITS = 14;
const DIRBITS = 2;
const NRSHIFT = 0;
const TYPESHIFT = 8; // NRSHIFT + NRBITS
const SIZESHIFT = 16; // TYPESHIFT + TYPEBITS
const DIRSHIFT = 30; // SIZESHIFT + SIZEBITS
const NONE = 0;
const WRITE = 1;
const READ = 2;

function field(what: string, v: number, bits: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new TypeError(`_IOC: ${what} ${v} is not in 0..${2 ** bits - 1}`);
  return v;
}

function typeCode(type: Ioctl.ioctl_type): number {
  if (typeof type === 'string') {
    if (type.length !== 1) throw new TypeError(`_IOC: type '${type}' is not one character`);
    return field('type', type.charCodeAt(0), TYPEBITS);
  }
  return field('type', type, TYPEBITS);
}

/** _IOC(): unsigned 32-bit command number. */
function ioc(dir: number, type: Ioctl.ioctl_type, nr: number, size: number): number {
  return (
    ((field('dir', dir, DIRBITS) << DIRSHIFT) |
      (typeCode(type) << TYPESHIFT) |
      (field('nr', nr, NRBITS) << NRSHIFT) |
      (field('size', size, SIZEBITS) << SIZESHIFT)) >>>
    0
  );
}

const u32 = (cmd: number): number => cmd >>> 0;

export function ioctlApi(_env: LinuxEnv): typeof Ioctl {
  return {
    _IOC_NRBITS: NRBITS,
    _IOC_TYPEBITS: TYPEBITS,
    _IOC_SIZEBITS: SIZEBITS,
    _IOC_DIRBITS: DIRBITS,
    _IOC_NRSHIFT: NRSHIFT,
    _IOC_TYPESHIFT: TYPESHIFT,
    _IOC_SIZESHIFT: SIZESHIFT,
    _IOC_DIRSHIFT: DIRSHIFT,
    _IOC_NONE: NONE,
    _IOC_WRITE: WRITE,
    _IOC_READ: READ,
    _IOC: ioc,
    _IO: (type, nr) => ioc(NONE, type, nr, 0),
    _IOR: (type, nr, size) => ioc(READ, type, nr, size),
    _IOW: (type, nr, size) => ioc(WRITE, type, nr, size),
    _IOWR: (type, nr, size) => ioc(READ | WRITE, type, nr, size),
    _IOC_DIR: (cmd) => (u32(cmd) >>> DIRSHIFT) & ((1 << DIRBITS) - 1),
    _IOC_TYPE: (cmd) => (u32(cmd) >>> TYPESHIFT) & ((1 << TYPEBITS) - 1),
    _IOC_NR: (cmd) => (u32(cmd) >>> NRSHIFT) & ((1 << NRBITS) - 1),
    _IOC_SIZE: (cmd) => (u32(cmd) >>> SIZESHIFT) & ((1 << SIZEBITS) - 1),
  };
}
