// `vmlab demo` (what `npm start` runs): the memview2 experiment (COMP3000
// Tutorial 8, docs/experiments/memview2.md), abridged. A `vmlab shell`
// session loads the physicalview driver, runs memview2 (which asks the
// driver, by ioctl, where its own addresses are in physical memory) three
// times around a drop of the page cache, then traces the driver's
// copy_to_user calls with their kernel stacks and its kmalloc calls.
//
// The transcript is the shell's, shortened where a trace repeats itself: an
// event with the same kernel stack as one already shown is only counted. The
// session is deterministic (seed 1), so the whole transcript is golden
// (tests/emu/cli/golden/demo.txt).
import type { CommandModule } from 'yargs';
import { ShellSession } from './shell-session';

/** The session: the experiment script's steps, with fewer buffers where the point is made already. */
const DEMO_SCRIPT = [
  '# vmlab demo: COMP3000 Tutorial 8 (3000physicalview + 3000memview2) in a vmlab shell session.',
  '# The whole walkthrough: vmlab shell guest-programs/experiments/memview2.vmsh (docs/experiments/memview2.md).',
  '',
  '# A kernel module: /dev/physicalview walks the caller\'s page tables (ioctl PHYSICALVIEW_WALK).',
  'insmod physicalview',
  'lsmod',
  '# memview2: virtual addresses on the left, the physical addresses the driver found on the right.',
  'memview2',
  '# Again: ASLR moved the stack and the heap; the text (main, lmsg) kept its frames: the page cache.',
  'memview2 3',
  '# Drop the page cache: the next run reads the program into new frames.',
  'echo 3 > /proc/sys/vm/drop_caches',
  'memview2 3',
  '# The driver copies the struct back with copy_to_user: each call with its kernel stack.',
  'trace stack on',
  'trace on uaccess:copy_to_user',
  'memview2 0',
  'trace off',
  'trace stack off',
  '# Its kmalloc: 16 bytes at a kernel address (the direct map, 0xffff888...), not a user one.',
  'trace on kmem:kmalloc',
  'memview2 0',
  'trace off',
  'rmmod physicalview',
  'dmesg',
];

const TRACE_EVENT = /^\s+\S+-\d+\s+\[\d{3}\] \S+\s+\d+\.\d{6}: (\w+): /;
const isStackLine = (l: string): boolean => l === ' <stack trace>' || l.startsWith(' => ');

/**
 * Shortens a shell transcript: within one command's output, a trace event
 * whose name and kernel stack were already shown is dropped, and the dropped
 * ones are counted in one line at the end of the command; stack frames
 * without a function name (the module loader's wrapper closures, printed as
 * host file positions) are left out.
 */
export function abridge(transcript: string): string {
  const lines = transcript.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: string[] = [];
  let seen = new Set<string>();
  let hidden = new Map<string, number>();
  const endCommand = (): void => {
    for (const [name, n] of hidden) out.push(`  [... ${n} more ${name} event${n === 1 ? '' : 's'} like the one above]`);
    seen = new Set();
    hidden = new Map();
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('vmlab# ') || line.startsWith('# ')) {
      endCommand();
      out.push(line);
      continue;
    }
    const ev = TRACE_EVENT.exec(line);
    if (ev === null) {
      out.push(line);
      continue;
    }
    const stack: string[] = [];
    while (i + 1 < lines.length && isStackLine(lines[i + 1]!)) {
      const l = lines[++i]!;
      if (!l.startsWith(' => file:')) stack.push(l);
    }
    const name = ev[1]!;
    const key = `${name}\n${stack.join('\n')}`;
    if (seen.has(key)) {
      hidden.set(name, (hidden.get(name) ?? 0) + 1);
      continue;
    }
    seen.add(key);
    out.push(line, ...stack);
  }
  endCommand();
  return `${out.join('\n')}\n`;
}

/** Runs the demo session and writes its abridged transcript. */
export async function demo(write: (s: string) => void): Promise<void> {
  let transcript = '';
  const append = (s: string): void => {
    transcript += s;
  };
  const session = new ShellSession({ seed: 1 }, { out: append, err: append });
  // The programs' console output joins the transcript in order (the console reads its sinks at each write).
  const decoder = new TextDecoder();
  session.k.opts.stdout = (b) => append(decoder.decode(b));
  session.k.opts.stderr = (b) => append(decoder.decode(b));
  session.echoCommands = true;
  for (const line of DEMO_SCRIPT) {
    if (line === '') append('\n');
    else if (line.startsWith('#')) append(`${line}\n`);
    else await session.execLine(line);
  }
  write(abridge(transcript));
}

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'The main demo: the memview2 experiment (a page-table-walking driver shows where a program\'s addresses are in physical memory), abridged',
  handler: async () => demo((s) => process.stdout.write(s)),
};
