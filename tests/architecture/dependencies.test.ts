// The dependency rules (dependency-rules.ts) over vmlab's real import graph
// (import-graph.ts): a broken arrow fails here, naming the import.
// No exceptions: every built-in driver imports only 'vmlab/linux' and its
// own helpers (issue 13's ports emptied the list the transition had).
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { checkRules, importGraph, importSpecifiers, resolveSpecifier, sourceFiles } from './import-graph';
import type { Edge, Exception } from './import-graph';
import { RULES, SOURCE_DIRS } from './dependency-rules';

const ROOT = join(import.meta.dirname, '..', '..');
const DRIVER_RULE = "drivers import only 'vmlab/linux' and their own directory";

const EXCEPTIONS: readonly Exception[] = [];

describe('dependency rules over the import graph', () => {
  const edges = importGraph(ROOT, SOURCE_DIRS);

  it('every arrow points the allowed way, with no exception', () => {
    const v = checkRules(edges, RULES, EXCEPTIONS);
    expect(v.violations).toEqual([]);
    expect(v.stale).toEqual([]);
  });

  it("the graph reader misses none of the bundler's own imports (esbuild's metafile, value imports)", () => {
    const entries = sourceFiles(ROOT, SOURCE_DIRS).filter((f) => f.endsWith('.ts'));
    // One bundle importing every file: esbuild resolves each import once and lists it in the metafile.
    const r = esbuild.buildSync({
      stdin: { contents: entries.map((f) => `import './${f}';`).join('\n'), resolveDir: ROOT, sourcefile: 'all-sources.ts', loader: 'ts' },
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      metafile: true,
      outfile: 'out.mjs',
      platform: 'node',
      format: 'esm',
      packages: 'external',
      external: ['vmlab/linux'],
      logLevel: 'silent',
    });
    const known = new Set(edges.map((e) => `${e.from} -> ${e.to}`));
    const missed: string[] = [];
    for (const [from, input] of Object.entries(r.metafile.inputs)) {
      if (from === 'all-sources.ts') continue;
      for (const imp of input.imports) {
        if (imp.external) continue;
        if (!known.has(`${from} -> ${imp.path}`)) missed.push(`${from} -> ${imp.path}`);
      }
    }
    expect(missed).toEqual([]);
    // And the reader is not vacuous: the machine's files import each other.
    expect(edges.filter((e) => e.from.startsWith('emu/machine/')).length).toBeGreaterThan(20);
  });
});

describe('the rule checker itself (a synthetic graph)', () => {
  const bad: Edge[] = [
    { from: 'emu/machine/cpu/cpu.ts', to: 'kernel-ts/kernel.ts' },
    { from: 'emu/machine/cpu/cpu.ts', to: 'emu/machine/mmu/mmu.ts' },
    { from: 'asm/parser.ts', to: 'emu/machine/isa/table.ts' },
    { from: 'asm/parser.ts', to: 'emu/machine/cpu/cpu.ts' },
    { from: 'kernel-ts/module/loader.ts', to: 'kernel-ts/drivers/index.ts' },
    { from: 'kernel-ts/drivers/x.ts', to: 'vmlab/linux' },
    { from: 'kernel-ts/drivers/x.ts', to: 'kernel-ts/drivers/x-helper.ts' },
    { from: 'kernel-ts/drivers/x.ts', to: 'kernel-ts/mm/pgtable.ts' },
    { from: 'kernel-ts/mm/pgtable.ts', to: 'emu/cli/main.ts' },
    { from: 'kernel-ts/mm/pgtable.ts', to: 'esbuild' },
    { from: 'emu/debugger/repl.ts', to: 'emu/cli/output.ts' },
    { from: 'host/files.ts', to: 'kernel-ts/errno.ts' },
  ];

  it('finds each broken arrow, and only those', () => {
    expect(checkRules(bad, RULES).violations).toEqual([
      'emu/machine/cpu/cpu.ts -> kernel-ts/kernel.ts breaks "emu/machine imports nothing outside itself"',
      'asm/parser.ts -> emu/machine/cpu/cpu.ts breaks "asm imports only asm, emu/machine/isa and host"',
      'kernel-ts/mm/pgtable.ts -> emu/cli/main.ts breaks "kernel-ts imports only kernel-ts, emu/machine and host"',
      'kernel-ts/mm/pgtable.ts -> esbuild breaks "kernel-ts imports only kernel-ts, emu/machine and host"',
      'kernel-ts/module/loader.ts -> kernel-ts/drivers/index.ts breaks "the kernel core imports no driver"',
      `kernel-ts/drivers/x.ts -> kernel-ts/mm/pgtable.ts breaks "${DRIVER_RULE}"`,
      'host/files.ts -> kernel-ts/errno.ts breaks "host imports only Node"',
      'kernel-ts/mm/pgtable.ts -> emu/cli/main.ts breaks "nothing imports a front end but a front end"',
    ]);
  });

  it('an exception excuses its edge; one that matches no import is reported stale', () => {
    const v = checkRules(bad.filter((e) => e.from.startsWith('kernel-ts/drivers/')), RULES, [
      { rule: DRIVER_RULE, from: 'kernel-ts/drivers/x.ts', to: 'kernel-ts/mm/pgtable.ts' },
      { rule: DRIVER_RULE, from: 'kernel-ts/drivers/x.ts', to: 'kernel-ts/mm/page.ts' },
    ]);
    expect(v).toEqual({
      violations: [],
      stale: [`kernel-ts/drivers/x.ts -> kernel-ts/mm/page.ts ("${DRIVER_RULE}") is no longer an import: delete the exception`],
    });
  });

  it('reads every form of import, type imports included, and no commented-out one', () => {
    const text = `import a from './a';
import type { B } from "./b";
import {
  c,
  type D,
} from './c';
export { e } from './e';
export * from './f';
import './g';
// import { x } from './commented';
/* import { y } from './block'; */
const h = await import('./h');
const i = require('./i');
`;
    expect(importSpecifiers(text)).toEqual(['./a', './b', './c', './e', './f', './g', './h', './i']);
    expect(resolveSpecifier(ROOT, 'kernel-ts/module/loader.ts', './compile')).toBe('kernel-ts/module/compile.ts');
    expect(resolveSpecifier(ROOT, 'kernel-ts/module/loader.ts', './linux/index')).toBe('kernel-ts/module/linux/index.ts');
  });
});
