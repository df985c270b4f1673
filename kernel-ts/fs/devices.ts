// Character devices (Linux fs/char_dev.c and drivers/char/mem.c): the
// registry behind registerChrdev(), and the devices every vmlab system has:
// /dev/null (1:3), /dev/zero (1:5) and /dev/console (5:1).
//
// The console is the run's terminal: writes go to the host sinks the kernel
// was booted with (an open of fd 1 goes to the host's stdout, fd 2 to its
// stderr: vmlab keeps the two streams apart where Linux's console has one),
// reads come from the stdin source, 0 (EOF) when it has no more.
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

/** /dev/console over a ConsoleHost (read by the host getter each time, so sinks may be set after boot). */
export function consoleFops(host: () => ConsoleHost): FileOperations {
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
  };
}
