// The command table: gdb's names and abbreviations, each with its usage and
// help text, and the run-control commands that are only a few lines each.
import { evaluate } from './expr';
import type { Debugger } from './commands';
import { formatP2v } from './views';
import { diffPagetables, recordCmd, reverseContinue, reverseFinish, reverseLine, reverseStepi } from './timeline';
import { finishGoal, lineGoal, nextiGoal, untilGoal } from './engine-goals';
import { returnedValueLine } from './return-value';
import { frameCmd, frameLine, selectedFrame } from './frames';
import { PAGE_SIZE } from '../../kernel-ts/mm/page';

/** Thrown by `quit`: the session ends with this status (-1: the guest's). */
export class Quit {
  constructor(readonly status: number) {}
}

interface Command {
  names: string[];
  usage: string;
  help: string;
  run: (d: Debugger, args: string) => string | Promise<string>;
}

export function findCommand(word: string): Command | undefined {
  return COMMANDS.find((c) => c.names.includes(word));
}

/** A step count: empty is 1; else a positive integer expression, or the message saying what is wrong. */
/**
 * A byte of a file-backed page the program has not touched yet, read from
 * the page cache or the file without faulting it in (what ptrace would see
 * once it had); undefined where there is no such page.
 */
export function unfaultedByte(d: Debugger, va: number): number | undefined {
  return d.s.unfaultedPage(va)?.[va % PAGE_SIZE];
}

/** finish's "Value returned" line for the function fn (from .debug_info) that just returned. */
function returnedValue(d: Debugger, fn: ReturnType<Debugger['s']['syms']['functionAt']>): string {
  return returnedValueLine(fn, {
    reg: (r) => d.s.reg(r),
    readByte: (va) => {
      const v = d.s.readVirt(va, 1);
      return typeof v === 'string' ? unfaultedByte(d, va) ?? v : Number(v);
    },
    symbolic: (va) => d.s.syms.dataSymbol(va),
    keep: (v) => d.keep(v),
  });
}

function count(d: Debugger, cmd: string, a: string): number | string {
  if (a.trim() === '') return 1;
  const v = evaluate(a, d.env);
  if (v < 1n || v > BigInt(Number.MAX_SAFE_INTEGER)) return `${cmd}: the count must be a positive number (got ${v}).`;
  return Number(v);
}

function stepLine(d: Debugger, over: boolean): Promise<string> {
  return d.resume(lineGoal(d.s, over));
}

const COMMANDS: Command[] = [
  { names: ['run', 'r'], usage: 'run', help: 'Start the program (it is loaded and stopped before its first instruction).', run: (d) => (d.started ? 'The program is already running; use "continue".' : d.resume()) },
  { names: ['continue', 'c', 'cont', 'fg'], usage: 'continue', help: 'Continue until a breakpoint, watchpoint, catchpoint or the program\'s end.', run: (d) => d.resume() },
  {
    names: ['stepi', 'si'], usage: 'stepi [N]', help: 'Execute N machine instructions (default 1), into calls.',
    run: (d, a) => {
      const n = count(d, 'stepi', a);
      return typeof n === 'string' ? n : d.resume({ steps: n });
    },
  },
  {
    names: ['nexti', 'ni'], usage: 'nexti [N]', help: 'Execute N machine instructions, stepping over calls.',
    run: async (d, a) => {
      const n = count(d, 'nexti', a);
      if (typeof n === 'string') return n;
      // What the kernel did on the way is kept; of the instructions' reports, the last (or the stop that ended the walk).
      const notes: string[] = [];
      let out = '';
      for (let i = 0; i < n && d.s.exited === null; i++) {
        if (out !== '') notes.push(...out.split('\n').filter((l) => /^(kernel: |\[)/.test(l)));
        out = await d.resume(nextiGoal(d.s));
        if (d.lastStop !== 'step') break; // a breakpoint, watchpoint or catchpoint on the way
      }
      return [...notes, out].filter((x) => x !== '').join('\n');
    },
  },
  { names: ['step', 's'], usage: 'step', help: 'Run to the next source line (DWARF line table), into calls.', run: (d) => stepLine(d, false) },
  { names: ['next', 'n'], usage: 'next', help: 'Run to the next source line, stepping over calls.', run: (d) => stepLine(d, true) },
  {
    names: ['finish', 'fin'], usage: 'finish', help: 'Run until the current function returns (to the caller\'s next instruction), then print the value it returned in its C type (nothing for a void function; a0 as a long without DWARF).',
    run: async (d) => {
      if (d.s.exited !== null) return 'The program is not being run.';
      // From the selected frame (frame N, up): until that frame returns to its caller.
      const frame = selectedFrame(d);
      const goal = frame === undefined ? null : finishGoal(d.s, frame.level);
      if (goal === null || frame === undefined) return '"finish" not meaningful in the outermost frame.';
      const head = frameLine(d, frame);
      const fn = d.s.syms.functionAt(frame.lookupPc);
      const out = await d.resume(goal);
      // A breakpoint, watchpoint or catchpoint may stop it before the return.
      if (d.lastStop !== 'step' || d.s.exited !== null) return `Run till exit from ${head}\n${out}`;
      return `Run till exit from ${head}\n${out}${returnedValue(d, fn)}`;
    },
  },
  {
    names: ['until', 'u', 'advance'], usage: 'until LOCATION', help: 'Run until LOCATION (an address, symbol or FILE:LINE) is reached.',
    run: (d, a) => {
      if (a === '') return stepLine(d, true);
      const target = d.location(a);
      if (typeof target === 'string') return target;
      return d.resume(untilGoal(d.s, target));
    },
  },
  { names: ['record', 'rec'], usage: 'record [stop | goto N|begin|end]', help: 'Record the execution from here, so reverse-stepi, reverse-next, reverse-continue, record goto and diff pagetables can go back (snapshots of the machine and the kernel plus a log of every physical-memory write; "set record full insn-number-max N" bounds the history, "set record snapshot-interval N" spaces the snapshots). "record stop" drops the history; "info record" shows it.', run: (d, a) => recordCmd(d, a) },
  {
    names: ['reverse-stepi', 'rsi'], usage: 'reverse-stepi [N]', help: 'Go back N machine instructions (default 1): registers, memory, page tables, the TLB and the kernel as they were. A faulting instruction counts twice: before its page fault was handled, and after.',
    run: (d, a) => {
      const n = count(d, 'reverse-stepi', a);
      return typeof n === 'string' ? n : reverseStepi(d, n);
    },
  },
  { names: ['reverse-next', 'rn'], usage: 'reverse-next', help: 'Go back to the start of the previous source line of this function, over calls.', run: (d) => reverseLine(d, true) },
  { names: ['reverse-step', 'rs'], usage: 'reverse-step', help: 'Go back to the start of the previous source line, into a function that returned just before.', run: (d) => reverseLine(d, false) },
  { names: ['reverse-finish'], usage: 'reverse-finish', help: 'Go back to where the current function was called (the call instruction in its caller).', run: (d) => reverseFinish(d) },
  { names: ['reverse-continue', 'rc'], usage: 'reverse-continue', help: 'Go back to the most recent breakpoint, watchpoint or catchpoint stop, or to the start of the recorded history.', run: (d) => reverseContinue(d) },
  { names: ['diff'], usage: 'diff pagetables [FROM [TO]]', help: 'What changed in the user page tables between two points of the recorded history: instruction numbers FROM and TO (default: now), or with no argument the previous stop and this one. + mapped, - unmapped, ~ changed frame, rights or page size.', run: (d, a) => (/^pagetables\b/.test(a.trim()) ? diffPagetables(d, a.trim().slice(10)) : 'usage: diff pagetables [FROM [TO]]') },
  {
    names: ['kill', 'k'], usage: 'kill', help: 'Kill the program (SIGKILL).',
    run: async (d) => {
      if (d.s.exited !== null) return 'The program is not being run.';
      d.s.k.kill(d.s.task.pid, 9);
      d.s.edited();
      await d.resume();
      return `[Inferior 1 (process ${d.s.task.pid}) killed]`;
    },
  },
  {
    names: ['quit', 'q', 'exit'], usage: 'quit [STATUS]', help: 'Leave the debugger; the exit status is STATUS (an expression, modulo 256), or the program\'s.',
    run: (d, a) => {
      // gdb's quit EXPR: the status is the expression's value, modulo 256 as exit statuses are.
      throw new Quit(a.trim() === '' ? -1 : Number(BigInt.asUintN(8, evaluate(a, d.env))));
    },
  },
  { names: ['break', 'b', 'br'], usage: 'break [LOCATION] [if COND]', help: 'Set a breakpoint at LOCATION: *ADDR, SYMBOL, SYMBOL+OFF, FILE:LINE or LINE; default the current pc.', run: (d, a) => d.breakCmd(a, false) },
  { names: ['tbreak', 'tb'], usage: 'tbreak LOCATION', help: 'Set a temporary breakpoint (deleted when hit).', run: (d, a) => d.breakCmd(a, true) },
  {
    names: ['delete', 'd'], usage: 'delete [N...]', help: 'Delete breakpoints, watchpoints and catchpoints (all without N).',
    run: (d, a) => {
      const l = d.bpList(a.replace(/^breakpoints\s*/, ''));
      if (typeof l === 'string') return l;
      for (const b of l) d.s.deleteBreakpoint(b.num);
      return '';
    },
  },
  { names: ['disable', 'dis'], usage: 'disable [N...]', help: 'Disable breakpoints (all without N).', run: (d, a) => { const l = d.bpList(a); if (typeof l === 'string') return l; for (const b of l) b.enabled = false; return ''; } },
  { names: ['enable', 'en'], usage: 'enable [N...]', help: 'Enable breakpoints (all without N).', run: (d, a) => { const l = d.bpList(a); if (typeof l === 'string') return l; for (const b of l) b.enabled = true; return ''; } },
  {
    names: ['condition'], usage: 'condition N [EXPR]', help: 'Stop at breakpoint N only when EXPR is non-zero (no EXPR: always).',
    run: (d, a) => {
      const m = /^(\d+)\s*(.*)$/.exec(a);
      if (!m) return 'Argument required (breakpoint number).';
      const b = d.s.breakpoints.find((x) => x.num === Number(m[1]));
      if (b === undefined) return `No breakpoint number ${m[1]}.`;
      b.condition = m[2] === '' ? null : m[2]!;
      return m[2] === '' ? `Breakpoint ${b.num} now unconditional.` : '';
    },
  },
  {
    names: ['ignore'], usage: 'ignore N COUNT', help: 'Ignore the next COUNT crossings of breakpoint N.',
    run: (d, a) => {
      const m = /^(\d+)\s+(\d+)$/.exec(a);
      if (!m) return 'Argument required (a breakpoint number and a count).';
      const b = d.s.breakpoints.find((x) => x.num === Number(m[1]));
      if (b === undefined) return `No breakpoint number ${m[1]}.`;
      b.ignore = Number(m[2]);
      return `Will ignore next ${b.ignore} crossings of breakpoint ${b.num}.`;
    },
  },
  { names: ['watch'], usage: 'watch [-p] EXPR [len N]', help: 'Stop when the program writes a new value into the virtual range (a symbol, *(TYPE*)ADDR, or -l ADDR); with -p, the physical range, through any mapping of its frames.', run: (d, a) => d.watchCmd(a, 'write') },
  { names: ['rwatch'], usage: 'rwatch EXPR [len N]', help: 'Stop when the program reads the virtual range.', run: (d, a) => d.watchCmd(a, 'read') },
  { names: ['awatch'], usage: 'awatch EXPR [len N]', help: 'Stop when the program reads or writes the virtual range.', run: (d, a) => d.watchCmd(a, 'access') },
  { names: ['catch'], usage: 'catch pagefault [FILTER] | syscall [NAME...] | signal [NAME...] | fork | tlb-miss | invlpg | cr3', help: 'Stop on a page fault whose error code matches FILTER (bits p w u rsvd i pk, !BIT for clear, comma-separated: w,!p), before the kernel handles it; on system calls (before the kernel runs them); on signals (SIGSEGV, SEGV or 11; none: any signal but SIGKILL) before the kernel delivers them (continue delivers: the handler runs or the default action applies); after a fork of the program (in the process followed: set follow-fork-mode parent|child); after an instruction that missed the TLB; or when the kernel has executed INVLPG or written CR3.', run: (d, a) => d.catchCmd(a) },
  { names: ['info', 'i'], usage: 'info SUBCOMMAND', help: 'info breakpoints | registers [REG...] | symbol ADDR | line [LOC] | pagetables [START-END] [user|kernel|all] | tlb | maps | faults (#PFs of the program and of the kernel in uaccess) | frames [PFN] | proc | inferiors | record', run: (d, a) => d.infoCmd(a) },
  { names: ['regs'], usage: 'regs [REG...]', help: 'The registers: info registers [REG...].', run: (d, a) => d.infoCmd(`registers ${a}`) },
  { names: ['print', 'p', 'inspect'], usage: 'print[/FMT] EXPR', help: 'Evaluate EXPR: $REG, $pc, $cr2, $cr3, SYMBOL, *(TYPE*)ADDR, $mem64(ADDR), $pa(VA), C operators; the value is kept as $N ($ the last, $$ the one before). FMT: x d u o t z c a f s (on a C variable, applied to every member and element, as gdb).', run: (d, a) => d.printCmd(a) },
  {
    names: ['show'], usage: 'show follow-fork-mode', help: 'Show a setting.',
    run: (d, a) => (a.trim() === 'follow-fork-mode' ? `Debugger response to a program call of fork or vfork is "${d.s.followForkMode}".` : `Undefined show command: "${a.trim()}".  Try "help show".`),
  },
  { names: ['set'], usage: 'set var $REG = EXPR | set var *(TYPE*)ADDR = EXPR | set follow-fork-mode parent|child', help: 'Change a register or memory (through the page tables, no fault); after a fork, keep debugging the parent (default) or follow the child.', run: (d, a) => d.setCmd(a) },
  { names: ['x'], usage: 'x/NFU ADDR', help: 'Examine memory at a virtual address. N count (default 1, at most 65536), F format (x d u o t c s i a), U size (b h w g); F and U carry over to the next x. Stops at the first address that cannot be read.', run: (d, a) => d.examine(a, false) },
  { names: ['xp'], usage: 'xp/NFU PADDR', help: 'Examine memory at a physical address (formats as x).', run: (d, a) => d.examine(a, true) },
  { names: ['disassemble', 'disas'], usage: 'disassemble [LOC[,+LEN | ,END]]', help: 'Disassemble the function around pc or LOC.', run: (d, a) => d.disassemble(a) },
  { names: ['backtrace', 'bt', 'where'], usage: 'backtrace', help: 'The call chain: from the DWARF call frame information (.debug_frame, .eh_frame) where the code has it (C built with -g), else from the fp/ra chain the guest libc keeps.', run: (d) => d.backtrace() },
  { names: ['frame', 'f'], usage: 'frame [N]', help: 'Select frame N of the backtrace (no N: show the selected one): info locals, info args, print and finish then work in that frame, until the program moves.', run: (d, a) => frameCmd(d, 'frame', a) },
  { names: ['up'], usage: 'up [N]', help: 'Select the frame N levels out (default 1), toward main.', run: (d, a) => frameCmd(d, 'up', a) },
  { names: ['down'], usage: 'down [N]', help: 'Select the frame N levels in (default 1), toward the innermost.', run: (d, a) => frameCmd(d, 'down', a) },
  { names: ['list', 'l'], usage: 'list [LOC]', help: 'Show source lines around LOC (or continue the last listing).', run: (d, a) => d.list(a) },
  { names: ['pt'], usage: 'pt VA [r|w|x]', help: 'Walk the page tables for VA level by level (table PA, index, entry, flags) and say what an access would do.', run: (d, a) => d.pt(a) },
  { names: ['v2p'], usage: 'v2p VA', help: 'Translate a virtual address (user read) to a physical one.', run: (d, a) => d.v2p(a) },
  { names: ['p2v'], usage: 'p2v PA', help: 'Every virtual address, in every process, that maps the frame holding PA.', run: (d, a) => formatP2v(d.s.k, Number(BigInt.asUintN(64, evaluate(a, d.env))), d.s.k.opts.paging) },
  { names: ['dmesg'], usage: 'dmesg', help: 'The kernel log.', run: (d) => d.s.k.printk.dmesg().trimEnd() },
  { names: ['echo'], usage: 'echo TEXT', help: 'Print TEXT (\\n for a newline).', run: (_d, a) => a.replace(/\\n/g, '\n').replace(/\n$/, '') },
  {
    names: ['help', 'h'], usage: 'help [COMMAND]', help: 'List the commands, or describe one.',
    run: (_d, a) => {
      if (a.trim() === '') return ['Commands (gdb names; abbreviations in parentheses):', ...COMMANDS.map((c) => `  ${c.usage.padEnd(44)}${c.names.length > 1 ? `(${c.names.slice(1).join(', ')})` : ''}`), 'Type "help COMMAND" for one command.'].join('\n');
      const c = findCommand(a.trim().split(/\s+/)[0]!);
      if (c === undefined) return `Undefined command: "${a.trim()}".  Try "help".`;
      return `${c.usage}\n${c.help}${c.names.length > 1 ? `\nAliases: ${c.names.slice(1).join(', ')}` : ''}`;
    },
  },
];

export const COMMAND_NAMES: string[] = COMMANDS.flatMap((c) => c.names);
