// Last-resort error reporting for the CLI: users see one line, never a
// JavaScript stack trace (set VMLAB_DEBUG=1 to get it).
import { HOST_LINE_LIMIT } from '../../host/files';

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
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`vmlab: internal error: ${msg}\n`);
  if (process.env.VMLAB_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(this is a bug in vmlab; run with VMLAB_DEBUG=1 for details)\n');
  process.exit(70);
}

/** A line of commands on stdin past HOST_LINE_LIMIT (`vmlab shell < /dev/zero`): one line, exit status 1. */
export function stdinLineTooLong(expected: string): never {
  process.stderr.write(`vmlab: standard input: a line is longer than ${HOST_LINE_LIMIT / 1048576} MiB, too long for ${expected}\n`);
  process.exit(1);
}
