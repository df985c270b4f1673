// Character devices (Linux fs/char_dev.c and drivers/char/mem.c): the
// registry behind registerChrdev(), and the devices every vmlab system has:
// /dev/null (1:3), /dev/zero (1:5) and /dev/console (5:1).
//
// The console is the run's terminal: writes go to the host sinks the kernel
// was booted with (an open of fd 1 goes to the host's stdout, fd 2 to its
// stderr: vmlab keeps the two streams apart where Linux's console has one),
// reads come from the stdin source, 0 (EOF) when it has no more. It is a
// terminal (TCGETS answers, as for a tty) exactly when the host stream it
// stands for is one, so a C library buffers the guest's output as it would
// the host program's: line by line on a terminal, in blocks into a pipe.
import { EFAULT, ENOTTY } from '../errno';
import type { File, FileOperations, Loff } from './file';

export const MEM_MAJOR = 1;
export const NULL_MINOR = 3;
export const ZERO_MINOR = 5;
export const TTYAUX_MAJOR = 5;
export const CONSOLE_MINOR = 1;
/** Dynamic majors are handed out from 254 down (Linux CHRDEV_MAJOR_DYN_END .. 234). */
export const CHRDEV_MAJOR_DYN_FIRST = 254;
export const CHRDEV_MAJOR_DYN_LAST = 234;

/** The host side of the console. */
export interface ConsoleHost {
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  /** The next chunk of input, or null at end of input. */
  stdin?: () => Uint8Array | null;
  /** Which host streams are terminals (isatty); none when absent. fd 0 shares fd 1's open, so stdout answers for both. */
  ttys?: { stdout?: boolean; stderr?: boolean };
}

/** TCGETS (asm-generic/ioctls.h): the terminal's struct termios. */
export const TCGETS = 0x5401;

/**
 * The console's termios as a fresh Linux tty has it (tty_std_termios,
 * INIT_C_CC): the kernel's struct termios for riscv64, 36 bytes: c_iflag
 * ICRNL|IXON, c_oflag OPOST|ONLCR, c_cflag B38400|CS8|CREAD|HUPCL, c_lflag
 * ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN, c_line 0, c_cc[19].
 */
function stdTermios(): Uint8Array {
  const b = new Uint8Array(36);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0o2400, true);
  v.setUint32(4, 0o5, true);
  v.setUint32(8, 0o2277, true);
  v.setUint32(12, 0o105073, true);
  b.set([3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0], 17);
  return b;
}

/** Which host stream a console file writes to (its file.private). */
export const ConsoleStream = { Stdout: 'stdout', Stderr: 'stderr' } as const;
export type ConsoleStream = (typeof ConsoleStream)[keyof typeof ConsoleStream];

/** /dev/null: reads are EOF, writes vanish, lseek stays at 0 (null_lseek). */
export const nullFops: FileOperations = {
  read: (): number => 0,
  write: (_f: File, data: Uint8Array): number => data.length,
  llseek: (file: File): number => (file.pos = 0),
  discardsWrites: true,
};

/** /dev/zero: reads give zeros, writes vanish; mmap is anonymous memory (see Vfs.fileForMmap). */
export const zeroFops: FileOperations = {
  read: (_f: File, buf: Uint8Array): number => {
    buf.fill(0);
    return buf.length;
  },
  write: (_f: File, data: Uint8Array): number => data.length,
  llseek: (file: File): number => (file.pos = 0),
  discardsWrites: true,
};

/**
 * /dev/console over a ConsoleHost (read by the host getter each time, so
 * sinks may be set after boot); `copyOut` copies to the calling task's
 * memory (0 or -EFAULT), for the ioctls.
 */
export function consoleFops(host: () => ConsoleHost, copyOut: (uaddr: number, bytes: Uint8Array) => number): FileOperations {
  let pending: Uint8Array | null = null;
  let eof = false;
  return {
    open: (_inode, file: File): number => {
      if (file.private === null) file.private = ConsoleStream.Stdout;
      return 0;
    },
    read: (_f: File, buf: Uint8Array, _ppos: Loff): number => {
      if (buf.length === 0) return 0;
      if (!pending || pending.length === 0) {
        const src = host().stdin;
        const chunk = eof || !src ? null : src();
        if (chunk === null) {
          eof = true;
          return 0;
        }
        pending = chunk;
      }
      const n = Math.min(buf.length, pending.length);
      buf.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return n;
    },
    write: (file: File, data: Uint8Array): number => {
      const h = host();
      const sink = file.private === ConsoleStream.Stderr ? h.stderr : h.stdout;
      // The sink may keep the bytes: give it its own copy.
      sink?.(data.slice());
      return data.length;
    },
    // A tty has no position: no llseek, so lseek gives -ESPIPE.
    // tty_ioctl: TCGETS on a terminal; anything else, or a console that is no terminal, -ENOTTY.
    ioctl: (file: File, cmd: number, arg: number): number => {
      const ttys = host().ttys ?? {};
      const tty = file.private === ConsoleStream.Stderr ? ttys.stderr === true : ttys.stdout === true;
      if (!tty || cmd !== TCGETS) return -ENOTTY;
      return copyOut(arg, stdTermios()) < 0 ? -EFAULT : 0;
    },
  };
}
