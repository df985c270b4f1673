// docs/linux-api.md and docs/modules.md's index list every export of
// vmlab/linux, and nothing else, as the TypeScript compiler resolves
// linux.d.ts; both are what scripts/linux-reference.mjs generates from the
// include/*.d.ts doc comments now (not stale); modules.md's porting example
// type-checks against vmlab/linux as insmod would check it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_DOC, MODULES_DOC, apiDocNames, chaptersFor, commentToMarkdown, compareNames, compilerExports, indexNames, parseDeclarations,
  readHeaders, headerNames, renderApiDoc, renderModulesDoc,
} from '../../scripts/linux-reference.mjs';
import { ModuleTypeChecker } from '../../kernel-ts/module/typecheck';
import { docBlock } from '../support/doc-blocks';

const root = process.cwd();
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('the vmlab/linux reference', () => {
  let exported: Map<string, string>;
  beforeAll(async () => {
    exported = await compilerExports(root);
  });

  it('the compiler sees the surface: hundreds of exports, kmalloc from include/slab.d.ts', () => {
    expect(exported.size).toBeGreaterThan(600);
    expect(exported.get('kmalloc')).toBe('kernel-ts/module/linux/include/slab.d.ts');
    expect(exported.get('vm_area_struct')).toBe('kernel-ts/module/linux/include/mm_types.d.ts');
    expect(exported.get('EFAULT')).toBe('kernel-ts/errno.ts');
  });

  it(`${API_DOC} documents every export and nothing else`, () => {
    expect(compareNames(exported.keys(), apiDocNames(read(API_DOC)))).toEqual({ missing: [], extra: [], duplicated: [] });
  });

  it(`${MODULES_DOC} lists every export by header and nothing else`, () => {
    expect(compareNames(exported.keys(), indexNames(read(MODULES_DOC)))).toEqual({ missing: [], extra: [], duplicated: [] });
  });

  it('the text reading of the declarations finds what the compiler exports, each in its header', () => {
    const byHeader = new Map<string, string>();
    for (const [h, items] of readHeaders(root)) for (const n of headerNames(items)) byHeader.set(n, h);
    const wrongFile = [...exported].filter(([n, f]) => {
      const h = byHeader.get(n);
      return h === undefined || !(f === `kernel-ts/module/linux/include/${h}.d.ts` || (h === 'errno' && f === 'kernel-ts/errno.ts'));
    });
    expect(wrongFile).toEqual([]);
    expect([...byHeader.keys()].filter((n) => !exported.has(n))).toEqual([]);
  });

  it('docs/labs/README.md names only functions vmlab/linux exports', () => {
    const text = read('docs/labs/README.md');
    const lists = [...text.matchAll(/\*\*vmlab\/linux:\*\*([\s\S]*?)(?=\n- \*\*|\n\n)/g)].map((m) => m[1]!);
    expect(lists.length).toBe(5);
    const names = lists.flatMap((l) => [...l.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    expect(names.length).toBeGreaterThan(150);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });

  it(`${API_DOC} and ${MODULES_DOC}'s index are what the generator writes now (else: node scripts/linux-reference.mjs)`, () => {
    expect(read(API_DOC)).toBe(renderApiDoc(root));
    expect(read(MODULES_DOC)).toBe(renderModulesDoc(root));
  });
});

describe('the checks fail when they should', () => {
  it('compareNames reports an export the doc misses, a name it lists that is not exported, a name listed twice', () => {
    expect(compareNames(['kmalloc', 'kfree', 'vmalloc'], ['kmalloc', 'kfree', 'kfree', 'kzalloc'])).toEqual({
      missing: ['vmalloc'], extra: ['kzalloc'], duplicated: ['kfree'],
    });
  });

  it('a header linux.d.ts re-exports but no chapter names lands in "Other headers"; one not re-exported is left out', () => {
    const chapters = chaptersFor(new Map([['slab', []], ['zz_new', []]]));
    expect(chapters).toEqual([
      { title: 'Memory: pages, kmalloc, vmalloc, kernel memory access', headers: [['slab', '<linux/slab.h>']] },
      { title: 'Other headers', headers: [['zz_new', '<linux/zz_new.h>']] },
    ]);
  });

  it('a declaration added to a header without regenerating makes the docs stale', () => {
    const names = apiDocNames(read(API_DOC));
    expect(names).toContain('kmalloc');
    expect(compareNames([...names, 'kmalloc_node'], names).missing).toEqual(['kmalloc_node']);
  });
});

describe('reading a declaration file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vmlab-linux-reference-'));
  });

  it('a doc comment covers the declarations right below it; a blank line or another doc starts a new group', () => {
    const file = join(dir, 'x.d.ts');
    writeFileSync(file, [
      '// <linux/x.h>: a header.',
      '//',
      '//   const a = x_get(p);',
      "import type { ulong } from './types';",
      '',
      '/** Linux x_get() .. z_get(): one entry. */',
      'export function x_get(p: ulong): ulong;',
      'export function z_get(p: ulong): ulong;',
      'export function w_get(p: ulong): ulong;',
      '',
      'export const LONE: bigint;',
      '/** struct x: its body has braces and parens in comments. */',
      'export interface x {',
      '  /** [start, end) of it ( */',
      '  readonly a: { b: number };',
      '}',
      '/** Overloads share the name. */',
      'export declare function f(a: 1): number;',
      'export declare function f(a: 2): bigint;',
      '// ---- a section ----',
      'export declare const S: number;',
    ].join('\n'));
    const items = parseDeclarations(file);
    expect(items.map((it) => it.kind)).toEqual(['header', 'group', 'group', 'group', 'group', 'section', 'group']);
    const groups = items.flatMap((it) => (it.kind === 'group' ? [{ doc: it.doc.join(' '), names: it.decls.flatMap((d) => d.names) }] : []));
    expect(groups).toEqual([
      { doc: 'Linux x_get() .. z_get(): one entry.', names: ['x_get', 'z_get', 'w_get'] },
      { doc: '', names: ['LONE'] },
      { doc: 'struct x: its body has braces and parens in comments.', names: ['x'] },
      { doc: 'Overloads share the name.', names: ['f', 'f'] },
      { doc: '', names: ['S'] },
    ]);
    const iface = items[3]!;
    expect(iface.kind === 'group' && iface.decls[0]!.text).toBe('interface x {\n  /** [start, end) of it ( */\n  readonly a: { b: number };\n}');
    expect(headerNames(items)).toEqual(['x_get', 'z_get', 'w_get', 'LONE', 'x', 'f', 'S']);
  });

  it('comments become markdown: indented lines a code block, list items kept, markup-like prose made safe', () => {
    expect(commentToMarkdown([
      'Reads *pgd (<linux/pgtable.h>) and __pa(x);',
      '  const e = pgdp_get(pgd);',
      'then:',
      '- one, continued',
      '  on the next line',
      '0600) is a mode.',
    ])).toEqual([
      'Reads `*pgd` (`<linux/pgtable.h>`) and `__pa(x)`;',
      '',
      '```ts',
      'const e = pgdp_get(pgd);',
      '```',
      '',
      'then:',
      '- one, continued',
      '  on the next line',
      '0600\\) is a mode.',
    ]);
  });
});

describe("modules.md's porting example", () => {
  const checker = new ModuleTypeChecker();
  afterAll(() => checker.close());

  it('walk-module type-checks against vmlab/linux', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmlab-walk-'));
    const file = join(dir, 'walk.ts');
    writeFileSync(file, docBlock(MODULES_DOC, 'walk-module'));
    expect(checker.check(file)).toEqual([]);
  });
});
