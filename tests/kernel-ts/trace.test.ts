// Tracepoints: enabling by spec, trace_pipe's line format, and the kernel call
// chain captured for each event when stack tracing is on.
import { describe, expect, it } from 'vitest';
import { Trace, formatTraceRecord } from '../../kernel-ts/trace';

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
