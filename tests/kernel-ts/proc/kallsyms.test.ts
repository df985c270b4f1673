// The oops's Call Trace (kernel-ts/proc/kallsyms.ts): function names with
// +offset/size in the compiled JavaScript, [module] for a module's frames,
// no host paths, the same wherever the code lives; and the function-extent
// reader on the JavaScript that trips naive bracket matching.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kallsyms, functionEnd } from '../../../kernel-ts/proc/kallsyms';

const req = createRequire(import.meta.url);

/** Where `fn`'s text starts and ends in src, found by hand: from `head` to the end marker `tail` (included). */
function extent(src: string, head: string, tail: string): [number, number] {
  const start = src.indexOf(head);
  return [start, src.indexOf(tail, start) + tail.length];
}

describe('functionEnd', () => {
  const cases: [string, string, string][] = [
    // [source, where the function starts, how it ends]
    ['function f(a) { return "}" + \'{\' + a; } f(1);', 'function f', '; }'],
    ['const g = (x) => { const re = /[}{]\\/}/g; return re.test(x) / 2; }; g(1);', '(x)', '/ 2; }'],
    ['const h = x => `a${ { b: x }.b }}` + 1, y = 2;', 'x =>', '+ 1'],
    ['const o = { m(a = { z: 1 }) { /* } */ return a.z; // }\n }, n: 1 };', 'm(a', '// }\n }'],
    ['class K { static s() { if (1) { return [1, 2]; } } t() {} }', 's()', '} }'],
    ['const k = async (a) => (a ? { a } : [a]), w = 0;', 'async', ': [a])'],
    ['class B extends A { x = f({ y: 1 }); }', 'class B', '; }'],
    ['function d(a) { return a / 2 / 3; }', 'function d', '3; }'],
  ];
  for (const [src, head, tail] of cases) {
    it(src, () => {
      const [start, end] = extent(src, head, tail);
      expect(functionEnd(src, start)).toBe(end);
    });
  }

  it('is -1 for text that is not a function', () => {
    expect(functionEnd('a + b', 0)).toBe(-1);
    expect(functionEnd('function f(a { ', 0)).toBe(-1);
  });
});

const KERNEL = `'use strict';
function inner(x) {
  const s = \`{\${x}\`;
  throw new Error('boom ' + s);
}
class Machine {
  step() { return inner(/}/.source); }
}
function runInProcess(m) {
  return m.step();
}
function host() { return runInProcess(new Machine()); }
module.exports = { host };
`;

/** The Call Trace of KERNEL's error, loaded from dir/name. */
function traceFrom(dir: string, name: string, module: string | null): string[] {
  const file = join(dir, name);
  writeFileSync(file, KERNEL);
  const syms = new Kallsyms();
  if (module !== null) syms.addModule(file, module, KERNEL);
  try {
    (req(file) as { host(): void }).host();
  } catch (e) {
    return syms.callTrace(e as Error);
  }
  throw new Error('no throw');
}

describe('Kallsyms.callTrace', () => {
  it('names each frame with its offset and size in the compiled code, innermost first, up to the kernel entry', () => {
    const lines = traceFrom(mkdtempSync(join(tmpdir(), 'vmlab-kallsyms-')), 'k.cjs', null);
    const [iStart, iEnd] = extent(KERNEL, 'function inner', 's);\n}');
    const [sStart, sEnd] = extent(KERNEL, 'step()', '; }');
    const [rStart, rEnd] = extent(KERNEL, 'function runInProcess', ';\n}');
    const hex = (n: number): string => `0x${n.toString(16)}`;
    expect(lines).toEqual([
      ` inner+${hex(KERNEL.indexOf('new Error') - iStart)}/${hex(iEnd - iStart)}`,
      ` Machine.step+${hex(KERNEL.indexOf('inner(/') - sStart)}/${hex(sEnd - sStart)}`,
      // host, which called runInProcess, is outside the kernel: not shown.
      ` runInProcess+${hex(KERNEL.indexOf('m.step()') + 2 - rStart)}/${hex(rEnd - rStart)}`,
    ]);
  });

  it('gives a module\'s frames its name, and shows no host path, the same under any folder', () => {
    const short = traceFrom(mkdtempSync(join(tmpdir(), 'k-')), 'm.cjs', 'xdev');
    const longDir = join(mkdtempSync(join(tmpdir(), 'vmlab-kallsyms-')), 'a-rather-long-folder-name'.repeat(4), 'and deeper (with spaces)');
    mkdirSync(longDir, { recursive: true });
    const long = traceFrom(longDir, 'm.cjs', 'xdev');
    expect(long).toEqual(short);
    expect(short[0]).toMatch(/^ inner\+0x[0-9a-f]+\/0x[0-9a-f]+ \[xdev\]$/);
    expect(short.join('\n')).not.toMatch(/\.cjs|\(|:\d+/);
    expect(short.join('\n')).not.toContain(tmpdir());
  });

  it('reads a stack formatted before the oops as names alone', () => {
    const e = new Error('x');
    e.stack = 'Error: x\n    at inner (file:///a/b.js:3:9)\n    at <anonymous> (file:///a/b.js:9:1)\n    at Object.probe (/a/c.js:1:1)\n    at runInProcess (/a/d.js:1:1)\n    at later (/a/d.js:2:1)';
    expect(new Kallsyms().callTrace(e)).toEqual([' inner', ' probe', ' runInProcess']);
  });
});

describe('the error afterwards', () => {
  it('keeps a readable stack for whoever looks at it later', () => {
    const e = new Error('later');
    new Kallsyms().callTrace(e);
    expect(e.stack).toMatch(/^Error: later\n {4}at .*kallsyms\.test\.ts:\d+:\d+/);
  });
});
