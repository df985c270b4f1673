// Tracepoints, in the spirit of Linux's ftrace events: a named event
// ("kmem:kmalloc", "exceptions:page_fault_user", "syscalls:sys_enter_mmap")
// is emitted only when enabled, and is printed in trace_pipe's format:
//   memview2-42    [000] .....     0.012345: kmalloc: call_site=... ptr=...
// optionally followed by the kernel call stack (`=> fn` lines).

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
  ) {}

  /**
   * Enables events by spec: "kmem:kmalloc", "kmem:*", "kmem" (whole group),
   * "syscalls" or "all"; several separated by commas.
   */
  enable(spec: string): void {
    for (const s of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
      this.specs.push(s);
      this.patterns.push(specToRegExp(s));
    }
  }

  disable(spec?: string): void {
    if (spec === undefined || spec === 'all') {
      this.patterns = [];
      this.specs = [];
      return;
    }
    const drop = new Set(spec.split(',').map((x) => x.trim()));
    const keep = this.specs.filter((s) => !drop.has(s));
    this.patterns = keep.map(specToRegExp);
    this.specs = keep;
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
/** Where the kernel is entered from the host (the scheduler, process creation, module loading): the chain ends there. */
const KERNEL_ENTRIES = new Set(['runSlice', 'run', 'spawn', 'boot', 'insmod', 'rmmod']);
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
    const full = m[1]!.replace(/^_/, ''); // esbuild renames some classes _Name
    if (/[/:]/.test(full)) continue; // an anonymous closure (shown by its file URL): not a symbol
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
