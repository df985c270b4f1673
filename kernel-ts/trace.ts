// Tracepoints, in the spirit of Linux's ftrace events: a named event
// ("kmem:kmalloc", "exceptions:page_fault_user", "syscalls:sys_enter_mmap")
// is emitted only when enabled, and is printed in trace_pipe's format:
//   memview2-42    [000] .....     0.012345: kmalloc: call_site=... ptr=...
// optionally followed by the kernel call stack (`=> fn` lines).
// The events are a fixed set (TRACE_EVENTS, and syscalls:sys_enter_NAME /
// sys_exit_NAME for each system call), listed one `group:event` a line in
// /sys/kernel/tracing/available_events; enabling a name that matches none of
// them is an error, as writing it to set_event is in Linux.
import { NR } from './syscalls/numbers';

export interface TraceContext {
  comm: string;
  pid: number;
}

export interface TraceRecord {
  ns: number;
  event: string;
  text: string;
  task: TraceContext | null;
  stack: string[] | null;
}

/** The tracepoints the kernel emits, besides the system calls' (Linux's TRACE_EVENT definitions). */
export const TRACE_EVENTS: readonly string[] = [
  'exceptions:page_fault_kernel',
  'exceptions:page_fault_user',
  'huge_memory:demote',
  'huge_memory:promote',
  'kmem:kfree',
  'kmem:kmalloc',
  'kmem:mm_page_alloc',
  'kmem:mm_page_free',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'sched:sched_process_fork',
  'sched:sched_switch',
  'signal:signal_deliver',
  'tlb:tlb_flush',
  'uaccess:copy_from_user',
  'uaccess:copy_to_user',
];

/** Every event, sorted: TRACE_EVENTS and syscalls:sys_enter_NAME / sys_exit_NAME for each system call vmlab knows. */
export const AVAILABLE_EVENTS: readonly string[] = [
  ...TRACE_EVENTS,
  ...Object.keys(NR).flatMap((n) => [`syscalls:sys_enter_${n}`, `syscalls:sys_exit_${n}`]),
].sort();

/**
 * The specs of a comma-separated list that name no event (a spec is
 * "group:event", "group:*", "group", a glob, or "all"); [] when all are good.
 */
export function unknownTraceSpecs(spec: string, events: readonly string[] = AVAILABLE_EVENTS): string[] {
  return splitSpecs(spec).filter((s) => {
    const re = specToRegExp(s);
    return !events.some((e) => re.test(e));
  });
}

/** The one-line complaint about unknown events, naming the known ones. */
export function unknownEventsMessage(unknown: readonly string[]): string {
  const names = unknown.map((u) => `'${u}'`).join(', ');
  return `unknown trace event${unknown.length > 1 ? 's' : ''} ${names}; the events are ${TRACE_EVENTS.join(' ')}`
    + ' and syscalls:sys_enter_NAME, syscalls:sys_exit_NAME (all of them: cat /sys/kernel/tracing/available_events)';
}

function splitSpecs(spec: string): string[] {
  return spec.split(',').map((x) => x.trim()).filter(Boolean);
}

export class Trace {
  private patterns: RegExp[] = [];
  private specs: string[] = [];
  /** Also record the kernel call stack of each event (trace_options stacktrace). */
  stacktrace = false;
  /** Where events go; default: kept in `records`. */
  sink: ((line: string, rec: TraceRecord) => void) | null = null;
  readonly records: TraceRecord[] = [];

  constructor(
    private readonly clockNs: () => number,
    private readonly current: () => TraceContext | null,
    private readonly events: readonly string[] = AVAILABLE_EVENTS,
  ) {}

  /** The events there are, sorted (available_events). */
  availableEvents(): readonly string[] {
    return this.events;
  }

  /**
   * Enables events by spec: "kmem:kmalloc", "kmem:*", "kmem" (whole group),
   * "syscalls" or "all"; several separated by commas. Returns the specs that
   * name no event ([] on success); then nothing is enabled.
   */
  enable(spec: string): string[] {
    const unknown = unknownTraceSpecs(spec, this.events);
    if (unknown.length > 0) return unknown;
    for (const s of splitSpecs(spec)) {
      this.specs.push(s);
      this.patterns.push(specToRegExp(s));
    }
    return [];
  }

  /** Disables the given specs (all without one); returns the specs that name no event, as enable does. */
  disable(spec?: string): string[] {
    if (spec === undefined || spec === 'all') {
      this.patterns = [];
      this.specs = [];
      return [];
    }
    const unknown = unknownTraceSpecs(spec, this.events);
    if (unknown.length > 0) return unknown;
    const drop = new Set(splitSpecs(spec));
    const keep = this.specs.filter((s) => !drop.has(s));
    this.patterns = keep.map(specToRegExp);
    this.specs = keep;
    return [];
  }

  enabledSpecs(): readonly string[] {
    return this.specs;
  }

  /** Cheap check callers make before formatting an event's text. */
  enabled(event: string): boolean {
    if (this.patterns.length === 0) return false;
    for (const p of this.patterns) if (p.test(event)) return true;
    return false;
  }

  /**
   * Emits `event` (group:name) with its formatted fields, if enabled. `stack`
   * is the kernel call chain, innermost first; with `stacktrace` on and no
   * stack given, the kernel's own (host) call chain is captured.
   */
  emit(event: string, text: string, stack?: string[]): void {
    if (!this.enabled(event)) return;
    const rec: TraceRecord = {
      ns: this.clockNs(), event, text, task: this.current(), stack: this.stacktrace ? (stack ?? kernelStack()) : null,
    };
    if (this.sink) this.sink(formatTraceRecord(rec), rec);
    else this.records.push(rec);
  }
}

const MAX_FRAMES = 16;
/** Where the kernel is entered from the host (the scheduler, process creation, module loading, a shell's transient process): a chain ends there. */
export const KERNEL_ENTRIES: ReadonlySet<string> = new Set(['runSlice', 'run', 'spawn', 'boot', 'insmod', 'rmmod', 'runInProcess']);
/** Frames module/watchdog.ts's bounded calls add between the kernel and a module: symbols of neither, left out of stacks and Call Traces. */
export const WATCHDOG_FRAMES: ReadonlySet<string> = new Set(['__vmlab_module_call', '_vmlab_module_call', 'Script.runInContext', 'Watchdog.bounded', 'ModuleLoader.callModule', 'LoadedModule.call', 'vmlab_api_call']);
/** Frames of the tracing machinery itself, not of the kernel code that emitted the event. */
const TRACE_FRAMES = /^(Trace\.|emit$|trace[A-Z]|kernelStack$|callSite$|mmPage|kmalloc$|kfree$)/;

/**
 * The kernel call chain at this point, innermost first, as function names
 * (the TypeScript kernel's functions are the "kernel symbols"), like the
 * stack ftrace's stacktrace option prints. Stops at the scheduler's run loop.
 */
export function kernelStack(): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const raw = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const out: string[] = [];
  for (const line of raw.split('\n').slice(1)) {
    const m = /^\s*at (?:new )?([^\s(]+)/.exec(line);
    if (m === null) continue;
    // esbuild renames some classes _Name; a method of a plain object (a module's
    // file_operations: Object.physicalview_ioctl) is known by its own name, as in C.
    const full = m[1]!.replace(/^_/, '').replace(/^Object\./, '');
    if (/[/:]/.test(full)) continue; // an anonymous closure (shown by its file URL): not a symbol
    if (WATCHDOG_FRAMES.has(full)) continue;
    const name = full.slice(full.lastIndexOf('.') + 1);
    if (out.length === 0 && (TRACE_FRAMES.test(full) || TRACE_FRAMES.test(name))) continue;
    out.push(full);
    if (KERNEL_ENTRIES.has(name) || out.length >= MAX_FRAMES) break;
  }
  return out;
}

/** The kernel function that called into `layer` (e.g. kmalloc's caller, for call_site=): the first frame outside it. */
export function callSite(layer: RegExp): string {
  for (const f of kernelStack()) if (!layer.test(f)) return f;
  return '?';
}

function specToRegExp(spec: string): RegExp {
  if (spec === 'all' || spec === '*') return /^/;
  const full = spec.includes(':') ? spec : `${spec}:*`;
  const re = full.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${re}$`);
}

/** One record in trace_pipe's layout (and its stack, one `=> fn` line per frame). */
export function formatTraceRecord(r: TraceRecord): string {
  const who = r.task ? `${r.task.comm}-${r.task.pid}` : '<idle>-0';
  const us = Math.floor(r.ns / 1000);
  const ts = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
  const name = r.event.slice(r.event.indexOf(':') + 1);
  let line = `${who.padStart(16)} [000] ..... ${ts.padStart(12)}: ${name}: ${r.text}`;
  if (r.stack) line += `\n <stack trace>\n${r.stack.map((f) => ` => ${f}`).join('\n')}`;
  return line;
}
