// `vmlab shell`: a console over one booted kernel that lives across
// commands (shell-session.ts runs them, shell-commands.ts has the
// built-ins). Four ways in:
//   vmlab shell                 interactive on a terminal: line editing, history
//                               in ~/.vmlab_history, Ctrl-C interrupts the running
//                               program, Ctrl-D leaves
//   vmlab shell FILE.vmsh       a script: one command line per line, `#` comments
//   vmlab shell -c 'a; b'       commands from the argument
//   ... | vmlab shell           commands from stdin (not a terminal)
// Non-interactive modes echo each command as `vmlab# COMMAND` (and comment
// lines as they are) so the output reads as a transcript; --quiet turns the
// echo off. --max-insns N kills any foreground program that runs N guest
// instructions (status 124), so a runaway program cannot hang a script. The
// exit status is 0, or `exit N`'s N, or with -e the status of the first
// command that failed (the script stops there).
import { appendFileSync } from 'node:fs';
import { lineBounded, readHostText } from '../../host/files';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CommandModule } from 'yargs';
import type { KernelOptions } from '../../kernel-ts/kernel';
import { UserError, stdinLineTooLong } from './errors';
import { kernelOptions, kernelOptionsFrom } from './kernel-options';
import { parseInteger } from './option-values';
import type { KernelArgs } from './kernel-options';
import { PROMPT, ShellSession } from './shell-session';
import { writeFd } from './output';

interface ShellArgs extends KernelArgs {
  script?: string;
  c?: string;
  quiet: boolean;
  e: boolean;
  maxInsns?: unknown;
}

const HISTORY_FILE = '.vmlab_history';
const HISTORY_SIZE = 1000;

export const shellCommand: CommandModule<object, ShellArgs> = {
  command: 'shell [script]',
  describe: 'A shell over one booted vmlab kernel (programs, modules, /proc, dmesg, trace)',
  builder: (y) =>
    kernelOptions(y)
      .positional('script', { type: 'string', describe: 'a .vmsh script: one command line per line' })
      .option('c', { type: 'string', describe: "run these commands (separated by ';' or newlines) and exit" })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'do not echo script commands' })
      .option('e', { type: 'boolean', default: false, describe: 'stop a script at the first failing command (its status is the exit status)' })
      .option('max-insns', { requiresArg: true, describe: 'kill a foreground program after this many guest instructions (status 124)' })
      .epilogue('Type `help` in the shell for its commands; see docs/shell.md.'),
  handler: async (argv) => {
    const opts: KernelOptions = kernelOptionsFrom(argv);
    const session = new ShellSession(opts, { out: (s) => writeFd(1, s), err: (s) => writeFd(2, s) });
    if (argv.maxInsns !== undefined) session.maxInsns = parseInteger('--max-insns', argv.maxInsns, { min: 1 });
    if (argv.c !== undefined) process.exitCode = await runLines(session, argv.c.split('\n'), argv);
    else if (argv.script !== undefined) process.exitCode = await runLines(session, readScript(argv.script), argv);
    else if (!process.stdin.isTTY) process.exitCode = await runStdin(session, argv);
    else process.exitCode = await interactive(session, opts);
  },
};

function readScript(path: string): string[] {
  const r = readHostText(path, 'a shell script');
  if (!r.ok) throw new UserError(`${path}: ${r.reason}`);
  return r.value.split('\n');
}

/** Ctrl-C outside a terminal: interrupt the foreground program, or end the shell when none runs. */
function onSigint(session: ShellSession, running: () => boolean): () => void {
  const handler = (): void => {
    if (running()) session.interrupted = true;
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

/** One script line: comments echoed, blank lines skipped, the rest run. The status, or null to go on. */
async function scriptLine(session: ShellSession, raw: string, argv: ShellArgs): Promise<number | null> {
  const line = raw.replace(/\r$/, '');
  const trimmed = line.trim();
  if (trimmed === '') return null;
  if (trimmed.startsWith('#')) {
    if (!argv.quiet) session.io.out(`${trimmed}\n`);
    return null;
  }
  const st = await session.execLine(line);
  if (session.exitStatus !== null) return session.exitStatus;
  if (argv.e && st !== 0) return st;
  return null;
}

/** Runs script lines (an array, or stdin's lines as they come) until the end, `exit`, or a failure under -e. */
async function runLines(session: ShellSession, lines: Iterable<string> | AsyncIterable<string>, argv: ShellArgs): Promise<number> {
  session.echoCommands = !argv.quiet;
  let busy = false;
  const off = onSigint(session, () => busy);
  try {
    for await (const l of lines) {
      busy = true;
      const r = await scriptLine(session, l, argv);
      busy = false;
      if (r !== null) return r;
    }
    return 0;
  } finally {
    off();
  }
}

async function runStdin(session: ShellSession, argv: ShellArgs): Promise<number> {
  const rl = createInterface({ input: lineBounded(process.stdin, () => stdinLineTooLong('shell commands')), terminal: false });
  try {
    return await runLines(session, rl, argv);
  } finally {
    rl.close();
  }
}

function loadHistory(file: string): string[] {
  // No history (or one that is not a regular file of reasonable size) is an empty one. readline wants the newest first.
  const r = readHostText(file, 'a history file');
  return r.ok ? r.value.split('\n').filter((l) => l !== '').reverse().slice(0, HISTORY_SIZE) : [];
}

async function interactive(session: ShellSession, opts: KernelOptions): Promise<number> {
  const historyFile = join(homedir(), HISTORY_FILE);
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    prompt: PROMPT,
    history: loadHistory(historyFile),
    historySize: HISTORY_SIZE,
  });
  let busy = false;
  rl.on('SIGINT', () => {
    if (busy) session.interrupted = true;
    else {
      rl.write(null, { ctrl: true, name: 'u' });
      process.stdout.write('^C\n');
      rl.prompt();
    }
  });
  const mib = Math.round((opts.memSize ?? 0) / (1 << 20));
  session.io.out(`vmlab shell: ${opts.paging}-level paging, ${mib} MiB of RAM. Type help for the commands, exit or Ctrl-D to leave.\n`);
  rl.prompt();
  try {
    for await (const line of rl) {
      if (line.trim() !== '') {
        try {
          appendFileSync(historyFile, `${line}\n`);
        } catch {
          // No writable home: history lives for this session only.
        }
      }
      busy = true;
      await session.execLine(line);
      busy = false;
      if (session.exitStatus !== null) return session.exitStatus;
      rl.prompt();
    }
    process.stdout.write('\n');
    return session.status;
  } finally {
    rl.close();
  }
}
