// Reverse execution on the engine, gdb's way, as typed stops: reverse-stepi,
// reverse-next / reverse-step (by source line), reverse-finish and
// reverse-continue. The REPL's commands (timeline.ts) put words around them;
// a gdb stub's bs/bc and a DAP stepBack/reverseContinue call them directly.
//
// Everything is built from three primitives of the engine: restore a
// snapshot, scan forward from one (collecting the debugged task's instruction
// starts, or the stops the breakpoints would make), and replay to an exact
// position. Going back one instruction is: find the newest snapshot before
// now, scan from it to now for the task's instruction starts, then restore it
// again and replay to the start before now. Snapshots are every `interval`
// instructions, so a reverse step costs two replays of at most that many
// instructions. Every function here assumes the engine is recording.
import type { Engine } from './engine';
import { FLOW_CALL, FLOW_RET } from './engine-types';
import type { StopEvent, Visits } from './engine-types';

/** The instruction starts before `until`, scanning back snapshot by snapshot until `enough` says they suffice (or history ends). */
export async function visitsBefore(e: Engine, until: number, enough: (v: Visits) => boolean, flow = false): Promise<{ v: Visits; atStart: boolean }> {
  const rec = e.recorder!;
  let i = rec.snapshots.length - 1;
  while (i > 0 && rec.snapshots[i]!.pos >= until) i--;
  let acc: Visits = { pos: [], pc: [], insns: [], flow: flow ? [] : null };
  let end = until;
  for (;;) {
    const v = await e.scanVisits(i, end, flow);
    acc = { pos: [...v.pos, ...acc.pos], pc: [...v.pc, ...acc.pc], insns: [...v.insns, ...acc.insns], flow: flow ? [...v.flow!, ...acc.flow!] : null };
    if (i === 0 || enough(acc)) return { v: acc, atStart: i === 0 };
    end = rec.snapshots[i]!.pos;
    i--;
  }
}

/** Where the engine stands now (Infinity after the program's end: everything recorded is before it). */
export function now(e: Engine): number {
  return e.exited !== null ? Number.MAX_SAFE_INTEGER : e.pos();
}

/** Travels to pos: a step stop, or 'history-end' when the history ran out before the target. */
async function arrive(e: Engine, pos: number, exhausted: boolean): Promise<StopEvent> {
  await e.travelTo(pos);
  return exhausted ? { kind: 'history-end' } : { kind: 'step' };
}

/** A reverse-stepi's stop, and where it went: the instruction start `at` (the next start after it: `next`; -1 when none was found). */
export interface ReverseStep {
  stop: StopEvent;
  at: number;
  next: number;
  /** The start just before `at` when it was an attempt of the same instruction (a page fault in between), else -1. */
  retryFrom: number;
}

/** reverse-stepi n: back n instruction starts of the debugged task. */
export async function reverseStepi(e: Engine, n: number): Promise<ReverseStep> {
  const end = now(e);
  const { v, atStart } = await visitsBefore(e, end, (acc) => acc.pos.length >= n);
  if (v.pos.length === 0) return { stop: await arrive(e, e.lastStopPos, true), at: -1, next: -1, retryFrom: -1 };
  const exhausted = v.pos.length < n && atStart;
  const t = Math.max(0, v.pos.length - n);
  const next = t + 1 < v.pos.length ? v.pos[t + 1]! : end;
  const stop = await arrive(e, v.pos[t]!, exhausted);
  const retryFrom = t > 0 && v.pc[t - 1] === v.pc[t] ? v.pos[t - 1]! : -1;
  return { stop, at: v.pos[t]!, next, retryFrom };
}

/** depths[j]: the call depth at start j relative to now (0), from the calls and returns between the starts. */
function callDepths(v: Visits): number[] {
  const m = v.pos.length;
  let depth = 0;
  const depths = new Array<number>(m);
  for (let j = m - 1; j >= 0; j--) {
    // A return at j: j ran one call deeper than the start after it; a call at j: j ran in the caller.
    if (v.flow![j] === FLOW_RET) depth++;
    else if (v.flow![j] === FLOW_CALL) depth--;
    depths[j] = depth;
  }
  return depths;
}

/**
 * reverse-next (over = true): back to the start of the previous source line
 * of this function, over calls; reverse-step (over = false): back to the
 * start of the previous line wherever it is, into a function that returned
 * just before. From a function's first line both go to its caller's call.
 */
export async function reverseLine(e: Engine, over: boolean): Promise<StopEvent> {
  const startPc = e.exited !== null ? -1 : e.pc;
  const lineOf = (pc: number): string => {
    const l = e.syms.line(pc);
    return l === undefined ? `pc:${pc}` : `${l.file}:${l.line}`;
  };
  const startLine = startPc >= 0 ? lineOf(startPc) : null;
  // -1: more history is needed; -2: the line may begin before the collected starts; else the index of the target start.
  const target = (v: Visits): number => {
    const depths = callDepths(v);
    const skip = (j: number, line: string | null, depth: number): boolean =>
      (over && depths[j]! > depth) || (depths[j] === depth && lineOf(v.pc[j]!) === line);
    let j = v.pos.length - 1;
    while (j >= 0 && skip(j, startLine, 0)) j--;
    if (j < 0) return -1;
    const line = lineOf(v.pc[j]!), dj = depths[j]!;
    let k = j;
    while (k - 1 >= 0 && skip(k - 1, line, dj)) k--;
    if (k === 0) return -2;
    while (depths[k]! > dj) k++;
    return k;
  };
  const { v, atStart } = await visitsBefore(e, now(e), (acc) => target(acc) >= 0, true);
  const t = target(v);
  if (t >= 0) return arrive(e, v.pos[t]!, false);
  if (t === -2 && atStart) return arrive(e, v.pos[0]!, false);
  return arrive(e, v.pos.length > 0 ? v.pos[0]! : e.lastStopPos, true);
}

/** reverse-finish: back to the call of the current function, in its caller (gdb stops on the call instruction). The program must not have ended. */
export async function reverseFinish(e: Engine): Promise<StopEvent> {
  const target = (v: Visits): number => {
    const depths = callDepths(v);
    for (let j = v.pos.length - 1; j >= 0; j--) if (depths[j]! < 0) return j;
    return -1;
  };
  const { v } = await visitsBefore(e, now(e), (acc) => target(acc) >= 0, true);
  const t = target(v);
  if (t >= 0) return arrive(e, v.pos[t]!, false);
  return arrive(e, v.pos.length > 0 ? v.pos[0]! : e.lastStopPos, true);
}

/** reverse-continue: back to the most recent breakpoint, watchpoint or catchpoint stop before now, or to the start of the history. */
export async function reverseContinue(e: Engine): Promise<StopEvent> {
  const rec = e.recorder!;
  const start = now(e);
  let end = start;
  let i = rec.snapshots.length - 1;
  while (i > 0 && rec.snapshots[i]!.pos >= end) i--;
  for (; i >= 0; i--) {
    // A watchpoint or signal stop happens at the end of its instruction or in the kernel, so at an
    // interval's end; the one at `start` is the stop we are at.
    const scan = await e.scanEvents(i, end);
    // An interrupt during the search: stop where the scan is (a point of the history).
    if (scan.interrupted) return { kind: 'interrupted' };
    const evs = scan.events.filter((x) => x.pos < start);
    if (evs.length > 0) {
      const last = evs[evs.length - 1]!;
      // A signal stop is inside the kernel, before the delivery: the replay stops there too.
      await e.travelTo(last.pos, last.ev.kind === 'signal');
      e.arrivedAt(last.ev);
      if ('bp' in last.ev) last.ev.bp.hits++;
      return last.ev;
    }
    end = rec.snapshots[i]!.pos;
  }
  return arrive(e, await firstVisit(e), true);
}

/** The first instruction start of the task in the history. */
export async function firstVisit(e: Engine): Promise<number> {
  const rec = e.recorder!;
  const end = rec.snapshots.length > 1 ? rec.snapshots[1]!.pos : now(e);
  const v = await e.scanVisits(0, end);
  return v.pos.length > 0 ? v.pos[0]! : rec.snapshots[0]!.pos;
}
