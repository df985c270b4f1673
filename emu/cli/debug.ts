// `vmlab debug [options] PROG [ARGS...]`: boots the kernel as `vmlab run`
// does, loads PROG (ELF or .s sources) as the first process, and stops before
// its first instruction. Commands come from -x SCRIPT (one per line), then
// from the prompt unless --batch. In batch mode vmlab exits with the guest's
// status (0 if it has not exited when the script ends).
import { lineBounded, readHostText } from '../../host/files';
import { createInterface } from 'node:readline';
import { hideBin } from 'yargs/helpers';
import type { Argv, CommandModule } from 'yargs';
import { Kernel } from '../../kernel-ts/kernel';
import type { Vfs } from '../../kernel-ts/fs/vfs';
import { Session } from '../debugger/session';
import { Symbols } from '../debugger/symbols';
import { Debugger } from '../debugger/commands';
import { COMMAND_NAMES, Quit } from '../debugger/table';
import { UserError, stdinLineTooLong } from './errors';
import { cannotExecute, guestEnvironment, loadProgram } from './run';
import { writeFd } from './output';
import { parseInteger } from './option-values';
import { SessionTarget } from '../debugger/gdb/target';
import { serve } from '../debugger/gdb/server';
import type { Outcome } from '../debugger/gdb/server';
import { KERNEL_VALUE_OPTIONS, kernelOptions, kernelOptionsFrom, parseOptionWords, splitCommandWords } from './kernel-options';
import type { KernelArgs } from './kernel-options';

const VALUE_OPTIONS = new Set([...KERNEL_VALUE_OPTIONS, 'x', 'ex', 'insmod', 'gdb']);

interface DebugOptions extends KernelArgs {
  x: string[];
  ex: string[];
  insmod: string[];
  batch: boolean;
  /** --gdb PORT: serve the GDB remote protocol on 127.0.0.1:PORT instead of the prompt. */
  gdb?: unknown;
}

function debugOptions(y: Argv): Argv<DebugOptions> {
  // Tier 1 runs only while no breakpoint, watchpoint, catchpoint or recording needs the stepping path (kernel.userRun).
  return kernelOptions(y, 'off')
    .option('x', { type: 'string', array: true, default: [] as string[] })
    .option('ex', { type: 'string', array: true, default: [] as string[] })
    .option('insmod', { type: 'string', array: true, default: [] as string[] })
    .option('batch', { type: 'boolean', default: false })
    .option('gdb', { requiresArg: true }) as unknown as Argv<DebugOptions>;
}

const USAGE = [
  'vmlab debug [options] PROG [ARGS...]',
  '',
  'Debug a RISC-V program (ELF or .s sources) on the vmlab kernel, with gdb\'s commands',
  'plus views of the memory system (pt, info pagetables, info tlb, info faults, catch pagefault)',
  'and reverse execution (record, reverse-stepi, reverse-next, reverse-continue, diff pagetables).',
  '',
  'Options:',
  '  --mem SIZE        guest RAM (default 1G)',
  '  --tmpfs-size SIZE /tmp\'s size= (K/M/G or N% of RAM; default 50%)',
  '  --paging 4|5      paging levels',
  '  --tlb default|none',
  '  --no-aslr         no address-space randomization',
  '  --no-shuffle      page frames in address order',
  '  --seed N          seed of every random choice',
  '  --mmap-min-addr BYTES',
  '                    vm.mmap_min_addr at boot: no mapping below it (default 65536)',
  '  --jit off|on      tier 1 (compiled hot code) while no breakpoint, watchpoint,',
  '                    catchpoint, step or recording is active (default off)',
  '  -x SCRIPT         run the commands in SCRIPT (repeatable)',
  '  --ex CMD          run CMD (repeatable, after the scripts)',
  '  --insmod \'MODULE [key=value...]\'',
  '                    load a kernel module before the program (repeatable; as the shell\'s insmod)',
  '  --batch           exit after the scripts, with the guest\'s exit status',
  '  --gdb PORT        after the scripts, serve gdb\'s remote protocol on 127.0.0.1:PORT',
  '                    (0: a free port, printed on stderr) for one `target remote`;',
  '                    exits when gdb detaches (the program then runs to its end),',
  '                    kills the program or drops the connection (docs/debugger.md)',
  '',
  'Type "help" at the prompt for the commands; see docs/debugger.md.',
].join('\n');

export const debugCommand: CommandModule = {
  command: 'debug [prog] [args..]',
  describe: 'Debug a program: breakpoints, stepping, page-table walks, TLB and page-fault catchpoints',
  builder: (y) => y.parserConfiguration({ 'halt-at-non-option': true }),
  handler: async () => {
    const raw = hideBin(process.argv);
    const { options, prog, rest } = splitCommandWords(raw.slice(raw.indexOf('debug') + 1), VALUE_OPTIONS);
    if (options.includes('--help') || options.includes('-h')) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (prog === null) throw new UserError('debug: give a program (an ELF file or .s sources); see vmlab debug --help', 2);
    process.exitCode = await debugProgram(parseOptionWords('debug', options, debugOptions), prog, rest);
  },
};

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
const COLOUR = process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '';

/** Stop headers bold, the current instruction green, what the kernel did (or will do) cyan. */
function colourize(text: string): string {
  return text
    .split('\n')
    .map((l) =>
      /^(Breakpoint|Temporary breakpoint|Catchpoint|Hardware|Program received|Program terminated|No more reverse-execution)/.test(l) ? `\x1b[1m${l}\x1b[0m`
      : l.startsWith('=> ') ? `\x1b[32m${l}\x1b[0m`
      : /^(kernel|next|retry): /.test(l) ? `\x1b[36m${l}\x1b[0m`
      : l,
    )
    .join('\n');
}

const out = (text: string): void => {
  if (text === '') return;
  const s = COLOUR ? colourize(text) : text;
  writeFd(1, s.endsWith('\n') ? s : `${s}\n`);
};

export async function debugProgram(o: DebugOptions, progPath: string, rest: string[]): Promise<number> {
  const prog = loadProgram(progPath, rest, (s) => process.stderr.write(s));
  // Output a replay repeats (after reverse execution) was shown already: the session says which is new.
  let session: Session | null = null;
  const guest = (fd: number) => (b: Uint8Array): void => {
    if (session === null || session.showsOutput()) writeFd(fd, b);
  };
  const k = Kernel.boot({
    ...kernelOptionsFrom(o),
    stdout: guest(1),
    stderr: guest(2),
    ttys: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
    stdin: () => null,
  });
  for (const line of o.insmod) {
    const [name = '', ...params] = line.trim().split(/\s+/);
    if (k.modules.insmod(name, params, (l) => process.stderr.write(`${l}\n`)) !== 0) throw new UserError(`--insmod ${line}: the module did not load`);
  }
  (k.vfs as unknown as Vfs).addExecutable(`/bin/${prog.name}`, prog.elf);
  const task = k.spawn(`/bin/${prog.name}`, [prog.name, ...prog.args], guestEnvironment());
  if (typeof task === 'number') throw new UserError(cannotExecute(k, progPath, `/bin/${prog.name}`, task));
  session = new Session(k, task, new Symbols(prog.elf));
  const d = new Debugger(session);
  d.stream = out; // long dumps are printed as they are made
  const status = (): number => {
    const ev = d.s.exited;
    return ev !== null && ev.kind === 'exited' ? (ev.exitCode ?? 0) : 0;
  };
  /** Runs one line; a number when the session ends. */
  const one = async (line: string): Promise<number | null> => {
    try {
      out(await d.execute(line));
    } catch (e) {
      if (e instanceof Quit) return e.status >= 0 ? e.status : status();
      throw e;
    }
    return null;
  };
  const lines: string[] = [];
  for (const script of o.x) {
    const text = readHostText(script, 'a file of debugger commands');
    if (!text.ok) throw new UserError(`${script}: cannot read the command file: ${text.reason}`);
    lines.push(...text.value.split('\n'));
  }
  lines.push(...o.ex);
  for (const line of lines) {
    const r = await one(line);
    if (r !== null) return r;
  }
  if (o.gdb !== undefined) return gdbStub(d, parseInteger('--gdb', o.gdb, { min: 0, max: 65535, expected: 'a TCP port from 0 to 65535 (0: any free one)' }));
  if (o.batch) return status();
  return interactive(d, one);
}

/**
 * `--gdb PORT`: the session served to one gdb (emu/debugger/gdb). Exit
 * status: the guest's when it exits (also after gdb detaches: it then runs
 * to its end), 137 (SIGKILL) when gdb kills it or the connection drops.
 */
async function gdbStub(d: Debugger, port: number): Promise<number> {
  const target = await SessionTarget.attach(d);
  let outcome: Outcome;
  try {
    outcome = await serve(target, {
      port,
      listening: (p) => process.stderr.write(`vmlab: gdb stub listening on 127.0.0.1:${p}\n`),
      trace: (process.env.VMLAB_GDB_TRACE ?? '') !== '' ? (l) => process.stderr.write(`gdb ${l}\n`) : undefined,
    });
  } catch (e) {
    throw new UserError(`--gdb: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (target.exited) return target.exitStatus();
  if (outcome === 'detach') return target.detach();
  process.stderr.write(`vmlab: gdb ${outcome === 'kill' ? 'killed the program' : 'connection closed: the program is killed'}\n`);
  return 137;
}

/**
 * The prompt: readline with command and symbol completion and history.
 * Ctrl-C at the prompt clears the line; while the guest runs it stops it
 * (the engine looks at the event loop every million or so instructions) and the
 * prompt returns, as in gdb. Lines typed during a run wait their turn.
 */
function interactive(d: Debugger, one: (line: string) => Promise<number | null>): Promise<number> {
  const symbols = d.s.syms.names();
  return new Promise((resolve) => {
    const rl = createInterface({
      input: process.stdin.isTTY === true ? process.stdin : lineBounded(process.stdin, () => stdinLineTooLong('debugger commands')),
      output: process.stdout,
      prompt: '(vmlab) ',
      terminal: process.stdin.isTTY === true,
      historySize: 1000,
      completer: (line: string): [string[], string] => {
        const words = line.split(/\s+/);
        const last = words[words.length - 1] ?? '';
        const pool = words.length <= 1 ? COMMAND_NAMES : symbols;
        const hits = pool.filter((c) => c.startsWith(last));
        return [hits, last];
      },
    });
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      rl.close();
      resolve(code);
    };
    let previous = '';
    let busy = false;
    let closed = false;
    const queue: string[] = [];
    const drain = async (): Promise<void> => {
      busy = true;
      while (queue.length > 0 && !done) {
        const line = queue.shift()!;
        // An empty line repeats the last command, as in gdb.
        const cmd = line.trim() === '' ? previous : line;
        previous = cmd;
        const r = await one(cmd);
        if (r !== null) return finish(r);
      }
      busy = false;
      if (closed) finish(0);
      else if (!done) rl.prompt();
    };
    rl.on('line', (line) => {
      queue.push(line);
      if (!busy) void drain();
    });
    rl.on('SIGINT', () => {
      if (busy) {
        d.s.interrupt();
        process.stdout.write('^C\n');
        return;
      }
      // As gdb at its prompt: drop the line being typed.
      rl.write(null, { ctrl: true, name: 'u' });
      process.stdout.write('^C\n');
      rl.prompt();
    });
    rl.on('close', () => {
      closed = true;
      if (!busy) finish(0);
    });
    rl.prompt();
  });
}
