// Reverse execution at the prompt, gdb's way: `record` starts the history,
// then reverse-stepi, reverse-next, reverse-step, reverse-finish and
// reverse-continue go back in it, `record goto` jumps to an instruction
// number, and `diff pagetables` compares the page tables at two points of it.
// The travelling is the engine's (engine-reverse.ts, engine.ts's time-travel
// primitives); this file puts gdb's words around its stops. See
// record/recorder.ts for what a snapshot holds.
import { pfWords } from '../machine/trap';
import type { FaultRecord, Session } from './session';
import type { StopEvent } from './engine-types';
import type { Debugger } from './commands';
import { NOT_RECORDING, NOT_RUNNING } from './engine';
import { firstVisit, reverseStepi as engineReverseStepi } from './engine-reverse';
import { hexn, walkTables } from './views';
import { PAGE_SIZE } from '../machine/mmu/paging';

/** Fault outcomes after which the faulting instruction runs again (not segv/sigbus, nor the kernel's own uaccess faults). */
const RETRIED = new Set(['demand-zero', 'cow-copy', 'cow-reuse', 'file-read', 'file-cow', 'shared-write', 'stack-grow', 'pfnmap', 'spurious']);

/** A point to come back to after looking elsewhere in the history. */
interface Point {
  pos: number;
  kind: 'insn' | 'signal' | 'exited';
}

function here(s: Session): Point {
  return { pos: s.pos(), kind: s.exited !== null ? 'exited' : s.atSignalStop ? 'signal' : 'insn' };
}

/** Travels to a point: an instruction start, a signal stop, or the end (replayed to the program's exit). */
async function goTo(s: Session, p: Point): Promise<void> {
  await s.travelTo(p.kind === 'exited' ? Number.MAX_SAFE_INTEGER : p.pos, p.kind === 'signal');
}

/** Runs `look` (travels that only look around) and leaves the user's last two stops as they were. */
async function keepingStops<T>(s: Session, look: () => Promise<T>): Promise<T> {
  const stops = { prev: s.prevStopPos, prevSignal: s.prevStopSignal, last: s.lastStopPos, lastSignal: s.lastStopSignal };
  try {
    return await look();
  } finally {
    s.prevStopPos = stops.prev;
    s.prevStopSignal = stops.prevSignal;
    s.lastStopPos = stops.last;
    s.lastStopSignal = stops.lastSignal;
  }
}

/** Comes back to a point the session left only to look (a failed search). */
async function comeBack(s: Session, p: Point): Promise<void> {
  await keepingStops(s, () => goTo(s, p));
}

/** A reverse command's stop as the prompt shows it (a string: why it could not go back). */
function report(d: Debugger, stop: StopEvent | string): string {
  return typeof stop === 'string' ? stop : stop.kind === 'step' ? d.frameReport() : d.stopReport(stop);
}

export async function reverseStepi(d: Debugger, n: number): Promise<string> {
  const s = d.s;
  if (s.recorder === null) return NOT_RECORDING;
  const faults = s.faults.filter((f) => f.pid === s.task.pid);
  const r = await engineReverseStepi(s, n);
  const text = report(d, r.stop);
  if (r.at < 0) return text;
  // Page faults around this instruction start: before the next start (the kernel comes first, the
  // instruction runs again after), or just before this one (this start is that retry).
  const said = (f: FaultRecord): string => `#PF at VA ${hexn(f.addr)} (error ${hexn(f.error)} ${pfWords(f.error)}) handled by the kernel: ${f.outcome}`;
  const between = (from: number, to: number): FaultRecord[] => faults.filter((f) => f.pos > from && f.pos <= to);
  const notes = between(r.at, r.next).map((f) => `next: ${said(f)}${RETRIED.has(f.outcome) ? '; then this instruction runs again' : ''}`);
  if (r.retryFrom >= 0) {
    for (const f of between(r.retryFrom, r.at)) notes.push(`retry: ${said(f)} after the first attempt; reverse-stepi once more for the state before it`);
  }
  return [text, ...notes].join('\n');
}

/** reverse-next (over = true) and reverse-step (over = false). */
export async function reverseLine(d: Debugger, over: boolean): Promise<string> {
  return report(d, await d.s.reverseLine(over));
}

/** reverse-finish: back to the call of the current function, in its caller (gdb stops on the call instruction). */
export async function reverseFinish(d: Debugger): Promise<string> {
  const s = d.s;
  if (s.recorder === null) return NOT_RECORDING;
  if (s.exited !== null) return NOT_RUNNING;
  const frame = d.backtrace().split('\n')[0]!.replace(/^#0\s+/, '');
  const stop = await s.reverseFinish();
  return typeof stop !== 'string' && stop.kind === 'step' ? `Run back to call of #0 ${frame}\n${report(d, stop)}` : report(d, stop);
}

/** reverse-continue: back to the most recent breakpoint, watchpoint or catchpoint stop before now, or to the start of the history. */
export async function reverseContinue(d: Debugger): Promise<string> {
  return report(d, await d.s.reverseContinue());
}

/** The position of the first instruction start at which the task had retired `insns` instructions. */
async function positionOfInsn(s: Session, insns: number): Promise<number | string> {
  const rec = s.recorder!;
  const lowest = rec.snapshots[0]!.insns;
  if (insns < lowest) return `Target insn ${insns} not found (the history starts at instruction ${lowest}).`;
  if (insns > s.frontierInsns) return `Target insn ${insns} not found (the history ends at instruction ${s.frontierInsns}).`;
  let i = rec.snapshots.length - 1;
  while (i > 0 && rec.snapshots[i]!.insns > insns) i--;
  const v = await s.scanVisits(i, s.frontier + 1);
  for (let j = 0; j < v.pos.length; j++) if (v.insns[j]! >= insns) return v.pos[j]!;
  return `Target insn ${insns} not found.`;
}

export async function recordGoto(d: Debugger, args: string): Promise<string> {
  const s = d.s;
  if (s.recorder === null) return NOT_RECORDING;
  const a = args.trim();
  if (a === 'end') {
    await goTo(s, { pos: s.frontier, kind: s.frontierKind });
    return s.exited !== null ? d.stopReport(s.exited) : d.frameReport();
  }
  const back = here(s);
  let pos: number | string;
  if (a === 'begin' || a === 'start') pos = await firstVisit(s);
  else if (/^\d+$/.test(a)) pos = await positionOfInsn(s, Number(a));
  else return 'usage: record goto begin|end|N (N: an instruction number, see "info record")';
  if (typeof pos === 'string') {
    await comeBack(s, back); // the search moved the session: back to where it was
    return pos;
  }
  await s.travelTo(pos);
  return d.frameReport();
}

/** `record [full]`, `record stop`, `record goto`. */
export async function recordCmd(d: Debugger, args: string): Promise<string> {
  const s = d.s;
  const [sub = '', ...rest] = args.trim().split(/\s+/);
  if (sub === '' || sub === 'full') {
    const rs = d.recordSettings;
    return s.record({ interval: rs.interval, maxInsns: rs.maxInsns, maxBytes: rs.maxMiB * 1048576 }) ?? '';
  }
  if (sub === 'stop') {
    if (!s.recordStop()) return 'No recording is currently active.';
    return 'Process record is stopped and all execution logs are deleted.';
  }
  if (sub === 'goto') return recordGoto(d, rest.join(' '));
  return `Undefined record command: "${sub}".  Try "help record".`;
}

/** info record (gdb's lines, plus what the history holds). */
export function infoRecord(d: Debugger): string {
  const s = d.s;
  const r = s.recorder;
  if (r === null) return 'No recording is currently active.';
  const replay = s.exited === null && s.pos() < s.frontier;
  const bytes = r.bytes();
  const frames = r.snapshots.reduce((n, x) => n + x.undo.size, 0);
  return [
    'Active record target: record-full',
    replay ? 'Replay mode:' : 'Record mode:',
    `Lowest recorded instruction number is ${r.snapshots[0]!.insns}.`,
    `Highest recorded instruction number is ${s.frontierInsns}.`,
    ...(replay ? [`Current instruction number is ${s.taskInsns()}.`] : []),
    `Max logged instructions is ${r.maxInsns}.`,
    `Max write-log memory is ${r.maxBytes / 1048576} MiB.`,
    `Snapshots: ${r.snapshots.length}, every ${r.interval} instructions${r.dropped > 0 ? ` (${r.dropped} older ones dropped)` : ''}; ${frames} frames in the write log; ${(bytes / 1048576).toFixed(1)} MiB.`,
  ].join('\n');
}

const SET_RECORD_USAGE = 'usage: set record full insn-number-max N | set record snapshot-interval N | set record memory-max MIB';

/** `set record full insn-number-max N` (gdb), `set record snapshot-interval N`, `set record memory-max MIB`. */
export function setRecord(d: Debugger, args: string): string {
  const m = /^(?:full\s+)?(insn-number-max|snapshot-interval|memory-max)\s+(\d+)$/.exec(args.trim());
  if (!m) return SET_RECORD_USAGE;
  const n = Number(m[2]);
  if (n < 1 || !Number.isSafeInteger(n)) return 'The value must be positive.';
  const rs = d.recordSettings;
  if (m[1] === 'insn-number-max') rs.maxInsns = n;
  else if (m[1] === 'snapshot-interval') rs.interval = n;
  else rs.maxMiB = n;
  const r = d.s.recorder;
  if (r !== null) {
    r.maxInsns = rs.maxInsns;
    r.interval = rs.interval;
    r.maxBytes = rs.maxMiB * 1048576;
  }
  return '';
}

// ---- diff pagetables ------------------------------------------------------

interface Mapping {
  size: number;
  pa: number;
  perms: string;
}

function mappings(s: Session): { root: number; map: Map<bigint, Mapping> } {
  const k = s.k;
  const root = k.machine.mmu.cr3;
  const map = new Map<bigint, Mapping>();
  for (const l of walkTables(k, root, k.opts.paging, 'user')) {
    map.set(l.va, { size: l.size, pa: l.pa, perms: `${l.us ? 'u' : '-'}r${l.rw ? 'w' : '-'}${l.nx ? '-' : 'x'}` });
  }
  return { root: root - (root % PAGE_SIZE), map };
}

const sizeName = (n: number): string => (n === PAGE_SIZE ? '4K' : n === 2 << 20 ? '2M' : '1G');
const showMapping = (m: Mapping): string => `${m.perms} ${sizeName(m.size).padEnd(3)} PA ${hexn(m.pa)}`;

/** The differences of two folded page-table maps, consecutive pages with the same change folded into one line. */
export function diffMappings(a: Map<bigint, Mapping>, b: Map<bigint, Mapping>): string[] {
  type Change = { va: bigint; kind: '+' | '-' | '~'; old?: Mapping; now?: Mapping };
  const changes: Change[] = [];
  const vas = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (const va of vas) {
    const x = a.get(va), y = b.get(va);
    if (x === undefined) changes.push({ va, kind: '+', now: y });
    else if (y === undefined) changes.push({ va, kind: '-', old: x });
    else if (x.pa !== y.pa || x.size !== y.size || x.perms !== y.perms) changes.push({ va, kind: '~', old: x, now: y });
  }
  const lines: string[] = [];
  let i = 0;
  while (i < changes.length) {
    const c = changes[i]!;
    const sz = (c.now ?? c.old)!.size;
    let end = c.va + BigInt(sz);
    let j = i + 1;
    const same = (d: Change): boolean => d.kind === c.kind && d.va === end && d.old?.perms === c.old?.perms && d.now?.perms === c.now?.perms && (d.now ?? d.old)!.size === sz;
    while (j < changes.length && same(changes[j]!)) {
      end += BigInt(sz);
      j++;
    }
    const range = `VA ${hexn(c.va)}-${hexn(end)}`.padEnd(34);
    const pages = j - i > 1 ? ` (${j - i} pages)` : '';
    if (c.kind === '+') lines.push(`+ ${range}${showMapping(c.now!)}${pages}`);
    else if (c.kind === '-') lines.push(`- ${range}${showMapping(c.old!)}${pages}`);
    else lines.push(`~ ${range}${showMapping(c.old!)} -> ${showMapping(c.now!)}${pages}`);
    i = j;
  }
  return lines;
}

/**
 * diff pagetables [FROM [TO]]: the user half's mappings at instruction FROM
 * against TO (default: now); with no argument, the previous stop against
 * this one. The session travels to each point and comes back.
 */
export async function diffPagetables(d: Debugger, args: string): Promise<string> {
  const s = d.s;
  if (s.recorder === null) return NOT_RECORDING;
  if (s.exited !== null) return 'The program is not being run.';
  const words = args.trim() === '' ? [] : args.trim().split(/\s+/);
  if (words.length > 2 || words.some((w) => !/^\d+$/.test(w))) return 'usage: diff pagetables [FROM [TO]] (instruction numbers, see "info record")';
  const back = here(s);
  const backInsns = s.taskInsns();
  let from: Point, to: Point;
  let fromInsns: number, toInsns: number;
  if (words.length === 0) {
    if (s.prevStopPos < 0 || s.prevStopPos < s.recorder.snapshots[0]!.pos) return 'diff pagetables: no earlier stop in the recorded history (give instruction numbers).';
    from = { pos: s.prevStopPos, kind: s.prevStopSignal ? 'signal' : 'insn' };
    to = back;
    fromInsns = -1;
    toInsns = backInsns;
  } else {
    // Finding an instruction number replays part of the history: come back before saying it is not there.
    const p = await positionOfInsn(s, Number(words[0]));
    if (typeof p === 'string') {
      await comeBack(s, back);
      return p;
    }
    from = { pos: p, kind: 'insn' };
    fromInsns = Number(words[0]);
    if (words.length === 2) {
      const q = await positionOfInsn(s, Number(words[1]));
      if (typeof q === 'string') {
        await comeBack(s, back);
        return q;
      }
      to = { pos: q, kind: 'insn' };
      toInsns = Number(words[1]);
    } else {
      to = back;
      toInsns = backInsns;
    }
  }
  // Travelling to look is not a stop of the user's: the last two stops stay what they were.
  const [a, b] = await keepingStops(s, async () => {
    await goTo(s, from);
    if (fromInsns < 0) fromInsns = s.taskInsns();
    const before = mappings(s);
    await goTo(s, to);
    const after = mappings(s);
    await goTo(s, back);
    return [before, after];
  });
  const lines = diffMappings(a.map, b.map);
  const head = `page tables (user half) at instruction ${fromInsns} (CR3 = PA ${hexn(a.root)}) -> instruction ${toInsns} (CR3 = PA ${hexn(b.root)}):`;
  return [head, ...(lines.length === 0 ? ['(no changes)'] : lines)].join('\n');
}
