// The copy-on-write experiment in the debugger (guest-programs/experiments/cow.gdb,
// docs/experiments/cow.md): the transcript against a golden copy, and the
// lab's observations asserted on their own.
// Regenerate the golden copy with: npx vitest run tests/experiments/cow.test.ts -u
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';

const SCRIPT = join('guest-programs', 'experiments', 'cow.gdb');
const PROGRAM = join('guest-programs', 'experiments', 'cow.s');

/** The transcript's sections, by their `--- ` headings. */
function sections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name = 'start';
  for (const line of stdout.split('\n')) {
    if (line.startsWith('--- ')) name = line.slice(4);
    else out[name] = `${out[name] ?? ''}${line}\n`;
  }
  return out;
}

describe('cow.gdb: copy-on-write, watched and rewound', () => {
  const r = vmlab(['debug', '--no-aslr', '-x', SCRIPT, '--batch', PROGRAM]);

  it('runs as the golden transcript says', async () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3); // the parent's page[0] (2) plus the child's exit status (1)
    await expect(r.stdout.split(`${process.cwd()}/`).join('<repo>/')).toMatchFileSnapshot('cow.golden.txt');
  });

  it('after fork one frame is mapped read-only by both processes; the parent\'s write gets it a writable copy; rewinding brings the sharing back', () => {
    const s = sections(r.stdout);
    const shared = /^PA (0x[0-9a-f]+) <- VA 0x12000 in pid 1 \(cow\), 4K page, ur--\nPA \1 <- VA 0x12000 in pid 2 \(cow\), 4K page, ur--$/m;
    const before = s['after fork: one frame, two mappings, read-only in both']!;
    const frame = shared.exec(before)![1]!;
    expect(before).toContain(`PA ${frame}: pfn:${frame.slice(0, -3)} refcount:2 mapcount:2 owner:anon`);
    expect(before).toContain('present, RW=0, write by CPL3 -> protection fault, error 0x7 (P|W|U)');
    const write = s['the parent writes to it']!;
    expect(write).toContain('error = 0x7 (protection write user)');
    const copy = /handled: cow-copy; now VA 0x12000 -> PA (0x[0-9a-f]+)/.exec(write)![1]!;
    expect(copy).not.toBe(frame);
    const after = s['the parent has a copy of its own: a new frame, writable, mapped once']!;
    expect(after).toContain(`PA ${copy} <- VA 0x12000 in pid 1 (cow), 4K page, urw-\npage tables`);
    expect(after).toContain(`~ VA 0x12000-0x13000                ur-- 4K  PA ${frame} -> urw- 4K  PA ${copy}\n`);
    const rewound = s['rewind to before the fault: the shared frame again']!;
    expect(rewound).toContain(`VA 0x12000 -> PA ${frame} (4K page at PA ${frame})`);
    expect(rewound).toContain('refcount:2 mapcount:2');
    expect(rewound).toMatch(shared);
  });

  it('as docs/experiments/cow.md suggests trying: catch invlpg stops after the kernel invalidates the copied page, whose stale read-only translation the fault already dropped', () => {
    const t = vmlab(['debug', '--no-aslr', '--ex', 'break parent', '--ex', 'run', '--ex', 'catch invlpg', '--ex', 'continue', '--ex', 'info tlb', '--batch', PROGRAM]);
    expect(t.stdout).toMatch(/\nCatchpoint 2 \(invlpg\): INVLPG by the kernel \(\d+ flush(es)?\)\n.*\n=> VA 0x10030 <parent\+0xc>:\tsd\tt1,0\(t0\)\n/);
    // info tlb printed its entries, and no DTLB entry for the page remains: the next access walks to the new frame.
    expect(t.stdout).toMatch(/^ITLB\s+4K\s+0x10000 /m);
    expect(t.stdout).not.toMatch(/^DTLB\s+4K\s+0x12000 /m);
  });
});
