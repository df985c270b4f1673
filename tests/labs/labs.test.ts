// The lab kit's grading tier (docs/labs/README.md): `vmlab lab check LAB
// [FILE...]` runs each lab's test programs against
//   1. the built-in reference driver (CI runs this: every check passes);
//   2. the reference driver's source copied into a folder and loaded by path,
//      as a student's file is (compiled, type-checked): every check passes,
//      and the report is the built-in's but for the module's name;
//   3. the unmodified skeleton of docs/labs/LAB/: it loads, fails, and says
//      which exercises are missing. Its report is the README's golden block.
// The READMEs' shell sessions are replayed here too.
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmlab } from '../support/cli';
import { docBlock } from '../support/doc-blocks';
import { shell } from '../support/shell';

interface LabCase {
  lab: string;
  /** The reference's files in kernel-ts/drivers/, the first ones the modules in the lab's order, then helpers. */
  reference: string[];
  /** How many of `reference` are modules (the rest are helper files they import). */
  modules: number;
  /** The skeleton's module files, then its helpers, in docs/labs/LAB/. */
  skeleton: string[];
  checks: number;
  /** The README's session runs in a folder of the completed files: each file name there, from which reference file. */
  solved: Record<string, string>;
  /** The README's golden blocks (docs/labs/LAB/README.md). */
  blocks: { session: string; skeleton: string; reference: string };
}

const LABS: LabCase[] = [
  { lab: 'kmalloc-vmalloc', reference: ['memalloc.ts', 'memaccess.ts', 'memalloc-walk.ts'], modules: 2, skeleton: ['part2_a.ts', 'part2_b.ts', 'walk.ts'], checks: 9, solved: { 'part2_a.ts': 'memalloc.ts', 'part2_b.ts': 'memaccess.ts', 'memalloc-walk.ts': 'memalloc-walk.ts' }, blocks: { session: 'lab-kmalloc-vmalloc-session', skeleton: 'lab-kmalloc-vmalloc-skeleton', reference: 'lab-kmalloc-vmalloc-reference' } },
  { lab: 'mtest', reference: ['mtest.ts'], modules: 1, skeleton: ['mtest.ts'], checks: 9, solved: { 'mtest.ts': 'mtest.ts' }, blocks: { session: 'lab-mtest-session', skeleton: 'lab-mtest-skeleton', reference: 'lab-mtest-reference' } },
  { lab: 'btplus', reference: ['btplus.ts', 'btplus-huge.ts', 'btplus-compact.ts', 'btplus-walk.ts'], modules: 1, skeleton: ['btplus.ts', 'btplus-huge.ts', 'btplus-compact.ts', 'btplus-walk.ts'], checks: 8, solved: { 'btplus.ts': 'btplus.ts', 'btplus-huge.ts': 'btplus-huge.ts', 'btplus-compact.ts': 'btplus-compact.ts', 'btplus-walk.ts': 'btplus-walk.ts' }, blocks: { session: 'lab-btplus-session', skeleton: 'lab-btplus-skeleton', reference: 'lab-btplus-reference' } },
  { lab: 'mmapper', reference: ['mmapper.ts'], modules: 1, skeleton: ['mmapper.ts'], checks: 8, solved: { 'mmapper.ts': 'mmapper.ts' }, blocks: { session: 'lab-mmapper-session', skeleton: 'lab-mmapper-skeleton', reference: 'lab-mmapper-reference' } },
  { lab: 'physicalview', reference: ['physicalview.ts'], modules: 1, skeleton: ['physicalview.ts'], checks: 9, solved: { 'physicalview.ts': 'physicalview.ts' }, blocks: { session: 'lab-physicalview-session', skeleton: 'lab-physicalview-skeleton', reference: 'lab-physicalview-reference' } },
];

/** A fresh folder holding copies of `files` from `from`. */
function folderWith(from: string, files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-lab-'));
  for (const f of files) copyFileSync(join(process.cwd(), from, f), join(dir, f));
  return dir;
}

/** The report without its header and without the lines that name the loaded files (insmod's word). */
const body = (report: string): string[] => report.split('\n').slice(1).filter((l) => !/^ {2}ok {4}insmod /.test(l));

describe('vmlab lab check: the lab kit grades module files', () => {
  for (const c of LABS) {
    describe(c.lab, () => {
      const builtin = vmlab(['lab', 'check', c.lab]);

      it("the built-in reference solution passes every check (the README's block)", () => {
        expect(builtin.stderr).toBe('');
        expect(builtin.stdout).toMatch(new RegExp(`\\nall ${c.checks} checks passed\\n$`));
        expect(builtin.status).toBe(0);
        expect(`$ vmlab lab check ${c.lab}; echo $?\n${builtin.stdout}${builtin.status}\n`).toBe(docBlock(`docs/labs/${c.lab}/README.md`, c.blocks.reference));
      });

      it("the reference's source loaded by path, as a student's file, passes the same checks", () => {
        const dir = folderWith('kernel-ts/drivers', c.reference);
        const files = c.reference.slice(0, c.modules).map((f) => `./${f}`);
        const r = vmlab(['lab', 'check', c.lab, ...files], { cwd: dir });
        expect(r.stderr).toBe('');
        expect(r.stdout.split('\n')[0]).toBe(`lab ${c.lab}: ${files.map((f) => `${f} (module ${f.slice(2, -3).replace(/-/g, '_')})`).join(', ')}`);
        // Loaded from the file: insmod's line names the path.
        for (const f of files) expect(r.stdout).toContain(`  ok    insmod ${f}`);
        expect(body(r.stdout)).toEqual(body(builtin.stdout));
        expect(r.status).toBe(0);
      });

      it("the unmodified skeleton loads and fails, naming the missing exercises (the README's block)", () => {
        const dir = folderWith(`docs/labs/${c.lab}`, c.skeleton);
        const files = c.skeleton.slice(0, c.modules).map((f) => `./${f}`);
        const r = vmlab(['lab', 'check', c.lab, ...files], { cwd: dir });
        expect(r.status).toBe(1);
        for (const f of files) expect(r.stdout).toContain(`  ok    insmod ${f}`);
        expect(r.stdout).toMatch(/\n {8}\(EXERCISE 1 in /);
        const block = docBlock(`docs/labs/${c.lab}/README.md`, c.blocks.skeleton);
        expect(`$ vmlab lab check ${c.lab} ${files.join(' ')}; echo $?\n${r.stdout}${r.status}\n`).toBe(block);
      });
    });
  }

  it('every skeleton file of docs/labs is graded above', () => {
    const listed = LABS.flatMap((c) => c.skeleton.map((f) => `${c.lab}/${f}`)).sort();
    const found = readdirSync(join(process.cwd(), 'docs/labs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
    expect(found).toEqual(listed);
  });
});

describe('vmlab lab: usage errors are one line, status 2', () => {
  it.each([
    [['lab', 'check', 'nope'], "vmlab: lab check: no lab 'nope'; the labs: kmalloc-vmalloc, mtest, btplus, mmapper, physicalview"],
    [['lab', 'check', 'mtest', 'a.ts', 'b.ts'], 'vmlab: lab check mtest: give one module file (mtest.ts), or none for the reference solution'],
    [['lab', 'check', 'kmalloc-vmalloc', 'a.ts'], 'vmlab: lab check kmalloc-vmalloc: give 2 module files (part2_a.ts part2_b.ts), or none for the reference solution'],
    [['lab', 'check', 'mtest', 'missing.ts'], 'vmlab: lab check mtest: missing.ts: No such file or directory'],
    [['lab', 'check'], 'vmlab: lab check: which lab? kmalloc-vmalloc, mtest, btplus, mmapper, physicalview'],
    [['lab', 'grade', 'mtest'], "vmlab: lab: unknown action 'grade' (list, or check LAB [FILE...])"],
  ])('vmlab %j', (args, message) => {
    const r = vmlab(args);
    expect(r.stderr).toBe(`${message}\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });

  it('a file that does not type-check fails its load check with the compiler\'s error, and the other checks are not run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-lab-'));
    const bad = "import { module_init } from 'vmlab/linux';\nmodule_init(() => { const n: number = 1n; return n; });\n";
    writeFileSync(join(dir, 'mtest.ts'), bad);
    const r = vmlab(['lab', 'check', 'mtest', './mtest.ts'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("  FAIL  insmod ./mtest.ts loads the module\n        insmod said:\n        | ./mtest.ts:2:27: error TS2322: Type 'bigint' is not assignable to type 'number'.\n");
    expect(r.stdout).toContain('  FAIL  listvma\n        not checked: the module did not load (above)\n');
  });
});

// The sessions load the completed module files (the reference solutions, copied
// under the skeletons' names): what a student sees once the exercises are done.
describe("docs/labs: the walkthroughs' shell sessions", () => {
  for (const c of LABS) {
    it(`docs/labs/${c.lab}/README.md's session is what vmlab shell prints`, () => {
      const block = docBlock(`docs/labs/${c.lab}/README.md`, c.blocks.session);
      const input = block.split('\n').filter((l) => l.startsWith('vmlab# ')).map((l) => `${l.slice(7)}\n`).join('');
      const dir = mkdtempSync(join(tmpdir(), 'vmlab-lab-'));
      for (const [to, from] of Object.entries(c.solved)) copyFileSync(join(process.cwd(), 'kernel-ts/drivers', from), join(dir, to));
      const r = shell([], { input, cwd: dir });
      expect(r.status).toBe(0);
      expect(r.output).toBe(block);
    });
  }
});
