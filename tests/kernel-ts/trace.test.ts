// Tracepoints: enabling by spec, trace_pipe's line format, and the kernel call
// chain captured for each event when stack tracing is on.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AVAILABLE_EVENTS, TRACE_EVENTS, Trace, formatTraceRecord, unknownEventsMessage } from '../../kernel-ts/trace';
import { NR } from '../../kernel-ts/syscalls/numbers';

function tracer(): Trace {
  return new Trace(() => 12_345_678, () => ({ comm: 'memview2', pid: 42 }));
}

describe('Trace', () => {
  it('emits only enabled events: exact names, groups and wildcards', () => {
    const t = tracer();
    t.enable('kmem:kmalloc,exceptions');
    expect(t.enabled('kmem:kmalloc')).toBe(true);
    expect(t.enabled('kmem:kfree')).toBe(false);
    expect(t.enabled('exceptions:page_fault_user')).toBe(true);
    t.emit('kmem:kfree', 'ptr=0');
    t.emit('kmem:kmalloc', 'ptr=1');
    expect(t.records.map((r) => r.text)).toEqual(['ptr=1']);
    t.disable('kmem:kmalloc');
    expect(t.enabledSpecs()).toEqual(['exceptions']);
  });

  it("prints a record in trace_pipe's layout", () => {
    const t = tracer();
    t.enable('all');
    t.emit('exceptions:page_fault_user', 'address=0x0 ip=0x10074 error_code=0x6');
    expect(formatTraceRecord(t.records[0]!)).toBe(
      '     memview2-42 [000] .....     0.012345: page_fault_user: address=0x0 ip=0x10074 error_code=0x6',
    );
  });

  it('captures the calling kernel functions, innermost first, when stack tracing is on', () => {
    const t = tracer();
    t.enable('all');
    t.stacktrace = true;
    function doAnonymousPage(): void {
      t.emit('kmem:mm_page_alloc', 'pfn=0x1');
    }
    function handleMmFault(): void {
      doAnonymousPage();
    }
    handleMmFault();
    expect(t.records[0]!.stack!.slice(0, 2)).toEqual(['doAnonymousPage', 'handleMmFault']);
    expect(formatTraceRecord(t.records[0]!)).toContain('\n <stack trace>\n => doAnonymousPage\n => handleMmFault\n');
  });

  it('uses an explicit stack when the caller gives one, and none when stack tracing is off', () => {
    const t = tracer();
    t.enable('all');
    t.emit('a:b', 'x');
    expect(t.records[0]!.stack).toBeNull();
    t.stacktrace = true;
    t.emit('a:b', 'y', ['_copy_to_user']);
    expect(t.records[1]!.stack).toEqual(['_copy_to_user']);
  });
});

describe('the events there are', () => {
  it('an unknown event, group or glob is refused and nothing is enabled; known ones, groups, globs and all are fine', () => {
    const t = tracer();
    expect(t.enable('kmem:kmalloc,bogus:event')).toEqual(['bogus:event']);
    expect(t.enabledSpecs()).toEqual([]);
    expect(t.enable('bogus')).toEqual(['bogus']);
    expect(t.enable('kmem:nothing*')).toEqual(['kmem:nothing*']);
    expect(t.enable('kmem,sched:*,syscalls:sys_enter_write,*:tlb_flush,all')).toEqual([]);
    expect(t.enabledSpecs()).toEqual(['kmem', 'sched:*', 'syscalls:sys_enter_write', '*:tlb_flush', 'all']);
    expect(t.disable('bogus:event')).toEqual(['bogus:event']);
    expect(t.disable('kmem:kfree')).toEqual([]); // known, though not enabled by that name
    expect(t.disable()).toEqual([]);
    expect(t.enabledSpecs()).toEqual([]);
  });

  it('the complaint is one line naming the events', () => {
    const msg = unknownEventsMessage(['bogus:event']);
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/^unknown trace event 'bogus:event'; the events are exceptions:page_fault_kernel exceptions:page_fault_user /);
    for (const e of TRACE_EVENTS) expect(msg).toContain(` ${e}`);
    expect(msg).toContain('syscalls:sys_enter_NAME, syscalls:sys_exit_NAME (all of them: cat /sys/kernel/tracing/available_events)');
  });

  it('available events: the tracepoints and an enter and an exit event per system call, sorted', () => {
    expect(AVAILABLE_EVENTS).toEqual([...AVAILABLE_EVENTS].sort());
    for (const name of Object.keys(NR)) {
      expect(AVAILABLE_EVENTS).toContain(`syscalls:sys_enter_${name}`);
      expect(AVAILABLE_EVENTS).toContain(`syscalls:sys_exit_${name}`);
    }
    expect(AVAILABLE_EVENTS.length).toBe(TRACE_EVENTS.length + 2 * Object.keys(NR).length);
  });

  it('every event name the kernel emits is an available event', () => {
    const root = join(process.cwd(), 'kernel-ts');
    const names = new Set<string>();
    for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.ts'))) {
      for (const m of readFileSync(join(root, f), 'utf8').matchAll(/'([a-z_]+:[a-z_]+)'/g)) if (!m[1]!.startsWith('node:')) names.add(m[1]!);
    }
    expect(names.size).toBeGreaterThan(10);
    for (const n of names) expect(AVAILABLE_EVENTS, n).toContain(n);
    expect([...TRACE_EVENTS].sort()).toEqual([...names].sort());
  });
});
