// `vmlab demo` (npm start) is the memview2 experiment, abridged, and is
// deterministic (seed 1): its whole transcript is golden.
// Regenerate with: npm run build && node dist/vmlab.mjs demo > tests/emu/cli/golden/demo.txt
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../../support/cli';
import { abridge } from '../../../emu/cli/demo';
import { commands, report } from '../../experiments/memview2-support';

describe('vmlab demo', () => {
  const r = vmlab(['demo']);

  it('prints the golden transcript and exits 0', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(__dirname, 'golden', 'demo.txt'), 'utf8'));
  });

  it('shows what the lab teaches: ASLR moves the stack, the page cache keeps the text until drop_caches', () => {
    const runs = commands(r.stdout).filter((c) => c.cmd.startsWith('memview2')).map((c) => report(c.out));
    expect(runs.length).toBe(5);
    const [a, b, c] = runs as [Map<string, [bigint, bigint]>, Map<string, [bigint, bigint]>, Map<string, [bigint, bigint]>];
    expect(a.size).toBe(40);
    expect(b.get('&lmsg')![0]).not.toBe(a.get('&lmsg')![0]);
    expect(b.get('main')![1]).toBe(a.get('main')![1]);
    expect(c.get('main')![1] >> 12n).not.toBe(b.get('main')![1] >> 12n);
  });

  it("shows the driver's copy_to_user with its kernel stack and its kmalloc in the direct map", () => {
    expect(r.stdout).toMatch(/copy_to_user: uaddr=0x[0-9a-f]+ len=16\n <stack trace>\n => Uaccess\.copyToUser\n(?: => \S+\n)*? => copy_to_user\n => physicalview_ioctl\n/);
    expect(r.stdout).toMatch(/kmalloc: call_site=\S+ ptr=0xffff888[0-9a-f]+ bytes_req=16 /);
    expect(r.stdout).not.toContain('file:');
  });
});

describe('abridge', () => {
  it('keeps the first event of each kernel stack per command and counts the repeats', () => {
    const ev = (t: string): string => `      p-1 [000] .....     0.000001: copy_to_user: ${t}`;
    const text = ['vmlab# a', ev('x'), ' <stack trace>', ' => f', ' => file:///x.mjs:1:2', 'out', ev('y'), ' <stack trace>', ' => f', ev('z'), ' <stack trace>', ' => g', 'vmlab# b', ev('w'), ''].join('\n');
    expect(abridge(text)).toBe(
      ['vmlab# a', ev('x'), ' <stack trace>', ' => f', 'out', ev('z'), ' <stack trace>', ' => g', '  [... 1 more copy_to_user event like the one above]', 'vmlab# b', ev('w'), ''].join('\n'),
    );
  });
});
