// The btplus experiment (guest-programs/experiments/btplus.vmsh,
// docs/experiments/btplus.md): the transcript against a golden copy with
// addresses, times and free-page counts masked, and the lab's observations
// asserted. Regenerate the golden copy with:
//   npx vitest run tests/experiments/btplus-vmsh.test.ts -u
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';

const SCRIPT = join(process.cwd(), 'guest-programs', 'experiments', 'btplus.vmsh');

function mask(text: string): string {
  return text
    .replace(/^\[\s*\d+\.\d+\]/gm, '[    T]')
    .replace(/\b0x[0-9a-f]{9,16}\b/g, (h) => `0x${'X'.repeat(h.length - 2)}`)
    .replace(/^nr_free_pages \d+$/gm, 'nr_free_pages N');
}

describe('btplus experiment (vmlab shell btplus.vmsh)', () => {
  const r = vmlab(['shell', SCRIPT]);

  it('runs to the end, and the transcript matches the golden copy (addresses masked)', async () => {
    expect(r.status).toBe(0);
    await expect(mask(r.stdout)).toMatchFileSnapshot('btplus.golden.txt');
  });

  it('every check of the four programs passes', () => {
    expect(r.stdout).not.toContain('FAIL');
    expect([...r.stdout.matchAll(/^\d+ check\(s\), 0 failed$/gm)]).toHaveLength(4);
  });

  it('the log shows two promotion rounds and the demotions of Figure 2 (a: one, b: two)', () => {
    const rounds = [...r.stdout.matchAll(/btplus: promotion round for pid \d+: (\d+) huge page\(s\)/g)].map((m) => m[1]);
    expect(rounds).toEqual(['2', '2']);
    expect([...r.stdout.matchAll(/btplus: demoted /g)]).toHaveLength(3);
    expect(r.stdout).toMatch(/thp_collapse_alloc 4\nthp_split_pmd 4\n/);
  });
});
