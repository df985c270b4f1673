// Last-resort error reporting for the CLI: users see one line, never a
// JavaScript stack trace (set VMLAB_DEBUG=1 to get it).
import { HOST_LINE_LIMIT } from '../../host/files';
import { describeThrown } from '../../kernel-ts/proc/oops';

/** An error meant for the user: printed as `vmlab: MESSAGE`, exit status 1 unless given. */
export class UserError extends Error {
  constructor(message: string, readonly status = 1) {
    super(message);
  }
}

export function reportInternalError(err: unknown): never {
  if (err instanceof UserError) {
    process.stderr.write(`vmlab: ${err.message}\n`);
    process.exit(err.status);
  }
  // Whatever was thrown (a module's code can throw anything) is described without throwing again.
  const { text, error } = describeThrown(err);
  const msg = error !== null ? text.slice(text.indexOf(': ') + 2) : text;
  process.stderr.write(`vmlab: internal error: ${msg}\n`);
  if (process.env.VMLAB_DEBUG === '1' && error !== null && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('(this is a bug in vmlab; run with VMLAB_DEBUG=1 for details)\n');
  process.exit(70);
}

/** A line of commands on stdin past HOST_LINE_LIMIT (`vmlab shell < /dev/zero`): one line, exit status 1. */
export function stdinLineTooLong(expected: string): never {
  process.stderr.write(`vmlab: standard input: a line is longer than ${HOST_LINE_LIMIT / 1048576} MiB, too long for ${expected}\n`);
  process.exit(1);
}

/**
 * A promise rejected with no handler reaches here instead of Node's default
 * (a stack trace, exit 1). The kernel hands every Promise a module returns a
 * handler (module/watchdog.ts), so what is left is a module's stray async
 * code (a timer, a promise it made and dropped): said in one line, and vmlab
 * goes on, as the kernel would after a module's bug.
 */
export function reportUnhandledRejection(reason: unknown): void {
  process.stderr.write(`vmlab: a promise rejected with no handler (a kernel module's async code?): ${describeThrown(reason).text}\n`);
}
