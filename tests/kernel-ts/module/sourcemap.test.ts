import { describe, expect, it } from 'vitest';
import { SourceLines, splitInlineMap } from '../../../kernel-ts/module/sourcemap';
import { bootKernel, logLines } from '../proc/helpers';
import { insmod, moduleFile } from './helpers';

describe('module source maps', () => {
  it('decodes revision-3 mappings: relative fields across segments and lines, the last segment at or before the column', () => {
    // Line 1: col 0 -> a.ts line 1; col 4 -> a.ts line 3. Line 2: none. Line 3: col 2 -> b.ts line 2 (source +1, line -1).
    const map = SourceLines.decode(JSON.stringify({ version: 3, sources: ['/home/u/lab/a.ts', 'src/b.ts'], mappings: 'AAAA,IAEA;;ECDA' }));
    expect(map).not.toBeNull();
    expect(map!.original(1, 1)).toEqual({ file: 'a.ts', line: 1 });
    expect(map!.original(1, 4)).toEqual({ file: 'a.ts', line: 1 });
    expect(map!.original(1, 5)).toEqual({ file: 'a.ts', line: 3 });
    expect(map!.original(2, 1)).toBeNull();
    expect(map!.original(3, 2)).toBeNull();
    expect(map!.original(3, 3)).toEqual({ file: 'b.ts', line: 2 });
    expect(map!.original(9, 1)).toBeNull();
  });

  it('a map that is not revision 3, not JSON or not valid base64 VLQ decodes to null; no map leaves the text whole', () => {
    expect(SourceLines.decode('{')).toBeNull();
    expect(SourceLines.decode(JSON.stringify({ version: 2, sources: [], mappings: '' }))).toBeNull();
    expect(SourceLines.decode(JSON.stringify({ version: 3, sources: ['a'], mappings: 'A!AA' }))).toBeNull();
    expect(SourceLines.decode(JSON.stringify({ version: 3, sources: ['a'], mappings: 'AAA' }))).not.toBeNull();
    expect(SourceLines.decode(JSON.stringify({ version: 3, sources: ['a'], mappings: 'g' }))).toBeNull();
    expect(splitInlineMap('var x = 1;\n')).toEqual({ code: 'var x = 1;\n', map: null });
    const cut = splitInlineMap('var x = 1;\n//# sourceMappingURL=data:application/json;base64,%%%\n');
    expect(cut).toEqual({ code: 'var x = 1;\n', map: null });
  });

  it('BUG_ON and WARN_ON in a module file name the line of the file, past type-only lines esbuild drops', () => {
    const { k } = bootKernel();
    const path = moduleFile(`import { BUG_ON, WARN_ON, module_init, MODULE_LICENSE } from 'vmlab/linux';

interface Item {
  id: number;
  name: string;
}
type Items = Item[];

function check(items: Items): number {
  WARN_ON(items.length === 0);
  BUG_ON(items.length === 0);
  return 0;
}

module_init(() => check([]));
MODULE_LICENSE('GPL');
`, 'lines.ts');
    const n = logLines(k).length;
    expect(insmod(k, path).r).not.toBe(0);
    const log = logLines(k).slice(n);
    expect(log.filter((l) => /^WARNING: |^kernel BUG at /.test(l))).toEqual([
      expect.stringMatching(/^WARNING: CPU: 0 PID: \d+ at lines\.ts:10 check\+0x[0-9a-f]+\/0x[0-9a-f]+ \[lines\]$/),
      'kernel BUG at lines.ts:11!',
    ]);
  });
});
