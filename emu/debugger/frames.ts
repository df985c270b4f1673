// gdb's frame commands over the unwound frames (unwind.ts): backtrace,
// frame [N], up [N], down [N]. The frame selected is where info locals,
// info args and print read C variables (locals.ts) and what finish runs
// out of; it holds while the program stays where it is, and any run, step
// or move in the recorded history selects frame 0 again, as in gdb.
import type { Debugger } from './commands';
import { callFrames } from './engine-goals';
import type { CallFrame } from './unwind';
import { hexn } from './views';

/** One backtrace line: `#1  VA 0x10220 in middle () at unwind.c:18` (a caller's line is its call's), or `#1  <signal handler called>`. */
export function frameLine(d: Debugger, f: CallFrame): string {
  // The rt_sigreturn trampoline a handler returns to, as gdb shows it.
  if (f.kind === 'sigtramp') return `#${f.level}  <signal handler called>`;
  const s = d.s;
  const l = s.syms.line(f.lookupPc);
  const fn = s.syms.symbolAt(f.lookupPc)?.sym.name ?? '??';
  return `#${f.level}  VA ${hexn(f.pc)} in ${fn} ()${l ? ` at ${l.file}:${l.line}` : ''}`;
}

export function backtrace(d: Debugger): string {
  return callFrames(d.s).map((f) => frameLine(d, f)).join('\n');
}

/** The selected frame (frame 0 once the program has moved since the selection), or undefined when it is gone. */
export function selectedFrame(d: Debugger): CallFrame | undefined {
  return callFrames(d.s)[d.frameLevel];
}

/** `frame` (the selected one), `frame N`, `up [N]`, `down [N]`: the frame's line and its source line, as gdb prints them. */
export function frameCmd(d: Debugger, how: 'frame' | 'up' | 'down', args: string): string {
  if (d.s.exited !== null) return 'No stack.';
  const t = args.trim();
  if (t !== '' && !/^\d+$/.test(t)) return `${how}: give a frame number or a count (got "${t}").`;
  const frames = callFrames(d.s);
  const cur = Math.min(d.frameLevel, frames.length - 1);
  let level: number;
  if (how === 'frame') level = t === '' ? cur : Number(t);
  else {
    const n = t === '' ? 1 : Number(t);
    level = how === 'up' ? Math.min(cur + n, frames.length - 1) : Math.max(cur - n, 0);
    // gdb moves as far as it can, and says so only when it could not move at all.
    if (level === cur && n > 0) return how === 'up' ? 'Initial frame selected; you cannot go up.' : 'Bottom (innermost) frame selected; you cannot go down.';
  }
  const f = frames[level];
  if (f === undefined) return `No frame at level ${t}.`;
  d.selectFrame(level);
  const l = d.s.syms.line(f.lookupPc);
  const text = l === undefined ? undefined : d.s.syms.sourceLines(l.file)?.[l.line - 1];
  return text === undefined ? frameLine(d, f) : `${frameLine(d, f)}\n${l!.line}\t${text}`;
}
