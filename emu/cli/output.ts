// Synchronous output for the commands that run guests: everything written
// in order (stdout and stderr interleave as produced), a full pipe waited
// out, and a closed reader (`vmlab run prog | head`) ending vmlab as a
// writer killed by SIGPIPE ends (exit status 128 + 13), never a stack trace.
import { writeSync } from 'node:fs';

const SIGPIPE = 13;

/** Writes all of `s` to fd. */
export function writeFd(fd: number, s: string | Uint8Array): void {
  const bytes = typeof s === 'string' ? Buffer.from(s) : s;
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') process.exit(128 + SIGPIPE);
      throw e;
    }
  }
}

/** The guests' console: vmlab's own stdout and stderr (KernelOptions.stdout, .stderr, .ttys). */
export function guestConsole(): { stdout: (b: Uint8Array) => void; stderr: (b: Uint8Array) => void; ttys: { stdout: boolean; stderr: boolean } } {
  return {
    stdout: (b) => writeFd(1, b),
    stderr: (b) => writeFd(2, b),
    ttys: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  };
}

/** Lets the event loop run (Ctrl-C's handler) between slices of a running guest. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
