// The shell's commands (everything but running programs, which
// shell-session.ts does). Each has a usage line and help text (`help CMD`);
// its run() returns the command's status. Commands that touch files (cat,
// echo >, ls) run in a short-lived process of their own, as the real
// binaries (or the shell's own process, for echo) would.
import { O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, fput } from '../../kernel-ts/fs/file';
import type { File } from '../../kernel-ts/fs/file';
import { dirNames } from '../../kernel-ts/fs/readdir';
import { runInProcess } from '../../kernel-ts/module/process';
import { strerror } from '../../kernel-ts/module/strerror';
import { EXIT_DEAD, EXIT_ZOMBIE, TASK_INTERRUPTIBLE } from '../../kernel-ts/proc/task';
import type { Task } from '../../kernel-ts/proc/task';
import { SIGTERM } from '../../kernel-ts/proc/signal-defs';
import { signalPending } from '../../kernel-ts/proc/signal';
import type { ShellSession, Timeout } from './shell-session';
import type { ParsedCommand } from './shell-words';
import { parseSignal, signalDescription, signalList } from './shell-signals';
import { unknownEventsMessage } from '../../kernel-ts/trace';
import { EINVAL, EISDIR } from '../../kernel-ts/errno';

export interface ShellCommand {
  readonly name: string;
  readonly usage: string;
  /** One line for `help`. */
  readonly summary: string;
  /** More lines for `help CMD`. */
  readonly details?: string;
  /** Takes `> FILE` (echo). */
  readonly redirects?: boolean;
  run(s: ShellSession, args: string[], cmd: ParsedCommand): number | Promise<number>;
}

/** The most `cat` prints of one file (an endless file like /dev/zero stops here). */
const CAT_LIMIT = 1 << 20;

const decoder = new TextDecoder();

/** Reads a whole file in process `cat`: the bytes (maybe truncated) or -errno. */
function readWhole(s: ShellSession, path: string): { bytes: Uint8Array; truncated: boolean } | { killed: number } | number {
  const r = runInProcess(s.k, 'cat', () => {
    const f = s.k.vfs.open(path, O_RDONLY);
    if (typeof f === 'number') return f;
    try {
      if (f.inode.isDir) return -EISDIR;
      const read = f.fop.read;
      if (!read) return -EINVAL;
      const chunks: Uint8Array[] = [];
      let total = 0;
      const buf = new Uint8Array(4096);
      while (total < CAT_LIMIT) {
        const ppos = { pos: f.pos };
        const n = read(f, buf, ppos);
        if (n < 0) return total > 0 ? { bytes: concatBytes(chunks), truncated: false } : n;
        if (n === 0) break;
        f.pos = ppos.pos;
        chunks.push(buf.slice(0, n));
        total += n;
      }
      return { bytes: concatBytes(chunks), truncated: total >= CAT_LIMIT };
    } finally {
      fput(f);
    }
  });
  if (typeof r === 'number') return r;
  return r.killed ? { killed: r.signal } : r.value;
}

/** Writes text to a file in process `sh` (the shell's redirection): null, an error message, or the killing signal (an oops). */
function writeWhole(s: ShellSession, path: string, data: Uint8Array, append: boolean): string | { killed: number } | null {
  const r = runInProcess(s.k, 'sh', (): string | null => {
    const f: File | number = s.k.vfs.open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o666);
    if (typeof f === 'number') return `sh: ${path}: ${strerror(f)}`;
    try {
      const write = f.fop.write;
      if (!write) return `sh: echo: write error: ${strerror(EINVAL)}`;
      let off = 0;
      if (append) f.pos = f.inode.size;
      while (off < data.length) {
        const ppos = { pos: f.pos };
        const n = write(f, data.subarray(off), ppos);
        if (n < 0) return `sh: echo: write error: ${strerror(n)}`;
        if (n === 0) break;
        f.pos = ppos.pos;
        off += n;
      }
      return null;
    } finally {
      fput(f);
    }
  });
  if (typeof r === 'number') return `sh: ${path}: ${strerror(r)}`;
  return r.killed ? { killed: r.signal } : r.value;
}

function stateLetter(t: Task): string {
  if (t.state === EXIT_ZOMBIE) return 'Z';
  if (t.state === EXIT_DEAD) return 'X';
  return t.state === TASK_INTERRUPTIBLE ? 'S' : 'R';
}

/** BSD ps's TIME: minutes:seconds of CPU (user) time. */
function cpuTime(ns: number): string {
  const sec = Math.floor(ns / 1e9);
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
}

/** A coreutils duration (seconds, or with a suffix s, m, h, d) in nanoseconds; null when it is not one. */
function durationNs(text: string): number | null {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text);
  if (m === null) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit * 1e9);
}

/** timeout's arguments: the program's words and its terms (null for a DURATION of 0), or what is wrong. */
function parseTimeout(args: string[]): { words: string[]; timeout: Timeout | null } | string {
  let signal = SIGTERM;
  let killAfterNs: number | null = null;
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-') && args[i] !== '-'; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    const opt = /^(?:-([sk])(.*)|--(signal|kill-after)(?:=(.*))?)$/.exec(a);
    if (opt === null) return `invalid option -- '${a.replace(/^-+/, '')}'`;
    const name = opt[1] ?? (opt[3] === 'signal' ? 's' : 'k');
    const value = opt[2] || opt[4] || args[++i];
    if (value === undefined) return `option requires an argument -- '${name}'`;
    if (name === 's') {
      const sig = parseSignal(value);
      if (sig === null) return `${value}: invalid signal`;
      signal = sig;
    } else {
      killAfterNs = durationNs(value);
      if (killAfterNs === null) return `invalid time interval '${value}'`;
    }
  }
  if (i >= args.length) return 'missing operand';
  const ns = durationNs(args[i]!);
  if (ns === null) return `invalid time interval '${args[i]}'`;
  const words = args.slice(i + 1);
  if (words.length === 0) return `missing operand after '${args[i]}'`;
  return { words, timeout: ns === 0 ? null : { ns, signal, killAfterNs: killAfterNs === 0 ? null : killAfterNs } };
}

const cmds: ShellCommand[] = [
  {
    name: 'help',
    usage: 'help [COMMAND]',
    summary: 'list the commands, or explain one',
    run(s, args) {
      if (args.length === 0) {
        const lines = ['Commands (a PROG alone runs /bin/PROG or a host ELF/.s file; `&` at the end runs it in the background):'];
        for (const c of cmds) lines.push(`  ${c.usage.padEnd(29)} ${c.summary}`);
        s.io.out(lines.join('\n') + '\n');
        return 0;
      }
      const c = COMMANDS.get(args[0]!);
      if (!c) {
        s.io.err(`help: no help topics match '${args[0]}'\n`);
        return 1;
      }
      s.io.out(`${c.usage}\n    ${c.summary}\n${c.details ? c.details.replace(/^/gm, '    ') + '\n' : ''}`);
      return 0;
    },
  },
  {
    name: 'run',
    usage: 'run PROG [ARGS...] [&]',
    summary: 'run a program (also: PROG [ARGS...])',
    details: [
      'PROG is /bin/PROG (the programs shipped in guest-programs/programs, and any run before),',
      'a path in the guest file system, or a host file: an ELF or .s sources (assembled with',
      'the runtime library, installed as /bin/NAME). The shell waits for it unless `&` ends',
      'the line; Ctrl-C sends it SIGINT. Programs read end-of-file from stdin.',
    ].join('\n'),
    run: () => 0,
  },
  {
    name: 'ps',
    usage: 'ps',
    summary: 'list processes (PID TTY STAT TIME COMMAND)',
    details: 'STAT: R runnable, S sleeping, Z zombie. TIME: user CPU time (1 instruction = 1 ns).',
    run(s) {
      const lines = ['    PID TTY      STAT   TIME COMMAND'];
      for (const t of [...s.k.tasks.values()].sort((a, b) => a.pid - b.pid)) {
        const cmd = t.state === EXIT_ZOMBIE ? `[${t.comm}] <defunct>` : t.comm;
        lines.push(`${String(t.pid).padStart(7)} console  ${stateLetter(t).padEnd(6)} ${cpuTime(t.utimeNs).padStart(4)} ${cmd}`);
      }
      s.io.out(lines.join('\n') + '\n');
      return 0;
    },
  },
  {
    name: 'jobs',
    usage: 'jobs',
    summary: 'list background jobs',
    run(s) {
      for (const j of s.jobs) s.io.out(`${s.jobLine(j)}\n`);
      return 0;
    },
  },
  {
    name: 'kill',
    usage: 'kill [-SIG] PID|%JOB...',
    summary: 'send a signal (default TERM); kill -l lists them',
    async run(s, args) {
      if (args[0] === '-l') {
        s.io.out(signalList());
        return 0;
      }
      let sig = SIGTERM;
      let rest = args;
      if (args[0]?.startsWith('-') && args[0] !== '-') {
        const spec = args[0] === '-s' || args[0] === '-n' ? args[1] ?? '' : args[0].slice(1);
        const n = parseSignal(spec);
        if (n === null) {
          s.io.err(`kill: ${spec}: invalid signal specification\n`);
          return 1;
        }
        sig = n;
        rest = args.slice(args[0] === '-s' || args[0] === '-n' ? 2 : 1);
      }
      if (rest.length === 0) {
        s.io.err('kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ...\n');
        return 2;
      }
      let status = 0;
      const signalled: Task[] = [];
      for (const spec of rest) {
        const pid = s.pidOf(spec);
        if (pid === null) {
          s.io.err(spec.startsWith('%') ? `kill: ${spec}: no such job\n` : `kill: ${spec}: arguments must be process or job IDs\n`);
          status = 1;
          continue;
        }
        const r = s.k.kill(pid, sig);
        if (r < 0) {
          s.io.err(`kill: (${pid}) - ${strerror(r)}\n`);
          status = 1;
          continue;
        }
        const t = s.k.tasks.get(pid);
        if (t) signalled.push(t);
      }
      // The signal takes effect when its target next runs: let it, so the next command sees the outcome.
      await s.runKernel(() => signalled.every((t) => !t.isAlive || !signalPending(t)));
      return status;
    },
  },
  {
    name: 'wait',
    usage: 'wait [PID|%JOB]',
    summary: 'run until a background job (or all of them) exits',
    async run(s, args) {
      const pids = args.length === 0 ? s.jobs.map((j) => j.task.pid) : args.map((a) => s.pidOf(a));
      const tasks: Task[] = [];
      for (const [i, pid] of pids.entries()) {
        const t = pid === null ? undefined : s.k.tasks.get(pid);
        if (!t) {
          s.io.err(`wait: pid ${args[i]} is not a child of this shell\n`);
          return 127;
        }
        tasks.push(t);
      }
      await s.runKernel(() => tasks.every((t) => !t.isAlive));
      const last = tasks[tasks.length - 1];
      if (!last || last.isAlive) return 0;
      const sig = last.exitCode & 0x7f;
      return sig !== 0 ? 128 + sig : (last.exitCode >> 8) & 0xff;
    },
  },
  {
    name: 'sleep',
    usage: 'sleep SECONDS',
    summary: 'let guest time pass (background jobs run meanwhile)',
    details: 'Guest time: one instruction is one nanosecond; idle time passes instantly. A suffix s, m, h or d as coreutils.',
    async run(s, args) {
      const ns = args.length === 1 ? durationNs(args[0]!) : null;
      if (ns === null) {
        s.io.err(`sleep: invalid time interval '${args[0] ?? ''}'\n`);
        return 1;
      }
      const target = s.k.clockNs() + ns;
      if (await s.runKernel(() => s.k.clockNs() >= target || !s.anyRunnableBefore(target))) return 130;
      s.k.idle(target - s.k.clockNs());
      return 0;
    },
  },
  {
    name: 'timeout',
    usage: 'timeout DURATION PROG [ARGS]',
    summary: 'run a program, signalled (TERM) once DURATION of guest time has passed',
    details: [
      'timeout [-s SIG] [-k DURATION] DURATION PROG [ARGS...]',
      "coreutils' timeout: DURATION in seconds, or with a suffix s, m, h, d (0: no limit); -s SIG the",
      'signal to send, -k DURATION a SIGKILL that long after it if the program still runs. Status: 124',
      "when the time ran out, 137 when the program died of SIGKILL, else the program's own (125: bad usage).",
      'Guest time is the kernel clock (one instruction is one nanosecond, idle time passes at once),',
      'so a program is stopped at the same instruction on every run, however fast the host is.',
    ].join('\n'),
    async run(s, args, cmd) {
      const t = parseTimeout(args);
      if (typeof t === 'string') {
        s.io.err(`timeout: ${t}\n`);
        return 125;
      }
      // In the foreground (the shell has said so already if `&` was given).
      return s.runProgram(t.words, { ...cmd, background: false }, t.timeout);
    },
  },
  {
    name: 'cat',
    usage: 'cat FILE...',
    summary: 'print guest files (/proc/meminfo, /proc/PID/maps...)',
    run(s, args) {
      let status = 0;
      for (const path of args) {
        const r = readWhole(s, path);
        if (typeof r === 'number') {
          s.io.err(`cat: ${path}: ${strerror(r)}\n`);
          status = 1;
          continue;
        }
        if ('killed' in r) {
          // An oops in the driver killed cat, as the shell reports it.
          s.io.err(`${signalDescription(r.killed)}\n`);
          status = 128 + r.killed;
          continue;
        }
        s.io.out(decoder.decode(r.bytes));
        if (r.truncated) s.io.err(`cat: ${path}: stopped after ${CAT_LIMIT} bytes\n`);
      }
      return status;
    },
  },
  {
    name: 'echo',
    usage: 'echo [-n] TEXT [>|>> FILE]',
    summary: 'print text, or write it to a guest file',
    details: 'e.g. echo 3 > /proc/sys/vm/drop_caches, echo listvma > /proc/mtest',
    redirects: true,
    run(s, args, cmd) {
      const noNewline = args[0] === '-n';
      const text = (noNewline ? args.slice(1) : args).join(' ') + (noNewline ? '' : '\n');
      if (!cmd.redirect) {
        s.io.out(text);
        return 0;
      }
      const e = writeWhole(s, cmd.redirect.path, new TextEncoder().encode(text), cmd.redirect.append);
      if (e !== null && typeof e === 'object') {
        s.io.err(`${signalDescription(e.killed)}\n`);
        return 128 + e.killed;
      }
      if (e !== null) {
        s.io.err(`${e}\n`);
        return 1;
      }
      return 0;
    },
  },
  {
    name: 'ls',
    usage: 'ls [PATH...]',
    summary: 'list a guest directory (one name a line)',
    run(s, args) {
      let status = 0;
      for (const path of args.length === 0 ? ['/'] : args) {
        const inode = s.k.vfs.lookup(path);
        if (typeof inode === 'number') {
          s.io.err(`ls: cannot access '${path}': ${strerror(inode)}\n`);
          status = 2;
          continue;
        }
        if (args.length > 1) s.io.out(`${path}:\n`);
        if (!inode.isDir) s.io.out(`${path}\n`);
        else {
          const names = dirNames(inode).filter((n) => n !== '.' && n !== '..').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          if (names.length > 0) s.io.out(names.join('\n') + '\n');
        }
      }
      return status;
    },
  },
  {
    name: 'insmod',
    usage: 'insmod MODULE [key=value...]',
    summary: 'load a built-in module or a .ts/.js file',
    details: 'Built-in modules: see `modinfo`. Parameters are typed (int, uint, long, ulong, charp, bool).',
    run(s, args) {
      if (args.length === 0) {
        s.io.err('Usage: insmod MODULE [key=value...]\n');
        return 1;
      }
      return s.k.modules.insmod(args[0]!, args.slice(1), (l) => s.io.err(`${l}\n`)) === 0 ? 0 : 1;
    },
  },
  {
    name: 'rmmod',
    usage: 'rmmod NAME',
    summary: 'unload a module (fails while its files are open or mapped)',
    run(s, args) {
      if (args.length === 0) {
        s.io.err('Usage: rmmod NAME\n');
        return 1;
      }
      let status = 0;
      for (const a of args) {
        const name = a.replace(/^.*\//, '').replace(/\.(ko|m?ts|m?js)$/, '');
        if (s.k.modules.rmmod(name, (l) => s.io.err(`${l}\n`)) !== 0) status = 1;
      }
      return status;
    },
  },
  {
    name: 'lsmod',
    usage: 'lsmod',
    summary: 'list loaded modules',
    run(s) {
      s.io.out(s.k.modules.lsmod());
      return 0;
    },
  },
  {
    name: 'modinfo',
    usage: 'modinfo [MODULE]',
    summary: "a module's parameters (no argument: the built-ins)",
    run(s, args) {
      if (args.length === 0) {
        s.io.out(s.k.modules.builtinNames().join('\n') + '\n');
        return 0;
      }
      const r = s.k.modules.lookup(args[0]!);
      if ('errno' in r) {
        for (const m of r.messages) s.io.err(`${m}\n`);
        s.io.err(`modinfo: ERROR: Module ${args[0]} not found.\n`);
        return 1;
      }
      const m = r.module;
      const field = (k: string, v: string): string => `${`${k}:`.padEnd(16)}${v}\n`;
      let out = field('filename', r.outOfTree ? args[0]! : '(builtin)') + field('name', m.name);
      if (m.description) out += field('description', m.description);
      if (m.license) out += field('license', m.license);
      if (m.author) out += field('author', m.author);
      for (const [p, spec] of Object.entries(m.params ?? {})) out += field('parm', spec.description ? `${p}:${spec.description} (${spec.type})` : `${p}:${spec.type}`);
      s.io.out(out);
      return 0;
    },
  },
  {
    name: 'dmesg',
    usage: 'dmesg [-c|-C]',
    summary: 'print the kernel log (-c: then clear it, -C: clear only)',
    run(s, args) {
      const opt = args[0];
      if (opt !== undefined && opt !== '-c' && opt !== '-C') {
        s.io.err(`dmesg: invalid option -- '${opt.replace(/^-+/, '')}'\n`);
        return 1;
      }
      if (opt !== '-C') s.io.out(s.k.printk.dmesg());
      if (opt !== undefined) s.k.printk.clear();
      return 0;
    },
  },
  {
    name: 'free',
    usage: 'free [-k|-m]',
    summary: 'memory use, as procps free (KiB, or MiB with -m)',
    run(s, args) {
      const div = args[0] === '-m' ? 1024 : 1;
      const v = s.k.mm.meminfoValues();
      const cache = v.Buffers + v.Cached;
      const used = v.MemTotal - v.MemFree - cache;
      const row = (label: string, vals: number[]): string => label.padEnd(8) + vals.map((x) => String(Math.floor(x / div)).padStart(12)).join('') + '\n';
      s.io.out('               total        used        free      shared  buff/cache   available\n'
        + row('Mem:', [v.MemTotal, used, v.MemFree, v.Shmem, cache, v.MemAvailable])
        + row('Swap:', [0, 0, 0]));
      return 0;
    },
  },
  {
    name: 'trace',
    usage: 'trace [on|off EVENTS]',
    summary: 'tracepoints (print as they happen); trace stack on|off',
    details: [
      'EVENTS: comma-separated, e.g. kmem:kmalloc,kmem:kfree, a group (kmem), syscalls, or all;',
      'cat /sys/kernel/tracing/available_events lists them.',
      'trace off without EVENTS disables every event. `trace` alone lists the enabled ones.',
      'Events print in trace_pipe format, among the programs\' output; `trace stack on` adds',
      'the kernel call stack of each.',
    ].join('\n'),
    run(s, args) {
      const [what, arg] = args;
      if (what === undefined) {
        const specs = s.k.trace.enabledSpecs();
        s.io.out(`trace: ${specs.length === 0 ? 'off' : specs.join(',')}${s.k.trace.stacktrace ? ' (stack)' : ''}\n`);
        return 0;
      }
      if (what === 'stack' && (arg === 'on' || arg === 'off')) {
        s.k.trace.stacktrace = arg === 'on';
        return 0;
      }
      if ((what === 'on' && arg !== undefined) || what === 'off') {
        const spec = arg === undefined ? undefined : args.slice(1).join(',');
        const unknown = what === 'on' ? s.k.trace.enable(spec!) : s.k.trace.disable(spec);
        if (unknown.length === 0) return 0;
        s.io.err(`trace: ${unknownEventsMessage(unknown)}\n`);
        return 1;
      }
      s.io.err('trace: usage: trace [on|off EVENTS] | trace stack on|off\n');
      return 2;
    },
  },
  {
    name: 'exit',
    usage: 'exit [N]',
    summary: 'leave the shell (also quit, Ctrl-D)',
    details: "N & 255 is the shell's status (default: $?). As bash: N not a number leaves with 2, two numbers with 1.",
    run(s, args, cmd) {
      s.exitStatus = exitStatus(s, cmd.words[0] ?? 'exit', args);
      return s.exitStatus;
    },
  },
];

cmds.push({ ...cmds.find((c) => c.name === 'exit')!, name: 'quit', usage: 'quit [N]', summary: 'same as exit' });

export const COMMANDS: ReadonlyMap<string, ShellCommand> = new Map(cmds.map((c) => [c.name, c]));

/** A 64-bit signed decimal, as bash's legal_number(): blanks around it, an optional sign; null if not one. */
function legalNumber(text: string): bigint | null {
  const m = /^[ \t\n]*([+-]?[0-9]+)[ \t\n]*$/.exec(text);
  if (m === null) return null;
  const n = BigInt(m[1]!);
  return n === BigInt.asIntN(64, n) ? n : null;
}

/**
 * `exit [--] [N]`'s status, as bash's get_exitstat(): $? without N, N & 255
 * with one; "numeric argument required" (2) for an N that is not a 64-bit
 * number and "too many arguments" (1) for more than one. The shell leaves
 * in every case, as bash 5 does.
 */
function exitStatus(s: ShellSession, name: string, args: string[]): number {
  const words = args[0] === '--' ? args.slice(1) : args;
  if (words.length === 0) return s.status;
  if (words.length > 1) {
    s.io.err(`${name}: too many arguments\n`);
    return 1;
  }
  const n = legalNumber(words[0]!);
  if (n === null) {
    s.io.err(`${name}: ${words[0]}: numeric argument required\n`);
    return 2;
  }
  return Number(BigInt.asUintN(8, n));
}

/** The chunks one after another (Buffer.concat without Node's Buffer: the shell runs in the browser build too). */
function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
