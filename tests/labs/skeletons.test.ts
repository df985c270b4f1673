// The lab skeletons (docs/labs/LAB/*.ts) are written from the reference
// drivers (kernel-ts/drivers/*.ts) by scripts/lab-skeletons.mjs, from the
// EXERCISE/SKELETON regions the drivers mark: the committed skeletons are
// exactly what the drivers give.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(process.cwd(), 'scripts', 'lab-skeletons.mjs');

interface Generator {
  skeletonOf(driver: string, name: string): string;
  SKELETONS: [string, string][];
}
const load = async (): Promise<Generator> => (await import(SCRIPT as string)) as Generator;

describe('lab skeletons from the reference drivers', () => {
  it('the committed skeletons are what scripts/lab-skeletons.mjs writes from the drivers', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('every skeleton of tests/labs/labs.test.ts has its driver (10 files, 5 labs)', async () => {
    const { SKELETONS } = await load();
    expect(SKELETONS.length).toBe(10);
    expect(new Set(SKELETONS.map(([s]) => s.split('/')[0])).size).toBe(5);
  });

  it("a region's `//|` lines are the skeleton's text there, the rest the reference's only", async () => {
    const { skeletonOf } = await load();
    const driver = [
      'a();',
      'function f() {',
      '  // EXERCISE 1 begin',
      '  //| // EXERCISE 1: do it.',
      '  //|',
      '  //| return -ENOSYS;',
      '  return 0;',
      '  //| not a text line: the reference\'s',
      '  // EXERCISE 1 end',
      '}',
      '// SKELETON begin',
      'reference only',
      '// SKELETON end',
    ].join('\n');
    expect(skeletonOf(driver, 'd.ts')).toBe(['a();', 'function f() {', '  // EXERCISE 1: do it.', '', '  return -ENOSYS;', '}'].join('\n'));
  });

  it('a malformed region is an error naming the file and line', async () => {
    const { skeletonOf } = await load();
    expect(() => skeletonOf('// EXERCISE 1 begin\nx\n', 'd.ts')).toThrow('d.ts:1: EXERCISE 1 has no end');
    expect(() => skeletonOf('// EXERCISE 1 begin\n// EXERCISE 2 end\n', 'd.ts')).toThrow("d.ts:2: 'EXERCISE 2 end' closes EXERCISE 1 (line 1)");
    expect(() => skeletonOf('// SKELETON end\n', 'd.ts')).toThrow("d.ts:1: 'SKELETON end' with no begin");
    expect(() => skeletonOf('// SKELETON begin\n// EXERCISE 1 begin\n', 'd.ts')).toThrow("d.ts:2: 'EXERCISE 1 begin' inside SKELETON (line 1)");
  });
});
